// The tool page (web/index.html + app.js on herald.js) in headless Chromium against the real
// herald binary: sending, history, two tabs, a server killed and restarted, markup shown as
// text, a refused token, and a screenshot of the page.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { launchBrowser, openWatchedPage } from './support/browser.mjs';
import { HeraldServer, MARKUP_TOKEN, MARKUP_USER, TOKEN, USER } from './support/herald_server.mjs';
import {
  openTool, sendFromPage, shownIds, shownMessage, statusText, waitConnected, waitLastShown,
} from './support/tool_page.mjs';

const TEST_TIMEOUT = 90000;

describe('tool page', () => {
  let server;
  let browser;
  const pages = [];

  before(async () => {
    server = await HeraldServer.start();
    browser = await launchBrowser();
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  // A test's pages stop reconnecting and polling once it is over.
  afterEach(async () => {
    for (const { context } of pages.splice(0)) await context.close();
  });

  // A page in its own context; every test ends by checking that it threw nothing, opened no
  // dialog and asked nothing of any other host.
  async function newPage() {
    const p = await openWatchedPage(browser, server.origin);
    pages.push(p);
    return p;
  }

  function assertClean({ watch }) {
    assert.deepEqual(watch.errors, [], 'uncaught script errors');
    assert.deepEqual(watch.dialogs, [], 'dialogs');
    assert.deepEqual(watch.foreign, [], 'requests to other hosts');
  }

  it('shows a message sent from the page in its live pane; the token stays out of URLs', { timeout: TEST_TIMEOUT }, async () => {
    const tab = await newPage();
    const { page, watch } = tab;
    await openTool(page, server.origin); // the default channel, system/message
    const text = `hello from the page ${Date.now()}`;
    const answer = await sendFromPage(page, text, { token: TOKEN });
    assert.equal(answer.state, 'ok', answer.text);
    assert.equal(answer.text, `OK, id ${answer.id}`);
    await waitLastShown(page, answer.id);
    const shown = await shownMessage(page, answer.id);
    assert.equal(shown.id, String(answer.id));
    assert.equal(shown.user, USER);
    assert.equal(shown.text, text);
    assert.match(shown.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(await page.inputValue('#message'), '', 'a sent message leaves the field');
    assert.equal(await page.textContent('#last-id'), String(answer.id));
    assert.equal(await page.textContent('#received-count'), '1');

    assert.equal(await page.evaluate(() => sessionStorage.getItem('herald.token')), TOKEN);
    for (const url of [page.url(), ...watch.urls]) assert.ok(!url.includes(TOKEN), `token in ${url}`);
    // The module is served as JavaScript, which browsers require of module scripts.
    const res = await page.request.get(`${server.origin}/herald.js`);
    assert.match(res.headers()['content-type'], /^text\/javascript/);

    // Same tab, reloaded: the token is still there and the message comes back from history.
    await page.reload();
    await waitConnected(page);
    assert.equal(await page.inputValue('#token'), TOKEN);
    await waitLastShown(page, answer.id);
    assertClean(tab);
  });

  it('opens a channel with its last 50 stored messages, switches channels from the list', { timeout: TEST_TIMEOUT }, async () => {
    const stored = [];
    const other = [];
    for (let i = 1; i <= 60; ++i) {
      stored.push(await server.mustPublish('hist/main', `stored ${i}`));
      // Ids are global: another channel's messages in between leave holes in this one's ids.
      if (i % 20 === 0) other.push(await server.mustPublish('hist/other', `other ${i / 20}`));
    }
    const tab = await newPage();
    const { page } = tab;
    await openTool(page, server.origin, 'hist/main');
    await waitLastShown(page, stored[59]);
    assert.deepEqual(await shownIds(page), stored.slice(-50));

    const live = await server.mustPublish('hist/main', 'live after history');
    await waitLastShown(page, live);
    assert.deepEqual(await shownIds(page), [...stored.slice(-50), live]);

    // The switcher lists the server's channels; choosing one shows that channel instead.
    // A locator, not an element handle: the list may be redrawn while the click is under way.
    await page.locator('#channel-list button[data-channel="hist/other"]').click();
    await page.waitForFunction(() => document.getElementById('live-channel').textContent === 'hist/other');
    await waitConnected(page);
    await waitLastShown(page, other[2]);
    assert.deepEqual(await shownIds(page), other);
    assert.equal(await page.getAttribute('#channel-list button[data-channel="hist/other"]', 'aria-current'), 'true');
    assert.equal(await page.inputValue('#send-channel'), 'hist/other', 'the send pane follows the live channel');
    assertClean(tab);
  });

  it('follows new messages until the reader scrolls up', { timeout: TEST_TIMEOUT }, async () => {
    const tab = await newPage();
    const { page } = tab;
    await openTool(page, server.origin, 'scroll/x');
    let last = 0;
    for (let i = 1; i <= 60; ++i) last = await server.mustPublish('scroll/x', `line ${i}`);
    await waitLastShown(page, last);
    const bottomGap = () => page.$eval('#messages', (l) => l.scrollHeight - l.scrollTop - l.clientHeight);
    await page.waitForFunction(() => {
      const l = document.getElementById('messages');
      return l.scrollHeight > l.clientHeight && l.scrollHeight - l.scrollTop - l.clientHeight <= 2;
    });

    await page.hover('#messages');
    await page.mouse.wheel(0, -600);
    await page.waitForFunction(() => document.getElementById('messages').scrollTop > 0
      && !document.getElementById('messages').classList.contains('follow'));
    const top = await page.$eval('#messages', (l) => l.scrollTop);
    last = await server.mustPublish('scroll/x', 'while scrolled up');
    await waitLastShown(page, last);
    await page.waitForSelector('#jump-latest:not([hidden])');
    assert.equal(await page.$eval('#messages', (l) => l.scrollTop), top, 'the reader keeps their place');
    assert.ok(await bottomGap() > 100);

    await page.click('#jump-latest');
    await page.waitForFunction(() => {
      const l = document.getElementById('messages');
      return l.scrollHeight - l.scrollTop - l.clientHeight <= 2;
    });
    last = await server.mustPublish('scroll/x', 'following again');
    await waitLastShown(page, last);
    await page.waitForFunction(() => {
      const l = document.getElementById('messages');
      return l.scrollHeight - l.scrollTop - l.clientHeight <= 2;
    });
    assertClean(tab);
  });

  it('shows a message sent from one page in both open pages, with the subscriber count', { timeout: TEST_TIMEOUT }, async () => {
    const a = await newPage();
    const b = await newPage();
    await openTool(a.page, server.origin, 'room/two');
    await openTool(b.page, server.origin, 'room/two');
    // B read the listing when its socket opened, after A's: it counts both. (A sees it at its
    // next periodic read.)
    await b.page.waitForFunction(() => document.getElementById('subscriber-count').textContent === '2',
      null, { timeout: 15000 });
    const fromA = await sendFromPage(a.page, 'from page A', { token: TOKEN });
    assert.equal(fromA.state, 'ok', fromA.text);
    const fromB = await sendFromPage(b.page, 'from page B', { token: TOKEN });
    assert.equal(fromB.state, 'ok', fromB.text);
    for (const { page } of [a, b]) {
      await waitLastShown(page, fromB.id);
      assert.deepEqual(await shownIds(page), [fromA.id, fromB.id]);
      assert.equal((await shownMessage(page, fromA.id)).text, 'from page A');
      assert.equal((await shownMessage(page, fromB.id)).text, 'from page B');
    }
    assertClean(a);
    assertClean(b);
  });

  it('reconnects after the server is killed and restarted, showing every message once, in order', { timeout: TEST_TIMEOUT }, async () => {
    const tab = await newPage();
    const { page, watch } = tab;
    await openTool(page, server.origin, 'restart/x');
    const acked = [];
    for (let i = 1; i <= 5; ++i) acked.push(await server.mustPublish('restart/x', `before ${i}`));
    await waitLastShown(page, acked[4]);

    await server.kill('SIGKILL');
    // The page says it is reconnecting, counts down to the next attempt and shows the close.
    await page.waitForFunction(() => document.getElementById('status').dataset.state === 'reconnecting');
    assert.match(await statusText(page), /^reconnecting in \d+ s · closed 1006/);
    // Restart while the next attempt is at least a second away, so that the messages below are
    // published while the page is disconnected and must come from its ?since= replay.
    await page.waitForFunction(() => /^reconnecting in ([2-9]|\d\d) s/.test(
      document.getElementById('conn-state').textContent), null, { timeout: 30000 });
    await server.launch();
    for (let i = 1; i <= 10; ++i) acked.push(await server.mustPublish('restart/x', `while away ${i}`));
    await waitConnected(page);
    for (let i = 1; i <= 10; ++i) acked.push(await server.mustPublish('restart/x', `after ${i}`));
    await waitLastShown(page, acked[acked.length - 1], 30000);

    assert.deepEqual(await shownIds(page), acked);
    const texts = await page.$$eval('#messages .msg-text', (els) => els.map((e) => e.textContent));
    assert.deepEqual(texts, [
      ...[1, 2, 3, 4, 5].map((i) => `before ${i}`),
      ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => `while away ${i}`),
      ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => `after ${i}`),
    ]);
    // The first socket started at the channel's end (it was empty); every attempt after the
    // kill resumed after the last message shown before it.
    const sockets = watch.urls.filter((u) => u.startsWith('ws:'));
    assert.ok(sockets.length >= 2, sockets.join(' '));
    assert.ok(sockets[0].endsWith('/socket/restart/x?since=0'), sockets[0]);
    for (const url of sockets.slice(1)) assert.ok(url.endsWith(`/socket/restart/x?since=${acked[4]}`), url);
    assertClean(tab);
  });

  it('shows the close code when disconnected by hand, and resumes where it stopped on connect', { timeout: TEST_TIMEOUT }, async () => {
    const tab = await newPage();
    const { page } = tab;
    await openTool(page, server.origin, 'toggle/x');
    const first = await server.mustPublish('toggle/x', 'first');
    await waitLastShown(page, first);
    await page.click('#connect-toggle');
    await page.waitForSelector('#status[data-state="closed"]');
    assert.equal(await statusText(page), 'closed 1000: closed by client');
    assert.equal(await page.textContent('#connect-toggle'), 'Connect');
    const missed = await server.mustPublish('toggle/x', 'published while closed');
    await page.click('#connect-toggle');
    await waitConnected(page);
    await waitLastShown(page, missed);
    assert.deepEqual(await shownIds(page), [first, missed]);
    assertClean(tab);
  });

  it('shows markup in a message and a user name as text and runs nothing', { timeout: TEST_TIMEOUT }, async () => {
    const tab = await newPage();
    const { page, watch } = tab;
    await openTool(page, server.origin, 'xss/x');
    const evil = '<img src=x onerror=alert(1)>';
    const answer = await sendFromPage(page, evil, { token: MARKUP_TOKEN });
    assert.equal(answer.state, 'ok', answer.text);
    await waitLastShown(page, answer.id);
    const shown = await shownMessage(page, answer.id);
    assert.equal(shown.text, evil);
    assert.equal(shown.user, MARKUP_USER);
    // Had the text become markup, the image would exist and its error handler would have run
    // once the request for "x" failed; give that request time to come back.
    await page.waitForLoadState('networkidle');
    assert.equal(await page.evaluate(() => document.querySelectorAll('img').length), 0, 'an <img> was created');
    assert.equal(await page.evaluate(() => document.querySelectorAll('#messages b').length), 0, 'a <b> was created');
    assert.ok(!watch.urls.some((u) => u === `${server.origin}/x`), 'the image was requested');
    assertClean(tab);
  });

  it('shows the 401 of a wrong token next to the button and publishes nothing', { timeout: TEST_TIMEOUT }, async () => {
    const tab = await newPage();
    const { page } = tab;
    await openTool(page, server.origin, 'refused/x');
    const answer = await sendFromPage(page, 'should not arrive', { token: 'not-a-token' });
    assert.equal(answer.state, 'error');
    assert.match(answer.text, /^401: /);
    assert.equal(await page.inputValue('#message'), 'should not arrive', 'a refused message stays in the field');
    const history = await fetch(`${server.origin}/api/channels/refused/x/messages?since=0`).then((r) => r.json());
    assert.deepEqual(history.messages, []);
    assert.deepEqual(await shownIds(page), []);
    assertClean(tab);
  });

  it('takes a screenshot of the page in use', { timeout: TEST_TIMEOUT }, async () => {
    // A server of its own, so that the picture shows only what this test publishes.
    const own = await HeraldServer.start();
    try {
      await own.mustPublish('system/message', 'maintenance window tonight 22:00 UTC');
      await own.mustPublish('chat/lobby', 'hi all');
      const lines = [
        'deploy 1.4.2 started on web-1',
        'deploy 1.4.2 finished on web-1 (38 s)',
        'disk usage on db-2 at 81 %',
        'deploy 1.4.2 started on web-2',
        'deploy 1.4.2 finished on web-2 (41 s)',
        'backup of orders completed: 12.4 GiB',
      ];
      for (const line of lines) await own.mustPublish('ops/alerts', line);
      const tab = await openWatchedPage(browser, own.origin);
      pages.push(tab);
      const { page } = tab;
      await openTool(page, own.origin, 'ops/alerts');
      const answer = await sendFromPage(page, 'all services green', { token: TOKEN });
      assert.equal(answer.state, 'ok', answer.text);
      await waitLastShown(page, answer.id);
      await page.fill('#message', 'rollout of 1.4.3 begins at 14:00');
      await page.waitForFunction(() => document.getElementById('subscriber-count').textContent === '1',
        null, { timeout: 15000 });
      const path = process.env.HERALD_SCREENSHOT || join(tmpdir(), 'herald-tool-page.png');
      await page.screenshot({ path });
      assert.equal(await page.$$eval('#messages > li', (l) => l.length), lines.length + 1);
      assertClean(tab);
    } finally {
      await own.stop();
    }
  });
});
