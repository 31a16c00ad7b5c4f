// Debian's Chromium, headless, driven by playwright-core: never a downloaded browser.
import { chromium } from 'playwright-core';

const executablePath = process.env.HERALD_CHROMIUM || '/usr/bin/chromium';

// As root Chromium needs --no-sandbox; the rest keeps it from reaching for anything beyond the
// loopback server under test (updates, sync, QUIC probes) and from wanting a GPU.
const args = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** A fresh browser (playwright gives it a new temporary profile). */
export function launchBrowser() {
  return chromium.launch({ executablePath, args, headless: true, timeout: 60000 });
}

/**
 * A page in its own context (own sessionStorage), watched for what must not happen: uncaught
 * script errors, dialogs, and requests anywhere but `origin`.
 */
export async function openWatchedPage(browser, origin) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  // Console errors are kept for reports only: a refused connection or a 401 logs one by design.
  const watch = { errors: [], console: [], dialogs: [], foreign: [], urls: [] };
  page.on('pageerror', (err) => watch.errors.push(String(err)));
  page.on('console', (msg) => { if (msg.type() === 'error') watch.console.push(msg.text()); });
  page.on('dialog', (dialog) => {
    watch.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  page.on('request', (req) => {
    const url = req.url();
    watch.urls.push(url);
    const ws = origin.replace(/^http/, 'ws');
    if (!url.startsWith(`${origin}/`) && !url.startsWith(`${ws}/`) && !url.startsWith('data:')) {
      watch.foreign.push(url);
    }
  });
  page.on('websocket', (ws) => watch.urls.push(ws.url()));
  return { context, page, watch };
}
