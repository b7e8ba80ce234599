// SPDX-License-Identifier: BSL-1.0
// End-to-end test of the RPC session between a browser and a native server, in headless
// Chromium (Debian's /usr/bin/chromium, driven by playwright-core). Starts the native server
// (examples/rpc_server: the page's files over HTTP and the RPC over WebSocket, on 127.0.0.1 and
// a free port), opens the page (examples/rpc_browser, eddy compiled to wasm), which runs the
// demo session over the browser's WebSocket, and checks:
//  1. the page's results: two calls answered, a call cancelled on the client, a stream of five
//     items and its end, and no failure (<body data-done="0">);
//  2. the server's log: the same calls, the cancel reaching the server (the handler aborted),
//     the stream opened and ended, then the session closed with its counts once the page goes;
//  3. the server stops cleanly on SIGTERM.
// Every wait is bounded. Usage: node rpc.test.mjs <eddy_rpc_server> <page dir>
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import path from 'node:path';

const serverBin = path.resolve(process.argv[2] || 'build/release/examples/rpc_server/eddy_rpc_server');
const pageDir = path.resolve(process.argv[3] || 'build/rpc-browser/page');

let passed = 0;
let failed = 0;
function check(ok, what, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok' : 'FAIL'}: ${what}${!ok && detail ? ` (${detail})` : ''}`);
}

// The server, and its stdout as lines.
const server = spawn(serverBin, ['--port', '0', '--root', pageDir], { stdio: ['ignore', 'pipe', 'inherit'] });
const log = [];
let pending = '';
const waiters = [];
server.stdout.setEncoding('utf8');
server.stdout.on('data', (chunk) => {
  pending += chunk;
  let i;
  while ((i = pending.indexOf('\n')) >= 0) {
    log.push(pending.slice(0, i));
    pending = pending.slice(i + 1);
  }
  for (const w of waiters.splice(0)) w();
});
const exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve({ code, signal })));
// Waits until a line of the server's log matches `re` (at most `ms`); gives the line or null.
async function serverLine(re, ms = 10000) {
  const until = Date.now() + ms;
  for (;;) {
    const hit = log.find((l) => re.test(l));
    if (hit || Date.now() > until) return hit || null;
    await new Promise((r) => {
      waiters.push(r);
      setTimeout(r, 100);
    });
  }
}

let browser = null;
const pageErrors = [];
try {
  const first = await serverLine(/^listening on http:\/\/127\.0\.0\.1:(\d+)\//);
  check(first !== null, 'the native server listens on 127.0.0.1', log.join(' | '));
  if (first === null) throw new Error('no server');
  const port = first.match(/:(\d+)\//)[1];
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' || process.env.EDDY_PAGE_CONSOLE) console.log(`  [page ${m.type()}] ${m.text()}`); });
  await page.goto(`http://127.0.0.1:${port}/index.html?port=${port}`);
  await page.waitForFunction(() => document.body.dataset.done !== undefined, null, { timeout: 20000 });

  // 1. The page's results.
  const lines = await page.locator('#results li').allTextContents();
  console.log(lines.map((l) => `  [page] ${l}`).join('\n'));
  const has = (s) => lines.includes(s);
  check((await page.getAttribute('body', 'data-done')) === '0', 'the page ran the session without a failure', lines.join(' | '));
  check(has('ok call square(7) = 49'), 'the page: square(7) = 49');
  check(has('ok call greet("eddy") = "hello, eddy"'), 'the page: greet("eddy")');
  check(has('ok call forever() cancelled on the client after 100 ms'), 'the page: a call cancelled on the client');
  check(has('ok the cancel reached the server: its handler was aborted'), 'the page: the server confirms the cancel');
  check(has('ok stream count(5): 0 1 2 3 4, end'), 'the page: a stream of five items, then its end');

  // 2. The server's log.
  const at = (re) => log.findIndex((l) => re.test(l));
  check(await serverLine(/^\[server\] http \/index\.html\?port=\d+ -> 200$/) !== null &&
        await serverLine(/^\[server\] http \/rpc_browser\.wasm -> 200$/) !== null, 'the server served the page');
  check(await serverLine(/^\[server\] session opened \(WebSocket\)$/) !== null, 'the server: a WebSocket session opened');
  check(await serverLine(/^\[server\] call square\(7\) -> 49$/) !== null, 'the server: square(7)');
  check(await serverLine(/^\[server\] call greet\("eddy"\)$/) !== null, 'the server: greet("eddy")');
  check(at(/call forever/) >= 0 && at(/cancel forever: the handler was aborted/) > at(/call forever/),
        'the server: the cancel aborted the "forever" handler', log.join(' | '));
  check(at(/stream count\(5\) opened/) >= 0 && at(/stream count\(5\) ended after 5 items/) > at(/stream count\(5\) opened/),
        'the server: the stream opened and ended after 5 items', log.join(' | '));
  await page.close();
  check(await serverLine(/^\[server\] session closed: 5 calls, 1 streams, 1 cancelled$/) !== null,
        "the server: the session closed at the page's end, with its counts", log.join(' | '));
} catch (e) {
  check(false, 'the test ran to the end', e && e.stack || String(e));
} finally {
  if (browser) await browser.close();
}

// 3. A clean stop.
server.kill('SIGTERM');
const end = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 5000))]);
check(end !== null && end.code === 0, 'the server stops cleanly on SIGTERM', JSON.stringify(end));
if (end === null) server.kill('SIGKILL');
check(pageErrors.length === 0, 'no errors in the page', pageErrors.join('; '));
console.log('the server\'s log:');
console.log(log.map((l) => `  ${l}`).join('\n'));
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
