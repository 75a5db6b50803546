/**
 * The LVS reconciler: runs each checker every delay_loop and, like
 * keepalived's checker process, sends IPVS only what changed in the table
 * desired.ts computes from the health state: it plans from what it set
 * itself, never from the kernel's table (plan.ts, keepalivedOutcome), so a
 * service or real server that already exists, a hand edit (`ipvsadm -e -w`,
 * `-E -s`) and a hand-added real server stay as they are until a checker or
 * a reload (SIGHUP) changes that very entry. On stop it removes the services
 * it manages (lvs_flush_on_stop: the whole table).
 *
 * All I/O goes through three small ports, so the whole loop runs in unit
 * tests with an in-memory IPVS, fake checkers and a fake clock:
 * - IpvsPort: list the live table, apply a batch of operations;
 * - CheckerPort: run one checker once (retries included);
 * - TimerClock: now / setTimeout / clearTimeout.
 */
import { familyOfAf, formatAddrPort } from '../addr';
import { addrId, destTextId, serviceId, serviceKey, serviceTextId } from '../ipvs/ids';
import { DaemonState } from '../ipvs/constants';
import { keepalivedOutcome, planTable, TableModel } from '../ipvs/plan';
import type { Daemon } from '../ipvs/types';
import { desiredTable, type IpvsTable } from './desired';
import { type DrainMatch, type DrainTarget, findDrainTarget } from './drain';
import { LvsState } from './state';
import {
  type CheckOutcome,
  type CheckerSpec,
  fmtTrio,
  type LvsEvent,
  type LvsSpec,
  type Op,
  type RealServerSpec,
  type Service,
  type ServiceKey,
  type ServiceWithDests,
  type VirtualServerSpec,
} from './types';

/** A refused operation carries the kernel's errno when there is one (keepalivedOutcome reads it). */
export type OpResult = { ok: true } | { ok: false; error: string; errno?: number };

/** After a refused operation or a failed batch, a full pass is retried after 0.5 s, doubling up to 30 s. */
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

export interface IpvsPort {
  /** The live IPVS table. */
  list(): Promise<ServiceWithDests[]>;
  /** Apply a batch in order; one result per operation (never throws for a refused operation). */
  apply(ops: Op[]): Promise<OpResult[]>;
}

export interface CheckerPort {
  /** Run one checker once against its real server (retries included). Must settle; `signal` aborts it. */
  run(check: CheckerSpec, rs: RealServerSpec, vs: VirtualServerSpec, signal: AbortSignal): Promise<CheckOutcome>;
}

export interface TimerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimerClock: TimerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface ReconcilerOptions {
  ipvs: IpvsPort;
  checkers: CheckerPort;
  clock: TimerClock;
  /** Notify scripts, FIFO lines and log lines. */
  onEvent?: (ev: LvsEvent) => void;
  /** [0,1): the random part of the first check's delay (keepalived: 1 s + random warmup). */
  random?: () => number;
  /** keepalived --dont-release-ipvs: leave IPVS as it is on stop. */
  dontRelease?: boolean;
  /** ha_suspend: is this address configured on the host? (default: always) */
  vipPresent?: (addr: string) => boolean;
  rsInitNotifies?: boolean;
}

/** One line per real server / checker for `hactl vrrp status`. */
export interface LvsStatus {
  virtualServers: {
    id: string;
    services: string[];
    sched: string;
    quorum: number;
    hysteresis: number;
    quorumUp: boolean;
    weightSum: number;
    sorryServer?: { addr: string; port: number; active: boolean };
    realServers: {
      addr: string;
      port: number;
      alive: boolean;
      weight: number;
      effectiveWeight: number;
      inhibitOnFailure: boolean;
      inIpvs: boolean;
      ipvsWeight?: number;
      /** `hactl rs drain`: held at weight 0 until undrained */
      drained?: boolean;
      lastChangeAt?: number;
      checkers: {
        id: string;
        type: string;
        up: boolean;
        runs: number;
        lastRunAt?: number;
        lastReason?: string;
        lastFailure?: { at: number; reason: string };
        failures?: number;
        lastDurationMs?: number;
        lastLagMs?: number;
        maxLagMs?: number;
      }[];
    }[];
  }[];
  syncDaemon?: { interface: string; syncId: number; state: SyncRole | 'none' };
  lastIpvsError?: string;
  /** IPVS operations applied since start. */
  ipvsOps: number;
  /** A check result is not in IPVS yet (a reconciliation is queued, running, or to be retried after an IPVS error). */
  syncPending: boolean;
}

/** The wanted table as the planner takes it. */
function wantedModel(wanted: IpvsTable): TableModel {
  return TableModel.from([...wanted.values()].map((w) => ({ ...w.service, dests: [...w.dests.values()] })));
}

export function svcLabel(s: ServiceKey): string {
  if (s.fwmark) return `FWM ${s.fwmark}${s.af === 10 ? ' IPv6' : ''}`;
  const proto = s.protocol === 6 ? 'TCP' : s.protocol === 17 ? 'UDP' : s.protocol === 132 ? 'SCTP' : String(s.protocol);
  return `${proto} ${formatAddrPort(familyOfAf(s.af), s.addr, s.port)}`;
}

function opLabel(op: Op): string {
  switch (op.kind) {
    case 'add-service':
    case 'edit-service':
      return `${op.kind} ${svcLabel(op.svc)}`;
    case 'del-service':
      return `${op.kind} ${svcLabel(op.svc as Service)}`;
    case 'add-dest':
    case 'edit-dest':
    case 'del-dest':
      return `${op.kind} ${svcLabel(op.svc as Service)} -> ${op.dest.addr}:${op.dest.port}`;
    default:
      return op.kind;
  }
}

interface Scheduled {
  vs: VirtualServerSpec;
  rs: RealServerSpec;
  check: CheckerSpec;
  timer?: unknown;
  abort?: AbortController;
  running: boolean;
  /** when the armed timer is due (clock ms) */
  dueAt?: number;
}

export class LvsReconciler {
  readonly state: LvsState;
  private spec: LvsSpec = { virtualServers: [] };
  private readonly o: ReconcilerOptions;
  /** Our model of the kernel table (what we believe IPVS holds for every service seen). */
  private model = new TableModel();
  private readonly owned = new Set<string>();
  private scheduled: Scheduled[] = [];
  private generation = 0;
  private chain: Promise<void> = Promise.resolve();
  private dirty = false;
  private fullSync = false;
  private readonly dirtyVs = new Set<string>();
  private syncing = false;
  private stopped = false;
  private started = false;
  private lastIpvsError?: string;
  private syncRole: SyncRole | 'none' = 'none';
  private lastTimeouts?: LvsSpec['timeouts'];
  private retryTimer?: unknown;
  private retryDelay = RETRY_MIN_MS;
  /** Number of IPVS operations applied so far (status). */
  private appliedCount = 0;

  constructor(o: ReconcilerOptions) {
    this.o = o;
    this.state = new LvsState({ rsInitNotifies: o.rsInitNotifies, fifo: true });
  }

  private emit(evs: LvsEvent[]): void {
    for (const e of evs) this.o.onEvent?.(e);
  }

  /** Start: read the live table, install what the configuration wants, start the checkers. */
  async start(spec: LvsSpec): Promise<void> {
    this.spec = spec;
    this.started = true;
    this.emit(this.state.init(spec, this.o.clock.now()));
    if (spec.flushOnStart) {
      const [r] = await this.o.ipvs.apply([{ kind: 'flush' }]);
      if (r && !r.ok) this.emit([{ kind: 'log', message: `IPVS: lvs_flush: ${r.error}` }]);
    }
    // What is already in the kernel is not read: keepalived adds its services and real servers,
    // and an add that finds one there (EEXIST) leaves it as it is.
    this.model = new TableModel();
    if (spec.timeouts) await this.applyTimeouts(spec.timeouts);
    this.lastTimeouts = spec.timeouts;
    await this.sync();
    if (spec.syncDaemon) await this.setSyncDaemonRole(initialSyncRole(spec.syncDaemon));
    this.schedule(true);
  }

  /** SIGHUP: new configuration; only the difference reaches IPVS. */
  async reload(spec: LvsSpec): Promise<void> {
    await this.enqueue(async () => {
      const prevSync = this.spec.syncDaemon;
      this.spec = spec;
      this.cancelAll();
      this.emit(this.state.reload(spec, this.o.clock.now()));
      if (spec.timeouts && JSON.stringify(spec.timeouts) !== JSON.stringify(this.lastTimeouts)) await this.applyTimeouts(spec.timeouts);
      this.lastTimeouts = spec.timeouts;
      await this.syncNow();
      if (JSON.stringify(prevSync) !== JSON.stringify(spec.syncDaemon)) {
        const role = this.syncRole;
        if (prevSync && role !== 'none') await this.daemonOp('stop-daemon', prevSync, role);
        this.syncRole = 'none';
        if (spec.syncDaemon) await this.setSyncDaemonRole(role === 'none' || !spec.syncDaemon.instance ? initialSyncRole(spec.syncDaemon) : role);
      }
      this.schedule(true);
    });
  }

  /** SIGTERM: stop the checkers; remove the managed services unless dontRelease. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelAll();
    if (this.retryTimer !== undefined) this.o.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.enqueue(async () => {
      this.emit(this.state.shutdown());
      if (this.o.dontRelease) return;
      if (this.spec.flushOnStop) {
        // lvs_flush_on_stop (no VS): keepalived empties the whole table, other services included.
        await this.applyOps([{ kind: 'flush' }]);
      } else {
        const ops: Op[] = [];
        for (const k of this.owned) {
          const l = this.model.svcs.get(k);
          if (l) ops.push({ kind: 'del-service', svc: serviceKey(l.svc) });
        }
        await this.applyOps(ops);
      }
      if (this.spec.syncDaemon && this.syncRole !== 'none') await this.daemonOp('stop-daemon', this.spec.syncDaemon, this.syncRole);
      this.syncRole = 'none';
    });
  }

  /** global_defs lvs_timeouts (ipvsadm --set): 0 leaves a value as it is. */
  private async applyTimeouts(t: NonNullable<LvsSpec['timeouts']>): Promise<void> {
    const [r] = await this.o.ipvs.apply([{ kind: 'set-timeout', timeouts: { tcp: t.tcp, tcpFin: t.tcpFin, udp: t.udp } }]);
    if (r && !r.ok) {
      this.lastIpvsError = `lvs_timeouts: ${r.error}`;
      this.emit([{ kind: 'log', message: `IPVS: ${this.lastIpvsError}` }]);
    }
  }

  /** The sync daemon's role, for whoever follows the VRRP instance named in lvs_sync_daemon. */
  syncDaemonRole(): SyncRole | 'none' {
    return this.syncRole;
  }

  /** Start (or switch) the kernel's connection sync daemon (lvs_sync_daemon). */
  async setSyncDaemonRole(role: SyncRole): Promise<void> {
    const sd = this.spec.syncDaemon;
    if (!sd || this.syncRole === role) return;
    if (this.syncRole !== 'none') await this.daemonOp('stop-daemon', sd, this.syncRole);
    await this.daemonOp('start-daemon', sd, role);
    this.syncRole = role;
  }

  private async daemonOp(kind: 'start-daemon' | 'stop-daemon', sd: NonNullable<LvsSpec['syncDaemon']>, role: SyncRole): Promise<void> {
    if (role === 'master+backup') {
      await this.daemonOp(kind, sd, 'master');
      return this.daemonOp(kind, sd, 'backup');
    }
    const daemon: Daemon = {
      state: role === 'master' ? DaemonState.MASTER : DaemonState.BACKUP,
      ifname: sd.interface,
      syncId: sd.syncId,
      maxLen: sd.maxLen,
      group: sd.group ?? '',
      port: sd.port,
      ttl: sd.ttl,
    };
    const [r] = await this.o.ipvs.apply([{ kind, daemon }]);
    if (r && !r.ok) {
      this.lastIpvsError = `${kind} ${role} on ${sd.interface}: ${r.error}`;
      this.emit([{ kind: 'log', message: `IPVS: ${this.lastIpvsError}` }]);
    }
  }

  /** Resolves when no reconciliation is pending or running. */
  async idle(): Promise<void> {
    for (;;) {
      const c = this.chain;
      await c;
      if (c === this.chain && !this.dirty && !this.syncing) return;
    }
  }

  private enqueue(fn: () => Promise<void>): Promise<void> {
    const p = this.chain.then(fn, fn);
    this.chain = p.catch(() => {});
    return p;
  }

  /**
   * Ask for a reconciliation of one virtual server (or of everything); several
   * requests while one runs coalesce into one more pass.
   */
  requestSync(vsId?: string): void {
    if (vsId === undefined) this.fullSync = true;
    else this.dirtyVs.add(vsId);
    if (this.dirty) return;
    this.dirty = true;
    void this.enqueue(async () => {
      if (!this.dirty) return;
      await this.syncNow(false);
    });
  }

  private async sync(): Promise<void> {
    await this.enqueue(() => this.syncNow());
  }

  private async syncNow(full = true): Promise<void> {
    const only = full || this.fullSync ? undefined : new Set(this.dirtyVs);
    this.dirty = false;
    this.fullSync = false;
    this.dirtyVs.clear();
    this.syncing = true;
    try {
      const wanted = wantedModel(desiredTable(this.state, only));
      // A partial pass only looks at the services of the virtual servers it recomputed (and deletes none).
      const ops = planTable(this.model, wanted, { deletable: only ? new Set() : this.owned }).map((p) => p.op);
      for (const k of wanted.svcs.keys()) this.owned.add(k);
      const ok = await this.applyOps(ops);
      for (const k of [...this.owned]) if (!wanted.svcs.has(k) && !this.model.svcs.has(k)) this.owned.delete(k);
      if (ok) this.retryDelay = RETRY_MIN_MS;
      else {
        // Something was refused or the batch failed: only what succeeded is in the model, so the
        // next pass plans the rest again; try soon (backing off) so IPVS converges without waiting
        // for the next health change. The kernel's table is not re-read: that would undo hand edits.
        this.scheduleRetry();
      }
    } finally {
      this.syncing = false;
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== undefined || this.stopped) return;
    const d = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, RETRY_MAX_MS);
    this.retryTimer = this.o.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.stopped) this.requestSync();
    }, d);
  }

  private async applyOps(ops: Op[]): Promise<boolean> {
    if (ops.length === 0) return true;
    let results: OpResult[];
    try {
      results = await this.o.ipvs.apply(ops);
    } catch (e) {
      this.lastIpvsError = e instanceof Error ? e.message : String(e);
      this.emit([{ kind: 'log', message: `IPVS: ${this.lastIpvsError}` }]);
      return false;
    }
    let allOk = true;
    const instead: Op[] = [];
    ops.forEach((op, i) => {
      const r: OpResult = results[i] ?? { ok: false, error: 'no reply' };
      const outcome = r.ok ? 'done' : keepalivedOutcome(op, r.errno);
      if (outcome === 'done') {
        this.model.apply(op);
        if (r.ok) this.appliedCount++;
      } else if (outcome === 'add' && op.kind === 'edit-dest') {
        instead.push({ kind: 'add-dest', svc: op.svc, dest: op.dest });
      } else {
        const msg = `${opLabel(op)}: ${r.ok ? '' : r.error}`;
        // The first refusal of a batch is the cause; later ones usually follow from it.
        if (allOk) this.lastIpvsError = msg;
        allOk = false;
        this.emit([{ kind: 'log', message: `IPVS: ${msg}` }]);
      }
    });
    if (instead.length && !(await this.applyOps(instead))) allOk = false;
    return allOk;
  }

  /**
   * `hactl rs drain` / `undrain` (the LVS control socket): hold the named real server at weight 0
   * (every later pass keeps it there) or give it its weight back; resolves once IPVS has it.
   */
  async setDrain(t: DrainTarget, on: boolean): Promise<DrainMatch> {
    const m = findDrainTarget(this.spec.virtualServers, t);
    if (m.kind !== 'found') return m;
    this.state.setDrained(m.vsId, m.rsKey, on);
    this.requestSync(m.vsId);
    await this.idle();
    return m;
  }

  // --- checkers --------------------------------------------------------------

  private cancelAll(): void {
    this.generation++;
    for (const s of this.scheduled) {
      if (s.timer !== undefined) this.o.clock.clearTimeout(s.timer);
      s.abort?.abort();
    }
    this.scheduled = [];
  }

  private schedule(first: boolean): void {
    if (this.stopped) return;
    const gen = this.generation;
    for (const vs of this.spec.virtualServers) {
      for (const rs of vs.realServers) {
        for (const check of rs.checkers) {
          const s: Scheduled = { vs, rs, check, running: false };
          this.scheduled.push(s);
          // keepalived: first run after BOOTSTRAP_DELAY (1 s) + random(0..warmup); warmup defaults to delay_loop.
          const warmup = (check as CheckerSpec & { warmupMs?: number }).warmupMs ?? check.delayLoopMs;
          const delay = first ? 1000 + Math.floor((this.o.random ?? Math.random)() * warmup) : check.delayLoopMs;
          this.arm(s, delay, gen);
        }
      }
    }
  }

  /**
   * Run the matching checkers now instead of at their next delay_loop (FILE_CHECK:
   * a watched track file changed). A running checker is left alone.
   */
  poke(match: (check: CheckerSpec, rs: RealServerSpec) => boolean): number {
    if (this.stopped) return 0;
    let n = 0;
    for (const s of this.scheduled) {
      if (s.running || s.timer === undefined || !match(s.check, s.rs)) continue;
      this.o.clock.clearTimeout(s.timer);
      this.arm(s, 0, this.generation);
      n++;
    }
    return n;
  }

  private arm(s: Scheduled, delay: number, gen: number): void {
    s.dueAt = this.o.clock.now() + delay;
    s.timer = this.o.clock.setTimeout(() => {
      s.timer = undefined;
      void this.fire(s, gen);
    }, delay);
  }

  private suspended(vs: VirtualServerSpec): boolean {
    if (!vs.haSuspend || !this.o.vipPresent) return false;
    return !vs.vips.every((a) => this.o.vipPresent!(a));
  }

  private async fire(s: Scheduled, gen: number): Promise<void> {
    if (gen !== this.generation || this.stopped) return;
    if (this.suspended(s.vs)) {
      this.arm(s, s.check.delayLoopMs, gen);
      return;
    }
    s.running = true;
    s.abort = new AbortController();
    let out: CheckOutcome;
    const t0 = this.o.clock.now();
    if (s.dueAt !== undefined) this.state.checkerStarted(s.vs.id, destTextId(s.rs), s.check.id, t0 - s.dueAt);
    try {
      out = await this.o.checkers.run(s.check, s.rs, s.vs, s.abort.signal);
    } catch (e) {
      out = { up: false, reason: `checker error: ${e instanceof Error ? e.message : String(e)}` };
    }
    s.running = false;
    if (gen !== this.generation || this.stopped) return;
    if (out.durationMs === undefined) out = { ...out, durationMs: this.o.clock.now() - t0 };
    const v = this.state.vs.get(s.vs.id);
    const before = v && this.signature(v);
    const evs = this.state.checkerResult(s.vs.id, destTextId(s.rs), s.check.id, out, this.o.clock.now());
    this.emit(evs);
    // Most results change nothing: no IPVS pass then. Otherwise only this virtual server is recomputed.
    if (v && this.signature(v) !== before) this.requestSync(s.vs.id);
    this.arm(s, s.check.delayLoopMs, gen);
  }

  /** What the IPVS content of a virtual server depends on. */
  private signature(v: import('./state').VirtualServerState): string {
    let sig = `${v.quorumUp ? 1 : 0}${v.sorryAlive ? 1 : 0}`;
    for (const r of v.rs.values()) sig += `|${r.alive ? 1 : 0}:${r.effectiveWeight}`;
    return sig;
  }

  // --- status ---------------------------------------------------------------

  status(): LvsStatus {
    const wanted = desiredTable(this.state);
    return {
      virtualServers: [...this.state.vs.values()].map((v) => {
        const live = v.spec.services[0] ? this.model.svcs.get(serviceId(v.spec.services[0])) : undefined;
        const ss = v.spec.sorryServer;
        return {
          id: v.id,
          services: v.spec.services.map((k) => svcLabel(wanted.get(serviceTextId(k))?.service ?? (k as Service))),
          sched: v.spec.sched,
          quorum: v.spec.quorum,
          hysteresis: v.spec.hysteresis,
          quorumUp: v.quorumUp,
          weightSum: this.state.weightSum(v),
          sorryServer: ss ? { addr: ss.addr, port: ss.port, active: this.state.sorryActive(v) } : undefined,
          realServers: [...v.rs.values()].map((rs) => {
            const addr = addrId(rs.spec.af, rs.spec.addr);
            const d = live ? [...live.dests.values()].find((x) => addrId(x.af, x.addr) === addr && (x.port === rs.spec.port || rs.spec.fwd !== 0)) : undefined;
            return {
              addr: rs.spec.addr,
              port: rs.spec.port,
              alive: rs.alive,
              weight: rs.spec.weight,
              effectiveWeight: rs.effectiveWeight,
              inhibitOnFailure: rs.spec.inhibitOnFailure,
              inIpvs: !!d,
              ipvsWeight: d?.weight,
              drained: !!rs.drained,
              lastChangeAt: rs.lastChangeAt,
              checkers: [...rs.checkers.values()].map((c) => ({
                id: c.id,
                type: c.type,
                up: c.isUp,
                runs: c.runs,
                lastRunAt: c.lastRunAt,
                lastReason: c.lastReason,
                lastFailure: c.lastFailure,
                failures: c.failures ?? 0,
                lastDurationMs: c.lastDurationMs,
                lastLagMs: c.lastLagMs,
                maxLagMs: c.maxLagMs,
              })),
            };
          }),
        };
      }),
      syncDaemon: this.spec.syncDaemon ? { interface: this.spec.syncDaemon.interface, syncId: this.spec.syncDaemon.syncId, state: this.syncRole } : undefined,
      lastIpvsError: this.lastIpvsError,
      syncPending: this.dirty || this.syncing || this.retryTimer !== undefined,
      ipvsOps: this.appliedCount,
    };
  }

  isStarted(): boolean {
    return this.started;
  }
}

/** Text rendering of the status (appended to `hactl vrrp status`). */
export function formatLvsStatus(st: LvsStatus, now = Date.now()): string {
  const lines: string[] = [];
  for (const v of st.virtualServers) {
    const ss = v.sorryServer ? `, sorry server ${v.sorryServer.addr}:${v.sorryServer.port}${v.sorryServer.active ? ' (ACTIVE)' : ''}` : '';
    lines.push(`Virtual server ${v.id} (${v.services.join(', ')}), ${v.sched}, quorum ${v.quorumUp ? 'UP' : 'DOWN'} (${v.weightSum}/${v.quorum}±${v.hysteresis})${ss}`);
    for (const r of v.realServers) {
      const w = `${r.inIpvs ? `weight ${r.ipvsWeight}` : 'not in IPVS'}${r.drained ? ', DRAINED' : ''}`;
      lines.push(`  ${fmtTrio(r.addr, '', r.port).replace(']::', ']:')} ${r.alive ? 'UP' : 'DOWN'} (${w}${r.inhibitOnFailure ? ', inhibit_on_failure' : ''})`);
      for (const c of r.checkers) {
        const fail = c.lastFailure ? `, last failure ${Math.round((now - c.lastFailure.at) / 1000)}s ago: ${c.lastFailure.reason}` : '';
        lines.push(`    ${c.type} ${c.up ? 'up' : 'down'}${c.runs ? `, ${c.runs} runs, last: ${c.lastReason ?? ''}` : ', not run yet'}${fail}`);
      }
    }
  }
  if (st.syncDaemon) lines.push(`LVS sync daemon: ${st.syncDaemon.state} on ${st.syncDaemon.interface}, syncid ${st.syncDaemon.syncId}`);
  if (st.lastIpvsError) lines.push(`Last IPVS error: ${st.lastIpvsError}`);
  return lines.join('\n') + (lines.length ? '\n' : '');
}

/** The kernel sync daemons hactl runs: one state, or both at once. */
export type SyncRole = 'master' | 'backup' | 'master+backup';

/**
 * At start: backup until the named vrrp_instance is MASTER; with no instance named (active/active
 * directors, no VRRP) master and backup at once, as keepalived 2.2.7's checker does
 * (check_daemon.c: IPVS_MASTER_BACKUP when lvs_sync_daemon names no instance).
 */
export function initialSyncRole(sd: { instance?: string }): SyncRole {
  return sd.instance ? 'backup' : 'master+backup';
}
