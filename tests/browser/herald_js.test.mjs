// web/herald.js used directly in a page of headless Chromium against the real herald binary:
// publish(), since and history, the lagged notice of a drop_oldest channel filled from history,
// a 1008 slow-consumer close resumed with since, a 1001 shutdown's retry_after_ms, and the gap
// notice of a server whose retention removed what a feed asked for.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { launchBrowser, openWatchedPage } from './support/browser.mjs';
import { HeraldServer, TOKEN, USER } from './support/herald_server.mjs';
import { queuedBytes } from './support/tcp_queues.mjs';

const TEST_TIMEOUT = 90000;

// The flood that makes a reader lag: the page's main thread is kept busy, so the browser stops
// reading the socket, while messages of FLOOD_SIZE bytes are published until the kernel's
// buffers between herald and the browser are full (they stop growing, see floodWhileBusy), then
// OVERFLOW more, which overflow herald's queue of QUEUE_LIMIT bytes; then the page is let go.
// How much the buffers hold depends on the machine, hence the measurement, bounded by
// FLOOD_MAX messages.
const FLOOD_SIZE = 200000;
const QUEUE_LIMIT = 1 << 20;
const OVERFLOW = Math.ceil((2 * QUEUE_LIMIT) / FLOOD_SIZE) + 5;
const FLOOD_MAX = 400;
const STILL_FOR = 3;

// In the page: imports herald.js and starts a feed whose events land in window.log.
async function startFeed(page, options) {
  await page.evaluate(async (opts) => {
    const { Herald } = await import('/herald.js');
    window.log = { messages: [], events: [] };
    window.feed = new Herald(location.origin, opts);
    window.feed.on('message', (m) => window.log.messages.push(m));
    for (const event of ['open', 'close', 'lagged', 'gap']) {
      window.feed.on(event, (value) => window.log.events.push({ event, ...value }));
    }
  }, options);
}

// What the feed delivered, each message's text cut short: a flood's would be megabytes.
const delivered = (page) => page.evaluate(() => window.log.messages.map((m) => ({ ...m, message: m.message.slice(0, 40) })));
const events = (page, event) => page.evaluate((e) => window.log.events.filter((x) => x.event === e), event);

function waitOpened(page, times = 1, timeout = 20000) {
  return page.waitForFunction((n) => window.log.events.filter((e) => e.event === 'open').length >= n,
    times, { timeout });
}

function waitDelivered(page, id, timeout = 30000) {
  return page.waitForFunction((want) => {
    const m = window.log.messages;
    return m.length > 0 && m[m.length - 1].id >= want;
  }, id, { timeout });
}

// A page at the server's origin that runs nothing of its own; closed after the test.
const opened = [];
async function blankPage(browser, server) {
  const tab = await openWatchedPage(browser, server.origin);
  opened.push(tab);
  await tab.page.goto(`${server.origin}/healthz`);
  return tab;
}
async function closeOpened() {
  for (const { context } of opened.splice(0)) await context.close();
}

function assertClean({ watch }) {
  assert.deepEqual(watch.errors, [], 'uncaught script errors');
  assert.deepEqual(watch.foreign, [], 'requests to other hosts');
}

// Keeps the page's main thread busy while flooding `channel`; resolves to the acknowledged ids.
// The buffers count as full when the bytes queued in the kernel on the server's connections
// have not changed over STILL_FOR publishes (each one is broadcast before its 200 comes back).
// The page polls with synchronous requests (no task of the page runs meanwhile, so neither does
// its socket's) for the message that releases it.
async function floodWhileBusy(page, server, channel) {
  const release = `release/${channel}`;
  const busy = page.evaluate((path) => {
    const end = Date.now() + 60000;
    while (Date.now() < end) {
      const xhr = new XMLHttpRequest();
      xhr.open('GET', path, false);
      xhr.send();
      if (xhr.status === 200 && JSON.parse(xhr.responseText).messages.length > 0) return true;
      const pause = Date.now() + 50;
      while (Date.now() < pause) { /* the page reads nothing meanwhile */ }
    }
    return false;
  }, `/api/channels/${release}/messages?since=0&limit=1`);
  const acked = [];
  let last = '';
  let still = 0;
  let more = -1;
  for (let i = 0; i < FLOOD_MAX && more !== 0; ++i) {
    acked.push(await server.mustPublish(channel, `${i}:`.padEnd(FLOOD_SIZE, 'x')));
    if (more > 0) {
      more -= 1;
      continue;
    }
    const { sent, unread } = queuedBytes(server.port);
    const now = `${sent}/${unread}`;
    still = now === last && sent > 0 ? still + 1 : 0;
    last = now;
    if (still >= STILL_FOR) more = OVERFLOW;
  }
  await server.mustPublish(release, 'go');
  assert.equal(await busy, true, 'the page was not released');
  assert.equal(more, 0, `the kernel's buffers were still filling after ${acked.length} messages`);
  return acked;
}

describe('herald.js', () => {
  let server;
  let browser;

  before(async () => {
    server = await HeraldServer.start();
    browser = await launchBrowser();
  });

  afterEach(closeOpened);

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  it('publish() sends through the REST API with the token; the message arrives once', { timeout: TEST_TIMEOUT }, async () => {
    const tab = await blankPage(browser, server);
    const { page } = tab;
    await startFeed(page, { channel: 'api/publish', token: TOKEN });
    await waitOpened(page);
    const answer = await page.evaluate(() => window.feed.publish('sent by herald.js'));
    assert.equal(answer.status, 'OK');
    assert.ok(Number.isSafeInteger(answer.id));
    await waitDelivered(page, answer.id);
    const got = await delivered(page);
    assert.equal(got.length, 1);
    assert.equal(got[0].id, answer.id);
    assert.equal(got[0].channel, 'api/publish');
    assert.equal(got[0].username, USER);
    assert.equal(got[0].message, 'sent by herald.js');

    // Refusals come back as HeraldError with the server's status and reason.
    const refused = await page.evaluate(async () => {
      const { Herald } = await import('/herald.js');
      const outcome = async (feed) => {
        try {
          await feed.publish('nope');
          return 'published';
        } catch (err) {
          return `${err.name} ${err.status}`;
        } finally {
          feed.close();
        }
      };
      return [
        await outcome(new Herald(location.origin, { channel: 'api/publish', since: 0, token: 'wrong' })),
        await outcome(new Herald(location.origin, { channel: 'api/publish', since: 0 })),
      ];
    });
    assert.deepEqual(refused, ['HeraldError 401', 'HeraldError 401']);
    const stored = await fetch(`${server.origin}/api/channels/api/publish/messages?since=0`).then((r) => r.json());
    assert.deepEqual(stored.messages.map((m) => m.id), [answer.id]);
    assertClean(tab);
  });

  it('starts after `since`, or at the channel\'s end with its last `history` messages first', { timeout: TEST_TIMEOUT }, async () => {
    const ids = [];
    for (let i = 1; i <= 5; ++i) ids.push(await server.mustPublish('api/since', `m${i}`));
    const tab = await blankPage(browser, server);
    const { page } = tab;

    await startFeed(page, { channel: 'api/since', since: ids[1] });
    await waitDelivered(page, ids[4]);
    assert.deepEqual((await delivered(page)).map((m) => m.id), ids.slice(2));
    await page.evaluate(() => window.feed.close());

    await startFeed(page, { channel: 'api/since', history: 3 });
    await waitDelivered(page, ids[4]);
    await waitOpened(page);
    const live = await server.mustPublish('api/since', 'm6');
    await waitDelivered(page, live);
    assert.deepEqual((await delivered(page)).map((m) => m.id), [...ids.slice(2), live]);
    await page.evaluate(() => window.feed.close());

    await startFeed(page, { channel: 'api/since' });
    await waitOpened(page);
    const next = await server.mustPublish('api/since', 'm7');
    await waitDelivered(page, next);
    assert.deepEqual((await delivered(page)).map((m) => m.id), [next]);
    const closes = await events(page, 'close');
    await page.evaluate(() => window.feed.close());
    assert.deepEqual(closes, [], 'no socket closed on its own');
    assertClean(tab);
  });

  it('honours retry_after_ms of a 1001 shutdown close and resumes after a restart', { timeout: TEST_TIMEOUT }, async () => {
    const tab = await blankPage(browser, server);
    const { page } = tab;
    await startFeed(page, { channel: 'api/shutdown', since: 0 });
    await waitOpened(page);
    const before = await server.mustPublish('api/shutdown', 'before');
    await waitDelivered(page, before);

    await server.kill('SIGTERM');
    await page.waitForFunction(() => window.log.events.some((e) => e.event === 'close'));
    const [close] = await events(page, 'close');
    assert.equal(close.code, 1001);
    const hint = /retry_after_ms=(\d+)/.exec(close.reason);
    assert.ok(hint, close.reason);
    assert.equal(close.retryInMs, Number(hint[1]));

    await server.launch();
    const after = await server.mustPublish('api/shutdown', 'after');
    await waitOpened(page, 2);
    await waitDelivered(page, after);
    assert.deepEqual((await delivered(page)).map((m) => m.id), [before, after]);
    await page.evaluate(() => window.feed.close());
    assertClean(tab);
  });
});

describe('herald.js on a server that keeps 3 messages per channel', () => {
  let server;
  let browser;

  before(async () => {
    server = await HeraldServer.start({ storageToml: 'max_messages_per_channel = 3' });
    browser = await launchBrowser();
  });

  afterEach(closeOpened);

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  it('reports a gap for what was removed, then delivers what is kept and live ones', { timeout: TEST_TIMEOUT }, async () => {
    const ids = [];
    for (let i = 1; i <= 6; ++i) ids.push(await server.mustPublish('api/gap', `m${i}`));
    // Removal runs in the background, about once a second.
    const history = () => fetch(`${server.origin}/api/channels/api/gap/messages?since=0`).then((r) => r.json());
    const deadline = Date.now() + 10000;
    let kept = await history();
    while (kept.messages.length > 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      kept = await history();
    }
    assert.deepEqual(kept.messages.map((m) => m.id), ids.slice(3));
    assert.deepEqual(kept.gap, { resume_from: ids[2] });

    const tab = await blankPage(browser, server);
    const { page } = tab;
    await startFeed(page, { channel: 'api/gap', since: ids[0] });
    await waitDelivered(page, ids[5]);
    assert.deepEqual(await events(page, 'gap'), [{ event: 'gap', since: ids[0], resumeFrom: ids[2] }]);
    assert.deepEqual((await delivered(page)).map((m) => m.id), ids.slice(3));
    await waitOpened(page);
    const live = await server.mustPublish('api/gap', 'm7');
    await waitDelivered(page, live);
    assert.deepEqual((await delivered(page)).map((m) => m.id), [...ids.slice(3), live]);
    assert.equal(await page.evaluate(() => window.feed.lastId), live);
    await page.evaluate(() => window.feed.close());
    assertClean(tab);
  });
});

describe('herald.js with a reader that cannot keep up', () => {
  let server;
  let browser;

  before(async () => {
    // A queue of a few messages per connection: a reader that stops reading overflows it soon.
    server = await HeraldServer.start({
      websocketToml: `write_queue_limit = ${QUEUE_LIMIT}\nmax_message_size = "256KiB"`,
      extraToml: '[slow_consumer]\npolicy = "disconnect"\n\n[slow_consumer.channels]\n"lag/*" = "drop_oldest"\n',
    });
    browser = await launchBrowser();
  });

  afterEach(closeOpened);

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  it('fills the gap of a lagged notice from history, in order, before later messages', { timeout: TEST_TIMEOUT }, async () => {
    const tab = await blankPage(browser, server);
    const { page } = tab;
    await startFeed(page, { channel: 'lag/x', since: 0 });
    await waitOpened(page);
    const acked = await floodWhileBusy(page, server, 'lag/x');
    const last = await server.mustPublish('lag/x', 'after the flood');
    acked.push(last);
    await waitDelivered(page, last, 60000);

    const lagged = await events(page, 'lagged');
    assert.ok(lagged.length >= 1, `no lagged notice after ${acked.length} messages: the flood did not overflow`);
    for (const l of lagged) assert.ok(l.skipped > 0 && acked.includes(l.resumeFrom), JSON.stringify(l));
    const got = await delivered(page);
    assert.deepEqual(got.map((m) => m.id), acked);
    got.slice(0, -1).forEach((m, i) => assert.ok(m.message.startsWith(`${i}:`), `message ${m.id}`));
    assert.deepEqual(await events(page, 'close'), [], 'the lagging socket stayed open');
    await page.evaluate(() => window.feed.close());
    assertClean(tab);
  });

  it('resumes with since after a 1008 slow-consumer close, missing nothing', { timeout: TEST_TIMEOUT }, async () => {
    const tab = await blankPage(browser, server);
    const { page } = tab;
    await startFeed(page, { channel: 'slow/x', since: 0 });
    await waitOpened(page);
    const acked = await floodWhileBusy(page, server, 'slow/x');
    await page.waitForFunction(() => window.log.events.some((e) => e.event === 'close'), null, { timeout: 30000 });
    const last = await server.mustPublish('slow/x', 'after the flood');
    acked.push(last);
    await waitDelivered(page, last, 60000);

    const [close] = await events(page, 'close');
    assert.equal(close.code, 1008, JSON.stringify(close));
    assert.match(close.reason, /^slow consumer; resume with since=\d+$/);
    const got = await delivered(page);
    assert.deepEqual(got.map((m) => m.id), acked);
    assert.ok((await events(page, 'open')).length >= 2, 'reconnected');
    await page.evaluate(() => window.feed.close());
    assertClean(tab);
  });
});
