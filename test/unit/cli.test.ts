import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { colorEnabled, painter } from '../../src/lib/cli/color';
import { HactlError, UsageError, errorMessage } from '../../src/lib/cli/errors';
import { hactl } from '../helpers/cli';

describe('colour policy', () => {
  it('is off when not a TTY', () => assert.equal(colorEnabled(false, {}), false));
  it('is on for a TTY', () => assert.equal(colorEnabled(true, {}), true));
  it('is off with a non-empty NO_COLOR', () => assert.equal(colorEnabled(true, { NO_COLOR: '1' }), false));
  it('an empty NO_COLOR does not count (no-color.org)', () => assert.equal(colorEnabled(true, { NO_COLOR: '' }), true));
  it('is off with TERM=dumb', () => assert.equal(colorEnabled(true, { TERM: 'dumb' }), false));
  it('paints only when enabled', () => {
    assert.equal(painter(false).red('x'), 'x');
    assert.equal(painter(true).red('x'), '\u001b[31mx\u001b[39m');
  });
});

describe('errors', () => {
  it('carry exit codes', () => {
    assert.equal(new HactlError('x').exitCode, 1);
    assert.equal(new UsageError('x').exitCode, 2);
    assert.equal(new HactlError('x', { exitCode: 4 }).exitCode, 4);
  });
  it('errorMessage adds errno codes once', () => {
    const e = Object.assign(new Error('open failed'), { code: 'ENOENT' });
    assert.equal(errorMessage(e), 'open failed (ENOENT)');
    assert.equal(errorMessage('plain'), 'plain');
  });
});

describe('hactl binary', () => {
  it('-h inside a group of boolean short flags is help (genhash -vh, as getopt in keepalived genhash)', () => {
    const help = hactl(['genhash', '--help']);
    assert.equal(help.status, 0);
    for (const a of [['-vh'], ['-hv'], ['-Sh', '-s', '192.0.2.1'], ['-s', '192.0.2.1', '-vSh']]) {
      const r = hactl(['genhash', ...a]);
      assert.equal(r.status, 0, `${a.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, help.stdout, a.join(' '));
    }
    // After a flag that takes a value, the rest of the group is that value, not -h.
    const v = hactl(['genhash', '-sh', '-p', '70000', '-u', '/']);
    assert.equal(v.status, 2);
    assert.match(v.stderr, /invalid port number '70000'/);
  });
  it('--version prints name/version', () => {
    const r = hactl(['--version']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^hactl\/\d+\.\d+\.\d+ linux-\w+ node-v\d+/);
  });
  it('--help lists every topic', () => {
    const r = hactl(['--help']);
    assert.equal(r.status, 0, r.stderr);
    for (const t of ['vs', 'rs', 'vrrp', 'check', 'genhash', 'conf', 'arp']) {
      assert.match(r.stdout, new RegExp(`^\\s+${t}\\s`, 'm'), `topic ${t} missing from --help`);
    }
  });
  it('an unknown command fails without a stack trace', () => {
    const r = hactl(['nosuchcommand']);
    assert.notEqual(r.status, 0);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});
