// herald.js: the browser client for herald, as an ES module without dependencies.
//
//   import { Herald } from '/herald.js';
//   const feed = new Herald(location.origin, { channel: 'news', token });
//   feed.on('message', (m) => console.log(m.id, m.username, m.message));
//   await feed.publish('hello');
//
// A Herald delivers every message of its channel once and in id order, across reconnects
// (it resumes with ?since=<last id delivered>) and across the server's `lagged` notices
// (it fetches the skipped messages from the history API before anything newer). Messages the
// server no longer keeps (its retention removed them) cannot come: a `gap` event says so.

const DEFAULT_CHANNEL = 'system/message';
const PAGE_LIMIT = 1000;        // the server clamps ?limit= to this
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 10000;
const STABLE_MS = 5000;         // a socket open this long counts as healthy and resets the backoff
const EVENTS = ['message', 'open', 'close', 'lagged', 'gap'];

/** An HTTP answer other than 2xx (`status` is the HTTP status), or 0 for a network failure. */
export class HeraldError extends Error {
  constructor(status, message) {
    super(status ? `${status}: ${message}` : message);
    this.name = 'HeraldError';
    this.status = status;
    this.reason = message;
  }
}

/** Why `name` is not a channel the server accepts, or null when it is one. */
export function channelProblem(name) {
  if (typeof name !== 'string' || name.length === 0) return 'channel is empty';
  if (name.length > 128) return 'channel is longer than 128 characters';
  if (!/^[A-Za-z0-9_.:/-]+$/.test(name)) return 'channel may only use letters, digits and _ . : / -';
  if (name.startsWith('/') || name.endsWith('/')) return 'channel must not start or end with /';
  if (name.includes('//')) return 'channel must not contain //';
  // A browser resolves "." and ".." path segments itself, even percent-encoded.
  if (name === '.' || name === '..') return 'channel "." or ".." cannot be used from a browser';
  return null;
}

// Valid names need no escaping, except that a "." or ".." segment would be resolved away by the
// URL parser; such a name travels as one segment with %2F, which the server decodes to /.
function channelPath(name) {
  const parts = name.split('/');
  return parts.some((p) => p === '.' || p === '..') ? parts.join('%2F') : name;
}

// The server's HTTP and WebSocket roots from whatever the caller gave: an http(s) or ws(s) URL,
// possibly with a path prefix (herald behind a proxy), or a path relative to the page.
function serverRoots(url) {
  const base = typeof location === 'object' && location ? location.href : undefined;
  const u = new URL(String(url), base);
  const secure = u.protocol === 'https:' || u.protocol === 'wss:';
  const prefix = u.pathname.replace(/\/+$/, '');
  return {
    http: `${secure ? 'https' : 'http'}://${u.host}${prefix}`,
    ws: `${secure ? 'wss' : 'ws'}://${u.host}${prefix}`,
  };
}

const isMessage = (m) => m !== null && typeof m === 'object' && Number.isSafeInteger(m.id) && m.id > 0
  && m.type === undefined;

async function request(url, init = {}) {
  let res;
  try {
    res = await fetch(url, { cache: 'no-store', ...init, headers: { Accept: 'application/json', ...init.headers } });
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new HeraldError(0, `network error: ${err && err.message ? err.message : err}`);
  }
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    const why = body && typeof body.message === 'string' ? body.message : res.statusText || 'unexpected answer';
    throw new HeraldError(res.status, why);
  }
  return body;
}

/** GET /api/channels: [{name, subscribers, stored, last_id}, ...] sorted by name. */
export async function listChannels(url, { signal } = {}) {
  const body = await request(`${serverRoots(url).http}/api/channels`, { signal });
  return body && Array.isArray(body.channels) ? body.channels.filter((c) => c && typeof c.name === 'string') : [];
}

// One page of history: {messages, gapResumeFrom}, the latter set when the server removed messages
// after `since` (they cannot be fetched; the page holds everything after gapResumeFrom).
async function fetchPage(url, channel, { since = 0, limit = 100, signal } = {}) {
  const body = await request(
    `${serverRoots(url).http}/api/channels/${channelPath(channel)}/messages?since=${since}&limit=${limit}`, { signal });
  const messages = body && Array.isArray(body.messages) ? body.messages.filter(isMessage) : [];
  const gap = body && body.gap && Number.isSafeInteger(body.gap.resume_from) ? body.gap.resume_from : null;
  return { messages, gapResumeFrom: gap };
}

/** GET /api/channels/{channel}/messages: stored messages with id > since, ascending. */
export async function fetchMessages(url, channel, options = {}) {
  return (await fetchPage(url, channel, options)).messages;
}

/** POST /api/channels/{channel}/messages; resolves to {status, id} once the message is committed. */
export async function publishMessage(url, channel, text, token, { signal } = {}) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const body = await request(`${serverRoots(url).http}/api/channels/${channelPath(channel)}/messages`, {
    method: 'POST', headers, body: JSON.stringify({ message: String(text) }), signal,
  });
  if (!body || !Number.isSafeInteger(body.id)) throw new HeraldError(0, 'unexpected answer to a publish');
  return body;
}

// The last `count` messages of `channel` up to id `until` (its last id). The API only pages
// forward and ids are global, so how densely a channel's ids lie is unknown: the window ending
// at `until` widens backwards eightfold until it holds `count` messages, a few small requests for
// a channel of any size, where reading forward from 0 would transfer its whole history.
async function recentMessages(url, channel, count, until, signal) {
  for (let span = 256; ; span *= 8) {
    const from = Math.max(0, until - span);
    let since = from;
    let kept = [];
    for (;;) {
      const page = await fetchMessages(url, channel, { since, limit: PAGE_LIMIT, signal });
      kept = kept.concat(page).slice(-count);
      const next = page.length ? page[page.length - 1].id : since;
      if (page.length < PAGE_LIMIT || next >= until) break;
      since = next;
    }
    if (kept.length >= count || from === 0) return kept;
  }
}

// Calls a listener without letting its exception stop the delivery to the others.
function report(err) {
  if (typeof reportError === 'function') reportError(err);
  else setTimeout(() => { throw err; });
}

/**
 * One channel's messages, live, each once and in id order.
 *
 * options:
 *   channel  the channel (default "system/message")
 *   since    deliver every message with an id above this one, then live ones; without it the
 *            feed starts at the channel's current end
 *   history  without `since`: first deliver this many of the latest stored messages (default 0)
 *   token    the publish token that publish() sends (Authorization: Bearer)
 *
 * events (on / off):
 *   message  (m) {id, channel, username, message, time}
 *   open     ({since}) the socket is open and resumes after id `since`
 *   close    ({code, reason, retryInMs, retryAt}) the socket closed (code 0: the attempt failed
 *            before a socket opened, reason says why); retryInMs is null once close() was called
 *   lagged   ({skipped, resumeFrom}) the server skipped messages for this slow reader; they are
 *            being fetched from history and come as `message` events before anything newer
 *   gap      ({since, resumeFrom}) the server no longer keeps the messages after id `since` up
 *            to `resumeFrom` (its retention removed them), so they never come; delivery goes on
 *            after `resumeFrom`, which is now lastId
 */
export class Herald {
  #roots;
  #url;
  #channel;
  #token;
  #history;
  #listeners = new Map(EVENTS.map((e) => [e, new Set()]));
  #lastId;
  #positioned;          // #lastId says where the feed stands (else it starts at the channel's end)
  #state = 'connecting';
  #ws = null;
  #abort = new AbortController();
  #queue = [];          // what the socket delivered and the feed has not passed on yet, in order
  #draining = false;
  #attempt = 0;
  #openedAt = 0;
  #retryTimer = 0;
  #stopped = false;

  constructor(url, { channel = DEFAULT_CHANNEL, since, token = '', history = 0 } = {}) {
    const problem = channelProblem(channel);
    if (problem) throw new TypeError(`invalid channel: ${problem}`);
    if (since !== undefined && !(Number.isSafeInteger(since) && since >= 0)) {
      throw new TypeError('since must be a non-negative integer');
    }
    if (!(Number.isSafeInteger(history) && history >= 0)) throw new TypeError('history must be a non-negative integer');
    this.#url = url;
    this.#roots = serverRoots(url);
    this.#channel = channel;
    this.#token = token;
    this.#history = history;
    this.#lastId = since === undefined ? 0 : since;
    this.#positioned = since !== undefined;
    // Every event comes from a network callback, so listeners added right after construction see all.
    this.#connect();
  }

  get channel() { return this.#channel; }
  /** The id of the last message delivered (or the `since` it started from). */
  get lastId() { return this.#lastId; }
  /** "connecting", "open", "reconnecting" or "closed". */
  get state() { return this.#state; }

  on(event, fn) {
    this.#listenersOf(event).add(fn);
    return this;
  }

  off(event, fn) {
    this.#listenersOf(event).delete(fn);
    return this;
  }

  /** Publishes `text` to this feed's channel with its token; resolves to {status, id} once committed. */
  publish(text) {
    return publishMessage(this.#url, this.#channel, text, this.#token);
  }

  /** Closes the socket for good; nothing is delivered afterwards. */
  close() {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#state = 'closed';
    clearTimeout(this.#retryTimer);
    this.#abort.abort();
    this.#queue = [];
    const ws = this.#ws;
    this.#ws = null;
    if (ws) ws.close(1000, 'closed by client');
    this.#emit('close', { code: 1000, reason: 'closed by client', retryInMs: null, retryAt: null });
  }

  #listenersOf(event) {
    const set = this.#listeners.get(event);
    if (!set) throw new TypeError(`unknown event "${event}" (known: ${EVENTS.join(', ')})`);
    return set;
  }

  #emit(event, value) {
    for (const fn of [...this.#listeners.get(event)]) {
      try { fn(value); } catch (err) { report(err); }
    }
  }

  // Ids only grow, so one number drops anything that a replay delivers a second time.
  #deliver(m) {
    if (m.id <= this.#lastId || this.#stopped) return;
    this.#lastId = m.id;
    this.#emit('message', m);
  }

  // The server removed what lies between lastId and resumeFrom: the feed moves past it, so a
  // reconnect resumes from there. A gap already behind lastId is no news.
  #skipGap(resumeFrom) {
    if (resumeFrom <= this.#lastId || this.#stopped) return;
    const since = this.#lastId;
    this.#lastId = resumeFrom;
    this.#emit('gap', { since, resumeFrom });
  }

  async #connect() {
    if (!this.#positioned) {
      try {
        await this.#findStart();
      } catch (err) {
        if (this.#stopped) return;
        this.#retry({ code: 0, reason: `history unavailable: ${err.message}` });
        return;
      }
      if (this.#stopped) return;
    }
    // since is sent even when it is 0: messages published while the history loaded are replayed.
    const url = `${this.#roots.ws}/socket/${channelPath(this.#channel)}?since=${this.#lastId}`;
    let ws;
    try {
      ws = new WebSocket(url);
    } catch (err) {
      this.#retry({ code: 0, reason: `cannot connect: ${err.message}` });
      return;
    }
    this.#ws = ws;
    const since = this.#lastId;
    ws.onopen = () => {
      if (this.#ws !== ws) return;
      this.#openedAt = Date.now();
      this.#state = 'open';
      this.#emit('open', { since });
    };
    ws.onmessage = (ev) => {
      if (this.#ws !== ws || typeof ev.data !== 'string') return;
      let m;
      try { m = JSON.parse(ev.data); } catch (_) { return; }
      if (m && m.type === 'lagged' && Number.isSafeInteger(m.skipped) && Number.isSafeInteger(m.resume_from)) {
        this.#queue.push({ lag: { skipped: m.skipped, resumeFrom: m.resume_from } });
      } else if (m && m.type === 'gap' && Number.isSafeInteger(m.resume_from)) {
        this.#queue.push({ gap: m.resume_from });
      } else if (isMessage(m) && (m.channel === undefined || m.channel === this.#channel)) {
        this.#queue.push({ message: m });
      } else {
        return;
      }
      this.#drain();
    };
    ws.onclose = (ev) => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      if (this.#openedAt && Date.now() - this.#openedAt >= STABLE_MS) this.#attempt = 0;
      this.#openedAt = 0;
      // A shutting-down server says when to come back (1001, "retry_after_ms=N", jittered per client).
      // A slow consumer's 1008 needs nothing special: the reconnect resumes after the last id delivered.
      const hint = /retry_after_ms=(\d+)/.exec(ev.reason || '');
      this.#retry({ code: ev.code, reason: ev.reason }, ev.code === 1001 && hint ? Number(hint[1]) : undefined);
    };
    // onerror carries no detail; the close event that always follows it does.
  }

  // Without `since`, the feed starts at the channel's last stored id, so that a reconnect before
  // the first live message still knows where to resume; with `history`, the latest stored
  // messages up to there come first. The listing names every channel of the server: where there
  // are very many, pass `since` instead.
  async #findStart() {
    const signal = this.#abort.signal;
    const channels = await listChannels(this.#url, { signal });
    const entry = channels.find((c) => c.name === this.#channel);
    const end = entry && Number.isSafeInteger(entry.last_id) ? entry.last_id : 0;
    if (this.#history > 0 && end > 0) {
      const recent = await recentMessages(this.#url, this.#channel, this.#history, end, signal);
      if (this.#stopped) return;
      recent.forEach((m) => this.#deliver(m));
    }
    this.#lastId = Math.max(this.#lastId, end);
    this.#positioned = true;
  }

  // Exponential backoff with "equal jitter": half of the delay grows with each failure, the other
  // half is random, so that many clients do not all come back in the same instant after a restart.
  #retry(why, retryAfterMs) {
    if (this.#stopped) return;
    clearTimeout(this.#retryTimer);
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** this.#attempt);
    this.#attempt = Math.min(this.#attempt + 1, 16);
    const delay = retryAfterMs !== undefined ? retryAfterMs : Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
    this.#state = 'reconnecting';
    this.#retryTimer = setTimeout(() => this.#connect(), delay);
    this.#emit('close', { code: why.code, reason: why.reason || '', retryInMs: delay, retryAt: Date.now() + delay });
  }

  // Passes on what the socket delivered, in order; a lagged notice holds everything behind it
  // until the gap it announces has been fetched and delivered.
  async #drain() {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.#queue.length > 0 && !this.#stopped) {
        const item = this.#queue.shift();
        if (item.message) {
          this.#deliver(item.message);
        } else if (item.gap !== undefined) {
          this.#skipGap(item.gap);
        } else if (!(await this.#fillGap(item.lag))) {
          this.#resume();
          return;
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  // Fetches the messages a lagged notice announces: `skipped` messages of the channel after
  // `resumeFrom`. It reads from the last id delivered, which is resumeFrom unless a replay already
  // covered part of the gap, and stops once the gap is read, the history ends, or it reaches the
  // next message the socket has queued. Each page asks for what is still missing.
  async #fillGap({ skipped, resumeFrom }) {
    this.#emit('lagged', { skipped, resumeFrom });
    const nextQueued = () => {
      const next = this.#queue.find((item) => item.message);
      return next ? next.message.id : Infinity;
    };
    let got = 0;
    const maxPages = Math.ceil(skipped / PAGE_LIMIT) + 4;
    try {
      for (let pages = 0; pages < maxPages && got < skipped && !this.#stopped; ++pages) {
        const limit = Math.min(PAGE_LIMIT, Math.max(1, skipped - got));
        const since = this.#lastId;
        const { messages: page, gapResumeFrom } = await fetchPage(this.#url, this.#channel,
          { since, limit, signal: this.#abort.signal });
        // Retention may have removed some of the skipped messages meanwhile.
        if (gapResumeFrom !== null) this.#skipGap(Math.min(gapResumeFrom, nextQueued() - 1));
        for (const m of page) {
          if (m.id > resumeFrom) got += 1;
          this.#deliver(m);
        }
        if (page.length < limit || this.#lastId >= nextQueued()) return true;
      }
      return got >= skipped || this.#stopped;
    } catch (err) {
      return this.#stopped;
    }
  }

  // The gap could not be fetched: drop the socket and what it queued, and reconnect with
  // ?since=<last id delivered>, whose replay covers the gap as well.
  #resume() {
    if (this.#stopped) return;
    this.#queue = [];
    const ws = this.#ws;
    this.#ws = null;
    if (ws) ws.close(4000, 'resuming after a gap');
    this.#retry({ code: 4000, reason: 'could not fetch skipped messages; resuming' });
  }
}
