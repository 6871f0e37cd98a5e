// Browser tests for the staff UI: Debian's Chromium driven by playwright-core, against the
// real `tact serve --demo` on a fresh data folder. Run with `node --test tests/browser/`
// after `cargo build -p tact` (scripts/test does both when TACT_BROWSER_TESTS=1).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';

const PASSWORD = 'tact-demo-password';
let server, base, browser;

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

before(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const data = mkdtempSync(join(tmpdir(), 'tact-browser-'));
  const bin = process.env.TACT_BIN ?? 'target/debug/tact';
  server = spawn(bin, ['--data', join(data, 'demo'), 'serve', '--demo', '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TACT_LOG: 'warn' } });
  let log = '';
  server.stderr.on('data', (d) => { log += d; });
  for (let i = 0; i < 600; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 250));
    if (server.exitCode !== null) throw new Error(`tact serve exited: ${log}`);
  }
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

async function signIn(page, username) {
  await page.goto(`${base}/sign-in`);
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await page.click('form[action="/sign-in"] button');
  await page.waitForURL(`${base}/`);
}

async function axe(page, what) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  assert.deepEqual(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`), [], `axe on ${what}`);
}

test('a caseworker signs in with the keyboard alone', async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/sign-in`);
  await page.keyboard.press('Tab'); // skip link
  await page.keyboard.press('Tab'); // service name
  let focused = '';
  for (let i = 0; i < 5 && focused !== 'username'; i++) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => document.activeElement?.id);
  }
  assert.equal(focused, 'username');
  await page.keyboard.type('casey');
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${base}/`);
  assert.match(await page.textContent('h1'), /Your tasks/);
  await page.close();
});

test('a caller outside their call window gets the right answer on the incoming-contact page (CLE-9.9)', async () => {
  const page = await browser.newPage();
  await signIn(page, 'morgan');
  await page.goto(`${base}/incoming`);
  await page.fill('#who', '07700 900005');
  await page.selectOption('#channel', 'phone');
  await page.click('form[action="/incoming"] button');
  const text = await page.textContent('main');
  assert.match(text, /does not allow this contact/);
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'long', hour: 'numeric', hour12: false }).formatToParts(new Date()).map((p) => [p.type, p.value]));
  const inWindow = parts.weekday === 'Tuesday' && Number(parts.hour) >= 10 && Number(parts.hour) < 12;
  if (!inWindow) assert.match(text, /we take your calls on Tuesday 10:00 to 12:00 \(UK time\)/);
  assert.match(text, /If the caller becomes abusive/);
  await page.close();
});

test('every page has no accessibility violations (axe-core, WCAG 2.2 AA)', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/sign-in`);
  await axe(page, 'sign-in');
  await page.fill('#username', 'casey');
  await page.fill('#password', 'wrong password here');
  await page.click('form[action="/sign-in"] button');
  await axe(page, 'sign-in with an error');
  await signIn(page, 'sandra');
  await axe(page, 'home');
  for (const path of ['/incoming', '/incoming?who=07700+900005&channel=phone', '/incoming?who=call+me', '/people', '/people?q=ahmed', '/people/6', '/people/99999']) {
    await page.goto(`${base}${path}`);
    await axe(page, path);
  }
  await context.close();
});

test('pages work with JavaScript off', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, 'casey');
  await page.goto(`${base}/incoming`);
  await page.fill('#who', '07700 900005');
  await page.click('form[action="/incoming"] button');
  assert.match(await page.textContent('main'), /Olivia Ahmed/);
  await context.close();
});
