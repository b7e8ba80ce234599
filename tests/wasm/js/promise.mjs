// SPDX-License-Identifier: BSL-1.0
// Loads the MODULARIZE build of promise.cpp and checks what JavaScript sees from
// emscripten_runtime::start_promise. Usage: node promise.mjs path/to/eddy_wasm_js_promise.js
import { createRequire } from 'node:module';
import path from 'node:path';
import assert from 'node:assert/strict';

const require = createRequire(import.meta.url);
globalThis.fetch = undefined;  // the 3.1.6 loader must read the .wasm from disk, not fetch it
const factory = require(path.resolve(process.argv[2]));
const M = await factory();

let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok: ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL: ${name}: ${e && e.stack || e}`);
  }
}

await check('a number after a sleep', async () => {
  const t0 = performance.now();
  assert.equal(await M.eddyPromise(M._add_later(2, 3)), 5);
  assert.ok(performance.now() - t0 >= 2.5);
});
await check('a string', async () => assert.equal(await M.eddyPromise(M._greet(7)), 'hello 7'));
await check('booleans', async () => {
  assert.equal(await M.eddyPromise(M._is_even(4)), true);
  assert.equal(await M.eddyPromise(M._is_even(5)), false);
});
await check('void gives undefined', async () => assert.equal(await M.eddyPromise(M._nothing()), undefined));
await check('an error value rejects with its message and errc', async () => {
  await assert.rejects(M.eddyPromise(M._times_out()), (e) => e.message === 'timed out' && e.code === 2);
});
await check('an exception rejects with what()', async () => {
  await assert.rejects(M.eddyPromise(M._fails()), (e) => e.message === 'boom from C++');
});
await check('many at once, settled before being taken', async () => {
  const ids = [];
  for (let i = 0; i < 200; i++) ids.push(M._add_later(i, i));
  await new Promise((r) => setTimeout(r, 20));
  const got = await Promise.all(ids.map((id) => M.eddyPromise(id)));
  assert.deepEqual(got, ids.map((_, i) => 2 * i));
});
await check('an id is taken once', async () => {
  const id = M._is_even(2);
  await M.eddyPromise(id);
  await assert.rejects(M.eddyPromise(id), /no promise with id/);
});
M._shut_down();
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
