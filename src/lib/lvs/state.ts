/**
 * Health state of virtual and real servers with keepalived's checker-process
 * semantics (keepalived/check/ipwrapper.c: update_svr_checker_state,
 * perform_svr_state, update_quorum_state, clear_services...). Pure: no I/O and
 * no IPVS; what IPVS should look like is computed from this state by
 * desired.ts, and the side effects (notify scripts, lvs_notify_fifo lines,
 * log lines) are returned as events.
 *
 * - A real server is alive when none of its checkers is failing (retries are
 *   the checker's business). Non-alpha checkers start up, alpha ones down.
 * - Quorum: the sum of the weights of the alive real servers. Gained at
 *   >= quorum + hysteresis (when down), lost at < quorum - hysteresis or 0
 *   (when up). Losing it with a sorry server puts the sorry server in and
 *   the alive real servers out; gaining it does the reverse.
 */
import {
  type CheckOutcome,
  type CheckerSpec,
  fmtTrio,
  type LvsEvent,
  type LvsSpec,
  type RealServerSpec,
  realWeight,
  type VirtualServerSpec,
} from './types';
import { destTextId } from '../ipvs/ids';

export interface CheckerState {
  id: string;
  type: string;
  alpha: boolean;
  isUp: boolean;
  hasRun: boolean;
  runs: number;
  lastRunAt?: number;
  lastReason?: string;
  lastDurationMs?: number;
  lastFailure?: { at: number; reason: string };
  /** runs that found the real server down */
  failures?: number;
  /** how late the last run started after its delay_loop was due (ms), and the most so far */
  lastLagMs?: number;
  maxLagMs?: number;
}

export interface RealServerState {
  key: string;
  spec: RealServerSpec;
  alive: boolean;
  effectiveWeight: number;
  checkers: Map<string, CheckerState>;
  lastChangeAt?: number;
  /** `hactl rs drain`: kept in IPVS at weight 0 while alive (no new connections), until undrained. */
  drained?: boolean;
}

export interface VirtualServerState {
  id: string;
  spec: VirtualServerSpec;
  quorumUp: boolean;
  sorryAlive: boolean;
  rs: Map<string, RealServerState>;
}

export interface StateOptions {
  /** global_defs rs_init_notifies: notify for real servers found up at start. */
  rsInitNotifies?: boolean;
  /** FIFO lines are only produced when a FIFO is configured. */
  fifo?: boolean;
}

function numFailed(rs: RealServerState): number {
  let n = 0;
  for (const c of rs.checkers.values()) if (!c.isUp) n++;
  return n;
}

function newChecker(c: CheckerSpec): CheckerState {
  return { id: c.id, type: c.type, alpha: c.alpha, isUp: !c.alpha, hasRun: false, runs: 0 };
}

/**
 * The quorum state a virtual server starts from (keepalived's set_quorum_states, run when the
 * configuration is read, before any real server is alive): so one that starts with quorum gains it
 * in its first update_quorum_state ("Gained quorum", quorum_up runs), at start and when a reload adds it.
 */
function initialQuorum(v: VirtualServerState): boolean {
  return 0 >= v.spec.quorum + v.spec.hysteresis;
}

export class LvsState {
  readonly vs = new Map<string, VirtualServerState>();
  private readonly opts: StateOptions;

  constructor(opts: StateOptions = {}) {
    this.opts = opts;
  }

  /** Start-up (keepalived's validate + set_quorum_states + init_services). */
  init(spec: LvsSpec, now = 0): LvsEvent[] {
    const ev: LvsEvent[] = [];
    this.vs.clear();
    for (const v of spec.virtualServers) this.vs.set(v.id, this.freshVs(v, ev, now));
    for (const v of this.vs.values()) {
      v.quorumUp = initialQuorum(v);
      this.updateQuorum(v, true, ev);
    }
    return ev;
  }

  private freshVs(v: VirtualServerSpec, ev: LvsEvent[], now: number): VirtualServerState {
    const st: VirtualServerState = { id: v.id, spec: v, quorumUp: true, sorryAlive: false, rs: new Map() };
    for (const r of v.realServers) st.rs.set(destTextId(r), this.freshRs(st, r, ev, now));
    return st;
  }

  private freshRs(v: VirtualServerState, r: RealServerSpec, ev: LvsEvent[], now: number): RealServerState {
    const rs: RealServerState = {
      key: destTextId(r),
      spec: r,
      alive: false,
      effectiveWeight: r.weight,
      checkers: new Map(r.checkers.map((c) => [c.id, newChecker(c)])),
    };
    if (numFailed(rs) === 0) {
      rs.alive = true;
      rs.lastChangeAt = now;
      if (this.opts.rsInitNotifies) this.rsNotify(v, rs, ev, false);
    }
    return rs;
  }

  weightSum(v: VirtualServerState): number {
    let s = 0;
    for (const r of v.rs.values()) if (r.alive) s += realWeight(r.effectiveWeight);
    return s;
  }

  /** Is a sorry server currently serving instead of the real servers? */
  sorryActive(v: VirtualServerState): boolean {
    return !!v.spec.sorryServer && v.sorryAlive;
  }

  /**
   * `hactl rs drain` / `undrain`: the real server stays in IPVS (while alive) at weight 0, or gets
   * its weight back. The quorum is not changed (a drain is the operator's, not a health change).
   * False when the virtual or real server is not known.
   */
  setDrained(vsId: string, rsK: string, on: boolean): boolean {
    const rs = this.vs.get(vsId)?.rs.get(rsK);
    if (!rs) return false;
    rs.drained = on || undefined;
    return true;
  }

  /** A checker run starts `lagMs` after it was due (scheduling lag, /metrics). Unknown ids are ignored. */
  checkerStarted(vsId: string, rsK: string, checkerId: string, lagMs: number): void {
    const c = this.vs.get(vsId)?.rs.get(rsK)?.checkers.get(checkerId);
    if (!c) return;
    c.lastLagMs = Math.max(0, lagMs);
    c.maxLagMs = Math.max(c.maxLagMs ?? 0, c.lastLagMs);
  }

  /**
   * One checker run finished (update_svr_checker_state, after misc_dynamic's
   * update_svr_wgt). Unknown ids are ignored (a reload removed them).
   */
  checkerResult(vsId: string, rsK: string, checkerId: string, out: CheckOutcome, now: number): LvsEvent[] {
    const ev: LvsEvent[] = [];
    const v = this.vs.get(vsId);
    const rs = v?.rs.get(rsK);
    const c = rs?.checkers.get(checkerId);
    if (!v || !rs || !c) return ev;
    c.runs++;
    c.lastRunAt = now;
    c.lastReason = out.reason;
    c.lastDurationMs = out.durationMs;
    if (!out.up) {
      c.lastFailure = { at: now, reason: out.reason };
      c.failures = (c.failures ?? 0) + 1;
    }
    if (out.weight !== undefined && Number.isFinite(out.weight)) this.setWeight(v, rs, out.weight, ev);

    if (c.isUp === out.up) {
      if (!c.hasRun) {
        if (c.alpha || !out.up) this.rsNotify(v, rs, ev, false);
        c.hasRun = true;
      }
      return ev;
    }
    c.hasRun = true;
    const failed = numFailed(rs);
    if (out.up) {
      if (failed <= 1) this.setAlive(v, rs, true, ev, now);
    } else if (failed === 0) {
      this.setAlive(v, rs, false, ev, now);
    }
    c.isUp = out.up;
    return ev;
  }

  /** update_svr_wgt: a new effective weight (misc_dynamic). */
  private setWeight(v: VirtualServerState, rs: RealServerState, w: number, ev: LvsEvent[]): void {
    const oldW = realWeight(rs.effectiveWeight);
    const newW = realWeight(w);
    rs.effectiveWeight = w;
    if (oldW !== newW) {
      ev.push({
        kind: 'log',
        message: `Changing weight from ${oldW} to ${newW} for ${rs.alive ? '' : 'in'}active service ${this.fmtRs(v, rs)} of VS ${v.id}`,
      });
      this.updateQuorum(v, false, ev);
    }
  }

  /** perform_svr_state */
  private setAlive(v: VirtualServerState, rs: RealServerState, alive: boolean, ev: LvsEvent[], now: number): void {
    if (rs.alive === alive) return;
    const inh = rs.spec.inhibitOnFailure;
    const verb = alive ? (inh ? 'Enabling' : 'Adding') : inh ? 'Disabling' : 'Removing';
    ev.push({ kind: 'log', message: `${verb} service ${this.fmtRs(v, rs)} ${inh ? 'of' : alive ? 'to' : 'from'} VS ${v.id}` });
    rs.alive = alive;
    rs.lastChangeAt = now;
    this.rsNotify(v, rs, ev, false);
    this.updateQuorum(v, false, ev);
  }

  /** update_quorum_state */
  private updateQuorum(v: VirtualServerState, init: boolean, ev: LvsEvent[]): void {
    const sum = this.weightSum(v);
    const q = v.spec.quorum;
    const h = v.spec.hysteresis;
    const threshold = q + (v.quorumUp ? -1 : 1) * h;
    const ss = v.spec.sorryServer;
    if (!v.quorumUp && sum >= threshold) {
      v.quorumUp = true;
      ev.push({ kind: 'log', message: `Gained quorum ${q}+${h}=${threshold} <= ${sum} for VS ${v.id}` });
      if (ss && v.sorryAlive) {
        ev.push({
          kind: 'log',
          message: `${ss.inhibit ? 'Disabling' : 'Removing'} sorry server ${fmtTrio(ss.addr, v.spec.protocolName, ss.port)} from VS ${v.id}`,
        });
        v.sorryAlive = false;
      }
      this.vsNotify(v, ev, false);
      return;
    }
    if ((v.quorumUp && (sum === 0 || sum < threshold)) || (init && !v.quorumUp && ss && !v.sorryAlive)) {
      v.quorumUp = false;
      ev.push({
        kind: 'log',
        message: `${init ? 'Starting with quorum down' : 'Lost quorum'} ${q}-${h}=${threshold} > ${sum} for VS ${v.id}`,
      });
      if (ss && !v.sorryAlive) {
        ev.push({
          kind: 'log',
          message: `${ss.inhibit ? 'Enabling' : 'Adding'} sorry server ${fmtTrio(ss.addr, v.spec.protocolName, ss.port)} to VS ${v.id}`,
        });
        v.sorryAlive = true;
      }
      this.vsNotify(v, ev, false);
    }
  }

  private fmtRs(v: VirtualServerState, rs: RealServerState): string {
    return fmtTrio(rs.spec.addr, v.spec.protocolName, rs.spec.port);
  }

  private rsNotify(v: VirtualServerState, rs: RealServerState, ev: LvsEvent[], _stopping: boolean): void {
    const script = rs.alive ? rs.spec.notifyUp : rs.spec.notifyDown;
    if (script) ev.push({ kind: 'script', ...script, why: `RS ${this.fmtRs(v, rs)} ${rs.alive ? 'UP' : 'DOWN'}` });
    if (this.opts.fifo) ev.push({ kind: 'fifo', line: `RS ${this.fmtRs(v, rs)} ${v.id} ${rs.alive ? 'UP' : 'DOWN'}\n` });
  }

  private vsNotify(v: VirtualServerState, ev: LvsEvent[], stopping: boolean): void {
    if (stopping && !v.spec.omega) return;
    const script = v.quorumUp ? v.spec.quorumUp : v.spec.quorumDown;
    if (script) ev.push({ kind: 'script', ...script, why: `VS ${v.id} ${v.quorumUp ? 'UP' : 'DOWN'}` });
    if (this.opts.fifo) ev.push({ kind: 'fifo', line: `VS ${v.id} ${v.quorumUp ? 'UP' : 'DOWN'}\n` });
  }

  /** Removing a virtual server or a real server (reload) or everything (stop): clear_service_rs / update_vs_notifies. */
  private clearRs(v: VirtualServerState, rs: RealServerState, stopping: boolean, ev: LvsEvent[]): void {
    ev.push({
      kind: 'log',
      message: `${stopping ? 'Shutting down' : 'Removing'} ${rs.spec.inhibitOnFailure && !rs.alive ? '(inhibited) ' : ''}service ${this.fmtRs(v, rs)} from VS ${v.id}`,
    });
    if (!rs.alive) return;
    rs.alive = false;
    if (!v.spec.omega && stopping) return;
    this.rsNotify(v, rs, ev, stopping);
  }

  private clearVs(v: VirtualServerState, stopping: boolean, ev: LvsEvent[]): void {
    v.sorryAlive = false;
    for (const rs of v.rs.values()) this.clearRs(v, rs, stopping, ev);
    const threshold = v.spec.quorum - v.spec.hysteresis;
    const sum = this.weightSum(v);
    if (stopping || (v.quorumUp && (sum === 0 || sum < threshold))) {
      v.quorumUp = false;
      this.vsNotify(v, ev, stopping);
    }
  }

  /** SIGTERM: every virtual server goes (omega decides whether notifiers run). */
  shutdown(): LvsEvent[] {
    const ev: LvsEvent[] = [];
    for (const v of this.vs.values()) this.clearVs(v, true, ev);
    return ev;
  }

  /**
   * SIGHUP with a new configuration (clear_diff_services + init_services):
   * virtual and real servers that still exist keep their state; checkers with
   * the same id keep theirs; new ones start like at start-up.
   */
  reload(spec: LvsSpec, now: number): LvsEvent[] {
    const ev: LvsEvent[] = [];
    const old = new Map(this.vs);
    const wanted = new Set(spec.virtualServers.map((v) => v.id));
    for (const [id, v] of old) {
      if (!wanted.has(id)) {
        ev.push({ kind: 'log', message: `Removing Virtual Server ${id}` });
        this.clearVs(v, false, ev);
      }
    }
    this.vs.clear();
    for (const nv of spec.virtualServers) {
      const ov = old.get(nv.id);
      if (!ov) {
        const st = this.freshVs(nv, ev, now);
        st.quorumUp = initialQuorum(st);
        this.vs.set(nv.id, st);
        continue;
      }
      const st: VirtualServerState = { id: nv.id, spec: nv, quorumUp: ov.quorumUp, sorryAlive: false, rs: new Map() };
      // A sorry server only stays in when it is still configured.
      if (nv.sorryServer && ov.spec.sorryServer && destTextId(nv.sorryServer) === destTextId(ov.spec.sorryServer)) st.sorryAlive = ov.sorryAlive;
      const newKeys = new Set(nv.realServers.map((r) => destTextId(r)));
      for (const [k, ors] of ov.rs) {
        if (!newKeys.has(k)) {
          ev.push({ kind: 'log', message: `service ${this.fmtRs(ov, ors)} no longer exist` });
          this.clearRs(ov, ors, false, ev);
        }
      }
      for (const r of nv.realServers) {
        const k = destTextId(r);
        const ors = ov.rs.get(k);
        if (!ors) {
          st.rs.set(k, this.freshRs(st, r, ev, now));
          continue;
        }
        const rs: RealServerState = {
          key: k,
          spec: r,
          alive: ors.alive,
          // A configured weight change applies; a misc_dynamic weight survives when the configuration did not change it.
          effectiveWeight: ors.effectiveWeight === ors.spec.weight ? r.weight : ors.spec.weight !== r.weight ? r.weight : ors.effectiveWeight,
          checkers: new Map(),
          lastChangeAt: ors.lastChangeAt,
          // a drain outlives a reload while the real server is still configured
          drained: ors.drained,
        };
        let anyRun = false;
        for (const c of r.checkers) {
          const oc = ors.checkers.get(c.id);
          const nc = newChecker(c);
          nc.isUp = true;
          if (oc && oc.type === c.type) {
            if (oc.hasRun) nc.isUp = oc.isUp;
            nc.hasRun = oc.hasRun;
            nc.runs = oc.runs;
            nc.lastRunAt = oc.lastRunAt;
            nc.lastReason = oc.lastReason;
            nc.lastFailure = oc.lastFailure;
            nc.lastDurationMs = oc.lastDurationMs;
            nc.failures = oc.failures;
            nc.lastLagMs = oc.lastLagMs;
            nc.maxLagMs = oc.maxLagMs;
          }
          if (nc.hasRun) anyRun = true;
          rs.checkers.set(c.id, nc);
        }
        if (numFailed(rs) > 0 || (!rs.alive && !anyRun)) {
          for (const c of rs.checkers.values()) if (!c.hasRun && c.alpha) c.isUp = false;
        }
        st.rs.set(k, rs);
        if (numFailed(rs) === 0 && !rs.alive) this.setAlive(st, rs, true, ev, now);
        else if (numFailed(rs) > 0 && rs.alive) {
          rs.alive = false;
          rs.lastChangeAt = now;
        }
      }
      this.vs.set(nv.id, st);
    }
    for (const v of this.vs.values()) this.updateQuorum(v, true, ev);
    return ev;
  }
}
