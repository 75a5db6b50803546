/**
 * The IPVS commands as a user runs them, on a host WITHOUT IPVS (this one):
 * one clear sentence and the right exit status, usage errors before any
 * kernel access, help with examples. (With IPVS, test/vm covers the rest.)
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { hactl } from '../helpers/cli';

const skip = fs.existsSync('/proc/net/ip_vs') ? 'this kernel has IPVS: the no-IPVS behaviour cannot be observed here' : undefined;

describe('IPVS commands without IPVS in the kernel', { skip }, () => {
  it('`hactl vs list` / `rs add` / `save` / `restore`: one sentence, exit 2, no stack', () => {
    for (const args of [['vs', 'list', '-n'], ['rs', 'add', '-t', '192.0.2.1:80', '-r', '198.51.100.1'], ['save', '-n'], ['restore', '--dry-run', '/dev/null']]) {
      const r = hactl(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^hactl: error: IPVS is not available: load the ip_vs module\n/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });
  it('`hactl ipvsadm` fails like ipvsadm (exit 2, same message)', () => {
    const r = hactl(['ipvsadm', '-Ln']);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, "Can't initialize ipvs: Protocol not available\nAre you sure that IP Virtual Server is built in the kernel or as module?\n");
    assert.equal(r.stdout, '');
  });
  it('usage errors come first and name the missing flag; no prompt without a terminal', () => {
    const a = hactl(['rs', 'add', '-t', '192.0.2.1:80']);
    assert.equal(a.status, 2);
    assert.match(a.stderr, /missing the real server: give -r ADDR\[:PORT\]/);
    const b = hactl(['vs', 'clear']);
    assert.equal(b.status, 2);
    assert.match(b.stderr, /needs confirmation: add --yes/);
    const c = hactl(['vs', 'add', '-t', '192.0.2.1:80', '-w', '3']);
    assert.equal(c.status, 2);
    assert.match(c.stderr, /option --weight cannot be used with `hactl vs add`/);
    const d = hactl(['restore', 'a', 'b']);
    assert.equal(d.status, 2);
    assert.match(d.stderr, /one FILE at most/);
  });
  it('--help shows examples (through oclif)', () => {
    const r = hactl(['rs', 'add', '--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /EXAMPLES/);
    assert.match(r.stdout, /--tun-type/);
  });
});
