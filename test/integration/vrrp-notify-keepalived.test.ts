/**
 * Notify scripts and reloads against keepalived 2.2.7: the same configuration
 * (own VRIDs, VIPs and script directory per node) runs under keepalived on one
 * lab node and under hactl on another; every script appends a line to its
 * node's log, and both logs must hold the same lines:
 * - script lines as keepalived reads them: `notify_master /path root` runs /path
 *   as user root with no argument; `notify_backup /path nosuchuser` is dropped
 *   (never run, above all not as root); `script /path arg1 arg2` in a
 *   vrrp_script runs /path without the arguments;
 * - a SIGHUP that deletes instances: a master among them sends priority 0, its
 *   VIPs go, and the generic notify says FAULT, or DELETED with `notify_deleted`
 *   (whose script runs without arguments); notify_fault / notify_stop do not run;
 * - a sync group's notify (GROUP lines) and notify_master scripts;
 * - SIGTERM: notify_stop and the generic STOP of the instance left.
 * - notify_fifo with notify_fifo_script: the FIFO is created, the script runs once with the
 *   FIFO's path as its last argument, reads the same lines as the scripts get, and gets SIGTERM at stop.
 * Lines are compared as sorted lists per phase (scripts run concurrently).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { assertNoSplitBrain, fastMaster, keepalivedUnavailable, type Node, sleep, VrrpLab, vrrpLabUnavailable } from './vrrp-lab';

const skip = vrrpLabUnavailable() ?? keepalivedUnavailable() ?? undefined;

const NAMES = ['A', 'B', 'C', 'D'];

function scripts(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const log = path.join(dir, 'log');
  const put = (name: string, body: string) => fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  put('n.sh', `echo "notify $*" >> ${log}`);
  put('f.sh', `echo "notify_fault $*" >> ${log}`);
  put('s.sh', `echo "notify_stop $*" >> ${log}`);
  put('d.sh', `echo "notify_deleted $*" >> ${log}`);
  put('t.sh', `echo "track [$*]" > ${path.join(dir, 'track')}`);
  put(
    'fs.sh',
    `for last; do :; done\necho "fifo_script $# $1 $(basename "$last")" >> ${log}\ntrap 'echo "fifo_script TERM" >> ${log}; exit 0' TERM\nwhile read -r line; do echo "fifo $line" >> ${log}; done < "$last"`,
  );
}


/**
 * D (kept) is in another subnet: deleting the subnet's primary address (A's VIP, added first) takes
 * the secondaries with it unless promote_secondaries is set, and keepalived 2.2.7 then loses D's VIP.
 */
const vipOf = (n: string, addrBase: number) => (n === 'D' ? `192.0.2.${addrBase}` : `203.0.113.${addrBase + NAMES.indexOf(n)}`);

function conf(dir: string, vridBase: number, addrBase: number, keepOnly = false): string {
  const s = (n: string) => path.join(dir, n);
  const bodies: Record<string, string> = {
    A: `  notify ${s('n.sh')}
  notify_master ${s('n.sh')} root
  notify_backup ${s('n.sh')} hactl-no-such-user
  notify_fault ${s('f.sh')}
  notify_stop ${s('s.sh')}
  track_script {
    chk
  }
`,
    B: `  notify ${s('n.sh')}
  notify_fault ${s('f.sh')}
  notify_deleted
`,
    C: `  notify "${s('n.sh')}" root
  notify_deleted ${s('d.sh')}
`,
    D: `  notify ${s('n.sh')}
  notify_stop ${s('s.sh')}
`,
  };
  const names = keepOnly ? ['D'] : NAMES;
  return `global_defs {
  router_id ntf_${vridBase}
  enable_script_security
  script_user root
  notify_fifo ${s('fifo')}
  notify_fifo_script "${s('fs.sh')} a1"
}
${
  keepOnly
    ? ''
    : `vrrp_script chk {
  script ${s('t.sh')} arg1 arg2
  interval 1
}
vrrp_sync_group G {
  group {
    B
    C
  }
  notify ${s('n.sh')}
  notify_master "${s('n.sh')} group-master"
}
`
}${names.map((n) => fastMaster(n, vridBase + NAMES.indexOf(n), vipOf(n, addrBase), bodies[n])).join('')}`;
}

const lines = (dir: string): string[] => {
  try {
    return fs.readFileSync(path.join(dir, 'log'), 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

/** Wait until `pred` holds for the log, at most `ms`. */
async function until(dir: string, pred: (l: string[]) => boolean, ms: number): Promise<string[]> {
  const end = Date.now() + ms;
  let l = lines(dir);
  while (!pred(l) && Date.now() < end) {
    await sleep(100);
    l = lines(dir);
  }
  return l;
}

function hup(n: Node): void {
  if (n.kind === 'keepalived') process.kill(Number(fs.readFileSync(n.pidFiles[0], 'utf8').trim()), 'SIGHUP');
  else n.proc?.kill('SIGHUP');
}

describe('notify scripts and reloads: hactl against keepalived 2.2.7', { skip, timeout: 90_000 }, () => {
  it('the same scripts run with the same arguments at start, on a reload that deletes instances, and at stop', { timeout: 80_000 }, async () => {
    const l = new VrrpLab('ntf', 2);
    try {
      const [k, h] = l.nodes;
      const dirs = new Map<Node, string>([
        [k, path.join(l.dir, 'k')],
        [h, path.join(l.dir, 'h')],
      ]);
      const base = new Map<Node, [number, number]>([
        [k, [10, 1]],
        [h, [60, 101]],
      ]);
      for (const d of dirs.values()) scripts(d);
      const cap = l.startCapture();
      // D lives through the reload on each node: its VIP must stay on that node alone
      const watches = [k, h].map((n) => l.watchVip(vipOf('D', base.get(n)![1])));
      await sleep(300);
      l.startKeepalived(k, conf(dirs.get(k)!, ...base.get(k)!));
      l.startHactl(h, conf(dirs.get(h)!, ...base.get(h)!));

      // phase 1: every instance MASTER (generic MASTER lines, notify_master as root without arguments)
      const masters = (x: string[]) => NAMES.every((n) => x.includes(`notify INSTANCE ${n} MASTER 150`));
      const p1 = new Map<Node, string[]>();
      for (const n of [k, h]) p1.set(n, await until(dirs.get(n)!, masters, 15_000));
      const converged = Date.now();
      await sleep(1500); // track script runs, late lines
      for (const n of [k, h]) p1.set(n, lines(dirs.get(n)!));
      const tracks = [k, h].map((n) => fs.readFileSync(path.join(dirs.get(n)!, 'track'), 'utf8'));
      const uniq = (x: string[]) => [...new Set(x)].sort();
      console.log(`# start: keepalived ${JSON.stringify(uniq(p1.get(k)!))}\n#        hactl      ${JSON.stringify(uniq(p1.get(h)!))}`);
      assert.ok(masters(p1.get(k)!), `keepalived did not report every instance MASTER:\n${p1.get(k)!.join('\n')}\n${k.logs.map((x) => x.line).join('\n')}`);
      assert.ok(p1.get(k)!.includes('notify '), 'keepalived ran notify_master as user root without arguments');
      assert.ok(p1.get(k)!.includes('fifo_script 2 a1 fifo'), 'keepalived ran notify_fifo_script with the FIFO as last argument');
      assert.ok(p1.get(k)!.includes('fifo INSTANCE "D" MASTER 150'), 'the FIFO script reads the notify lines');
      for (const n of [k, h]) assert.ok(fs.statSync(path.join(dirs.get(n)!, 'fifo')).isFIFO(), `${n.kind} created the FIFO`);
      assert.deepEqual(uniq(p1.get(h)!), uniq(p1.get(k)!), 'the same notify lines at start');
      assert.equal(tracks[0], 'track []\n', 'keepalived runs the vrrp_script without the unquoted words');
      assert.equal(tracks[1], tracks[0]);

      // phase 2: SIGHUP with only D left
      const before = new Map<Node, number>([
        [k, p1.get(k)!.length],
        [h, p1.get(h)!.length],
      ]);
      const t0 = Date.now();
      for (const n of [k, h]) {
        fs.writeFileSync(n.conf, conf(dirs.get(n)!, ...base.get(n)!, true));
        hup(n);
      }
      const p2 = new Map<Node, string[]>();
      const deleted = (x: string[]) => x.some((s) => s.startsWith('notify_deleted'));
      for (const n of [k, h]) {
        await until(dirs.get(n)!, (x) => deleted(x.slice(before.get(n)!)), 10_000);
        await sleep(1000);
        p2.set(n, lines(dirs.get(n)!).slice(before.get(n)!).sort());
      }
      console.log(`# reload: keepalived ${JSON.stringify(p2.get(k))}\n#         hactl      ${JSON.stringify(p2.get(h))}`);
      assert.deepEqual(
        p2.get(k),
        [
          'fifo INSTANCE "A" FAULT 150',
          'fifo INSTANCE "B" DELETED 150',
          'fifo INSTANCE "C" DELETED 150',
          // keepalived closes and reopens the FIFO on a reload: its script is stopped and started again
          'fifo_script 2 a1 fifo',
          'fifo_script TERM',
          'notify INSTANCE A FAULT 150',
          'notify INSTANCE B DELETED 150',
          'notify INSTANCE C DELETED 150',
          'notify_deleted ',
        ],
        'keepalived 2.2.7',
      );
      assert.deepEqual(p2.get(h), p2.get(k), 'hactl notifies a reload deletion like keepalived');
      for (const n of [k, h]) {
        const [vrid, addr] = base.get(n)!;
        const zero = [0, 1, 2].map((i) => cap.adverts.some((a) => a.src === n.addr && a.vrid === vrid + i && a.prio === 0 && a.t >= t0 - 50));
        assert.deepEqual(zero, [true, true, true], `${n.kind}: each deleted master sends priority 0`);
        for (const i of [0, 1, 2]) assert.ok(!l.hasAddr(n, `203.0.113.${addr + i}`), `${n.kind}: VIP of a deleted instance removed`);
        assert.ok(l.hasAddr(n, vipOf('D', addr)), `${n.kind}: D keeps its VIP\n${l.lab.nsExec(n.host.ns, 'ip', ['-o', 'addr', 'show'])}`);
      }

      // every VRID (each node its own) had one master at a time through start and reload
      for (const [i, n] of [k, h].entries()) {
        const [vrid] = base.get(n)!;
        for (const j of [0, 1, 2, 3]) assertNoSplitBrain(l, { vrid: vrid + j, intervalMs: 200, since: converged, watch: j === 3 ? watches[i] : undefined });
      }

      // phase 3: SIGTERM
      const before3 = new Map<Node, number>([
        [k, lines(dirs.get(k)!).length],
        [h, lines(dirs.get(h)!).length],
      ]);
      for (const n of [k, h]) assert.equal(await l.stop(n), 0, `${n.kind} exits 0 on SIGTERM`);
      const p3 = new Map<Node, string[]>();
      // the FIFO script may be stopped before it reads the STOP line: FIFO lines are left out here
      const stopLines = (x: string[], from: number) => x.slice(from).filter((s) => !s.startsWith('fifo INSTANCE'));
      for (const n of [k, h]) p3.set(n, stopLines(await until(dirs.get(n)!, (x) => stopLines(x, before3.get(n)!).length >= 3, 5000), before3.get(n)!).sort());
      console.log(`# stop: keepalived ${JSON.stringify(p3.get(k))}\n#       hactl      ${JSON.stringify(p3.get(h))}`);
      assert.deepEqual(p3.get(k), ['fifo_script TERM', 'notify INSTANCE D STOP 150', 'notify_stop '], 'keepalived 2.2.7');
      assert.deepEqual(p3.get(h), p3.get(k));
    } finally {
      l.cleanup();
    }
  });
});
