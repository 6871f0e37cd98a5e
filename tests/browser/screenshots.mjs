// Takes screenshots of the main pages for the README, signed in to a running demo:
//   node tests/browser/screenshots.mjs http://127.0.0.1:8080
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:8080';
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
await page.goto(`${base}/sign-in`);
await page.screenshot({ path: 'docs/screenshots/sign-in.png', fullPage: true });
await page.fill('#username', process.env.TACT_USER ?? 'casey');
await page.fill('#password', 'tact-demo-password');
await page.click('button[type=submit]');
await page.waitForURL(`${base}/`);
await page.screenshot({ path: 'docs/screenshots/home.png', fullPage: true });
await page.goto(`${base}/incoming?who=07700+900005&channel=phone`);
await page.screenshot({ path: 'docs/screenshots/incoming-contact.png', fullPage: true });
await page.goto(`${base}/people/6`);
await page.screenshot({ path: 'docs/screenshots/person.png', fullPage: true });
await browser.close();
