import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ConfFacts, checkClusterSettings, checkSettings } from '../../src/lib/bgp/check';
import { parseSettings } from '../../src/lib/bgp/settings';

const node = (file: string, sched = 'mh', extra: Partial<ConfFacts> = {}): ConfFacts => ({
  file,
  instances: [{ name: 'VI_1', vips: ['203.0.113.20'] }],
  virtualServers: [
    { id: '[203.0.113.10]:tcp:80', vips: ['203.0.113.10'], sched, quorumSet: true },
    { id: '[203.0.113.10]:tcp:443', vips: ['203.0.113.10'], sched, quorumSet: true },
  ],
  scripts: ['chk'],
  ...extra,
});

describe('bgp settings against keepalived.conf', () => {
  it('a clean file has no problems', () => {
    const s = parseSettings('vip 203.0.113.10\nvip 203.0.113.20 mode master-only track-script chk\n', 'bgp.conf');
    assert.deepEqual(checkSettings(s, node('lb1.conf')), [
      {
        line: 2,
        severity: 'warning',
        rule: 'bgp-not-served',
        message: 'vip 203.0.113.20 is announced but no virtual_server of lb1.conf serves it: announced only with --vrrp-only, never while health checks run',
      },
    ]);
  });
  it('unknown VIP, unknown script, not served, no quorum, master-only not held: each at its line', () => {
    const s = parseSettings('vip 203.0.113.10 mode master-only\nvip 203.0.113.99\nvip 203.0.113.20\nvip 203.0.113.20x\n'.replace('vip 203.0.113.20x\n', 'vip 203.0.113.30 track-script nope\n'), 'bgp.conf');
    const f = node('lb1.conf');
    f.virtualServers[1].quorumSet = false;
    f.virtualServers.push({ id: '[203.0.113.30]:tcp:80', vips: ['203.0.113.30'], sched: 'mh', quorumSet: true });
    const got = checkSettings(s, f).map((p) => `${p.line} ${p.severity} ${p.rule}`);
    assert.deepEqual(got, ['1 error bgp-not-held', '1 warning bgp-no-quorum', '2 error bgp-unknown-vip', '3 error bgp-not-served', '4 error bgp-unknown-script']);
  });
  it('cluster: the same virtual servers per VIP on every director, mh for active-active', () => {
    const s = parseSettings('vip 203.0.113.10\n', 'bgp.conf');
    assert.deepEqual(checkClusterSettings(s, [node('lb1.conf'), node('lb2.conf')]), []);
    const lb2 = node('lb2.conf', 'wlc');
    lb2.virtualServers.pop();
    const got = checkClusterSettings(s, [node('lb1.conf'), lb2]);
    assert.deepEqual(
      got.map((p) => `${p.line} ${p.rule}`),
      ['1 bgp-cluster-vs', '1 bgp-cluster-mh'],
    );
    assert.match(got[0].message, /lb2\.conf: \[203\.0\.113\.10\]:tcp:80; lb1\.conf: \[203\.0\.113\.10\]:tcp:443 \[203\.0\.113\.10\]:tcp:80/);
    assert.match(got[1].message, /uses lb_algo wlc: .* use lb_algo mh on every director/);
    // master-only: one director at a time, no mh needed
    assert.deepEqual(checkClusterSettings(parseSettings('vip 203.0.113.10 mode master-only\n', 'b'), [node('a', 'wlc'), node('b', 'wlc')]), []);
  });
});

describe('conf lint --bgp FILE', () => {
  const { lint } = require('../../src/lib/conf/lint') as typeof import('../../src/lib/conf/lint');
  const fs = require('node:fs') as typeof import('node:fs');
  const os = require('node:os') as typeof import('node:os');
  const path = require('node:path') as typeof import('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bgp-lint-'));
  const conf = (n: string, algo: string) => {
    const f = path.join(dir, n);
    fs.writeFileSync(f, `virtual_server 203.0.113.10 80 {\n  lb_algo ${algo}\n  lb_kind DR\n  protocol TCP\n  quorum 1\n  real_server 192.0.2.1 80 {\n    TCP_CHECK {\n    }\n  }\n}\n`);
    return f;
  };
  const bgp = path.join(dir, 'bgp.conf');
  fs.writeFileSync(bgp, '# directors\nvip 203.0.113.10\nvip 203.0.113.99\n');
  it('errors at the announcement file line; clean lines give nothing', () => {
    const r = lint({ files: [conf('lb1.conf', 'mh')], bgp });
    assert.deepEqual(
      r.diagnostics.map((d) => `${path.basename(d.file)}:${d.line} ${d.severity} ${d.rule}`),
      ['bgp.conf:3 error bgp-unknown-vip'],
    );
    assert.equal(r.exitCode, 5);
  });
  it('--cluster: mh on every director for an active-active VIP', () => {
    const r = lint({ files: [conf('lb1.conf', 'mh'), conf('lb2.conf', 'rr')], bgp, cluster: true });
    const b = r.diagnostics.filter((d) => d.file === bgp).map((d) => `${d.line} ${d.rule}`);
    // per node: each message names its keepalived.conf
    assert.deepEqual(b, ['2 bgp-cluster-mh', '3 bgp-unknown-vip', '3 bgp-unknown-vip']);
  });
  it('a broken announcement file is one error at its line', () => {
    const bad = path.join(dir, 'bad.conf');
    fs.writeFileSync(bad, '\n\nvip 203.0.113.10 weight 3\n');
    const r = lint({ files: [conf('lb1.conf', 'mh')], bgp: bad });
    assert.deepEqual(
      r.diagnostics.map((d) => `${d.line} ${d.rule}`),
      ['3 bgp-settings'],
    );
  });
});

describe('vrrp run --bgp refuses an announcement keepalived.conf does not serve', () => {
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const fs = require('node:fs') as typeof import('node:fs');
  const os = require('node:os') as typeof import('node:os');
  const path = require('node:path') as typeof import('node:path');
  it('unknown VIP and unknown track-script: FILE:LINE errors, exit 1, before anything is taken', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bgp-run-'));
    const conf = path.join(dir, 'k.conf');
    fs.writeFileSync(conf, 'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  priority 100\n  virtual_ipaddress {\n    203.0.113.10/24\n  }\n}\n');
    const bgp = path.join(dir, 'bgp.conf');
    fs.writeFileSync(bgp, 'vip 203.0.113.10 mode master-only\nvip 203.0.113.99\nvip 203.0.113.10x\n'.replace('vip 203.0.113.10x', 'vip 203.0.113.11 track-script gone'));
    const bin = path.join(__dirname, '../../../bin/hactl');
    const r = spawnSync(process.execPath, [bin, 'vrrp', 'run', '--vrrp-only', '-f', conf, '--bgp', bgp, '--pid-file', path.join(dir, 'p.pid'), '--control-socket', path.join(dir, 's')], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`${bgp}:2: vip 203\\.0\\.113\\.99 is in no vrrp_instance and no virtual_server of ${conf}`));
    assert.match(r.stderr, new RegExp(`${bgp}:3: vip 203\\.0\\.113\\.11: track-script gone: no vrrp_script gone`));
    assert.match(r.stderr, /not starting/);
    assert.equal(fs.existsSync(path.join(dir, 'p.pid')), false, 'no pid file taken');
  });
});
