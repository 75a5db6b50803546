/**
 * `hactl drift` on namespace hosts: with the daemons running (MASTER and BACKUP per their control
 * sockets) a clean node reports nothing, a VIP removed by hand from the MASTER and a VIP added by
 * hand on the BACKUP are found; with the daemons stopped, the states are inferred from the VIPs.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { HACTL } from '../helpers/cli';
import type { Node } from './vrrp-lab';
import { VrrpLab, vrrpConf, vrrpLabUnavailable } from './vrrp-lab';

const skip = vrrpLabUnavailable() ?? undefined;
const EXTRA = '  no_accept\n  virtual_routes {\n    203.0.113.0/24 dev eth0\n  }\n  virtual_rules {\n    from 198.51.100.100 table 100\n  }\n';
const VIPS = ['198.51.100.100/24', '198.51.100.101/24'];

interface DriftJson {
  drift: boolean;
  differences: { kind: string; owner: string; what: string }[];
  instances: { name: string; state: string; source: string }[];
  notes: string[];
}

function drift(n: Node): { code: number | null; j: DriftJson; stderr: string } {
  const r = spawnSync('ip', ['netns', 'exec', n.host.ns, process.execPath, HACTL, 'drift', '-f', n.conf, '--control-socket', n.sock, '--json'], { encoding: 'utf8' });
  let j: DriftJson;
  try {
    j = JSON.parse(r.stdout);
  } catch {
    throw new Error(`drift on ${n.name}: no JSON (exit ${r.status}): ${r.stdout}${r.stderr}`);
  }
  return { code: r.status, j, stderr: r.stderr };
}

const list = (j: DriftJson) => j.differences.map((d) => `${d.kind} ${d.what}`).sort();

describe('hactl drift in a lab', { skip, timeout: 90_000 }, () => {
  it('finds a removed and a hand-added VIP, and nothing on clean nodes, with and without the daemons', { timeout: 60_000 }, async () => {
    const l = new VrrpLab('drf', 2);
    try {
      const [n1, n2] = l.nodes;
      l.startHactl(n1, vrrpConf({ prio: 150, version: 3, advert: 0.2, vips: VIPS, extra: EXTRA }));
      l.startHactl(n2, vrrpConf({ prio: 100, version: 3, advert: 0.2, vips: VIPS, extra: EXTRA }));
      await l.waitState(n1, 'MASTER', 15_000);
      await l.waitState(n2, 'BACKUP', 15_000);
      // clean: the MASTER holds its VIPs, route and no_accept elements; the BACKUP none
      let r = drift(n1);
      assert.equal(r.code, 0, `n1 clean: ${JSON.stringify(r.j.differences)} ${r.stderr}`);
      assert.deepEqual(r.j.instances.map((i) => `${i.state} ${i.source}`), ['MASTER daemon']);
      r = drift(n2);
      assert.equal(r.code, 0, `n2 clean: ${JSON.stringify(r.j.differences)}`);
      assert.deepEqual(r.j.instances.map((i) => `${i.state} ${i.source}`), ['BACKUP daemon']);
      // a VIP removed by hand from the MASTER
      l.lab.nsExec(n1.host.ns, 'ip', ['addr', 'del', '198.51.100.101/24', 'dev', 'eth0']);
      r = drift(n1);
      assert.equal(r.code, 1);
      assert.deepEqual(list(r.j), ['vip-missing 198.51.100.101/24 on eth0']);
      // a VIP added by hand on the BACKUP
      l.lab.nsExec(n2.host.ns, 'ip', ['addr', 'add', '198.51.100.100/24', 'dev', 'eth0']);
      r = drift(n2);
      assert.equal(r.code, 1);
      assert.deepEqual(list(r.j), ['vip-unexpected 198.51.100.100/24 on eth0']);
      l.lab.nsExec(n2.host.ns, 'ip', ['addr', 'del', '198.51.100.100/24', 'dev', 'eth0']);
      // no daemons: nothing held anywhere, nothing to report; the report says the states were inferred
      await l.stop(n1);
      await l.stop(n2);
      for (const n of [n1, n2]) {
        r = drift(n);
        assert.equal(r.code, 0, `${n.name} after stop: ${JSON.stringify(r.j.differences)}`);
        assert.deepEqual(r.j.instances.map((i) => `${i.state} ${i.source}`), ['not MASTER (inferred) inferred']);
        assert.match(r.j.notes.join('\n'), /no hactl daemon answers/);
      }
      // one VIP by hand without a daemon: the instance is taken to be MASTER here, so the rest is missing
      l.lab.nsExec(n2.host.ns, 'ip', ['addr', 'add', '198.51.100.100/24', 'dev', 'eth0']);
      r = drift(n2);
      assert.equal(r.code, 1);
      assert.deepEqual(list(r.j), [
        'nft-missing 198.51.100.100 in the no_accept set',
        'nft-missing 198.51.100.101 in the no_accept set',
        'route-missing 203.0.113.0/24 dev eth0',
        'rule-missing from 198.51.100.100/32 table 100',
        'vip-missing 198.51.100.101/24 on eth0',
      ]);
    } finally {
      l.cleanup();
    }
  });
});
