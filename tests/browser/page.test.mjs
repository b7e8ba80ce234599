// SPDX-License-Identifier: BSL-1.0
// End-to-end test of examples/browser in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core, which downloads no browser). Serves the built page from 127.0.0.1, types into
// the search box and moves the sliders like a person would, and checks:
//  1. typing "apple" quickly runs one lookup, for "apple" only (debounce + distinct);
//  2. "ap", a pause (its slow lookup starts), then "ple": the "ap" lookup is cancelled and its
//     result never shows, not even after it would have arrived (switch_map);
//  3. the sliders drive combine_latest: the swatch follows both;
//  4. on first load each card shows its hint and, under "The C++ behind this card", exactly the
//     lines of examples/browser/main.cpp between its "// [card ...]" markers;
//  5. 420 px wide (a phone): no horizontal overflow (with the code open too), both cards in
//     one column within the width and visible, the hints shown.
// Takes a screenshot at 1180 px after the interaction and one at 420 px on first load
// (<name>-420.png). Usage: node page.test.mjs <page dir> [screenshot.png]
import { chromium } from 'playwright-core';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const pageDir = path.resolve(process.argv[2] || 'build/browser/page');
const shot = path.resolve(process.argv[3] || path.join(pageDir, '..', 'screenshot.png'));
const narrowShot = shot.replace(/\.png$/, '') + '-420.png';
const mainCpp = fs.readFileSync(new URL('../../examples/browser/main.cpp', import.meta.url), 'utf8');
// The lines of main.cpp between "// [card <name>]" and "// [end card]".
function cardSource(name) {
  const lines = mainCpp.split('\n');
  const from = lines.indexOf(`// [card ${name}]`);
  const to = lines.indexOf('// [end card]', from);
  return from < 0 || to < 0 ? null : lines.slice(from + 1, to).join('\n').trim();
}
const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

const server = http.createServer((req, res) => {
  const name = decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
  const file = path.join(pageDir, path.normalize(name));
  if (!file.startsWith(pageDir) || !fs.existsSync(file)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/index.html`;

let passed = 0;
let failed = 0;
function check(ok, what, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok' : 'FAIL'}: ${what}${!ok && detail ? ` (${detail})` : ''}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const pageErrors = [];
try {
  const page = await browser.newPage({ viewport: { width: 1180, height: 720 } });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' || process.env.EDDY_PAGE_CONSOLE) console.log(`  [page ${m.type()}] ${m.text()}`); });
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 15000 });
  const state = () => page.evaluate(() => JSON.parse(JSON.stringify(window.eddyPage)));
  const starts = (s, from = 0) => s.events.slice(from).filter((e) => e.kind === 'start').map((e) => e.query);
  const box = page.locator('#q');

  // 4. First load: a hint on each card, and the C++ behind it.
  check(await page.locator('#hint-search').isVisible() && /type\s+ap\b/.test(await page.textContent('#hint-search')),
        'the search card shows its hint on first load');
  check(await page.locator('#hint-sliders').isVisible(), 'the slider card shows its hint on first load');
  for (const card of ['search', 'sliders']) {
    const details = page.locator(`#code-${card}`);
    await details.locator('summary').click();
    const code = (await details.locator('code').textContent()).trim();
    const want = cardSource(card);
    check(want !== null && code === want && await details.locator('code').isVisible(),
          `the ${card} card shows its C++ from main.cpp`, `page: ${code.slice(0, 80)}... source: ${want && want.slice(0, 80)}`);
    await details.locator('summary').click();
  }
  check(/switch_map/.test(cardSource('search') || '') && /combine_latest/.test(cardSource('sliders') || ''),
        'the cards\' code is the pipelines they demonstrate');

  // 1. Debounce: five keystrokes 40 ms apart (well under 250 ms) make one query.
  await box.click();
  await box.pressSequentially('apple', { delay: 40 });
  await page.waitForFunction(() => window.eddyPage.shown.includes('apple'), null, { timeout: 10000 });
  let s = await state();
  check(s.keys === 5, 'five keystrokes reached the C++ side', `keys=${s.keys}`);
  check(JSON.stringify(starts(s)) === '["apple"]', 'only the debounced query "apple" was looked up',
        `lookups: ${JSON.stringify(starts(s))}`);
  const title = await page.textContent('#results-title');
  const names = await page.locator('#results-list li').allTextContents();
  check(/for "apple"/.test(title) && names.includes('Apple') && names.includes('Pineapple'),
        'the results for "apple" are shown', `${title} ${names}`);

  // 2. switch_map: a slow lookup for "ap" is overtaken by "apple" and cancelled.
  await box.fill('');
  await page.waitForFunction(() => window.eddyPage.shown.at(-1) === '', null, { timeout: 10000 });
  let from = (await state()).events.length;
  const shownFrom = (await state()).shown.length;
  await box.pressSequentially('ap', { delay: 40 });
  await page.waitForFunction((n) => window.eddyPage.events.slice(n).some((e) => e.kind === 'start' && e.query === 'ap'),
                             from, { timeout: 10000 });
  await page.waitForTimeout(200);  // "ap" is in flight (it takes 1 s)
  await box.pressSequentially('ple', { delay: 40 });
  await page.waitForFunction((n) => window.eddyPage.shown.slice(n).includes('apple'), shownFrom, { timeout: 10000 });
  await page.waitForTimeout(1300);  // past the moment "ap" would have answered
  s = await state();
  const ev = s.events.slice(from).filter((e) => e.kind !== 'key').map((e) => `${e.kind}:${e.query}`);
  check(JSON.stringify(starts(s, from)) === '["ap","apple"]', 'the debounced queries were "ap" then "apple"',
        JSON.stringify(ev));
  check(ev.includes('cancel:ap') && !ev.includes('done:ap'), 'the stale "ap" lookup was cancelled, never answered',
        JSON.stringify(ev));
  check(ev.indexOf('cancel:ap') < ev.indexOf('start:apple'), '... when "apple" arrived', JSON.stringify(ev));
  check(!s.shown.slice(shownFrom).includes('ap'), 'a stale result never showed', JSON.stringify(s.shown));
  check((await page.getAttribute('#results', 'data-query')) === 'apple', 'the box and the results agree');
  check(await page.locator('#log li.cancel', { hasText: '"ap" cancelled' }).count() === 1,
        'the cancellation is visible in the log');

  // 3. combine_latest of the two sliders.
  const setSlider = (id, v) => page.evaluate(([id, v]) => {
    const el = document.getElementById(id);
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, [id, v]);
  await setSlider('hue', 30);
  await setSlider('size', 170);
  await page.waitForFunction(() => JSON.stringify(window.eddyPage.combined.at(-1)) === '[30,170]', null, { timeout: 10000 });
  s = await state();
  check(JSON.stringify(s.combined[0]) === '[200,110]', 'combine_latest emitted once both sliders had a value',
        JSON.stringify(s.combined));
  check((await page.evaluate(() => document.getElementById('swatch').style.width)) === '170px',
        'the swatch follows the size slider');
  check(/hue 30, size 170/.test(await page.textContent('#combo')), 'the combined values are shown');

  await box.focus();
  await page.screenshot({ path: shot });
  console.log(`screenshot: ${shot}`);

  // 5. 420 px wide, first load: one column, nothing wider than the screen.
  const narrow = await browser.newPage({ viewport: { width: 420, height: 860 } });
  narrow.on('pageerror', (e) => pageErrors.push(String(e)));
  await narrow.goto(url);
  await narrow.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 15000 });
  const overflow = () => narrow.evaluate(() => ({
    doc: document.documentElement.scrollWidth, body: document.body.scrollWidth, view: window.innerWidth,
  }));
  let o = await overflow();
  check(o.view === 420 && o.doc <= o.view && o.body <= o.view, 'no horizontal overflow at 420 px', JSON.stringify(o));
  const cards = await narrow.evaluate(() => [...document.querySelectorAll('main > section')].map((el) => {
    const r = el.getBoundingClientRect();
    return { left: r.left, right: r.right, top: r.top, width: r.width, height: r.height };
  }));
  check(cards.length === 2 && cards.every((c) => c.left >= 0 && c.right <= 420 && c.width > 300 && c.height > 100),
        'both cards fit the width at 420 px', JSON.stringify(cards));
  check(cards.length === 2 && cards[1].top >= cards[0].top + cards[0].height, 'the cards stack in one column',
        JSON.stringify(cards));
  check(await narrow.locator('main > section').nth(0).isVisible() && await narrow.locator('main > section').nth(1).isVisible() &&
        await narrow.locator('#hint-search').isVisible() && await narrow.locator('#hint-sliders').isVisible(),
        'both cards and their hints are visible at 420 px');
  await narrow.screenshot({ path: narrowShot, fullPage: true });
  console.log(`screenshot: ${narrowShot}`);
  for (const card of ['search', 'sliders']) await narrow.locator(`#code-${card} summary`).click();
  o = await overflow();
  check(o.doc <= o.view && o.body <= o.view, 'no horizontal overflow at 420 px with the code shown', JSON.stringify(o));
  await narrow.close();
} catch (e) {
  check(false, 'the test ran to the end', e && e.stack || String(e));
} finally {
  await browser.close();
  server.close();
}
check(pageErrors.length === 0, 'no errors in the page', pageErrors.join('; '));
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
