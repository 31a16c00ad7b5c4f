// Bytes waiting in the kernel on a server's loopback connections, from /proc/net/tcp: how full
// the socket buffers between herald and a browser that stopped reading are.
import { readFileSync } from 'node:fs';

/**
 * {sent, unread}: bytes the server's sockets on `port` have queued for sending (tx_queue), and
 * bytes its peers' sockets have received but not read yet (rx_queue).
 */
export function queuedBytes(port) {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let sent = 0;
  let unread = 0;
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 5) continue;
    const [tx, rx] = fields[4].split(':').map((h) => parseInt(h, 16));
    if (fields[1].endsWith(`:${hexPort}`)) sent += tx;
    if (fields[2].endsWith(`:${hexPort}`)) unread += rx;
  }
  return { sent, unread };
}
