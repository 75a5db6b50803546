/**
 * A sync group held in BACKUP, against keepalived 2.2.7 (issue 15). Node A (keepalived, no sync
 * group) runs VI_1, which tracks an interface, and VI_2 at priority 150; node B has both in
 * `vrrp_sync_group G1` at priority 100. A's tracked interface goes down: A's VI_1 goes FAULT
 * (priority 0), its VI_2 stays MASTER. keepalived as B keeps G1 in BACKUP (vrrp_sync.c,
 * vrrp_sync_can_goto_master: a member whose master-down timer fires only wants MASTER while another
 * member still hears its master; it re-arms its timer and sends nothing). hactl as B must do the
 * same: no MASTER episode, no priority-0 advert, no VIP added while A's VI_2 is alive. When A's
 * interface comes back, A is the only master of each VRID, with either implementation as B.
 *
 * The two labs (keepalived as B, hactl as B) run at the same time; B's adverts are counted from a
 * capture on a client host, its VIP additions from `ip monitor address` inside B.
 */
import * as assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { describe, it } from 'node:test';
import { assertNoSplitBrain, keepalivedUnavailable, sleep, VrrpLab, vrrpLabUnavailable } from './vrrp-lab';

const skip = vrrpLabUnavailable() ?? keepalivedUnavailable() ?? undefined;

/** v3 at 0.5 s: B's VI_1 master-down interval is 1.5 s + Skew_Time (about 1.8 s) */
const ADVERT = 0.5;
const INTERVAL_MS = ADVERT * 1000;
/** how long A's tracked interface stays down (the buggy hactl went MASTER every ~1.8 s) */
const WINDOW_MS = 8000;
const VIPS = ['198.51.100.100', '198.51.100.101'];

function instances(prio: number, trackIf: boolean): string {
  return [51, 52]
    .map(
      (vrid, i) => `vrrp_instance VI_${i + 1} {
  state BACKUP
  interface eth0
  virtual_router_id ${vrid}
  priority ${prio}
  advert_int ${ADVERT}
  version 3
${trackIf && i === 0 ? '  track_interface {\n    tk0\n  }\n' : ''}  virtual_ipaddress {
    ${VIPS[i]}/24 dev eth0
  }
}
`,
    )
    .join('');
}

const global = (id: string) => `global_defs {
  router_id ${id}
  vrrp_priority -10
}
`;
const confA = `${global('sync_a')}${instances(150, true)}`;
const confB = `${global('sync_b')}vrrp_sync_group G1 {
  group {
    VI_1
    VI_2
  }
}
${instances(100, false)}`;

interface Episodes {
  /** runs of B's priority > 0 adverts per VRID (a gap of more than 3 intervals starts a new run) */
  master: Record<number, number>;
  prioZero: number;
  vipAdds: number;
}

interface Outcome {
  kind: 'hactl' | 'keepalived';
  down: Episodes;
  /** after A's interface came back: the sources of priority > 0 adverts per VRID in the last 2 s */
  mastersAfter: Record<number, string[]>;
  /** VIPs on each node at the end */
  vipsA: string[];
  vipsB: string[];
  /** assertNoSplitBrain's complaints per VRID since B reached BACKUP (none expected) */
  splitBrain: string[];
  logB: string;
}

function episodes(ads: { t: number; prio: number; vrid: number }[], since: number, until: number): Omit<Episodes, 'vipAdds'> {
  const master: Record<number, number> = { 51: 0, 52: 0 };
  let prioZero = 0;
  for (const vrid of [51, 52]) {
    let last = -Infinity;
    for (const a of ads) {
      if (a.vrid !== vrid || a.t < since || a.t > until) continue;
      if (a.prio === 0) {
        prioZero++;
        last = -Infinity;
        continue;
      }
      if (a.t - last > 3 * INTERVAL_MS) master[vrid]++;
      last = a.t;
    }
  }
  return { master, prioZero };
}

/** Each VIP addition inside B, as the kernel reports it (epoch ms). */
function watchAddrs(l: VrrpLab, ns: string): { adds: number[]; proc: ChildProcess } {
  const adds: number[] = [];
  const proc = l.lab.spawn(ns, 'ip', ['-o', 'monitor', 'address']);
  let buf = '';
  proc.stdout?.setEncoding('utf8');
  proc.stdout?.on('data', (d: string) => {
    buf += d;
    let i = buf.indexOf('\n');
    while (i >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!line.startsWith('Deleted') && VIPS.some((v) => line.includes(` ${v}/`))) adds.push(Date.now());
      i = buf.indexOf('\n');
    }
  });
  return { adds, proc };
}

async function scenario(kind: 'hactl' | 'keepalived'): Promise<Outcome> {
  const l = new VrrpLab(kind === 'hactl' ? 'syh' : 'syk', 2);
  try {
    const [a, b] = l.nodes;
    // A's tracked interface: one end of a veth pair inside A
    l.lab.nsExec(a.host.ns, 'ip', ['link', 'add', 'tk0', 'type', 'veth', 'peer', 'name', 'tk1']);
    l.lab.nsExec(a.host.ns, 'ip', ['link', 'set', 'tk1', 'up']);
    l.lab.nsExec(a.host.ns, 'ip', ['link', 'set', 'tk0', 'up']);
    const cap = l.startCapture();
    const mon = watchAddrs(l, b.host.ns);
    const watches = VIPS.map((v) => l.watchVip(v));
    l.startKeepalived(a, confA);
    await l.waitState(a, 'MASTER', 10_000, 'VI_1');
    await l.waitState(a, 'MASTER', 10_000, 'VI_2');
    if (kind === 'hactl') l.startHactl(b, confB);
    else l.startKeepalived(b, confB);
    await l.waitState(b, 'BACKUP', 10_000, 'VI_1');
    await l.waitState(b, 'BACKUP', 10_000, 'VI_2');
    // converged: one holder per VIP from here on (A's VI_1 FAULT leaves VIP .100 on nobody)
    const converged = Date.now();
    await sleep(1000);
    const t0 = Date.now();
    l.lab.nsExec(a.host.ns, 'ip', ['link', 'set', 'tk0', 'down']);
    await l.waitState(a, 'FAULT', 5000, 'VI_1');
    await sleep(WINDOW_MS);
    const t1 = Date.now();
    const ads = cap.from(b.addr);
    const down: Episodes = { ...episodes(ads, t0, t1), vipAdds: mon.adds.filter((t) => t >= t0 && t <= t1).length };
    // recovery: A's VI_1 leaves FAULT and (priority 150) becomes master again
    l.lab.nsExec(a.host.ns, 'ip', ['link', 'set', 'tk0', 'up']);
    await sleep(3 * INTERVAL_MS + 1000 + 3000);
    const t2 = Date.now();
    const mastersAfter: Record<number, string[]> = {};
    for (const vrid of [51, 52])
      mastersAfter[vrid] = [...new Set(cap.adverts.filter((x) => x.vrid === vrid && x.prio > 0 && x.t > t2 - 2000).map((x) => x.src))].sort();
    const splitBrain: string[] = [];
    for (const [i, vrid] of [51, 52].entries()) {
      try {
        assertNoSplitBrain(l, { vrid, intervalMs: INTERVAL_MS, since: converged, watch: watches[i] });
      } catch (e) {
        splitBrain.push((e as Error).message);
      }
    }
    return {
      kind,
      down,
      splitBrain,
      mastersAfter,
      vipsA: VIPS.filter((v) => l.hasAddr(a, v)),
      vipsB: VIPS.filter((v) => l.hasAddr(b, v)),
      logB: b.logs
        .slice(-30)
        .map((x) => x.line)
        .join('\n'),
    };
  } finally {
    l.cleanup();
  }
}

describe('vrrp sync group held in BACKUP: hactl against keepalived 2.2.7', { skip, timeout: 60_000 }, () => {
  it('a member whose master-down timer fires while another member hears its master waits in BACKUP, as keepalived', { timeout: 55_000 }, async () => {
    const [ka, ha] = await Promise.all([scenario('keepalived'), scenario('hactl')]);
    for (const o of [ka, ha])
      console.log(
        `# ${o.kind} as B over ${WINDOW_MS} ms: MASTER episodes VI_1 ${o.down.master[51]} VI_2 ${o.down.master[52]}, priority-0 adverts ${o.down.prioZero}, VIP additions ${o.down.vipAdds}; after recovery masters ${JSON.stringify(o.mastersAfter)}, VIPs on A ${o.vipsA.join(',') || '-'} on B ${o.vipsB.join(',') || '-'}`,
      );
    // keepalived 2.2.7's own numbers (so a broken keepalived run cannot pass the comparison)
    assert.deepEqual(ka.down, { master: { 51: 0, 52: 0 }, prioZero: 0, vipAdds: 0 }, `keepalived as B:\n${ka.logB}`);
    // hactl holds like keepalived: no MASTER episode, no priority 0, no VIP added while A's VI_2 is alive
    assert.deepEqual(ha.down, ka.down, `hactl as B differs from keepalived while A's VI_1 is in FAULT:\n${ha.logB}`);
    // recovery: one master per VRID (A), A holds both VIPs, B none; the same with either B
    for (const o of [ka, ha]) {
      assert.deepEqual(o.mastersAfter, { 51: ['198.51.100.1'], 52: ['198.51.100.1'] }, `${o.kind} as B after recovery:\n${o.logB}`);
      assert.deepEqual(o.vipsA, VIPS, `${o.kind} as B: VIPs on A`);
      assert.deepEqual(o.vipsB, [], `${o.kind} as B: VIPs on B`);
      assert.deepEqual(o.splitBrain, [], `${o.kind} as B: never two holders of a VIP after convergence`);
    }
  });
});
