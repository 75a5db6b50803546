#!/usr/bin/env node
// Writes oclif.manifest.json, the command spec bin/hactl parses and renders help
// from without loading oclif (what `oclif manifest` does, without the heavy
// oclif dev tool), and man/hactl.1 from the same spec. Offline, deterministic.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { Plugin } = require('@oclif/core');

async function main() {
  const root = path.join(__dirname, '..');
  const out = path.join(root, 'oclif.manifest.json');
  fs.rmSync(out, { force: true });
  const plugin = new Plugin({ root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true, isRoot: true });
  await plugin.load();
  const manifest = plugin.manifest;
  if (!manifest || Object.keys(manifest.commands).length === 0) throw new Error('no commands found in dist/src/commands');
  fs.writeFileSync(out, JSON.stringify(manifest, null, 2) + '\n');
  process.stdout.write(`oclif.manifest.json: ${Object.keys(manifest.commands).length} commands\n`);
  const { loadSpec } = require(path.join(root, 'dist/src/lib/cli/spec.js'));
  const { manPage } = require(path.join(root, 'dist/src/lib/cli/man.js'));
  fs.mkdirSync(path.join(root, 'man'), { recursive: true });
  fs.writeFileSync(path.join(root, 'man', 'hactl.1'), manPage(loadSpec(root)));
  process.stdout.write('man/hactl.1\n');
}
main().catch((e) => {
  process.stderr.write(`manifest: ${e.stack || e}\n`);
  process.exit(1);
});
