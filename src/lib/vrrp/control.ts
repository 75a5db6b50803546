/**
 * Control socket (unix stream; one request line, one JSON answer), the VRRP
 * metrics (served through daemon/metrics.ts), the status renderer and config loading.
 */
import type * as http from 'node:http';
import type * as net from 'node:net';
import { queryStatus, serveLineJson } from '../cli/control-socket';
import type { DaemonConfig } from './config';
import { bindMetrics, metricsServer, type PromMetric, parseMetricsAddr, promText, reloadMetrics } from '../daemon/metrics';
import type { HalfStatus } from '../daemon/supervisor';
import type { LvsSpec } from '../lvs/types';
import type { DaemonStatus } from './daemon';

export const DEFAULT_CONTROL_SOCKET = '/run/hactl/vrrp.sock';

export function serveControl(path: string, status: () => DaemonStatus): net.Server {
  return serveLineJson(path, { status });
}

export function queryControl(path: string, timeoutMs = 3000): Promise<DaemonStatus> {
  return queryStatus<DaemonStatus>(path, timeoutMs);
}

// the /metrics endpoint and Prometheus text live in daemon/metrics (both halves serve one)
export { bindMetrics, parseMetricsAddr, type PromMetric, promText, reloadMetrics };

const STATE_NUM = { INIT: 0, BACKUP: 1, MASTER: 2, FAULT: 3 } as const;

/** Prometheus text exposition of the status (docs/metrics.md lists every metric and its keepalived-exporter twin). */
export function metricsText(s: DaemonStatus): string {
  const all: PromMetric[] = [];
  const metric = (name: string, help: string, type: PromMetric['type'], rows: PromMetric['rows']) => {
    all.push({ name, help, type, rows });
  };
  const I = s.instances;
  const per = (f: (i: DaemonStatus['instances'][number]) => number): PromMetric['rows'] => I.map((i) => [{ instance: i.name }, f(i)]);
  metric(
    'hactl_vrrp_instance_info',
    'VRRP instance identity (always 1): interface, VRID, VRRP version, address family',
    'gauge',
    I.map((i) => [{ instance: i.name, interface: i.interface, vrid: String(i.vrid), version: String(i.version), family: i.family === 6 ? 'inet6' : 'inet' }, 1]),
  );
  metric('hactl_vrrp_state', 'VRRP state (0 init, 1 backup, 2 master, 3 fault), as keepalived numbers them', 'gauge', per((i) => STATE_NUM[i.state]));
  const states = Object.keys(STATE_NUM) as (keyof typeof STATE_NUM)[];
  metric(
    'hactl_vrrp_instance_state',
    'VRRP state as one series per state (1 for the current one)',
    'gauge',
    I.flatMap((i) => states.map((st): [Record<string, string>, number] => [{ instance: i.name, state: st }, i.state === st ? 1 : 0])),
  );
  metric('hactl_vrrp_base_priority', 'Configured priority', 'gauge', per((i) => i.basePriority));
  metric('hactl_vrrp_effective_priority', 'Effective priority: configured priority adjusted by tracked objects', 'gauge', per((i) => i.effectivePriority));
  metric('hactl_vrrp_priority', 'Effective priority (same as hactl_vrrp_effective_priority; kept for compatibility)', 'gauge', per((i) => i.effectivePriority));
  metric('hactl_vrrp_advert_interval_seconds', 'Configured advertisement interval', 'gauge', per((i) => i.advertIntervalMs / 1000));
  metric('hactl_vrrp_adverts_received_total', 'Adverts received and accepted', 'counter', per((i) => i.counters.rxAdverts));
  metric('hactl_vrrp_adverts_sent_total', 'Adverts sent', 'counter', per((i) => i.counters.txAdverts));
  metric('hactl_vrrp_adverts_late_total', 'MASTER adverts sent more than half an advert interval late (the sender thread was not scheduled in time)', 'counter', per((i) => i.counters.txLate ?? 0));
  metric('hactl_vrrp_advert_send_errors_total', 'Adverts that could not be sent (socket errors)', 'counter', per((i) => i.counters.txErrors ?? 0));
  metric('hactl_vrrp_priority_zero_received_total', 'Adverts with priority 0 received (a master giving up)', 'counter', per((i) => i.counters.rxPriorityZero));
  metric('hactl_vrrp_priority_zero_sent_total', 'Adverts with priority 0 sent (this master giving up)', 'counter', per((i) => i.counters.txPriorityZero));
  metric('hactl_vrrp_became_master_total', 'Transitions to MASTER', 'counter', per((i) => i.counters.becameMaster));
  metric('hactl_vrrp_released_master_total', 'Transitions from MASTER to another state', 'counter', per((i) => i.counters.releasedMaster ?? 0));
  metric('hactl_vrrp_transitions_total', 'State changes of any kind (INIT, BACKUP, MASTER, FAULT)', 'counter', per((i) => i.counters.transitions ?? 0));
  const drops: [Record<string, string>, number][] = [];
  for (const i of I) for (const [r, n] of Object.entries(i.counters.drops)) drops.push([{ instance: i.name, reason: r }, n ?? 0]);
  for (const [r, n] of Object.entries(s.drops)) drops.push([{ instance: '', reason: r }, n ?? 0]);
  metric('hactl_vrrp_dropped_total', 'Packets dropped, by reason (instance "" before the instance is known)', 'counter', drops);
  metric('hactl_vrrp_loop_stalls_total', 'Timers that ran late (event loop stalls)', 'counter', [[{}, s.stalls]]);
  metric('hactl_vrrp_loop_stall_max_seconds', 'Longest event loop stall seen', 'gauge', [[{}, (s.maxStallMs ?? 0) / 1000]]);
  metric('hactl_vrrp_uptime_seconds', 'Time since the daemon started', 'gauge', [[{}, s.uptimeMs / 1000]]);
  if (s.lastReload) reloadMetrics('hactl_vrrp', { ok: s.lastReload.result === 'ok', atMs: Date.parse(s.lastReload.at) }, metric);
  if (s.bgp) {
    const B = s.bgp;
    metric('hactl_bgp_vip_announced', "VIP's host route in hactl's table, for FRR to announce (1) or withdrawn (0)", 'gauge', B.map((b) => [{ vip: b.vip, mode: b.mode }, b.announced ? 1 : 0]));
    metric(
      'hactl_bgp_vip_announce_error',
      'The last route change for the VIP failed (1; vrrp status --json says why) or not (0)',
      'gauge',
      B.map((b) => [{ vip: b.vip }, b.error ? 1 : 0]),
    );
    const R = s.bgpRouting;
    if (R) {
      metric('hactl_bgp_frr_up', "FRR answered the last vtysh read (1) or not (0: FRR stopped, vtysh failing)", 'gauge', [[{}, R.ok ? 1 : 0]]);
      metric('hactl_bgp_peer_up', 'BGP session Established (1) or not (0), as FRR reports it', 'gauge', R.peers.map((p) => [{ peer: p.peer }, p.state === 'Established' ? 1 : 0]));
      metric(
        'hactl_bgp_vip_advertised_peers',
        "Peers FRR's bgpd advertises the VIP to (0 also while FRR does not answer)",
        'gauge',
        B.map((b) => [{ vip: b.vip }, R.vips.find((v) => v.vip === b.vip)?.advertisedTo.length ?? 0]),
      );
    }
  }
  const H = s.halves ?? [];
  if (H.length) {
    const states: HalfStatus['state'][] = ['starting', 'up', 'restarting', 'failed', 'stopped'];
    metric('hactl_daemon_half_up', 'Supervised half running and ready (1) or not (0)', 'gauge', H.map((h) => [{ half: h.name.toLowerCase() }, h.state === 'up' ? 1 : 0]));
    metric(
      'hactl_daemon_half_state',
      'Supervised half state (1 for the current one)',
      'gauge',
      H.flatMap((h) => states.map((st): [Record<string, string>, number] => [{ half: h.name.toLowerCase(), state: st }, h.state === st ? 1 : 0])),
    );
    metric('hactl_daemon_half_restarts_total', 'Restarts of a supervised half after it died', 'counter', H.map((h) => [{ half: h.name.toLowerCase() }, h.restarts]));
    metric('hactl_daemon_degraded', 'A supervised half is not up (1)', 'gauge', [[{}, H.some((h) => h.state !== 'up') ? 1 : 0]]);
  }
  return promText(all);
}

export function serveMetrics(addr: string, status: () => DaemonStatus): http.Server {
  const a = parseMetricsAddr(addr);
  if (!a) throw new Error(`--metrics: expected ADDR:PORT, got "${addr}"`);
  const srv = metricsServer(() => metricsText(status()));
  srv.listen(a.port, a.host);
  return srv;
}

/** Human-readable status table. */
export function renderStatus(s: DaemonStatus): string {
  const lines: string[] = [];
  lines.push(`hactl vrrp: pid ${s.pid}${s.routerId ? `, router_id ${s.routerId}` : ''}, up ${(s.uptimeMs / 1000).toFixed(0)} s`);
  const hdr = ['INSTANCE', 'IF', 'VRID', 'VER', 'STATE', 'PRIO', 'MASTER', 'RX', 'TX', 'DROPS', 'LAST TRANSITION'];
  const rows = s.instances.map((i) => {
    const drops = Object.values(i.counters.drops).reduce((a: number, b) => a + (b ?? 0), 0);
    const lt = i.lastTransition ? `${i.lastTransition.from}->${i.lastTransition.to} ${(i.lastTransition.agoMs / 1000).toFixed(1)}s ago: ${i.lastTransition.reason}` : '-';
    return [
      i.name,
      i.interface,
      String(i.vrid),
      `v${i.version}${i.family === 6 ? '/6' : ''}`,
      i.fault ? `${i.state}(${i.fault})` : i.drillHold ? `${i.state}(drill hold)` : i.state,
      i.effectivePriority === i.basePriority ? String(i.basePriority) : `${i.effectivePriority}(${i.basePriority})`,
      i.masterAddr ? `${i.masterAddr}${i.masterPriority !== null ? `/${i.masterPriority}` : ''}` : '-',
      String(i.counters.rxAdverts),
      String(i.counters.txAdverts),
      String(drops),
      lt,
    ];
  });
  const w = hdr.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const fmt = (r: string[]) =>
    r
      .map((c, k) => (k === r.length - 1 ? c : c.padEnd(w[k])))
      .join('  ')
      .trimEnd();
  lines.push(fmt(hdr), ...rows.map(fmt));
  for (const t of s.trackProcesses ?? []) {
    const range = t.quorumMax >= 0xffffffff ? `>= ${t.quorum}` : `${t.quorum}..${t.quorumMax}`;
    lines.push(
      `track_process ${t.name}: ${t.up ? 'UP' : 'DOWN'}, ${t.count} running (quorum ${range})${t.pending ? `, ${t.pending}_delay pending` : ''}`,
    );
  }
  for (const h of s.halves ?? []) lines.push(renderHalf(h));
  lines.push(...renderBgp(s));
  if (s.lastReload) lines.push(renderReload(s.lastReload));
  const gd = Object.entries(s.drops);
  if (gd.length) lines.push(`dropped before instance lookup: ${gd.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  if (s.stalls) lines.push(`event-loop stalls: ${s.stalls} (max ${s.maxStallMs} ms late)`);
  return `${lines.join('\n')}\n`;
}

/** `--bgp`: one line per VIP (announced or why not, FRR's view of it), FRR's sessions. */
function renderBgp(s: DaemonStatus): string[] {
  if (!s.bgp) return [];
  const { formatPeer, formatVipView } = require('../bgp/frr') as typeof import('../bgp/frr');
  const R = s.bgpRouting;
  const out = s.bgp.map((b) => {
    const view = R?.ok ? (R.vips.find((v) => v.vip === b.vip) ?? { inBgp: false, advertisedTo: [] }) : undefined;
    return `BGP ${b.vip} (${b.mode}): ${b.announced ? 'ANNOUNCED' : 'withdrawn'} (${b.reason})${b.error ? `, error: ${b.error}` : ''}; ${formatVipView(view).replace(/^(in|not)/, 'FRR: $1')}`;
  });
  if (R && !R.ok) out.push(`BGP: FRR not answering: ${R.error ?? 'unknown'}`);
  for (const p of R?.ok ? R.peers : []) out.push(`BGP peer ${formatPeer(p)}`);
  return out;
}

/** One line per supervised half: "LVS half: up (pid 123, 0 restarts)" or what is wrong. */
export function renderHalf(h: HalfStatus): string {
  const died = h.lastExit ? `, last died: ${h.lastExit}` : '';
  const base = `${h.name} half: `;
  if (h.state === 'up') return `${base}up (pid ${h.pid}, ${h.restarts} restart(s)${died})`;
  if (h.state === 'starting') return `${base}starting (pid ${h.pid})`;
  if (h.state === 'restarting')
    return `${base}DOWN, restarting (restart ${h.restarts}${h.nextStartInMs !== null ? ` in ${(h.nextStartInMs / 1000).toFixed(1)} s` : `, pid ${h.pid} starting`}${died}): DEGRADED, VRRP instances FAULT`;
  if (h.state === 'failed') return `${base}FAILED (${h.lastExit ?? 'unknown'}): DEGRADED, the daemon is stopping`;
  return `${base}stopped`;
}

export interface LoadResult {
  config?: DaemonConfig;
  /** the LVS half's spec from the same model (for a reload plan) */
  lvs?: LvsSpec;
  errors: string[];
  warnings: string[];
}

/** The last reload attempt (SIGHUP or `hactl vrrp reload`), in `vrrp status`. */
export interface ReloadRecord {
  /** ISO 8601 */
  at: string;
  source: 'SIGHUP' | 'control';
  file: string;
  /** ok: applied; refused: the new configuration did not load (or was disruptive with if-safe), the old one runs on; failed: applying failed */
  result: 'ok' | 'refused' | 'failed';
  error?: string;
  /** the configuration errors (file:line:col: ...) */
  errors?: string[];
  added?: string[];
  removed?: string[];
  changed?: string[];
}

/** `vrrp status` line for the last reload. */
export function renderReload(r: ReloadRecord): string {
  const what = r.result === 'ok' ? `ok (added [${(r.added ?? []).join(', ')}] removed [${(r.removed ?? []).join(', ')}] changed [${(r.changed ?? []).join(', ')}])` : `${r.result.toUpperCase()}: ${r.error ?? ''}`;
  return `last reload: ${r.at} (${r.source}, ${r.file}): ${what}`;
}

/** Load keepalived.conf through the conf engine and map it. */
export function loadDaemonConfig(
  path: string,
  configId?: string,
  opts: { allowNoInstances?: boolean; loaded?: import('../conf/index').LoadResult } = {},
): LoadResult {
  // `loaded`: the file as the caller already parsed it (vrrp run parses it once per start).
  // A literal require: the bundle (scripts/bundle.js) carries the engine, compiled and cached.
  const r = opts.loaded ?? (require('../conf/index') as typeof import('../conf/index')).loadConfig(path, { configId });
  const diags = r.diagnostics ?? [];
  const fmt = (d: (typeof diags)[number]) => `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message} [${d.rule}]`;
  const errors = diags.filter((d) => d.severity === 'error').map(fmt);
  const warnings = diags.filter((d) => d.severity !== 'error').map(fmt);
  if (errors.length || !r.model) return { errors: errors.length ? errors : ['configuration could not be read'], warnings };
  // required here, not at the top: `vrrp status` loads this module only to query and render (issue 11)
  const host = (require('../conf/host-probe') as typeof import('../conf/host-probe')).nodeHostProbe();
  const { config, problems, notes } = (require('./config') as typeof import('./config')).fromModel(r.model, { userExists: (n) => host.userExists?.(n) ?? true, groupExists: (n) => host.groupExists?.(n) ?? true });
  for (const p of problems) errors.push(`${p.where}: ${p.message}`);
  warnings.push(...notes);
  if (config.instances.length === 0 && !opts.allowNoInstances) errors.push(`${path}: no vrrp_instance to run`);
  if (errors.length) return { errors, warnings };
  const { lvsSpecFromModel } = require('../lvs/role') as typeof import('../lvs/role');
  let lvs: LvsSpec | undefined;
  try {
    lvs = lvsSpecFromModel(r.model).spec;
  } catch {
    lvs = undefined;
  }
  return { config, lvs, errors, warnings };
}

