// herald tool page: watch one channel live on the left, publish on the right.
// Everything that comes from the server is inserted as text (textContent), never as markup.
'use strict';

(() => {
  const DEFAULT_CHANNEL = 'system/message';
  const HISTORY_SIZE = 50;        // stored messages shown when a channel is opened
  const PAGE_LIMIT = 1000;        // the server's own clamp for ?limit=
  const MAX_SHOWN = 1000;         // older list items are dropped so a busy channel cannot grow the page forever
  const BACKOFF_BASE_MS = 500;
  const BACKOFF_MAX_MS = 10000;
  const STABLE_MS = 5000;         // a socket open this long counts as healthy and resets the backoff
  const TOKEN_KEY = 'herald.token';

  const $ = (id) => document.getElementById(id);
  const ui = {
    status: $('status'), connState: $('conn-state'), announce: $('conn-announce'), received: $('received-count'), lastId: $('last-id'),
    channelForm: $('channel-form'), channel: $('channel'), channelError: $('channel-error'),
    toggle: $('connect-toggle'), messages: $('messages'), jump: $('jump-latest'),
    sendForm: $('send-form'), sendChannel: $('send-channel'), message: $('message'),
    token: $('token'), sendResult: $('send-result'),
  };

  // ---- channel names, checked the way the server checks them ----

  function channelProblem(name) {
    if (name.length === 0) return 'channel is empty';
    if (name.length > 128) return 'channel is longer than 128 characters';
    if (!/^[A-Za-z0-9_.:/-]+$/.test(name)) return 'channel may only use letters, digits and _ . : / -';
    if (name.startsWith('/') || name.endsWith('/')) return 'channel must not start or end with /';
    if (name.includes('//')) return 'channel must not contain //';
    // A browser resolves "." and ".." path segments itself, even percent-encoded, so these two can never reach the server.
    if (name === '.' || name === '..') return 'channel "." or ".." cannot be used from a browser';
    return null;
  }

  // Valid names need no escaping, except that a "." or ".." segment would be resolved away by the
  // browser's URL parser; such a name travels as one segment with %2F, which the server decodes to /.
  function channelPath(name) {
    const parts = name.split('/');
    return parts.some((p) => p === '.' || p === '..') ? parts.join('%2F') : name;
  }

  // ---- message list ----

  const isMessage = (m) => m !== null && typeof m === 'object' && Number.isSafeInteger(m.id) && m.id > 0;
  const pad = (n, width = 2) => String(n).padStart(width, '0');

  function renderMessage(m) {
    const item = document.createElement('li');
    item.className = 'msg';
    item.dataset.id = String(m.id);
    const part = (tag, cls, text) => {
      const node = document.createElement(tag);
      node.className = cls;
      node.textContent = text;
      item.appendChild(node);
      return node;
    };
    part('span', 'msg-id', String(m.id));
    const iso = typeof m.time === 'string' ? m.time : '';
    const when = new Date(iso);
    const valid = iso !== '' && !Number.isNaN(when.getTime());
    const time = part('time', 'msg-time', valid
      ? `${pad(when.getHours())}:${pad(when.getMinutes())}:${pad(when.getSeconds())}.${pad(when.getMilliseconds(), 3)}`
      : iso);
    time.dateTime = iso;
    if (valid) time.title = when.toLocaleString();
    part('span', 'msg-user', typeof m.username === 'string' ? m.username : '');
    part('span', 'msg-text', typeof m.message === 'string' ? m.message : '');
    return item;
  }

  // Whether the list follows new messages: it stops when the reader scrolls up and starts again at
  // the bottom. Only upward scrolls count, because our own scroll's event may arrive after more
  // messages were added, when the list is no longer at its bottom. While following, the list has
  // no scroll anchoring (class "follow"), so the only scrolls then are the reader's and ours; while
  // the reader is scrolled up, the browser's anchoring keeps their place as old items leave the top.
  let stick = true;
  let prevTop = 0;
  let scrollQueued = false;
  const atBottom = () => {
    const list = ui.messages;
    return list.scrollHeight - list.scrollTop - list.clientHeight <= 24;
  };
  function setStick(value) {
    stick = value;
    ui.messages.classList.toggle('follow', value);
    if (value) ui.jump.hidden = true;
  }
  function scrollToBottom() {
    ui.messages.scrollTop = ui.messages.scrollHeight;
    prevTop = ui.messages.scrollTop;
    setStick(true);
  }
  // One scroll per frame however many messages a replay delivers in it.
  function followLater() {
    if (scrollQueued) return;
    scrollQueued = true;
    requestAnimationFrame(() => {
      scrollQueued = false;
      if (stick) scrollToBottom();
    });
  }

  // Shows m unless its id was already seen: ids only grow, so one number is enough to drop
  // anything that a replay after a reconnect delivers a second time.
  function addMessage(m) {
    if (m.id <= live.lastId) return;
    ui.messages.appendChild(renderMessage(m));
    while (ui.messages.childElementCount > MAX_SHOWN) ui.messages.firstElementChild.remove();
    live.lastId = m.id;
    live.received += 1;
    ui.received.textContent = String(live.received);
    ui.lastId.textContent = String(live.lastId);
    if (stick) followLater();
    else ui.jump.hidden = false;
  }

  // ---- history over HTTP ----

  async function getJSON(url, signal) {
    const res = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store', signal });
    const body = await res.json().catch(() => null);
    if (!res.ok) {
      const why = body && typeof body.message === 'string' ? body.message : res.statusText;
      throw Object.assign(new Error(`${res.status}: ${why}`), { status: res.status });
    }
    return body;
  }

  // Reads the channel forward from `since` and keeps its last HISTORY_SIZE messages. It stops at
  // `until`: anything newer arrives through the socket's replay, so a busy channel cannot keep it looping.
  async function readForward(channel, since, until, signal) {
    let kept = [];
    for (;;) {
      const body = await getJSON(
        `/api/channels/${channelPath(channel)}/messages?since=${since}&limit=${PAGE_LIMIT}`, signal);
      const page = body && Array.isArray(body.messages) ? body.messages.filter(isMessage) : [];
      kept = kept.concat(page).slice(-HISTORY_SIZE);
      const next = page.length ? page[page.length - 1].id : since;
      if (page.length < PAGE_LIMIT || next <= since || next >= until) return kept;
      since = next;
    }
  }

  // The API only pages forward (id > since) and ids are global, so how densely a channel's ids lie
  // is unknown. Starting from the channel's last id (GET /api/channels) and widening the window
  // backwards eightfold until it holds HISTORY_SIZE messages costs a few small requests for a
  // channel of any size; reading forward from 0 would transfer its whole history every time.
  async function loadHistory(channel, signal) {
    let anchor;
    try {
      const body = await getJSON('/api/channels', signal);
      const list = body && Array.isArray(body.channels) ? body.channels : [];
      const entry = list.find((c) => c && c.name === channel);
      anchor = entry && Number.isSafeInteger(entry.last_id) ? entry.last_id : 0;
    } catch (err) {
      if (err.name === 'AbortError' || !(err.status === 404 || err.status === 405)) throw err;
      return readForward(channel, 0, Infinity, signal); // a server without the listing: read it all once
    }
    if (anchor <= 0) return []; // not listed: nothing stored yet
    for (let span = 256; ; span *= 8) {
      const since = Math.max(0, anchor - span);
      const got = await readForward(channel, since, anchor, signal);
      if (got.length >= HISTORY_SIZE || since === 0) return got;
    }
  }

  // ---- the live connection ----

  const live = {
    channel: '', gen: 0, ws: null, lastId: 0, received: 0, historyLoaded: false,
    abort: null, attempt: 0, retryTimer: 0, tickTimer: 0, openedAt: 0, paused: false,
  };
  // The send form's channel follows the live one until someone types a different one there.
  let sendFollowsLive = true;

  // The visible text counts down every second; screen readers only hear when the state changes.
  function setState(state, text) {
    if (ui.status.dataset.state !== state) ui.announce.textContent = text.replace(/ in \d+ s/, '');
    ui.status.dataset.state = state;
    if (ui.connState.textContent !== text) ui.connState.textContent = text;
    ui.toggle.textContent = state === 'closed' ? 'Connect' : 'Disconnect';
  }

  const CLOSE_NAMES = { 1000: 'normal closure', 1001: 'going away', 1006: 'connection lost' };
  const describeClose = (ev) => `${ev.code}: ${ev.reason || CLOSE_NAMES[ev.code] || 'no reason given'}`;

  function stopTimers() {
    clearTimeout(live.retryTimer);
    clearInterval(live.tickTimer);
    live.retryTimer = 0;
    live.tickTimer = 0;
  }

  // Drops the socket and any pending work without triggering a reconnect.
  function disconnect(code, reason) {
    stopTimers();
    if (live.abort) live.abort.abort();
    live.abort = null;
    const ws = live.ws;
    live.ws = null;
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(code, reason);
  }

  // Exponential backoff with "equal jitter": half of the delay grows with each failure, the other
  // half is random so that many tabs do not all come back in the same instant after a restart.
  // A server that shuts down says when to come back (retry_after_ms, already jittered per client).
  function scheduleRetry(why, retryAfterMs) {
    stopTimers();
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** live.attempt);
    live.attempt = Math.min(live.attempt + 1, 16);
    const due = Date.now() + (retryAfterMs !== undefined
      ? retryAfterMs : ceiling / 2 + Math.random() * (ceiling / 2));
    const tick = () => {
      const secs = Math.max(1, Math.ceil((due - Date.now()) / 1000));
      setState('reconnecting', `reconnecting in ${secs} s · ${why}`);
    };
    tick();
    live.tickTimer = setInterval(tick, 250);
    live.retryTimer = setTimeout(() => { stopTimers(); connect(); }, due - Date.now());
  }

  async function connect() {
    const gen = live.gen;
    if (!live.historyLoaded) {
      setState('connecting', 'loading history…');
      live.abort = new AbortController();
      try {
        const stored = await loadHistory(live.channel, live.abort.signal);
        if (gen !== live.gen) return;
        stored.forEach(addMessage);
        live.historyLoaded = true;
      } catch (err) {
        if (gen !== live.gen || err.name === 'AbortError') return;
        scheduleRetry(`history failed: ${err.message}`);
        return;
      }
    }
    setState('connecting', 'connecting…');
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    // since is sent even when it is 0, so messages published while the history loaded are replayed.
    const url = `${scheme}//${location.host}/socket/${channelPath(live.channel)}?since=${live.lastId}`;
    let ws;
    try {
      ws = new WebSocket(url);
    } catch (err) {
      scheduleRetry(`cannot connect: ${err.message}`);
      return;
    }
    live.ws = ws;
    ws.onopen = () => {
      if (live.ws !== ws) return;
      live.openedAt = Date.now();
      setState('open', 'connected');
    };
    ws.onmessage = (ev) => {
      if (live.ws !== ws || typeof ev.data !== 'string') return;
      let m;
      try { m = JSON.parse(ev.data); } catch (_) { return; }
      if (isMessage(m) && (m.channel === undefined || m.channel === live.channel)) addMessage(m);
    };
    ws.onclose = (ev) => {
      if (live.ws !== ws) return;
      live.ws = null;
      if (live.openedAt && Date.now() - live.openedAt >= STABLE_MS) live.attempt = 0;
      live.openedAt = 0;
      const hint = /retry_after_ms=(\d+)/.exec(ev.reason || '');
      scheduleRetry(`closed ${describeClose(ev)}`, hint ? Number(hint[1]) : undefined);
    };
    // onerror carries no detail; the close event that always follows it does.
  }

  function openChannel(name) {
    disconnect(1000, 'switching channel');
    live.gen += 1;
    Object.assign(live, { channel: name, lastId: 0, received: 0, historyLoaded: false, attempt: 0, paused: false });
    ui.messages.replaceChildren();
    prevTop = 0;
    setStick(true);
    ui.received.textContent = '0';
    ui.lastId.textContent = '–';
    ui.channel.value = name;
    if (sendFollowsLive) ui.sendChannel.value = name;
    history.replaceState(null, '', `#channel=${encodeURIComponent(name)}`);
    connect();
  }

  // ---- controls ----

  function showChannelProblem(problem) {
    ui.channelError.textContent = problem || '';
    if (problem) ui.channel.setAttribute('aria-invalid', 'true');
    else ui.channel.removeAttribute('aria-invalid');
  }

  ui.channelForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const problem = channelProblem(ui.channel.value);
    showChannelProblem(problem);
    if (!problem) openChannel(ui.channel.value);
  });
  ui.channel.addEventListener('input', () => showChannelProblem(null));

  ui.toggle.addEventListener('click', () => {
    if (live.paused) {
      live.paused = false;
      live.attempt = 0;
      live.gen += 1;
      connect();
    } else {
      live.paused = true;
      live.gen += 1; // abandons a history load in flight
      disconnect(1000, 'closed by user');
      setState('closed', 'closed 1000: closed by user');
    }
  });

  ui.messages.addEventListener('scroll', () => {
    const top = ui.messages.scrollTop;
    if (atBottom()) setStick(true);
    else if (top < prevTop) setStick(false);
    prevTop = top;
  });
  ui.jump.addEventListener('click', scrollToBottom);
  // A list that gets shorter (window resized, error line shown) keeps its scrollTop; refollow.
  new ResizeObserver(() => { if (stick) scrollToBottom(); }).observe(ui.messages);

  window.addEventListener('hashchange', () => {
    const name = channelFromHash();
    if (name !== null && name !== live.channel && !channelProblem(name)) openChannel(name);
  });

  function channelFromHash() {
    const match = /^#channel=(.*)$/.exec(location.hash);
    if (!match) return null;
    try { return decodeURIComponent(match[1]); } catch (_) { return null; }
  }

  // ---- sending ----

  ui.sendChannel.addEventListener('input', () => {
    sendFollowsLive = ui.sendChannel.value === '' || ui.sendChannel.value === live.channel;
  });

  try { ui.token.value = sessionStorage.getItem(TOKEN_KEY) || ''; } catch (_) { /* storage disabled */ }
  ui.token.addEventListener('input', () => {
    try { sessionStorage.setItem(TOKEN_KEY, ui.token.value); } catch (_) { /* storage disabled */ }
  });

  ui.message.addEventListener('keydown', (ev) => {
    // keyCode 229: a key that an input method is still composing (Enter there picks a candidate).
    if (ev.key !== 'Enter' || ev.shiftKey || ev.isComposing || ev.keyCode === 229) return;
    ev.preventDefault();
    ui.sendForm.requestSubmit();
  });

  function showResult(state, text, id) {
    ui.sendResult.dataset.state = state;
    if (id === undefined) delete ui.sendResult.dataset.id;
    else ui.sendResult.dataset.id = String(id);
    ui.sendResult.textContent = text;
  }

  let sendSeq = 0;
  ui.sendForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const channel = ui.sendChannel.value === '' ? live.channel : ui.sendChannel.value;
    const problem = channelProblem(channel);
    if (problem) { showResult('error', `invalid: ${problem}`); return; }
    const token = ui.token.value.trim();
    if (/[^\x21-\x7e]/.test(token)) { showResult('error', 'invalid: token must be printable ASCII without spaces'); return; }
    const text = ui.message.value;
    const url = channel === 'system/message'
      ? '/api/tool/send_message' : `/api/channels/${channelPath(channel)}/messages`;
    const headers = { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8', Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    // Answers are shown for the latest send only; an older one that comes back late is not news.
    const seq = ++sendSeq;
    showResult('pending', 'sending…');
    try {
      const res = await fetch(url, {
        method: 'POST', headers, body: new URLSearchParams({ message: text }).toString(), cache: 'no-store',
      });
      const body = await res.json().catch(() => null);
      if (seq !== sendSeq) return;
      if (res.ok && body && Number.isSafeInteger(body.id)) {
        showResult('ok', `OK, id ${body.id}`, body.id);
        if (ui.message.value === text) ui.message.value = '';
      } else {
        const why = body && typeof body.message === 'string' ? body.message : res.statusText || 'unexpected answer';
        showResult('error', `${res.status}: ${why}`);
      }
    } catch (err) {
      if (seq === sendSeq) showResult('error', `network error: ${err.message}`);
    }
  });

  // ---- start ----
  const first = channelFromHash();
  const firstProblem = first === null ? null : channelProblem(first);
  openChannel(first !== null && !firstProblem ? first : DEFAULT_CHANNEL);
  if (firstProblem) ui.channelError.textContent = `the address asked for an invalid channel: ${firstProblem}`;
})();
