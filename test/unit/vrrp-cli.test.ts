import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { queryControl, serveControl } from '../../src/lib/vrrp/control';
import type { DaemonStatus } from '../../src/lib/vrrp/daemon';
import { hactl } from '../helpers/cli';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-vrrp-cli-'));

describe('hactl vrrp CLI', () => {
  it('run: a missing file is one precise error line, no stack', () => {
    const r = hactl(['vrrp', 'run', '-f', '/nonexistent/keepalived.conf', '--control-socket', '/tmp/x.sock']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /configuration file \/nonexistent\/keepalived.conf does not exist/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it('run: refuses a config with errors and prints file:line diagnostics', () => {
    const d = tmp();
    const f = path.join(d, 'k.conf');
    fs.writeFileSync(f, 'vrrp_instance VI_1 {\n  interface eth0\n  priority 100\n  virtual_ipaddress {\n    192.0.2.1\n  }\n}\n');
    const r = hactl(['vrrp', 'run', '-f', f, '--control-socket', path.join(d, 's.sock')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`${f.replace(/[.]/g, '\\.')}:\\d+:\\d+: error:`));
    assert.match(r.stderr, /not starting/);
    fs.rmSync(d, { recursive: true, force: true });
  });

  it('run --log-format json: every line is JSON, configuration diagnostics and the start-up error included', () => {
    const d = tmp();
    const f = path.join(d, 'k.conf');
    // a warning (unknown keyword) and an error (no virtual_router_id)
    fs.writeFileSync(f, 'global_defs {\n  no_such_keyword 1\n}\nvrrp_instance VI_1 {\n  interface eth0\n  priority 100\n  virtual_ipaddress {\n    192.0.2.1\n  }\n}\n');
    const r = hactl(['vrrp', 'run', '-f', f, '--log-format', 'json', '--control-socket', path.join(d, 's.sock'), '--pid-file', path.join(d, 'p.pid')]);
    assert.equal(r.status, 1);
    const lines = r.stderr.trimEnd().split('\n');
    assert.ok(lines.length >= 2, r.stderr);
    const recs = lines.map((l) => {
      assert.doesNotThrow(() => JSON.parse(l), `not JSON: ${l}`);
      return JSON.parse(l) as { level: string; msg: string; hint?: string };
    });
    assert.ok(recs.some((x) => x.level === 'error' && /k\.conf:\d+:\d+: error:/.test(x.msg)));
    const last = recs[recs.length - 1];
    assert.match(last.msg, /configuration error\(s\); not starting/);
    assert.match(last.hint ?? '', /conf lint/);
    assert.equal(fs.readdirSync(d).sort().join(' '), 'k.conf', 'nothing left behind');
    fs.rmSync(d, { recursive: true, force: true });
  });

  it('run: --metrics takes ADDR:PORT only (usage error, exit 2, before anything is opened)', () => {
    const d = tmp();
    const r = hactl(['vrrp', 'run', '-f', '/etc/hosts', '--metrics', 'notaport', '--pid-file', path.join(d, 'p.pid'), '--control-socket', path.join(d, 's.sock')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--metrics: expected ADDR:PORT/);
    assert.deepEqual(fs.readdirSync(d), []);
    fs.rmSync(d, { recursive: true, force: true });
  });

  it('run: --log-format accepts only text|json (usage error, exit 2)', () => {
    const r = hactl(['vrrp', 'run', '-f', '/etc/hosts', '--log-format', 'xml']);
    assert.equal(r.status, 2);
  });

  it('status: no daemon -> exit 1 with a hint', () => {
    const r = hactl(['vrrp', 'status', '--control-socket', '/nonexistent/vrrp.sock']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no VRRP daemon answers on \/nonexistent\/vrrp.sock/);
    assert.match(r.stderr, /hint:/);
  });

  it('control socket round trip', async () => {
    const d = tmp();
    const sock = path.join(d, 'c.sock');
    const st: DaemonStatus = { pid: 1, uptimeMs: 5, stalls: 0, maxStallMs: 0, drops: { ttl: 2 }, instances: [] };
    const srv = serveControl(sock, () => st);
    await new Promise((r) => srv.once('listening', r));
    try {
      assert.deepEqual(await queryControl(sock), st);
    } finally {
      srv.close();
      fs.rmSync(d, { recursive: true, force: true });
    }
  });
});
