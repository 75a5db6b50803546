#!/usr/bin/env node
// Runs biome's Linux x64 binary directly. The registry this project installs
// from carries only the Linux builds of biome, so the @biomejs/biome wrapper
// (whose lock entry lists every platform's optional package) breaks `npm ci`;
// depending on the platform package itself keeps `npm ci` reproducible.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');
let bin = process.env.BIOME_BINARY;
if (!bin) {
  try {
    bin = path.join(path.dirname(require.resolve('@biomejs/cli-linux-x64/package.json')), 'biome');
  } catch {
    process.stderr.write('biome: @biomejs/cli-linux-x64 is not installed (run `npm ci`), or set BIOME_BINARY\n');
    process.exit(1);
  }
}
const r = spawnSync(bin, process.argv.slice(2), { stdio: 'inherit' });
process.exit(r.status === null ? 1 : r.status);
