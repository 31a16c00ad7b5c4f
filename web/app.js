// herald tool page: the channels on the left, one channel live in the middle, publishing on the
// right. The connection, history, resume and lag handling are herald.js's; this file only shows.
// Everything that comes from the server is inserted as text (textContent), never as markup.
import { Herald, channelProblem, listChannels, publishMessage } from './herald.js';

const DEFAULT_CHANNEL = 'system/message';
const HISTORY_SIZE = 50;        // stored messages shown when a channel is opened
const MAX_SHOWN = 1000;         // older list items are dropped so a busy channel cannot grow the page forever
const LIST_REFRESH_MS = 5000;   // how often the channel list and subscriber count are read again
const TOKEN_KEY = 'herald.token';
// The directory the page came from, so the page also works behind a proxy under a path prefix.
const SERVER = new URL('.', location.href).href;

const $ = (id) => document.getElementById(id);
const ui = {
  status: $('status'), connState: $('conn-state'), announce: $('conn-announce'),
  subscribers: $('subscriber-count'), received: $('received-count'), lastId: $('last-id'),
  laggedItem: $('lagged-item'), lagged: $('lagged-count'),
  channelForm: $('channel-form'), channel: $('channel'), channelError: $('channel-error'),
  channelList: $('channel-list'), channelNote: $('channel-list-note'),
  liveChannel: $('live-channel'), toggle: $('connect-toggle'), messages: $('messages'), jump: $('jump-latest'),
  sendForm: $('send-form'), sendChannel: $('send-channel'), message: $('message'),
  token: $('token'), sendResult: $('send-result'),
};

// ---- message list ----

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

// herald.js delivers each message once and in order; the page only shows it.
function addMessage(m) {
  ui.messages.appendChild(renderMessage(m));
  while (ui.messages.childElementCount > MAX_SHOWN) ui.messages.firstElementChild.remove();
  live.received += 1;
  ui.received.textContent = String(live.received);
  ui.lastId.textContent = String(m.id);
  if (stick) followLater();
  else ui.jump.hidden = false;
}

ui.messages.addEventListener('scroll', () => {
  const top = ui.messages.scrollTop;
  if (atBottom()) setStick(true);
  else if (top < prevTop) setStick(false);
  prevTop = top;
});
ui.jump.addEventListener('click', scrollToBottom);
// A list that gets shorter (window resized, error line shown) keeps its scrollTop; refollow.
new ResizeObserver(() => { if (stick) scrollToBottom(); }).observe(ui.messages);

// ---- connection status ----

const live = { feed: null, channel: '', received: 0, lagged: 0, countdown: 0 };

// The visible text counts down every second; screen readers only hear when the state changes.
function setState(state, text) {
  if (ui.status.dataset.state !== state) ui.announce.textContent = text.replace(/ in \d+ s/, '');
  ui.status.dataset.state = state;
  if (ui.connState.textContent !== text) ui.connState.textContent = text;
  ui.toggle.textContent = state === 'closed' ? 'Connect' : 'Disconnect';
}

const CLOSE_NAMES = { 1000: 'normal closure', 1001: 'going away', 1006: 'connection lost' };
function describeClose({ code, reason }) {
  if (code === 0) return reason;
  return `closed ${code}: ${reason || CLOSE_NAMES[code] || 'no reason given'}`;
}

function stopCountdown() {
  clearInterval(live.countdown);
  live.countdown = 0;
}

function showRetry(ev) {
  stopCountdown();
  const why = describeClose(ev);
  const tick = () => {
    const secs = Math.max(1, Math.ceil((ev.retryAt - Date.now()) / 1000));
    setState('reconnecting', `reconnecting in ${secs} s · ${why}`);
  };
  tick();
  live.countdown = setInterval(tick, 250);
}

// Starts a feed of the current channel; `since` resumes one, otherwise the history comes first.
function startFeed(since) {
  const feed = new Herald(SERVER, since === undefined
    ? { channel: live.channel, history: HISTORY_SIZE } : { channel: live.channel, since });
  live.feed = feed;
  stopCountdown();
  setState('connecting', since === undefined ? 'loading history…' : 'connecting…');
  const current = () => feed === live.feed;
  feed.on('message', (m) => { if (current()) addMessage(m); });
  feed.on('open', () => {
    if (!current()) return;
    stopCountdown();
    setState('open', 'connected');
    // Once the server counts this connection, the subscriber count includes it.
    setTimeout(refreshChannels, 300);
  });
  feed.on('close', (ev) => {
    if (!current()) return;
    if (ev.retryInMs === null) {
      stopCountdown();
      setState('closed', describeClose(ev));
    } else {
      showRetry(ev);
    }
  });
  feed.on('lagged', ({ skipped }) => {
    if (!current()) return;
    live.lagged += skipped;
    ui.lagged.textContent = String(live.lagged);
    ui.laggedItem.hidden = false;
  });
}

function stopFeed() {
  const feed = live.feed;
  live.feed = null;
  if (feed) feed.close();
}

function openChannel(name) {
  stopFeed();
  Object.assign(live, { channel: name, received: 0, lagged: 0 });
  ui.messages.replaceChildren();
  prevTop = 0;
  setStick(true);
  ui.received.textContent = '0';
  ui.lastId.textContent = '–';
  ui.laggedItem.hidden = true;
  ui.liveChannel.textContent = name;
  ui.channel.value = name;
  if (sendFollowsLive) ui.sendChannel.value = name;
  history.replaceState(null, '', `#channel=${encodeURIComponent(name)}`);
  startFeed(undefined);
  renderChannels();
}

// Connect again resumes after the last message shown; with nothing shown yet (closed while the
// history loaded) it starts over, history included.
ui.toggle.addEventListener('click', () => {
  if (live.feed && live.feed.state !== 'closed') {
    live.feed.close();
  } else {
    startFeed(live.feed && live.received > 0 ? live.feed.lastId : undefined);
  }
});

// ---- channel switcher ----

let channels = [];     // the last listing, [{name, subscribers, stored, last_id}]
let listing = false;

function channelButton(c) {
  const item = document.createElement('li');
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'chan';
  button.dataset.channel = c.name;
  if (c.name === live.channel) button.setAttribute('aria-current', 'true');
  const name = document.createElement('span');
  name.className = 'chan-name';
  name.textContent = c.name;
  const meta = document.createElement('span');
  meta.className = 'chan-meta';
  meta.textContent = c.stored === undefined ? 'new'
    : `${c.subscribers} listening · ${c.stored} stored`;
  button.append(name, meta);
  button.addEventListener('click', () => {
    if (c.name !== live.channel) openChannel(c.name);
  });
  item.appendChild(button);
  return item;
}

function renderChannels() {
  const shown = channels.some((c) => c.name === live.channel) || !live.channel
    ? channels : [...channels, { name: live.channel }].sort((a, b) => (a.name < b.name ? -1 : 1));
  const buttons = [...ui.channelList.querySelectorAll('button')];
  if (buttons.length === shown.length && buttons.every((b, i) => b.dataset.channel === shown[i].name)) {
    // Same channels: update the buttons in place, so a click that is under way
    // (or keyboard focus) is not lost to a refresh of the counts.
    buttons.forEach((b, i) => {
      const fresh = channelButton(shown[i]).firstChild;
      b.querySelector('.chan-meta').textContent = fresh.querySelector('.chan-meta').textContent;
      if (shown[i].name === live.channel) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
    });
    updateSubscriberCount();
    return;
  }
  const focused = document.activeElement && document.activeElement.dataset
    ? document.activeElement.dataset.channel : undefined;
  ui.channelList.replaceChildren(...shown.map(channelButton));
  if (focused !== undefined) {
    const again = [...ui.channelList.querySelectorAll('button')].find((b) => b.dataset.channel === focused);
    if (again) again.focus();
  }
  updateSubscriberCount();
}

function updateSubscriberCount() {
  const entry = channels.find((c) => c.name === live.channel);
  ui.subscribers.textContent = entry && Number.isSafeInteger(entry.subscribers) ? String(entry.subscribers) : '0';
}

async function refreshChannels() {
  if (listing) return;
  listing = true;
  try {
    channels = await listChannels(SERVER);
    ui.channelNote.textContent = channels.length ? '' : 'no channels yet: publish to create one';
    renderChannels();
  } catch (err) {
    ui.channelNote.textContent = `channel list unavailable (${err.message})`;
  } finally {
    listing = false;
  }
}

setInterval(() => { if (!document.hidden) refreshChannels(); }, LIST_REFRESH_MS);
document.addEventListener('visibilitychange', () => { if (!document.hidden) refreshChannels(); });

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

function channelFromHash() {
  const match = /^#channel=(.*)$/.exec(location.hash);
  if (!match) return null;
  try { return decodeURIComponent(match[1]); } catch (_) { return null; }
}

window.addEventListener('hashchange', () => {
  const name = channelFromHash();
  if (name !== null && name !== live.channel && !channelProblem(name)) openChannel(name);
});

// ---- sending ----

// The send form's channel follows the live one until someone types a different one there.
let sendFollowsLive = true;
ui.sendChannel.addEventListener('input', () => {
  sendFollowsLive = ui.sendChannel.value === '' || ui.sendChannel.value === live.channel;
});

// sessionStorage: the token lives as long as the tab, and never goes into a URL.
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
  // Answers are shown for the latest send only; an older one that comes back late is not news.
  const seq = ++sendSeq;
  showResult('pending', 'sending…');
  try {
    const { id } = await publishMessage(SERVER, channel, text, token);
    if (seq !== sendSeq) return;
    showResult('ok', `OK, id ${id}`, id);
    if (ui.message.value === text) ui.message.value = '';
    refreshChannels(); // a new channel, or one more stored message
  } catch (err) {
    if (seq === sendSeq) showResult('error', err.message);
  }
});

// ---- start ----
const first = channelFromHash();
const firstProblem = first === null ? null : channelProblem(first);
openChannel(first !== null && !firstProblem ? first : DEFAULT_CHANNEL);
if (firstProblem) ui.channelError.textContent = `the address asked for an invalid channel: ${firstProblem}`;
refreshChannels();
