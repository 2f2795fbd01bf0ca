'use strict';
// The re-entrancy fuzzer (tests/reentry/fuzzer.js) in the test command: 10,000 seeded sequences on the
// scripted fake wx and 100 over real sockets to tests/server/server.js, on the built package. Environment:
// REENTRY_FUZZ_SEQUENCES, REENTRY_FUZZ_REAL, REENTRY_FUZZ_FIRST_SEED (default 1, so a run is repeatable).
// The longer run: bash scripts/fuzz.sh --reentry N. A failing sequence is printed with its seed and the command
// that replays it with a trace.
const test = require('node:test');
const assert = require('node:assert/strict');
const { run, summary, gcFunction } = require('./fuzzer.js');

const sequences = Number(process.env.REENTRY_FUZZ_SEQUENCES || 10000);
const real = Number(process.env.REENTRY_FUZZ_REAL || 100);
const firstSeed = Number(process.env.REENTRY_FUZZ_FIRST_SEED || 1);

test(`re-entrancy fuzzer: ${sequences} sequences on the fake wx and ${real} on real sockets from seed ${firstSeed}`, { timeout: 300000 }, async () => {
  const out = await run({ sequences, real, firstSeed, gc: gcFunction(), log: null });
  console.log(summary(out));
  const lines = out.failures.slice(0, 10).map((f) =>
    `seed ${f.seed} (${f.kind}): ${f.violations.join(' ; ')}\n    replay: node tests/reentry/fuzzer.js --seed ${f.seed} --kind ${f.kind} --trace`);
  assert.deepEqual(out.uncaught, [], 'uncaught errors or unhandled rejections');
  assert.equal(out.failures.length, 0, `${out.failures.length} failing sequences:\n  ${lines.join('\n  ')}`);
  assert.ok(out.calls >= sequences * 5, `page code made ${out.calls} calls: the fuzzer is not reaching the client`);
  assert.notEqual(out.refsIn, null, 'the JS values the module holds could not be read');
  assert.ok(out.withOneClient > out.before.liveRefs, `one live client shows no held JS values (${out.withOneClient}): the reading is not live`);
  assert.ok(out.after.liveRefs <= out.before.liveRefs, `JS values held ${out.before.liveRefs} → ${out.after.liveRefs}`);
  assert.ok(out.after.liveClosures <= out.before.liveClosures, `live closures ${out.before.liveClosures} → ${out.after.liveClosures}`);
});
