// What the browser tests share: a free loopback port, a real `tact serve` started and
// waited for, Debian's Chromium, and axe-core's WCAG 2.2 AA check of a page.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';

export const TACT_BIN = process.env.TACT_BIN ?? 'target/debug/tact';

export async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

/// Starts `tact --data DATA serve …ARGS` on `port` and waits until it answers /healthz.
export async function startTact(data, port, args = [], env = {}) {
  const server = spawn(TACT_BIN, ['--data', data, 'serve', '--listen', `127.0.0.1:${port}`, ...args],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TACT_LOG: 'warn', ...env } });
  let log = '';
  server.stderr.on('data', (d) => { log += d; });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 250));
    if (server.exitCode !== null) throw new Error(`tact serve exited: ${log}`);
  }
  return server;
}

export async function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function axe(page, what) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  assert.deepEqual(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`), [], `axe on ${what}`);
}
