/**
 * Tracked-object weights against keepalived 2.2.7: the same set of instances
 * (track_script, track_file and track_interface with positive/negative weights,
 * `reverse`, weight 0, an address owner) run by keepalived on one lab node and
 * by hactl on another; every instance must end with the same effective
 * priority, or in FAULT on both (sync-group tracking included). keepalived's effective priority is read from
 * its log ("(X) Changing effective priority from 100 to 90"), hactl's from
 * `vrrp status`. The VRIDs differ per node so the two never elect each other.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { assertNoSplitBrain, keepalivedUnavailable, type Node, sleep, VrrpLab, vrrpLabUnavailable } from './vrrp-lab';

const skip = vrrpLabUnavailable() ?? keepalivedUnavailable() ?? undefined;

interface Case {
  name: string;
  prio: number;
  track: string;
}

const CASES: Case[] = [
  { name: 'S_OK', prio: 100, track: 'track_script {\n    ok\n  }' },
  { name: 'S_OK_REV', prio: 100, track: 'track_script {\n    ok_rev\n  }' },
  { name: 'S_FAIL_NEG', prio: 100, track: 'track_script {\n    fail_neg\n  }' },
  { name: 'S_FAIL_NEGREV', prio: 100, track: 'track_script {\n    fail_negrev\n  }' },
  { name: 'S_LINE_REV', prio: 100, track: 'track_script {\n    ok weight 12 reverse\n  }' },
  { name: 'S_CAP', prio: 250, track: 'track_script {\n    ok weight 30\n  }' },
  { name: 'S_FAIL0', prio: 100, track: 'track_script {\n    fail0\n  }' },
  { name: 'S_OK0_REV', prio: 100, track: 'track_script {\n    ok weight 0 reverse\n  }' },
  { name: 'F_NEG', prio: 100, track: 'track_file {\n    minus30\n  }' },
  { name: 'F_REV', prio: 100, track: 'track_file {\n    three_rev\n  }' },
  { name: 'F_ZERO_REV', prio: 100, track: 'track_file {\n    zero_w0_rev\n  }' },
  { name: 'F_LINE', prio: 100, track: 'track_file {\n    three_rev weight 4\n  }' },
  { name: 'I_UP_REV', prio: 100, track: 'track_interface {\n    tk0 weight 5 reverse\n  }' },
  { name: 'I_DOWN_NEG', prio: 100, track: 'track_interface {\n    tkd weight -9\n  }' },
  { name: 'OWNER', prio: 255, track: 'track_script {\n    ok weight 20\n    fail_neg\n  }' },
  // sync groups: SG_A and SG_B share G1's track_script (weights apply to each member); SG_A's own
  // weighted track_script is ignored (no sync_group_tracking_weight); G2's down interface faults SG_C
  { name: 'SG_A', prio: 100, track: 'track_script {\n    ok weight 3\n  }' },
  { name: 'SG_B', prio: 100, track: '' },
  { name: 'SG_C', prio: 100, track: '' },
];

const SYNC_GROUPS = `vrrp_sync_group G1 {
  group {
    SG_A
    SG_B
  }
  track_script {
    fail_neg
    ok
  }
}
vrrp_sync_group G2 {
  group {
    SG_C
  }
  track_interface {
    tkd
  }
}
`;

function conf(dir: string, vridBase: number, addrBase: number): string {
  const f = (n: string) => path.join(dir, n);
  const blocks = CASES.map(
    (c, i) => `vrrp_instance ${c.name} {
  state BACKUP
  interface eth0
  virtual_router_id ${vridBase + i}
  priority ${c.prio}
  advert_int 1
  ${c.track}
  virtual_ipaddress {
    203.0.113.${addrBase + i}/24
  }
}
`,
  );
  return `global_defs {
  router_id track_${vridBase}
  enable_script_security
  script_user root
}
vrrp_script ok {
  script "/bin/true"
  interval 1
  weight 10
}
vrrp_script ok_rev {
  script "/bin/true"
  interval 1
  weight 10 reverse
}
vrrp_script fail_neg {
  script "/bin/false"
  interval 1
  weight -7
}
vrrp_script fail_negrev {
  script "/bin/false"
  interval 1
  weight -7 reverse
}
vrrp_script fail0 {
  script "/bin/false"
  interval 1
  weight 0
}
track_file minus30 {
  file ${f('minus30')}
  weight 10
}
track_file three_rev {
  file ${f('three')}
  weight 10 reverse
}
track_file zero_w0_rev {
  file ${f('zero')}
  weight 0 reverse
}
${SYNC_GROUPS}${blocks.join('')}`;
}

/**
 * keepalived: FAULT, or the last "Changing effective priority" of each instance (default: the
 * base). An instance that a weight-0 script holds down from the start never logs a state: it
 * stays out of BACKUP/MASTER (its SIGUSR1 data dump says "State = FAULT"), so no state line is FAULT.
 */
function keepalivedResult(node: Node): Map<string, string> {
  const out = new Map<string, string>(CASES.map((c) => [c.name, 'FAULT']));
  for (const { line } of node.logs) {
    const l = /\((\S+)\) Entering (BACKUP|MASTER) STATE/.exec(line);
    if (l && out.get(l[1]) === 'FAULT') out.set(l[1], String(CASES.find((c) => c.name === l[1])?.prio));
  }
  for (const { line } of node.logs) {
    const p = /\((\S+)\) Changing effective priority from \d+ to (\d+)/.exec(line);
    if (p && out.get(p[1]) !== 'FAULT') out.set(p[1], p[2]);
    const f = /\((\S+)\):? entering FAULT state/i.exec(line);
    if (f) out.set(f[1], 'FAULT');
  }
  return out;
}

describe('vrrp tracking weights: hactl against keepalived 2.2.7', { skip, timeout: 90_000 }, () => {
  it('every tracked-object case ends with the same effective priority (or FAULT) as keepalived', { timeout: 80_000 }, async () => {
    const l = new VrrpLab('trk', 2);
    try {
      const [k, h] = l.nodes;
      fs.writeFileSync(path.join(l.dir, 'minus30'), '-30\n');
      fs.writeFileSync(path.join(l.dir, 'three'), '3\n');
      fs.writeFileSync(path.join(l.dir, 'zero'), '0\n');
      for (const n of [k, h]) {
        // tk0 up (a veth pair inside the node), tkd down
        l.lab.nsExec(n.host.ns, 'ip', ['link', 'add', 'tk0', 'type', 'veth', 'peer', 'name', 'tk1']);
        l.lab.nsExec(n.host.ns, 'ip', ['link', 'set', 'tk0', 'up']);
        l.lab.nsExec(n.host.ns, 'ip', ['link', 'set', 'tk1', 'up']);
        l.lab.nsExec(n.host.ns, 'ip', ['link', 'add', 'tkd', 'type', 'veth', 'peer', 'name', 'tkd1']);
      }
      l.startCapture();
      l.startKeepalived(k, conf(l.dir, 100, 1));
      l.startHactl(h, conf(l.dir, 150, 101));
      // scripts run every second and need rise/fall (default 1) results; then priorities settle
      const deadline = Date.now() + 20_000;
      let ka = new Map<string, string>();
      let ha = new Map<string, string>();
      while (Date.now() < deadline) {
        await sleep(1000);
        ka = keepalivedResult(k);
        const st = await l.status(h);
        ha = new Map((st?.instances ?? []).map((i) => [i.name, i.state === 'FAULT' ? 'FAULT' : String(i.effectivePriority)]));
        if (CASES.every((c) => ka.get(c.name) === ha.get(c.name)) && Date.now() > deadline - 14_000) break;
      }
      // each VRID (the nodes use their own) had one master at a time once the priorities settled
      for (const base of [100, 150]) for (const i of CASES.keys()) assertNoSplitBrain(l, { vrid: base + i, intervalMs: 1000, since: deadline - 14_000 });
      const rows = CASES.map((c) => `${c.name}: keepalived ${ka.get(c.name)} hactl ${ha.get(c.name)}`);
      console.log(`# tracking weights:\n#   ${rows.join('\n#   ')}`);
      // the absolute expectations (keepalived 2.2.7's log), so a broken keepalived run cannot pass the test
      const expected: Record<string, string> = {
        S_OK: '110',
        S_OK_REV: '90',
        S_FAIL_NEG: '93',
        S_FAIL_NEGREV: '107',
        S_LINE_REV: '88',
        S_CAP: '254',
        S_FAIL0: 'FAULT',
        S_OK0_REV: 'FAULT',
        F_NEG: 'FAULT',
        F_REV: '70',
        F_ZERO_REV: 'FAULT',
        F_LINE: '88',
        I_UP_REV: '95',
        I_DOWN_NEG: '91',
        OWNER: '255',
        SG_A: '103',
        SG_B: '103',
        SG_C: 'FAULT',
      };
      for (const c of CASES) {
        assert.equal(ka.get(c.name), expected[c.name], `keepalived ${c.name}\n${k.logs.map((x) => x.line).join('\n')}`);
        assert.equal(ha.get(c.name), ka.get(c.name), `hactl ${c.name} differs from keepalived:\n${rows.join('\n')}`);
      }
    } finally {
      l.cleanup();
    }
  });
});
