// What the tests read from and do on the tool page (web/index.html), by its element ids.

/** Opens the page on `channel` (none: the page's default) and waits until its socket is open. */
export async function openTool(page, origin, channel) {
  const hash = channel === undefined ? '' : `#channel=${encodeURIComponent(channel)}`;
  await page.goto(`${origin}/${hash}`);
  await waitConnected(page);
}

export function waitConnected(page) {
  return page.waitForSelector('#status[data-state="open"]');
}

/** The ids in the live pane, top to bottom. */
export function shownIds(page) {
  return page.$$eval('#messages > li', (items) => items.map((li) => Number(li.dataset.id)));
}

/** Waits until the live pane's last message has id `id`. */
export function waitLastShown(page, id, timeout) {
  return page.waitForFunction((want) => {
    const last = document.querySelector('#messages > li:last-child');
    return last !== null && Number(last.dataset.id) >= want;
  }, id, { timeout });
}

/** {id, time, user, text} of the shown message with this id. */
export function shownMessage(page, id) {
  return page.$eval(`#messages > li[data-id="${id}"]`, (li) => ({
    id: li.querySelector('.msg-id').textContent,
    time: li.querySelector('.msg-time').getAttribute('datetime'),
    user: li.querySelector('.msg-user').textContent,
    text: li.querySelector('.msg-text').textContent,
  }));
}

/** Sends `text` from the send pane with Enter; resolves to the answer shown next to the button. */
export async function sendFromPage(page, text, { token, channel } = {}) {
  if (channel !== undefined) await page.fill('#send-channel', channel);
  if (token !== undefined) await page.fill('#token', token);
  await page.fill('#message', text);
  await page.$eval('#send-result', (out) => { out.dataset.state = 'idle'; out.textContent = ''; });
  await page.press('#message', 'Enter');
  await page.waitForSelector('#send-result[data-state="ok"], #send-result[data-state="error"]');
  return page.$eval('#send-result', (out) => ({
    state: out.dataset.state,
    id: out.dataset.id === undefined ? undefined : Number(out.dataset.id),
    text: out.textContent,
  }));
}

export function statusText(page) {
  return page.$eval('#conn-state', (el) => el.textContent);
}
