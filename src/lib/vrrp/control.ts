/**
 * Control socket (unix stream; one request line, one JSON answer), the
 * Prometheus /metrics endpoint, the status renderer and config loading.
 */
import { splitHostPort } from '../addr';
import * as http from 'node:http';
import type * as net from 'node:net';
import { queryLineJson, serveLineJson } from '../cli/control-socket';
import { nodeHostProbe } from '../conf/host-probe';
import { type DaemonConfig, fromModel } from './config';
import type { HalfStatus } from '../daemon/supervisor';
import type { LvsSpec } from '../lvs/types';
import type { DaemonStatus, ReloadResult } from './daemon';

export const DEFAULT_CONTROL_SOCKET = '/run/hactl/vrrp.sock';

export function serveControl(path: string, status: () => DaemonStatus): net.Server {
  return serveLineJson(path, { status });
}

export async function queryControl(path: string, timeoutMs = 3000): Promise<DaemonStatus> {
  const j = (await queryLineJson(path, 'status', timeoutMs)) as DaemonStatus & { error?: string };
  if (j.error) throw new Error(j.error);
  return j;
}

const STATE_NUM = { INIT: 0, BACKUP: 1, MASTER: 2, FAULT: 3 } as const;

export interface PromMetric {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  rows: [Record<string, string>, number][];
}

/** Prometheus text exposition format (one home for both halves' /metrics). */
export function promText(metrics: PromMetric[]): string {
  const out: string[] = [];
  const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  for (const { name, help, type, rows } of metrics) {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of rows) {
      const l = Object.entries(labels)
        .map(([k, x]) => `${k}="${esc(x)}"`)
        .join(',');
      out.push(`${name}${l ? `{${l}}` : ''} ${v}`);
    }
  }
  return `${out.join('\n')}\n`;
}

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

/** The last reload's result as two gauges (PREFIX_last_reload_success, PREFIX_last_reload_timestamp_seconds). */
export function reloadMetrics(
  prefix: string,
  r: ReloadResult,
  metric: (name: string, help: string, type: PromMetric['type'], rows: PromMetric['rows']) => void,
): void {
  metric(`${prefix}_last_reload_success`, 'The last reload applied the new configuration (1) or was refused and the old one kept (0)', 'gauge', [[{}, r.ok ? 1 : 0]]);
  metric(`${prefix}_last_reload_timestamp_seconds`, 'When the last reload was attempted (Unix time)', 'gauge', [[{}, r.atMs / 1000]]);
}

/** `--metrics ADDR:PORT` ([v6]:port, :port = 127.0.0.1): the listen address, or undefined when malformed. */
export function parseMetricsAddr(addr: string): { host: string; port: number } | undefined {
  const hp = splitHostPort(addr);
  if (!hp || hp.port === undefined || !/^\d+$/.test(hp.port) || (hp.bracketed && hp.host === '')) return undefined;
  const port = Number(hp.port);
  if (port < 1 || port > 65535) return undefined;
  return { host: hp.host || '127.0.0.1', port };
}

/** A /metrics HTTP server for `text()` (not listening yet). */
function metricsServer(text: () => string | Promise<string>): http.Server {
  return http.createServer((req, res) => {
    if (req.url === '/metrics') {
      Promise.resolve()
        .then(text)
        .then(
          (body) => {
            res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
            res.end(body);
          },
          (e: Error) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(`metrics: ${e.message}\n`);
          },
        );
    } else {
      res.writeHead(404);
      res.end('not found\n');
    }
  });
}

export function serveMetrics(addr: string, status: () => DaemonStatus): http.Server {
  const a = parseMetricsAddr(addr);
  if (!a) throw new Error(`--metrics: expected ADDR:PORT, got "${addr}"`);
  const srv = metricsServer(() => metricsText(status()));
  srv.listen(a.port, a.host);
  return srv;
}

/** Serve `text()` on /metrics at `addr`; resolves once listening, rejects with one sentence when it cannot bind. */
export async function bindMetrics(addr: string, text: () => string | Promise<string>): Promise<http.Server> {
  const a = parseMetricsAddr(addr);
  if (!a) throw new Error(`--metrics: expected ADDR:PORT, got "${addr}"`);
  const srv = metricsServer(text);
  await new Promise<void>((resolve, reject) => {
    srv.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`cannot serve metrics on ${addr}: ${e.code ?? e.message}`)));
    srv.listen(a.port, a.host, () => resolve());
  });
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
      i.fault ? `${i.state}(${i.fault})` : i.state,
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
  if (s.lastReload) lines.push(renderReload(s.lastReload));
  const gd = Object.entries(s.drops);
  if (gd.length) lines.push(`dropped before instance lookup: ${gd.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  if (s.stalls) lines.push(`event-loop stalls: ${s.stalls} (max ${s.maxStallMs} ms late)`);
  return `${lines.join('\n')}\n`;
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
export function loadDaemonConfig(path: string, configId?: string, opts: { allowNoInstances?: boolean } = {}): LoadResult {
  // biome-ignore lint/suspicious/noExplicitAny: the conf engine is a sibling module
  let conf: any;
  try {
    const mod = '../conf';
    conf = require(mod);
  } catch {
    conf = undefined;
  }
  if (!conf || typeof conf.loadConfig !== 'function')
    return { errors: ['the keepalived.conf engine (src/lib/conf) is not available in this build'], warnings: [] };
  const r = conf.loadConfig(path, { configId });
  const diags: { file: string; line: number; col: number; severity: string; message: string; rule: string }[] = r.diagnostics ?? [];
  const fmt = (d: (typeof diags)[number]) => `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message} [${d.rule}]`;
  const errors = diags.filter((d) => d.severity === 'error').map(fmt);
  const warnings = diags.filter((d) => d.severity !== 'error').map(fmt);
  if (errors.length || !r.model) return { errors: errors.length ? errors : ['configuration could not be read'], warnings };
  const host = nodeHostProbe();
  const { config, problems, notes } = fromModel(r.model, { userExists: (n) => host.userExists?.(n) ?? true, groupExists: (n) => host.groupExists?.(n) ?? true });
  for (const p of problems) errors.push(`${p.where}: ${p.message}`);
  warnings.push(...notes);
  if (config.instances.length === 0 && !opts.allowNoInstances) errors.push(`${path}: no vrrp_instance to run`);
  if (errors.length) return { errors, warnings };
  const { lvsSpecFromModel } = require('../lvs/daemon') as typeof import('../lvs/daemon');
  let lvs: LvsSpec | undefined;
  try {
    lvs = lvsSpecFromModel(r.model).spec;
  } catch {
    lvs = undefined;
  }
  return { config, lvs, errors, warnings };
}

