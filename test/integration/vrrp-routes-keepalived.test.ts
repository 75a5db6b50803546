/**
 * virtual_routes / virtual_rules as keepalived 2.2.7 installs them: the same
 * config as MASTER under keepalived and under hactl, then `ip -j route` /
 * `ip -j rule` compared (protocol keepalived = RTPROT 18 on routes and rules,
 * scope universe unless configured, also for a device-only route).
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keepalivedUnavailable, sleep, VrrpLab, vrrpConf, vrrpLabUnavailable } from './vrrp-lab';

const skip = vrrpLabUnavailable() ?? keepalivedUnavailable() ?? undefined;

const extra = `  virtual_routes {
    192.0.2.0/25 dev eth0
    192.0.2.128/25 dev eth0 scope link
    203.0.113.0/24 via 198.51.100.254 dev eth0 table 100
  }
  virtual_rules {
    from 198.51.100.0/24 table 100 priority 100
    to 192.0.2.0/24 table 100 priority 101
  }
`;

// biome-ignore lint/suspicious/noExplicitAny: `ip -j` output
type J = any;

function snapshot(l: VrrpLab, n: VrrpLab['nodes'][number]): { routes: string[]; rules: string[] } {
  const routes = (JSON.parse(l.lab.nsExec(n.host.ns, 'ip', ['-j', 'route', 'show', 'table', 'all'])) as J[])
    .filter((r) => /^(192\.0\.2\.|203\.0\.113\.)/.test(r.dst))
    .map((r) => `${r.dst} dev ${r.dev} via ${r.gateway ?? '-'} table ${r.table ?? 'main'} proto ${r.protocol ?? '-'} scope ${r.scope ?? 'global'} type ${r.type ?? 'unicast'}`)
    .sort();
  const rules = (JSON.parse(l.lab.nsExec(n.host.ns, 'ip', ['-j', 'rule', 'show'])) as J[])
    .filter((r) => r.priority === 100 || r.priority === 101)
    .map((r) => `${r.priority} from ${r.src ?? 'all'}/${r.srclen ?? ''} to ${r.dst ?? 'all'}/${r.dstlen ?? ''} table ${r.table} proto ${r.protocol ?? '-'}`)
    .sort();
  return { routes, rules };
}

describe('virtual_routes / virtual_rules compared with keepalived 2.2.7', { skip, timeout: 60_000 }, () => {
  it('the same routes and rules (proto keepalived, scope as configured, else universe) while MASTER, none after', { timeout: 50_000 }, async () => {
    const l = new VrrpLab('rtk', 1);
    try {
      const [n] = l.nodes;
      const conf = vrrpConf({ prio: 150, version: 3, advert: 0.5, state: 'MASTER', extra });
      l.startKeepalived(n, conf);
      await l.waitState(n, 'MASTER', 15_000);
      await sleep(500);
      const ka = snapshot(l, n);
      await l.stop(n);
      await sleep(300);
      assert.deepEqual(snapshot(l, n), { routes: [], rules: [] }, 'keepalived removed them at stop');
      l.startHactl(n, conf);
      await l.waitState(n, 'MASTER', 15_000);
      await sleep(500);
      const ha = snapshot(l, n);
      process.stderr.write(`# keepalived:\n#   ${[...ka.routes, ...ka.rules].join('\n#   ')}\n`);
      assert.equal(ka.routes.length, 3);
      assert.equal(ka.rules.length, 2);
      assert.deepEqual(ha, ka);
      await l.stop(n);
      await sleep(300);
      assert.deepEqual(snapshot(l, n), { routes: [], rules: [] }, 'hactl removed them at stop');
    } finally {
      l.cleanup();
    }
  });
});
