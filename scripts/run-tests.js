#!/usr/bin/env node
// Runs every compiled test file with Node's test runner, in one run, so CI sees
// one real summary (`# tests N`, `# pass N`, `# fail N`).
// Suites: dist/test/unit (pure), dist/test/integration (namespaces, root),
// dist/test/vm (IPVS kernel tests; they boot ../shared/ipvs-vm themselves).
// HACTL_TEST_ONLY=unit,integration restricts the suites.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const only = (process.env.HACTL_TEST_ONLY || 'unit,integration,vm').split(',');
const files = [];
function walk(dir) {
  if (!fs.existsSync(dir)) return;
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) walk(p);
    else if (ent.name.endsWith('.test.js')) files.push(path.relative(root, p));
  }
}
for (const suite of only) walk(path.join(root, 'dist/test', suite));
files.sort();
if (files.length === 0) {
  process.stderr.write('run-tests: no test files found (did the build run?)\n');
  process.exit(1);
}
const args = ['--test', '--test-reporter=spec', `--test-concurrency=${process.env.HACTL_TEST_CONCURRENCY || 2}`, ...files];
const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
process.exit(r.status === null ? 1 : r.status);
