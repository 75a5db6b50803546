import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Parser } from '@oclif/core';
import VrrpRun from '../../src/commands/vrrp/run';
import { lvsChildArgv } from '../../src/lib/lvs/daemon';
import { DEFAULT_CONTROL_SOCKET } from '../../src/lib/vrrp/control';
import { hactl } from '../helpers/cli';
import { DEFAULT_CONFIG_FILE, parseVrrpRunArgv, VRRP_RUN_FLAGS } from '../../src/lib/vrrp/run-cli';

/** What oclif makes of a command line for `vrrp run` (undefined: it refuses it). */
async function oclifParse(argv: string[]): Promise<Record<string, unknown> | undefined> {
  try {
    const { flags } = await Parser.parse(argv, { flags: VrrpRun.flags, strict: true, args: {} });
    return Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  } catch {
    return undefined;
  }
}

const LINES: string[][] = [
  [],
  ['-f', 'k.conf'],
  ['--file=k.conf', '--config-id', 'lb1', '--pid-file', '/run/p', '--control-socket', '/run/s', '--log-format', 'json', '--metrics', '127.0.0.1:9650', '--vrrp-only', '--dont-release-ipvs'],
  // keepalived's own option letters and long names
  ['-f', 'k.conf', '-n', '-l', '-D', '-P', '-p', '/run/a.pid', '-r', '/run/v.pid', '-c', '/run/c.pid', '-i', 'lb1'],
  ['--use-file', 'k.conf', '--dont-fork', '--log-console', '--log-detail', '--check', '--pid', '/run/a.pid', '--vrrp_pid', '/run/v.pid', '--checkers_pid', '/run/c.pid'],
  ['-nlDP', '-f', 'k.conf'],
  ['-t', '-f', 'k.conf', '--config-test'],
  ['-t', '-f', 'k.conf'],
  ['--vrrp'],
  // refused by both
  ['k.conf'],
  ['-f'],
  ['-f', 'k.conf', '--bogus'],
  ['-f', 'k.conf', '--log-format', 'xml'],
  ['-f', 'k.conf', 'extra'],
];

describe('vrrp run: the fast path reads the oclif flags', () => {
  it('takes every flag of the command, with the same defaults', () => {
    assert.deepEqual(parseVrrpRunArgv(['-f', 'k.conf']), { file: 'k.conf', 'control-socket': DEFAULT_CONTROL_SOCKET, 'log-format': 'text' });
    assert.deepEqual(parseVrrpRunArgv([]), { file: DEFAULT_CONFIG_FILE, 'control-socket': DEFAULT_CONTROL_SOCKET, 'log-format': 'text' });
    assert.deepEqual(parseVrrpRunArgv(['-f', 'k.conf', '-P', '-p', '/run/a.pid', '-c', '/run/c.pid']), {
      file: 'k.conf',
      'vrrp-only': true,
      'pid-file': '/run/a.pid',
      'checkers-pid': '/run/c.pid',
      'control-socket': DEFAULT_CONTROL_SOCKET,
      'log-format': 'text',
    });
  });

  it('the oclif command and the fast path accept the same flags and read them alike (one table)', async () => {
    assert.deepEqual(Object.keys(VrrpRun.flags).sort(), Object.keys(VRRP_RUN_FLAGS).sort());
    for (const argv of LINES) {
      const fast = parseVrrpRunArgv(argv);
      const oclif = await oclifParse(argv);
      // the fast path leaves to oclif (undefined) whatever oclif must word an error for
      if (fast === undefined) assert.equal(oclif, undefined, `oclif accepts what the fast path does not: ${argv.join(' ')}`);
      else assert.deepEqual(fast, oclif, argv.join(' '));
    }
  });

  it('-t checks the configuration with keepalived -t exit codes (conf lint)', () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-vrrp-t-'));
    const ok = path.join(d, 'ok.conf');
    fs.writeFileSync(ok, 'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  priority 100\n  virtual_ipaddress {\n    192.0.2.1\n  }\n}\n');
    const bad = path.join(d, 'bad.conf');
    fs.writeFileSync(bad, 'vrrp_instance VI_1 {\n  interface eth0\n  priority 100\n  virtual_ipaddress {\n    192.0.2.1\n  }\n}\n');
    assert.equal(hactl(['vrrp', 'run', '-t', '-f', ok]).status, hactl(['conf', 'lint', ok]).status);
    assert.equal(hactl(['vrrp', 'run', '-t', '-f', ok]).status, 0);
    const b = hactl(['vrrp', 'run', '-t', '-f', bad]);
    assert.equal(b.status, hactl(['conf', 'lint', bad]).status);
    assert.notEqual(b.status, 0);
    assert.equal(hactl(['vrrp', 'run', '-t', '-f', path.join(d, 'missing.conf')]).status, 4);
    fs.rmSync(d, { recursive: true, force: true });
  });

  it('the spawned LVS half gets its own pid file and none of the VRRP-only flags', () => {
    const flags = parseVrrpRunArgv(['-f', 'k.conf', '-P', '-p', '/run/a.pid', '--metrics', ':9650', '--log-format', 'json'])!;
    const a = lvsChildArgv(flags);
    assert.deepEqual(a, ['-f', 'k.conf', '--control-socket', DEFAULT_CONTROL_SOCKET, '--checkers-pid', '/run/a-lvs.pid', '--log-format', 'json']);
    assert.ok(parseVrrpRunArgv([...a, '--lvs-only']));
  });
});
