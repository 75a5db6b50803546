#!/usr/bin/env node
// Runs every compiled test file with Node's test runner, in three phases, and
// ends with one combined line `N passed, N failed, N skipped` for CI.
//   1. dist/test/unit + dist/test/integration (2 files at a time), except
//   2. the timing-sensitive VRRP labs (failover within +50 ms), run alone so
//      no other suite competes for the 2 cores while they measure, and
//   3. dist/test/vm (boots ../shared/ipvs-vm; qemu's emulated CPUs would
//      otherwise starve the timing tests), also alone.
// HACTL_TEST_ONLY=unit,integration,vm restricts the suites.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');

const root = path.join(__dirname, '..');
const only = (process.env.HACTL_TEST_ONLY || 'unit,integration,vm').split(',');
const concurrency = process.env.HACTL_TEST_CONCURRENCY || '2';

function walk(dir, out) {
  if (!fs.existsSync(dir)) return out;
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) {
      // guest tests run inside the VM (driven by dist/test/vm/run-vm.test.js)
      if (ent.name === 'guest') continue;
      walk(p, out);
    } else if (ent.name.endsWith('.test.js')) out.push(path.relative(root, p));
  }
  return out;
}

const timingSensitive = (f) => /^dist\/test\/integration\/vrrp-/.test(f);
const host = [];
for (const suite of ['unit', 'integration']) if (only.includes(suite)) walk(path.join(root, 'dist/test', suite), host);
const vm = only.includes('vm') ? walk(path.join(root, 'dist/test/vm'), []) : [];
const phases = [
  { name: 'unit + integration', files: host.filter((f) => !timingSensitive(f)).sort(), concurrency },
  { name: 'VRRP timing labs (alone)', files: host.filter(timingSensitive).sort(), concurrency: '1' },
  { name: 'IPVS VM (alone)', files: vm.sort(), concurrency: '1' },
].filter((p) => p.files.length > 0);

if (phases.length === 0) {
  process.stderr.write('run-tests: no test files found (did the build run?)\n');
  process.exit(1);
}

const COUNTERS = ['pass', 'fail', 'cancelled', 'skipped', 'todo'];
const MAX_FAILING_LINES = 200;

function runPhase(phase) {
  return new Promise((resolve) => {
    process.stdout.write(`\n=== test phase: ${phase.name} (${phase.files.length} files) ===\n`);
    const args = ['--test', '--test-reporter=spec', `--test-concurrency=${phase.concurrency}`, ...phase.files];
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    // The runner's own summary lines (`ℹ pass N` ...) start at column 0; the
    // last value of each wins (failure details may follow the summary).
    const counts = Object.fromEntries(COUNTERS.map((k) => [k, 0]));
    // The spec reporter's `✖ failing tests:` section, repeated at the very end so
    // a CI log that keeps only its tail still says why a test failed.
    const failing = [];
    let inFailing = false;
    let partial = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (b) => {
      process.stdout.write(b);
      const lines = (partial + b).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^\u2139 (pass|fail|cancelled|skipped|todo) (\d+)$/.exec(line);
        if (m) counts[m[1]] = Number(m[2]);
        if (/^\u2716 failing tests:/.test(line)) inFailing = true;
        else if (inFailing && failing.length < MAX_FAILING_LINES && !/^\s+at /.test(line)) failing.push(line);
      }
    });
    child.on('close', (code) => {
      resolve({
        code: code === null ? 1 : code,
        pass: counts.pass,
        fail: counts.fail + counts.cancelled,
        skipped: counts.skipped + counts.todo,
        failing,
      });
    });
  });
}

(async () => {
  const totals = { pass: 0, fail: 0, skipped: 0 };
  let status = 0;
  const failures = [];
  for (const phase of phases) {
    const r = await runPhase(phase);
    if (r.failing.length > 0) failures.push(`--- failing in phase "${phase.name}":`, ...r.failing);
    totals.pass += r.pass;
    totals.fail += r.fail;
    totals.skipped += r.skipped;
    if (r.code !== 0) {
      status = 1;
      // A runner that died without reporting failures still fails the run.
      if (r.fail === 0) totals.fail += 1;
    }
  }
  if (failures.length > 0) process.stdout.write(`\n=== why tests failed (repeated from above) ===\n${failures.join('\n')}\n`);
  process.stdout.write(`\n${totals.pass} passed, ${totals.fail} failed, ${totals.skipped} skipped\n`);
  process.exit(status);
})();
