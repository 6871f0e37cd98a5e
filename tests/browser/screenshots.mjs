// Takes screenshots of the main pages for the README, signed in to a running demo:
//   node tests/browser/screenshots.mjs http://127.0.0.1:8080
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:8080';
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const shot = (page, name) => page.screenshot({ path: `docs/screenshots/${name}.png`, fullPage: true });

async function as(username) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/sign-in`);
  await page.fill('#username', username);
  await page.fill('#password', 'tact-demo-password');
  await page.click('form[action="/sign-in"] button');
  await page.waitForURL(`${base}/`);
  return { page, close: () => context.close() };
}

{
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/sign-in`);
  await shot(page, 'sign-in');
  await context.close();
}
{
  const { page, close } = await as('casey');
  await page.goto(`${base}/incoming?who=07700+900005&channel=phone`);
  await shot(page, 'incoming-contact');
  await page.goto(`${base}/people/6`);
  await shot(page, 'person');
  await page.goto(`${base}/messages/2`);
  await shot(page, 'message');
  await page.goto(`${base}/letters/2/html`);
  await shot(page, 'letter-large-print');
  // A call their plan does not allow: kept as a breach, with a reminder for the manager.
  await page.goto(`${base}/people/6/contact`);
  await page.selectOption('#channel', 'phone');
  await page.check('input[name="direction"][value="inbound"]');
  await page.fill('#summary', 'Rang again about the complaint');
  await page.click('form[action$="/contact"] button');
  await close();
}
{
  const { page, close } = await as('dana');
  await shot(page, 'home');
  // The plan form's restriction builder, with two restrictions chosen.
  await page.goto(`${base}/people/200/plan`);
  await page.check('#single-channel__use');
  await page.check('#call-window__use');
  await page.fill('#call-window__windows', 'Tuesday 10:00-12:00\nThursday 14:00-15:00');
  await shot(page, 'plan-form');
  // A refusal on the form: the error summary names the clause.
  await page.fill('#review_due-year', '2031');
  await page.click('form[action$="/plan"] button');
  await shot(page, 'plan-form-error');
  await page.goto(`${base}/`);
  await page.locator('a:has-text("Send a reminder")').first().click();
  await shot(page, 'breach-reminder');
  await close();
}
{
  const { page, close } = await as('sandra');
  const decide = page.locator('a[href$="/decision"][href^="/plans/"]').first();
  if (await decide.count()) {
    await decide.click();
    await shot(page, 'authorise');
  }
  await close();
}
{
  const { page, close } = await as('dev');
  await shot(page, 'dpo-home');
  await page.goto(`${base}/disclosures`);
  await shot(page, 'disclosure-log');
  await close();
}
await browser.close();
