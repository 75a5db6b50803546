/**
 * The LVS half's /metrics (pure): checker and real-server state from the reconciler's status, and
 * the kernel's IPVS counters from a listing of the live table. docs/metrics.md lists every metric.
 */
import type { ServiceWithDests, Stats } from '../ipvs/types';
import { type PromMetric, promText, reloadMetrics } from '../daemon/metrics';
import { type LvsStatus, svcLabel } from './reconciler';

type Rows = PromMetric['rows'];

/** A destination as the real_server label spells it: ADDR:PORT, as the checker metrics do. */
const destLabel = (addr: string, port: number) => `${addr}:${port}`;

const COUNTERS: [keyof Stats, string, string][] = [
  ['conns', 'connections_total', 'Connections scheduled (IPVS conns)'],
  ['inpkts', 'in_packets_total', 'Packets in (IPVS inpkts)'],
  ['outpkts', 'out_packets_total', 'Packets out (IPVS outpkts; 0 for LVS-DR/TUN, where replies bypass the director)'],
  ['inbytes', 'in_bytes_total', 'Bytes in (IPVS inbytes)'],
  ['outbytes', 'out_bytes_total', 'Bytes out (IPVS outbytes)'],
];

/**
 * Prometheus text for the LVS half. `live`: the kernel's table with counters (undefined: not read,
 * the IPVS counter metrics are then left out); `lastReload`: the last SIGHUP's result, when known.
 */
export function lvsMetricsText(s: LvsStatus | undefined, live?: ServiceWithDests[], lastReload?: { ok: boolean; atMs: number }): string {
  const all: PromMetric[] = [];
  const metric = (name: string, help: string, type: PromMetric['type'], rows: Rows) => {
    all.push({ name, help, type, rows });
  };
  const vs = s?.virtualServers ?? [];
  const rs = vs.flatMap((v) => v.realServers.map((r) => ({ v, r, labels: { virtual_server: v.id, real_server: `${r.addr}:${r.port}` } })));
  const ck = rs.flatMap((x) => x.r.checkers.map((c) => ({ c, labels: { ...x.labels, checker: c.id } })));
  metric('hactl_lvs_virtual_server_quorum_up', 'Virtual server quorum reached (1) or not (0)', 'gauge', vs.map((v) => [{ virtual_server: v.id }, v.quorumUp ? 1 : 0]));
  metric('hactl_lvs_virtual_server_alive_weight', 'Sum of the alive real servers weights (was hactl_lvs_virtual_server_weight_sum)', 'gauge', vs.map((v) => [{ virtual_server: v.id }, v.weightSum]));
  metric('hactl_lvs_real_server_up', 'Real server alive (1) or not (0) by its checkers', 'gauge', rs.map((x) => [x.labels, x.r.alive ? 1 : 0]));
  metric('hactl_lvs_real_server_weight', 'Real server effective weight (what the daemon puts in IPVS)', 'gauge', rs.map((x) => [x.labels, x.r.effectiveWeight]));
  metric('hactl_lvs_real_server_configured_weight', 'Real server weight in keepalived.conf', 'gauge', rs.map((x) => [x.labels, x.r.weight]));
  metric(
    'hactl_lvs_real_server_ipvs_weight',
    'Real server weight in the IPVS table as the daemon last saw it (absent when not in IPVS)',
    'gauge',
    rs.filter((x) => x.r.ipvsWeight !== undefined).map((x) => [x.labels, x.r.ipvsWeight ?? 0]),
  );
  metric('hactl_lvs_real_server_drained', 'Real server drained by `hactl rs drain` (1: held at weight 0 until undrained) or not (0)', 'gauge', rs.map((x) => [x.labels, x.r.drained ? 1 : 0]));
  metric('hactl_lvs_real_server_in_ipvs', 'Real server present in the IPVS table', 'gauge', rs.map((x) => [x.labels, x.r.inIpvs ? 1 : 0]));
  metric('hactl_lvs_checker_up', 'Checker verdict: up (1) or down (0)', 'gauge', ck.map((x) => [x.labels, x.c.up ? 1 : 0]));
  metric('hactl_lvs_checker_runs_total', 'Checks run', 'counter', ck.map((x) => [x.labels, x.c.runs]));
  metric('hactl_lvs_checker_failures_total', 'Checks that found the real server down', 'counter', ck.map((x) => [x.labels, x.c.failures ?? 0]));
  metric(
    'hactl_lvs_checker_duration_seconds',
    'Duration of the last check (retries included)',
    'gauge',
    ck.filter((x) => x.c.lastDurationMs !== undefined).map((x) => [x.labels, (x.c.lastDurationMs ?? 0) / 1000]),
  );
  metric(
    'hactl_lvs_checker_schedule_lag_seconds',
    'How late the last check started after its delay_loop was due',
    'gauge',
    ck.filter((x) => x.c.lastLagMs !== undefined).map((x) => [x.labels, (x.c.lastLagMs ?? 0) / 1000]),
  );
  metric(
    'hactl_lvs_checker_schedule_lag_max_seconds',
    'The largest scheduling lag of this checker since start',
    'gauge',
    ck.filter((x) => x.c.maxLagMs !== undefined).map((x) => [x.labels, (x.c.maxLagMs ?? 0) / 1000]),
  );
  metric('hactl_lvs_ipvs_ops_total', 'IPVS operations applied since start', 'counter', [[{}, s?.ipvsOps ?? 0]]);
  metric('hactl_lvs_ipvs_sync_pending', 'A check result is not in IPVS yet (1)', 'gauge', [[{}, s?.syncPending ? 1 : 0]]);
  metric('hactl_lvs_ipvs_error', 'The last IPVS operation batch failed (1) or none has (0)', 'gauge', [[{}, s?.lastIpvsError ? 1 : 0]]);
  if (live) {
    // the kernel's services, named as the status names them; virtual_server "" for one the configuration does not have
    const owner = new Map<string, string>();
    for (const v of vs) for (const l of v.services) owner.set(l, v.id);
    const svc = live.map((x) => {
      const service = svcLabel(x);
      return { x, labels: { virtual_server: owner.get(service) ?? '', service } };
    });
    for (const [k, suffix, help] of COUNTERS)
      metric(`hactl_lvs_virtual_server_${suffix}`, `${help}, per IPVS service`, 'counter', svc.filter((v) => v.x.stats).map((v) => [v.labels, v.x.stats?.[k] ?? 0]));
    const dests = svc.flatMap((v) => v.x.dests.map((d) => ({ d, labels: { ...v.labels, real_server: destLabel(d.addr, d.port) } })));
    for (const [k, suffix, help] of COUNTERS)
      metric(`hactl_lvs_real_server_${suffix}`, `${help}, per IPVS destination`, 'counter', dests.filter((x) => x.d.stats).map((x) => [x.labels, x.d.stats?.[k] ?? 0]));
    metric('hactl_lvs_real_server_active_connections', 'Active connections (IPVS ActiveConn)', 'gauge', dests.map((x) => [x.labels, x.d.activeConns ?? 0]));
    metric('hactl_lvs_real_server_inactive_connections', 'Inactive connections (IPVS InActConn)', 'gauge', dests.map((x) => [x.labels, x.d.inactConns ?? 0]));
    metric('hactl_lvs_real_server_kernel_weight', 'Destination weight in the kernel now (read at scrape time)', 'gauge', dests.map((x) => [x.labels, x.d.weight]));
  }
  if (lastReload) reloadMetrics('hactl_lvs', lastReload, metric);
  return promText(all);
}
