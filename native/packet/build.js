#!/usr/bin/env node
// Builds the hactl_packet addon with node-gyp (run by `npm ci` through the
// root package's "install" script). Uses the node-gyp that npm provides
// (npm_config_node_gyp) and the installed Node headers (/usr/include/node)
// when no nodedir is configured, so no download is needed.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const dir = __dirname;
const args = ['rebuild', '--directory', dir];
const hasNodedir = process.env.npm_config_nodedir || process.argv.some((a) => a.startsWith('--nodedir'));
if (!hasNodedir) {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
}
const bundled = path.resolve(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const gyp = process.env.npm_config_node_gyp || (fs.existsSync(bundled) ? bundled : undefined);
const cmd = gyp ? process.execPath : 'node-gyp';
const r = spawnSync(cmd, gyp ? [gyp, ...args] : args, { stdio: 'inherit' });
if (r.error) {
  process.stderr.write(`native/packet: cannot run node-gyp (${r.error.message}); GARP/NA sending and checker fwmark will be unavailable\n`);
  process.exit(1);
}
process.exit(r.status === null ? 1 : r.status);
