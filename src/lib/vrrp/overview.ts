/**
 * `hactl status`, the pure part: one view of a node from its daemon's two control-socket answers
 * (the VRRP half's `status`, the LVS half's `lvs-status`): VRRP instances, virtual and real servers
 * with their checkers, BGP announcements. The JSON form is schemas/status.schema.json; the table
 * and the watch mode's change lines are rendered here. No I/O.
 */
import type { Painter } from '../cli/color';
import type { LvsStatus } from '../lvs/reconciler';
import type { DaemonStatus } from './daemon';

export const STATUS_SCHEMA_VERSION = 2;

export interface Overview {
  schemaVersion: number;
  /** running: every half up; degraded: a supervised half is not up; lvs-only: only an LVS half answers */
  daemon: { state: 'running' | 'degraded' | 'lvs-only'; pid: number | null; uptimeS: number | null; halves: { name: string; state: string; restarts: number }[] };
  vrrp: {
    instance: string;
    interface: string;
    vrid: number;
    family: 'inet' | 'inet6';
    state: string;
    fault: string | null;
    drillHold: boolean;
    priority: number;
    basePriority: number;
    master: string | null;
    vips: string[];
  }[];
  lvs: {
    virtualServer: string;
    services: string[];
    scheduler: string;
    quorumUp: boolean;
    realServers: { address: string; port: number; alive: boolean; weight: number; ipvsWeight: number | null; drained: boolean; checkers: { type: string; up: boolean; last: string }[] }[];
  }[];
  bgp: { vip: string; mode: string; announced: boolean; reason: string; error: string | null }[];
  exitCode: number;
}

/** `vrrp status`'s codes: 0 running, 3 degraded (a supervised half is not up). */
export const OVERVIEW_EXIT_DEGRADED = 3;

export function buildOverview(v: (DaemonStatus & { bgp?: Overview['bgp'] }) | undefined, l: LvsStatus | undefined): Overview {
  const halves = (v?.halves ?? []).map((h) => ({ name: h.name, state: h.state, restarts: h.restarts }));
  const degraded = halves.some((h) => h.state !== 'up');
  const state = !v ? 'lvs-only' : degraded ? 'degraded' : 'running';
  return {
    schemaVersion: STATUS_SCHEMA_VERSION,
    daemon: { state, pid: v?.pid ?? null, uptimeS: v ? Math.round(v.uptimeMs / 1000) : null, halves },
    vrrp: (v?.instances ?? []).map((i) => ({
      instance: i.name,
      interface: i.interface,
      vrid: i.vrid,
      family: i.family === 6 ? 'inet6' : 'inet',
      state: i.state,
      fault: i.fault,
      drillHold: !!i.drillHold,
      priority: i.effectivePriority,
      basePriority: i.basePriority,
      master: i.masterAddr,
      vips: i.vips,
    })),
    lvs: (l?.virtualServers ?? []).map((s) => ({
      virtualServer: s.id,
      services: s.services,
      scheduler: s.sched,
      quorumUp: s.quorumUp,
      realServers: s.realServers.map((r) => ({
        address: r.addr,
        port: r.port,
        alive: r.alive,
        weight: r.weight,
        ipvsWeight: r.inIpvs ? (r.ipvsWeight ?? null) : null,
        drained: !!r.drained,
        checkers: r.checkers.map((c) => ({ type: c.type, up: c.up, last: c.runs ? (c.lastReason ?? '') : 'not run yet' })),
      })),
    })),
    bgp: (v?.bgp ?? []).map((b) => ({ vip: b.vip, mode: b.mode, announced: b.announced, reason: b.reason, error: b.error })),
    exitCode: degraded ? OVERVIEW_EXIT_DEGRADED : 0,
  };
}

const hostPort = (a: string, p: number) => (a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`);

function table(hdr: string[], rows: string[][], paint: (k: number, cell: string) => string = (_k, c) => c): string[] {
  const w = hdr.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const fmt = (r: string[], p: boolean) =>
    r
      .map((c, k) => {
        const cell = k === r.length - 1 ? c : c.padEnd(w[k]);
        return p ? paint(k, cell) : cell;
      })
      .join('  ')
      .trimEnd();
  return [fmt(hdr, false), ...rows.map((r) => fmt(r, true))];
}

/** The terminal table (colour through `p`: the caller's painter follows the TTY / NO_COLOR policy). */
export function renderOverview(o: Overview, p: Painter): string {
  const out: string[] = [];
  const halves = o.daemon.halves.map((h) => `${h.name} half ${h.state}${h.restarts ? ` (${h.restarts} restarts)` : ''}`).join(', ');
  const head =
    o.daemon.state === 'lvs-only'
      ? 'daemon: only the LVS half answers (hactl vrrp run --lvs-only)'
      : `daemon: pid ${o.daemon.pid}, up ${o.daemon.uptimeS} s${halves ? `, ${halves}` : ''}${o.daemon.state === 'degraded' ? ` - ${p.red('DEGRADED')}` : ''}`;
  out.push(head);
  const stateColour = (s: string) => (s.startsWith('MASTER') ? p.green(s) : s.startsWith('FAULT') ? p.red(s) : s.startsWith('BACKUP') ? s : p.yellow(s));
  if (o.vrrp.length) {
    out.push('', p.bold('VRRP'));
    out.push(
      ...table(
        ['INSTANCE', 'IF', 'VRID', 'STATE', 'PRIO', 'MASTER', 'VIPS'],
        o.vrrp.map((i) => [
          i.instance,
          i.interface,
          String(i.vrid),
          i.fault ? `${i.state}(${i.fault})` : i.drillHold ? `${i.state}(drill hold)` : i.state,
          i.priority === i.basePriority ? String(i.priority) : `${i.priority}(${i.basePriority})`,
          i.master ?? '-',
          i.vips.join(' '),
        ]),
        (k, c) => (k === 3 ? stateColour(c) : c),
      ),
    );
  }
  if (o.lvs.length) {
    out.push('', p.bold('LVS'));
    const rows: string[][] = [];
    for (const s of o.lvs) {
      const vs = `${s.virtualServer} ${s.scheduler}${s.quorumUp ? '' : ' (quorum DOWN)'}`;
      if (!s.realServers.length) rows.push([vs, '-', '-', '-', '-']);
      for (const [k, r] of s.realServers.entries())
        rows.push([
          k === 0 ? vs : '',
          hostPort(r.address, r.port),
          `${r.alive ? 'UP' : 'DOWN'}${r.drained ? ' DRAINED' : ''}`,
          r.ipvsWeight === null ? `${r.weight} (not in IPVS)` : r.ipvsWeight === r.weight ? String(r.weight) : `${r.ipvsWeight} (${r.weight})`,
          r.checkers.map((c) => `${c.type} ${c.up ? 'up' : 'down'}${c.up ? '' : `: ${c.last}`}`).join('; ') || '-',
        ]);
    }
    out.push(...table(['VIRTUAL SERVER', 'REAL SERVER', 'STATE', 'WEIGHT', 'CHECKERS'], rows, (k, c) => (k === 2 ? (c.startsWith('UP') ? p.green(c) : c.startsWith('DOWN') ? p.red(c) : c) : c)));
  }
  if (o.bgp.length) {
    out.push('', p.bold('BGP'));
    out.push(...table(['VIP', 'MODE', 'ANNOUNCED', 'WHY'], o.bgp.map((b) => [b.vip, b.mode, b.announced ? 'yes' : 'no', b.error ? `${b.reason} (error: ${b.error})` : b.reason])));
  }
  return `${out.join('\n')}\n`;
}

/** What --watch compares: one value per thing that can change (no counters, no clocks). */
export function overviewFacts(o: Overview | undefined): Map<string, string> {
  const f = new Map<string, string>();
  if (!o) {
    f.set('daemon', 'absent');
    return f;
  }
  f.set('daemon', o.daemon.state);
  for (const h of o.daemon.halves) f.set(`${h.name} half`, h.state);
  for (const i of o.vrrp) {
    f.set(`${i.instance} state`, i.fault ? `${i.state} (${i.fault})` : i.drillHold ? `${i.state} (drill hold)` : i.state);
    f.set(`${i.instance} priority`, String(i.priority));
    f.set(`${i.instance} master`, i.master ?? '-');
  }
  for (const s of o.lvs) {
    f.set(`${s.virtualServer} quorum`, s.quorumUp ? 'UP' : 'DOWN');
    for (const r of s.realServers) {
      const k = `${s.virtualServer} ${hostPort(r.address, r.port)}`;
      f.set(k, `${r.alive ? 'UP' : 'DOWN'}${r.drained ? ' DRAINED' : ''} weight ${r.ipvsWeight ?? 'not in IPVS'}`);
      for (const c of r.checkers) f.set(`${k} ${c.type}`, c.up ? 'up' : 'down');
    }
  }
  for (const b of o.bgp) f.set(`bgp ${b.vip}`, b.announced ? 'announced' : `withdrawn (${b.reason})`);
  return f;
}

/** One line per fact that changed ("KEY: OLD -> NEW"; a new fact "KEY: NEW", a gone one "KEY: OLD -> gone"). */
export function factChanges(prev: Map<string, string> | undefined, next: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of next) {
    const was = prev?.get(k);
    if (was === v) continue;
    out.push(was === undefined ? `${k}: ${v}` : `${k}: ${was} -> ${v}`);
  }
  for (const [k, v] of prev ?? []) if (!next.has(k)) out.push(`${k}: ${v} -> gone`);
  return out;
}
