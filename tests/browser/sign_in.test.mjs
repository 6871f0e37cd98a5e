// Browser tests for getting in (issue 12), against a real `tact serve` on a fresh
// Northamptonshire data folder whose tact.toml sets up single sign-on and requires a second
// factor: single sign-on end to end against a real OpenID provider (npm `oidc-provider`, a
// certified implementation) started here on loopback, with its own login and consent
// pages and sign-out; and a TOTP authenticator set up, then asked for, with the codes an
// authenticator app would show. axe-core checks each of Tact's pages on the way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, appendFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Provider from 'oidc-provider';
import { freePort, startTact, launchChromium, axe, TACT_BIN } from './harness.mjs';

const CLIENT_SECRET = 'a-client-secret-for-the-browser-tests-only';
const PASSWORD = 'a password long enough for tact';
const ACCOUNTS = {
  priya: { name: 'Priya Shah', preferred_username: 'priya@example.gov.uk', email: 'priya.shah@example.gov.uk', roles: ['tact-staff', 'tact-seniors'] },
  fin: { name: 'Finn Ance', preferred_username: 'finn@example.gov.uk', email: 'finn@example.gov.uk', roles: ['finance'] },
};
let server, idp, base, browser;

before(async () => {
  const [port, idpPort] = [await freePort(), await freePort()];
  base = `http://127.0.0.1:${port}`;
  const issuer = `http://127.0.0.1:${idpPort}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: 'tact',
      client_secret: CLIENT_SECRET,
      redirect_uris: [`${base}/sign-in/sso/callback`],
      post_logout_redirect_uris: [`${base}/sign-in`],
      response_types: ['code'],
      grant_types: ['authorization_code'],
    }],
    // As most providers do, the ID token carries who signed in; the profile, e-mail and
    // roles come from the user-info endpoint, which Tact then asks.
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email'], roles: ['roles'] },
    findAccount: async (ctx, sub) => (ACCOUNTS[sub] ? { accountId: sub, claims: async () => ({ sub, ...ACCOUNTS[sub] }) } : undefined),
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    cookies: { keys: ['a-cookie-key-for-the-browser-tests'] },
  });
  provider.on('server_error', (ctx, err) => console.error('oidc-provider:', err));
  idp = provider.listen(idpPort, '127.0.0.1');

  const data = join(mkdtempSync(join(tmpdir(), 'tact-sign-in-')), 'office');
  const tact = (args, input) => execFileSync(TACT_BIN, ['--data', data, ...args], { input, env: { ...process.env, TACT_LOG: 'warn' } }).toString();
  tact(['init', '--profile', 'northamptonshire-opfcc']);
  tact(['staff', 'add', '--name', 'Cas Worker', '--role', 'caseworker']);
  tact(['staff', 'password', '2', '--username', 'cas'], `${PASSWORD}\n`);
  appendFileSync(join(data, 'tact.toml'), `
[sign_in]
second_factor = "required"

[sso]
issuer = "${issuer}"
client_id = "tact"
client_secret = "${CLIENT_SECRET}"
public_url = "${base}"
label = "the office account"
scopes = ["profile", "email", "roles"]

[[sso.role]]
claim = "tact-seniors"
role = "senior-manager"

[[sso.role]]
claim = "tact-staff"
role = "caseworker"
`);
  server = await startTact(data, port, [], { TACT_COOKIE_SECURE: '0' });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  idp?.close();
});

/// Through the provider's own login and consent pages, as the person would.
async function signInAtProvider(page, login) {
  await page.goto(`${base}/sign-in`);
  await page.click('#sso');
  await page.fill('input[name="login"]', login);
  await page.fill('input[name="password"]', 'anything');
  await page.click('button[type="submit"]');
  await page.waitForSelector('button[type="submit"]:has-text("Continue")');
  await page.click('button[type="submit"]:has-text("Continue")');
}

/// RFC 6238: the code an authenticator app shows for a base-32 secret.
function totp(secret, seconds = Date.now() / 1000) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(seconds / 30)));
  const h = createHmac('sha1', key).update(counter).digest();
  const o = h[19] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1e6).padStart(6, '0');
}

test('issue 12: a member of staff signs in through the office provider, with its role, and signs out there too', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  // A page opened before signing in is where the provider's sign-in comes back to.
  await page.goto(`${base}/governance`);
  assert.equal(page.url(), `${base}/sign-in`);
  await axe(page, 'sign-in with single sign-on');
  await signInAtProvider(page, 'priya');
  await page.waitForURL(`${base}/governance`);
  // The provider's groups made them a senior manager: the governance pages are theirs.
  assert.match(await page.textContent('#navigation'), /Sign out Priya Shah/);
  await axe(page, 'governance, signed in through the provider');
  await page.goto(`${base}/`);
  assert.match(await page.textContent('h1'), /Your tasks/);
  // Signing out ends the session in Tact and at the provider, and comes back to Tact.
  await page.click('#navigation form[action="/sign-out"] button');
  await page.click('button[name="logout"]');
  await page.waitForURL(`${base}/sign-in`);
  await page.goto(`${base}/`);
  assert.equal(page.url(), `${base}/sign-in`);
  await context.close();
});

test('issue 12: someone the provider signs in with no Tact group is turned away with a reason', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInAtProvider(page, 'fin');
  await page.waitForSelector('.govuk-error-summary');
  assert.match(await page.textContent('.govuk-error-summary'), /no role in Tact/);
  assert.ok(page.url().startsWith(`${base}/sign-in/sso/callback`));
  await axe(page, 'single sign-on refused');
  await page.goto(`${base}/`);
  assert.equal(page.url(), `${base}/sign-in`);
  // A callback this browser did not begin (forged, replayed or too late) is refused.
  const forged = await page.goto(`${base}/sign-in/sso/callback?code=abc&state=forged`);
  assert.equal(forged.status(), 400);
  assert.match(await page.textContent('.govuk-error-summary'), /took too long or was begun in another window/);
  await context.close();
});

test('issue 12: where a second factor is required, a password sign-in sets one up, then asks for a code', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/sign-in`);
  await page.fill('#username', 'cas');
  await page.fill('#password', PASSWORD);
  await page.click('form[action="/sign-in"] button');
  await page.waitForURL(`${base}/sign-in/set-up`);
  await axe(page, 'set up an authenticator');
  // Not in yet: the service itself sends them back to sign in.
  assert.equal((await page.request.get(`${base}/people`, { maxRedirects: 0 })).status(), 303);
  const secret = (await page.textContent('#secret')).trim();
  assert.match(secret, /^[A-Z2-7]{32}$/);
  await page.fill('#code', '123456' === totp(secret) ? '654321' : '123456');
  await page.click('form[action="/sign-in/set-up"] button');
  assert.match(await page.textContent('.govuk-error-summary'), /code is not right/);
  await axe(page, 'set up with a code that is not right');
  await page.fill('#code', totp(secret));
  await page.click('form[action="/sign-in/set-up"] button');
  const codes = await page.$$eval('#recovery-codes code', (cs) => cs.map((c) => c.textContent));
  assert.equal(codes.length, 10);
  await axe(page, 'recovery codes');
  // On to the page they asked for before they were in.
  await page.click('text=Continue to Tact');
  await page.waitForURL(`${base}/people`);
  assert.match(await page.textContent('#navigation'), /Sign out Cas Worker/);
  await page.goto(`${base}/second-factor`);
  assert.match(await page.textContent('main'), /10 unused recovery codes/);
  await axe(page, 'second factor page');
  await page.click('#navigation form[action="/sign-out"] button');
  await page.waitForURL(`${base}/sign-in`);

  // Next time the password leads to the code page; a recovery code stands in for the phone.
  // The page opened first is where the code leads.
  await page.goto(`${base}/second-factor`);
  await page.waitForURL(`${base}/sign-in`);
  await page.fill('#username', 'cas');
  await page.fill('#password', PASSWORD);
  await page.click('form[action="/sign-in"] button');
  await page.waitForURL(`${base}/sign-in/code`);
  await axe(page, 'code');
  await page.fill('#code', codes[0].toUpperCase());
  await page.click('form[action="/sign-in/code"] button');
  await page.waitForURL(`${base}/second-factor`);
  assert.match(await page.textContent('main'), /9 unused recovery codes/);
  await context.close();
});
