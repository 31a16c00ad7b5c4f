// Runs the real herald binary for a browser test: a private temp dir with a generated config and
// database, a free loopback port, its output in a log file, bounded waits, and a SIGKILL at the end.
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The token the tests publish with, and the user it maps to. */
export const TOKEN = 'page-token';
export const USER = 'alice';
/** A second user whose name is markup, to see that names are shown as text too. */
export const MARKUP_TOKEN = 'markup-token';
export const MARKUP_USER = '<b>mallory</b>';

const binary = process.env.HERALD_BINARY;

// Every server this process started, so that none outlives a test run that crashed.
const running = new Set();
process.on('exit', () => { for (const child of running) child.kill('SIGKILL'); });

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function configText({ port, db, websocketToml, storageToml, extraToml, logLevel }) {
  return `[server]
listen = "127.0.0.1:${port}"
io_threads = 1
actor_threads = 1
# A SIGTERM test restarts the server; it need not wait long for clients.
shutdown_timeout = "2s"

[websocket]
${websocketToml}

[storage]
path = ${JSON.stringify(db)}
# The tests publish hundreds of messages on a shared machine; they kill the process, not the kernel.
synchronous = "normal"
${storageToml}

[auth.tokens]
${JSON.stringify(TOKEN)} = ${JSON.stringify(USER)}
${JSON.stringify(MARKUP_TOKEN)} = ${JSON.stringify(MARKUP_USER)}

[log]
level = "${logLevel}"

${extraToml}
`;
}

export class HeraldServer {
  /** Starts herald and waits until it serves; options add config lines (see configText). */
  static async start({ websocketToml = '', storageToml = '', extraToml = '', logLevel = 'info' } = {}) {
    if (!binary) throw new Error('HERALD_BINARY is not set (run the suite through ctest or run.sh)');
    const server = new HeraldServer();
    server.dir = mkdtempSync(join(tmpdir(), 'herald-browser-'));
    server.port = await freePort();
    server.db = join(server.dir, 'herald.db');
    server.config = join(server.dir, 'herald.toml');
    server.log = join(server.dir, 'herald.log');
    writeFileSync(server.config, configText({ port: server.port, db: server.db, websocketToml, storageToml, extraToml, logLevel }));
    await server.launch();
    return server;
  }

  get origin() { return `http://127.0.0.1:${this.port}`; }

  /** Starts the binary (again, after a kill: same config, port and database). */
  async launch() {
    const log = openSync(this.log, 'a');
    const child = spawn(binary, ['--config', this.config], { cwd: this.dir, stdio: ['ignore', log, log] });
    closeSync(log);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }));
    running.add(child);
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) break;
      try {
        const res = await fetch(`${this.origin}/healthz`, { signal: AbortSignal.timeout(1000) });
        if (res.status === 200) return;
      } catch (_) { /* not listening yet */ }
      await sleep(50);
    }
    throw new Error(`herald did not start on port ${this.port}\n--- log ---\n${this.logText()}`);
  }

  /** Sends `signal` and waits (bounded) for the process to end. */
  async kill(signal = 'SIGKILL') {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const ended = await Promise.race([this.exited, sleep(15000, null, { ref: false })]);
    if (!ended) {
      child.kill('SIGKILL');
      await this.exited;
      throw new Error(`herald did not end after ${signal}`);
    }
  }

  async stop() {
    await this.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  logText() {
    try { return readFileSync(this.log, 'utf8'); } catch (_) { return ''; }
  }

  /** Publishes through the REST API; resolves to {status, id, body}. */
  async publish(channel, text, token = TOKEN) {
    const res = await fetch(`${this.origin}/api/channels/${channel}/messages`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ message: text }),
      signal: AbortSignal.timeout(30000),
    });
    const body = await res.json().catch(() => null);
    return { status: res.status, id: body && body.id, body };
  }

  /** Publishes and insists on a 200; resolves to the id. */
  async mustPublish(channel, text, token = TOKEN) {
    const r = await this.publish(channel, text, token);
    if (r.status !== 200) throw new Error(`publish to ${channel} answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r.id;
  }
}
