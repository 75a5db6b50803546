#!/usr/bin/env node
// Start-up (issue 11): bundles the command-line front end (dist/src/lib/cli/main.js
// and everything it requires, as tsc compiled it) into one file, and writes a V8
// code cache for it, so that bin/hactl neither resolves ~20-70 module paths
// (realpath, stat, package.json lookups) nor compiles their source on every run.
//
//   dist/src/lib/cli/main.bundle.js        esbuild, CommonJS; modules stay lazy
//                                          (each require() in the source runs its
//                                          module's body when first called, as before)
//   dist/src/lib/cli/main.bundle.js.cache  V8 code cache (vm.Script cachedData)
//
// The bundle sits in dist/src/lib/cli/ on purpose: code that finds the package
// root with `__dirname/../../../..` (native addon, bin/hactl path) finds it from
// there too. npm packages stay external `require`s (native addons, oclif for
// `vrrp run`). bin/hactl uses the bundle only when it is not older than the
// last tsc build (dist/.tsbuildinfo), so a plain `npx tsc -p .` never runs stale
// code; the cache is only an accelerator (V8 rejects it after a node upgrade
// and the source is compiled as usual).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const entry = path.join(root, 'dist/src/lib/cli/main.js');
const out = path.join(root, 'dist/src/lib/cli/main.bundle.js');

function main() {
  // npm's install script (a packed package installed with another node): rewrite the
  // cache for this node; never fail the install for it (the bundle runs without one).
  if (process.argv.includes('--cache-only')) return fs.existsSync(out) ? writeCache(true) : undefined;
  fs.rmSync(out, { force: true });
  fs.rmSync(`${out}.cache`, { force: true });
  let esbuild;
  try {
    esbuild = require('esbuild');
  } catch {
    // A production install without devDependencies: bin/hactl runs the tsc output.
    process.stdout.write('bundle: esbuild is not installed; bin/hactl runs dist/src unbundled\n');
    return;
  }
  esbuild.buildSync({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  process.stdout.write(`${path.relative(root, out)}: ${fs.statSync(out).size} bytes\n`);
  writeCache();
}

/**
 * The code cache holds the functions V8 compiled while the bundle ran: run a
 * few representative command lines in one child (help, flag parsing, an engine)
 * and keep what they compiled, so that most runs find their code cached.
 */
function writeCache(optional = false) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'hactl')], {
    env: { ...process.env, HACTL_WRITE_CODE_CACHE: '1' },
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    process.stderr.write(`bundle: writing the code cache failed (exit ${r.status}): ${(r.stderr || '').trim().split('\n')[0]}\n`);
    process.exit(optional ? 0 : 1);
  }
  process.stdout.write(`${path.relative(root, out)}.cache: ${fs.statSync(`${out}.cache`).size} bytes\n`);
}

main();
