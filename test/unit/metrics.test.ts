/**
 * /metrics rendering with fixed inputs: every metric the two halves expose, each with HELP and
 * TYPE, passing `promtool check metrics` (Debian's prometheus package; skipped with a reason when
 * missing), and the values that the live labs cannot reach here (IPVS counters, checker lag).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import type { ServiceWithDests } from '../../src/lib/ipvs/types';
import { lvsMetricsText } from '../../src/lib/lvs/metrics';
import type { LvsStatus } from '../../src/lib/lvs/reconciler';
import { LvsReconciler } from '../../src/lib/lvs/reconciler';
import { metricsText } from '../../src/lib/vrrp/control';
import { FakeCheckers, FakeClock, FakeIpvs } from './lvs-fakes';
import { rs, vs } from './lvs-helpers';
import type { DaemonStatus, InstanceStatus } from '../../src/lib/vrrp/daemon';

const promtool = spawnSync('promtool', ['--version']).status === 0;

/** promtool's complaints about `text` ('' when clean). */
export function promtoolProblems(text: string): string {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return r.status === 0 ? '' : `${r.stdout}${r.stderr}`.trim() || `exit ${r.status}`;
}

/** Every metric family has exactly one HELP and one TYPE line before its samples. */
function assertHelpAndType(text: string): void {
  const seen = new Map<string, { help: number; type: number }>();
  for (const l of text.split('\n')) {
    const m = l.match(/^# (HELP|TYPE) (\S+)/);
    if (m) {
      const e = seen.get(m[2]) ?? { help: 0, type: 0 };
      if (m[1] === 'HELP') e.help++;
      else e.type++;
      seen.set(m[2], e);
    } else if (l) {
      const name = l.match(/^[a-zA-Z_:][a-zA-Z0-9_:]*/)?.[0] ?? '';
      assert.ok(seen.has(name), `sample ${l} has no HELP/TYPE before it`);
    }
  }
  for (const [n, e] of seen) assert.deepEqual(e, { help: 1, type: 1 }, n);
}

const inst = (name: string, state: InstanceStatus['state'], over: Partial<InstanceStatus['counters']> = {}): InstanceStatus => ({
  name,
  interface: 'eth0',
  vrid: 51,
  version: 2,
  family: 4,
  state,
  basePriority: 100,
  effectivePriority: 90,
  advertIntervalMs: 1000,
  masterAddr: null,
  masterPriority: null,
  fault: null,
  vips: ['192.0.2.100'],
  lastTransition: null,
  counters: { rxAdverts: 5, txAdverts: 7, rxPriorityZero: 1, txPriorityZero: 2, becameMaster: 3, releasedMaster: 2, transitions: 6, addrMismatch: 0, drops: { ttl: 4 }, ...over },
});

const status: DaemonStatus = {
  pid: 1,
  uptimeMs: 12_500,
  stalls: 1,
  maxStallMs: 30,
  drops: { 'unknown-vrid': 2 },
  instances: [inst('VI_1', 'MASTER'), inst('VI "2"', 'BACKUP')],
  halves: [{ name: 'LVS', state: 'up', pid: 2, restarts: 0, lastExit: null, nextStartInMs: null } as unknown as NonNullable<DaemonStatus['halves']>[number]],
  lastReload: { at: new Date(1_700_000_000_000).toISOString(), source: 'SIGHUP', file: '/etc/keepalived/keepalived.conf', result: 'refused', error: 'bad' },
};

const lvs: LvsStatus = {
  ipvsOps: 3,
  syncPending: false,
  virtualServers: [
    {
      id: '192.0.2.10:80',
      services: ['TCP 192.0.2.10:80'],
      sched: 'wrr',
      quorum: 1,
      hysteresis: 0,
      quorumUp: true,
      weightSum: 2,
      realServers: [
        {
          addr: '198.51.100.11',
          port: 80,
          alive: false,
          weight: 3,
          effectiveWeight: 2,
          inhibitOnFailure: false,
          inIpvs: true,
          ipvsWeight: 2,
          checkers: [{ id: 'TCP_CHECK', type: 'TCP_CHECK', up: false, runs: 7, failures: 4, lastDurationMs: 250, lastLagMs: 12, maxLagMs: 40 }],
        },
      ],
    },
  ],
};

const stats = (n: number) => ({ conns: n, inpkts: n * 10, outpkts: n * 9, inbytes: n * 1000, outbytes: n * 900, cps: 0, inpps: 0, outpps: 0, inbps: 0, outbps: 0 });
const live: ServiceWithDests[] = [
  {
    af: 2,
    protocol: 6,
    addr: '192.0.2.10',
    port: 80,
    fwmark: 0,
    stats: stats(5),
    dests: [{ af: 2, addr: '198.51.100.11', port: 80, fwd: 0, weight: 2, uThresh: 0, lThresh: 0, tunType: 0, tunPort: 0, tunFlags: 0, activeConns: 3, inactConns: 1, stats: stats(4) }],
  } as unknown as ServiceWithDests,
  {
    af: 2,
    protocol: 17,
    addr: '203.0.113.5',
    port: 53,
    fwmark: 0,
    stats: stats(1),
    dests: [],
  } as unknown as ServiceWithDests,
];

describe('VRRP /metrics', () => {
  const t = metricsText(status);
  it('has HELP and TYPE for every family', () => assertHelpAndType(t));
  it('passes promtool check metrics', { skip: promtool ? false : 'promtool not installed (apt-get install prometheus)' }, () => {
    assert.equal(promtoolProblems(t), '');
  });
  it('exposes what the keepalived exporters do, with their meanings', () => {
    assert.match(t, /^hactl_vrrp_state\{instance="VI_1"\} 2$/m);
    assert.match(t, /^hactl_vrrp_state\{instance="VI \\"2\\""\} 1$/m);
    assert.match(t, /^hactl_vrrp_instance_state\{instance="VI_1",state="MASTER"\} 1$/m);
    assert.match(t, /^hactl_vrrp_instance_state\{instance="VI_1",state="BACKUP"\} 0$/m);
    assert.match(t, /^hactl_vrrp_base_priority\{instance="VI_1"\} 100$/m);
    assert.match(t, /^hactl_vrrp_effective_priority\{instance="VI_1"\} 90$/m);
    assert.match(t, /^hactl_vrrp_priority\{instance="VI_1"\} 90$/m);
    assert.match(t, /^hactl_vrrp_adverts_received_total\{instance="VI_1"\} 5$/m);
    assert.match(t, /^hactl_vrrp_adverts_sent_total\{instance="VI_1"\} 7$/m);
    assert.match(t, /^hactl_vrrp_became_master_total\{instance="VI_1"\} 3$/m);
    assert.match(t, /^hactl_vrrp_released_master_total\{instance="VI_1"\} 2$/m);
    assert.match(t, /^hactl_vrrp_transitions_total\{instance="VI_1"\} 6$/m);
    assert.match(t, /^hactl_vrrp_priority_zero_received_total\{instance="VI_1"\} 1$/m);
    assert.match(t, /^hactl_vrrp_priority_zero_sent_total\{instance="VI_1"\} 2$/m);
    assert.match(t, /^hactl_vrrp_dropped_total\{instance="VI_1",reason="ttl"\} 4$/m);
    assert.match(t, /^hactl_vrrp_dropped_total\{instance="",reason="unknown-vrid"\} 2$/m);
    assert.match(t, /^hactl_vrrp_instance_info\{instance="VI_1",interface="eth0",vrid="51",version="2",family="inet"\} 1$/m);
    assert.match(t, /^hactl_vrrp_last_reload_success 0$/m);
    assert.match(t, /^hactl_vrrp_last_reload_timestamp_seconds 1700000000$/m);
    assert.match(t, /^hactl_vrrp_loop_stall_max_seconds 0\.03$/m);
  });
  it('leaves the reload metrics out until a reload happened', () => {
    assert.doesNotMatch(metricsText({ ...status, lastReload: undefined }), /last_reload/);
  });
});

describe('LVS /metrics', () => {
  const t = lvsMetricsText(lvs, live, { atMs: 1_700_000_001_000, ok: true });
  it('has HELP and TYPE for every family', () => assertHelpAndType(t));
  it('passes promtool check metrics', { skip: promtool ? false : 'promtool not installed (apt-get install prometheus)' }, () => {
    assert.equal(promtoolProblems(t), '');
    assert.equal(promtoolProblems(lvsMetricsText(undefined)), '');
  });
  const rs = 'virtual_server="192.0.2.10:80",real_server="198.51.100.11:80"';
  it('real server weight, up/down, checker latency, failures and scheduling lag', () => {
    assert.match(t, new RegExp(`^hactl_lvs_real_server_up\\{${rs}\\} 0$`, 'm'));
    assert.match(t, new RegExp(`^hactl_lvs_real_server_weight\\{${rs}\\} 2$`, 'm'));
    assert.match(t, new RegExp(`^hactl_lvs_real_server_configured_weight\\{${rs}\\} 3$`, 'm'));
    assert.match(t, new RegExp(`^hactl_lvs_checker_up\\{${rs},checker="TCP_CHECK"\\} 0$`, 'm'));
    assert.match(t, new RegExp(`^hactl_lvs_checker_failures_total\\{${rs},checker="TCP_CHECK"\\} 4$`, 'm'));
    assert.match(t, new RegExp(`^hactl_lvs_checker_duration_seconds\\{${rs},checker="TCP_CHECK"\\} 0\\.25$`, 'm'));
    assert.match(t, new RegExp(`^hactl_lvs_checker_schedule_lag_seconds\\{${rs},checker="TCP_CHECK"\\} 0\\.012$`, 'm'));
    assert.match(t, new RegExp(`^hactl_lvs_checker_schedule_lag_max_seconds\\{${rs},checker="TCP_CHECK"\\} 0\\.04$`, 'm'));
    assert.match(t, /^hactl_lvs_last_reload_success 1$/m);
  });
  it('IPVS counters per service and destination, read from the kernel table', () => {
    const svc = 'virtual_server="192.0.2.10:80",service="TCP 192.0.2.10:80"';
    assert.match(t, new RegExp(`^hactl_lvs_virtual_server_connections_total\\{${svc}\\} 5$`, 'm'));
    assert.match(t, new RegExp(`^hactl_lvs_virtual_server_in_bytes_total\\{${svc}\\} 5000$`, 'm'));
    assert.match(t, new RegExp(`^hactl_lvs_real_server_out_packets_total\\{${svc},real_server="198.51.100.11:80"\\} 36$`, 'm'));
    assert.match(t, new RegExp(`^hactl_lvs_real_server_active_connections\\{${svc},real_server="198.51.100.11:80"\\} 3$`, 'm'));
    assert.match(t, /^hactl_lvs_virtual_server_connections_total\{virtual_server="",service="UDP 203.0.113.5:53"\} 1$/m);
  });
  it('without a kernel table there are no IPVS counter samples', () => {
    assert.doesNotMatch(lvsMetricsText(lvs), /connections_total\{/);
  });
});

describe('LVS checker statistics behind the metrics (reconciler, virtual clock)', () => {
  /** A clock whose timers fire `late` ms after they were due (an event loop busy elsewhere). */
  class LateClock extends FakeClock {
    skew = 0;
    late = 0;
    override now(): number {
      return super.now() + this.skew;
    }
    override setTimeout(fn: () => void, ms: number): unknown {
      return super.setTimeout(() => {
        this.skew += this.late;
        fn();
      }, ms);
    }
  }
  it('scheduling lag (last, max) and failures per checker', async () => {
    const clock = new LateClock();
    const checks = new FakeCheckers(clock);
    const rec = new LvsReconciler({ ipvs: new FakeIpvs(), checkers: checks, clock, random: () => 0 });
    await rec.start({ virtualServers: [vs('192.0.2.10', 80, [rs('198.51.100.11')])] });
    clock.late = 40;
    await clock.advance(1000);
    await rec.idle();
    let c = rec.status().virtualServers[0].realServers[0].checkers[0];
    assert.equal(c.lastLagMs, 40);
    assert.equal(c.failures, 0);
    clock.late = 5;
    checks.up.set('198.51.100.11|80', false);
    await clock.advance(1000);
    await rec.idle();
    c = rec.status().virtualServers[0].realServers[0].checkers[0];
    assert.equal(c.lastLagMs, 5);
    assert.equal(c.maxLagMs, 40);
    assert.equal(c.failures, 1);
    assert.equal(c.runs, 2);
    assert.equal(c.lastDurationMs, 1);
    await rec.stop();
  });
});

describe('VRRP /metrics with --bgp', () => {
  const withBgp: DaemonStatus = {
    ...status,
    bgp: [
      { vip: '203.0.113.10', mode: 'active-active', announced: true, reason: 'quorum, mode active-active', error: null },
      { vip: '203.0.113.20', mode: 'master-only', announced: false, reason: 'mode master-only: VI_1 is BACKUP', error: 'bgp: withdraw 203.0.113.20 failed: EPERM' },
    ],
    bgpRouting: {
      ok: true,
      checkedAt: '2026-01-01T00:00:00.000Z',
      peers: [{ peer: '198.51.100.50', state: 'Established' }],
      vips: [{ vip: '203.0.113.10', inBgp: true, advertisedTo: ['198.51.100.50'] }],
    },
  };
  const t = metricsText(withBgp);
  it('each VIP announced or not, route errors, FRR up, sessions and advertised peers', () => {
    assert.match(t, /^hactl_bgp_vip_announced\{vip="203.0.113.10",mode="active-active"\} 1$/m);
    assert.match(t, /^hactl_bgp_vip_announced\{vip="203.0.113.20",mode="master-only"\} 0$/m);
    assert.match(t, /^hactl_bgp_vip_announce_error\{vip="203.0.113.20"\} 1$/m);
    assert.match(t, /^hactl_bgp_frr_up 1$/m);
    assert.match(t, /^hactl_bgp_peer_up\{peer="198.51.100.50"\} 1$/m);
    assert.match(t, /^hactl_bgp_vip_advertised_peers\{vip="203.0.113.10"\} 1$/m);
    assert.match(t, /^hactl_bgp_vip_advertised_peers\{vip="203.0.113.20"\} 0$/m);
    const down = metricsText({ ...withBgp, bgpRouting: { ok: false, error: "FRR's bgpd is not running", checkedAt: '', peers: [], vips: [] } });
    assert.match(down, /^hactl_bgp_frr_up 0$/m);
    assert.match(down, /^hactl_bgp_vip_advertised_peers\{vip="203.0.113.10"\} 0$/m);
  });
  it('passes promtool check metrics', { skip: promtool ? false : 'promtool not installed (apt-get install prometheus)' }, () => {
    assertHelpAndType(t);
    assert.equal(promtoolProblems(t), '');
  });
});
