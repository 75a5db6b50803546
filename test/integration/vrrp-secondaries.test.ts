/**
 * VIPs in one IPv4 subnet held by two instances (A added first, so its VIP is the subnet's primary
 * address, D's a secondary). When A leaves (here: a reload deletes it), the kernel removes the
 * secondaries with the primary unless net.ipv4.conf.IF.promote_secondaries is set; keepalived 2.2.7
 * then loses D's VIP (seen in vrrp-notify-keepalived's first runs). hactl puts it back with a
 * warning, and with `promote_secondaries` (keepalived's keyword) D's VIP never goes: the sysctl is set
 * while hactl runs and restored when it stops.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { fastMaster, sleep, VrrpLab, vrrpLabUnavailable } from './vrrp-lab';

const skip = vrrpLabUnavailable() ?? undefined;

const inst = (n: string, vrid: number, vip: string, promote: boolean) => fastMaster(n, vrid, vip, promote ? '  promote_secondaries\n' : '');
const conf = (withA: boolean, promote: boolean) =>
  `global_defs {\n  router_id sec\n}\n${withA ? inst('A', 1, '203.0.113.1', promote) : ''}${inst('D', 4, '203.0.113.4', promote)}`;

async function run(promote: boolean) {
  const l = new VrrpLab(promote ? 'secp' : 'secn', 1);
  try {
    const [h] = l.nodes;
    const sysctl = () => l.lab.nsExec(h.host.ns, 'cat', ['/proc/sys/net/ipv4/conf/eth0/promote_secondaries']).trim();
    const before = sysctl();
    l.startHactl(h, conf(true, promote));
    await l.waitState(h, 'MASTER', 10_000, 'A');
    await l.waitState(h, 'MASTER', 10_000, 'D');
    await sleep(300);
    const during = sysctl();
    const addrs = l.lab.nsExec(h.host.ns, 'ip', ['-o', '-4', 'addr', 'show', 'dev', 'eth0']);
    assert.match(addrs, /203\.0\.113\.4\/24 .*secondary/, `D's VIP is a secondary address:\n${addrs}`);
    fs.writeFileSync(h.conf, conf(false, promote));
    h.proc?.kill('SIGHUP');
    const end = Date.now() + 5000;
    while (!h.logs.some((x) => x.json?.msg && String(x.json.msg).startsWith('reloaded')) && Date.now() < end) await sleep(50);
    await sleep(200);
    const kept = l.hasAddr(h, '203.0.113.4');
    const gone = !l.hasAddr(h, '203.0.113.1');
    const warned = h.logs.some((x) => x.json?.level === 'warn' && /203\.0\.113\.4\/24 on eth0 went away/.test(String(x.json?.msg)));
    assert.equal(await l.stop(h), 0);
    return { before, during, after: sysctl(), kept, gone, warned, log: h.logs.map((x) => x.line).join('\n') };
  } finally {
    l.cleanup();
  }
}

describe('VIPs sharing a subnet: the primary address leaves', { skip, timeout: 60_000 }, () => {
  it('without promote_secondaries: the kernel drops D with A; hactl adds it again and warns', { timeout: 30_000 }, async () => {
    const r = await run(false);
    assert.ok(r.gone, "A's VIP removed");
    assert.ok(r.kept, `D's VIP back on eth0\n${r.log}`);
    assert.ok(r.warned, `a warning names the lost VIP\n${r.log}`);
    assert.equal(r.during, r.before, 'the sysctl is left alone');
  });
  it('with promote_secondaries: set while running (D never goes, no warning), restored at stop', { timeout: 30_000 }, async () => {
    const r = await run(true);
    assert.equal(r.before, '0');
    assert.equal(r.during, '1');
    assert.ok(r.gone && r.kept, r.log);
    assert.ok(!r.warned, `the secondary was promoted, nothing to put back\n${r.log}`);
    assert.equal(r.after, '0', 'restored at exit');
  });
});
