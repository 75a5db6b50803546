/**
 * vrrp_track_process: which processes match a tracker, how many there are,
 * and when the tracker has quorum, with keepalived 2.2.7's semantics
 * (keepalived/vrrp/vrrp_track_process.c, vrrp_parser.c, vrrp_track.c).
 * Pure: process snapshots in, events and states out; the clock is injected
 * (every method takes `now`, monotonic ms). The /proc reader lives in
 * track-process-proc.ts.
 *
 * keepalived reacts to proc connector events (fork, exec, comm change, exit);
 * hactl polls /proc and turns the difference between two snapshots into the
 * same events (diffSnapshots), then runs keepalived's counting rules on them:
 *  - a new pid whose parent was counted is a fork: fork_delay applies;
 *  - a new match of a pid that existed (or whose parent was not counted) is
 *    an exec / comm change: no delay;
 *  - a counted pid that is gone is an exit: terminate_delay applies;
 *  - a counted pid that is still there but no longer matches (exec, comm
 *    change): no delay.
 */

export type ParamMatch = 'none' | 'exact' | 'partial' | 'initial';

export interface TrackProcessConfig {
  name: string;
  /** process_path: the first word of `process` */
  path: string;
  /** the other words of `process` (undefined: none given) */
  params?: string[];
  paramMatch: ParamMatch;
  /** match argv[0] of /proc/PID/cmdline instead of comm */
  fullCommand: boolean;
  weight: number;
  reverse: boolean;
  quorum: number;
  /** keepalived's UINT_MAX when unlimited */
  quorumMax: number;
  forkDelayMs: number;
  terminateDelayMs: number;
}

export const QUORUM_UNLIMITED = 0xffffffff;

/** One process as seen in /proc. */
export interface ProcInfo {
  pid: number;
  ppid: number;
  /** /proc/PID/stat comm (at most 15 bytes) */
  comm: string;
  /** zombie (state Z): never counted */
  zombie?: boolean;
  /** /proc/PID/cmdline split at NUL; only read when some tracker needs it */
  argv?: string[];
}

function paramsBytes(params: string[] | undefined): Buffer | undefined {
  if (!params || params.length === 0) return undefined;
  return Buffer.from(params.map((p) => `${p}\0`).join(''));
}

/**
 * keepalived's cmdline buffer length: the longest `process` (path, params,
 * NULs); /proc/PID/cmdline is read up to this + 1 bytes.
 */
export function maxProcessNameLen(trackers: TrackProcessConfig[]): number {
  let m = 0;
  for (const t of trackers) {
    const len = Buffer.byteLength(t.path) + 1 + (paramsBytes(t.params)?.length ?? 0);
    if (len > m) m = len;
  }
  return m;
}

/** Does any tracker match on the command line (so /proc/PID/cmdline must be read)? */
export function needsCmdline(trackers: TrackProcessConfig[]): boolean {
  return trackers.some((t) => t.fullCommand);
}

/**
 * keepalived's check_params, on the bytes after argv[0] (NUL-separated,
 * NUL-terminated, possibly truncated): exact - the parameters are exactly the
 * configured ones; partial - the configured parameters are the first ones
 * (more may follow); initial - as partial, but the last configured parameter
 * need only be a prefix of the process's. (keepalived's enum comments name
 * partial and initial the other way round; this is what its code does.)
 */
export function checkParams(mode: ParamMatch, want: Buffer | undefined, got: Buffer): boolean {
  const wantLen = want?.length ?? 0;
  if (mode === 'exact' && !want && got.length === 0) return true;
  if (got.length < wantLen) return false;
  if (mode === 'exact') return got.length === wantLen && (!want || got.subarray(0, wantLen).equals(want));
  if (!want) return true;
  if (mode === 'partial') return got.subarray(0, wantLen).equals(want);
  return wantLen === 1 || got.subarray(0, wantLen - 1).equals(want.subarray(0, wantLen - 1));
}

/** A compiled matcher for one tracker. */
export class ProcessMatcher {
  private readonly want: Buffer | undefined;
  private readonly pathBytes: Buffer;
  constructor(
    readonly cfg: TrackProcessConfig,
    /** maxProcessNameLen over all trackers: the cmdline read limit */
    private readonly maxLen: number,
  ) {
    this.want = paramsBytes(cfg.params);
    this.pathBytes = Buffer.from(cfg.path);
  }

  matches(p: ProcInfo): boolean {
    if (p.zombie) return false;
    if (!this.cfg.fullCommand) {
      // comm: keepalived compares the whole name; parameters cannot be checked on comm
      // (param_match always sets full_command)
      return p.comm === this.cfg.path;
    }
    if (!p.argv || p.argv.length === 0) return false;
    // /proc/PID/cmdline as keepalived reads it: max name length + 1 bytes
    let raw = Buffer.from(p.argv.map((a) => `${a}\0`).join(''));
    if (raw.length > this.maxLen + 1) raw = raw.subarray(0, this.maxLen + 1);
    const nul = raw.indexOf(0);
    const name = nul < 0 ? raw : raw.subarray(0, nul);
    if (!name.equals(this.pathBytes)) return false;
    if (this.cfg.paramMatch === 'none') return true;
    return checkParams(this.cfg.paramMatch, this.want, raw.subarray(name.length + 1));
  }
}

export type ProcEvent = { kind: 'fork' | 'exec'; pid: number } | { kind: 'exit' | 'nomatch'; pid: number };

/** The proc-connector events that turn `counted` into `now` (removals first). */
export function diffSnapshots(counted: ReadonlySet<number>, matching: ReadonlySet<number>, prev: ReadonlyMap<number, ProcInfo>, cur: ReadonlyMap<number, ProcInfo>): ProcEvent[] {
  const ev: ProcEvent[] = [];
  // a zombie (killed, not reaped yet) has terminated: an exit, as keepalived's proc connector reports it
  for (const pid of counted) if (!matching.has(pid)) ev.push({ kind: cur.has(pid) && !cur.get(pid)!.zombie ? 'nomatch' : 'exit', pid });
  for (const pid of matching) {
    if (counted.has(pid)) continue;
    const p = cur.get(pid);
    const isNew = !prev.has(pid);
    ev.push({ kind: isNew && p && counted.has(p.ppid) ? 'fork' : 'exec', pid });
  }
  return ev;
}

export interface TrackerState {
  name: string;
  count: number;
  up: boolean;
  quorum: number;
  quorumMax: number;
  /** a fork_delay / terminate_delay timer is pending */
  pending: 'fork' | 'terminate' | null;
}

/** One tracker's counting and quorum state (keepalived's vrrp_tracked_process_t). */
export class ProcessTracker {
  readonly pids = new Set<number>();
  up = false;
  private forkAt: number | null = null;
  private terminateAt: number | null = null;
  readonly matcher: ProcessMatcher;

  constructor(
    readonly cfg: TrackProcessConfig,
    maxLen: number,
  ) {
    this.matcher = new ProcessMatcher(cfg, maxLen);
  }

  get count(): number {
    return this.pids.size;
  }

  private inRange(): boolean {
    return this.count >= this.cfg.quorum && this.count <= this.cfg.quorumMax;
  }

  /** Start (and reload): count the matching processes; the state follows at once, without delays. */
  init(procs: Iterable<ProcInfo>): void {
    this.pids.clear();
    this.forkAt = null;
    this.terminateAt = null;
    for (const p of procs) if (this.matcher.matches(p)) this.pids.add(p.pid);
    this.up = this.inRange();
  }

  /** Apply a snapshot (prev: the previous snapshot). Returns true when `up` changed. */
  update(prev: ReadonlyMap<number, ProcInfo>, cur: ReadonlyMap<number, ProcInfo>, now: number): boolean {
    const matching = new Set<number>();
    for (const p of cur.values()) if (this.matcher.matches(p)) matching.add(p.pid);
    const was = this.up;
    for (const e of diffSnapshots(this.pids, matching, prev, cur)) this.event(e, now);
    this.tick(now);
    return was !== this.up;
  }

  /** One proc event, as keepalived's check_process / check_process_fork / check_process_termination. */
  event(e: ProcEvent, now: number): void {
    const { quorum, quorumMax } = this.cfg;
    if (e.kind === 'fork' || e.kind === 'exec') {
      if (this.pids.has(e.pid)) return;
      this.pids.add(e.pid);
      const n = this.count;
      if (n !== quorum && n !== quorumMax + 1) return;
      if (e.kind === 'exec') {
        this.terminateAt = null;
        this.up = n === quorum;
        return;
      }
      if (this.terminateAt !== null) this.terminateAt = null;
      else if (this.cfg.forkDelayMs > 0) {
        this.forkAt ??= now + this.cfg.forkDelayMs;
        return;
      }
      this.up = n === quorum;
      return;
    }
    if (!this.pids.delete(e.pid)) return;
    const n = this.count;
    if (n + 1 !== quorum && n !== quorumMax) return;
    if (e.kind === 'exit') {
      if (this.forkAt !== null) this.forkAt = null;
      else if (this.cfg.terminateDelayMs > 0) {
        this.terminateAt ??= now + this.cfg.terminateDelayMs;
        return;
      }
    } else this.forkAt = null;
    this.up = n === quorumMax;
  }

  /** Fire due timers: the state becomes quorum <= count <= quorum_max. Returns true when `up` changed. */
  tick(now: number): boolean {
    const was = this.up;
    if (this.forkAt !== null && now >= this.forkAt) {
      this.forkAt = null;
      this.up = this.inRange();
    }
    if (this.terminateAt !== null && now >= this.terminateAt) {
      this.terminateAt = null;
      this.up = this.inRange();
    }
    return was !== this.up;
  }

  /** Earliest pending timer (monotonic ms) or null. */
  nextDeadline(): number | null {
    const d = [this.forkAt, this.terminateAt].filter((x): x is number => x !== null);
    return d.length ? Math.min(...d) : null;
  }

  state(): TrackerState {
    return {
      name: this.cfg.name,
      count: this.count,
      up: this.up,
      quorum: this.cfg.quorum,
      quorumMax: this.cfg.quorumMax,
      pending: this.forkAt !== null ? 'fork' : this.terminateAt !== null ? 'terminate' : null,
    };
  }
}

/** All trackers, fed with successive snapshots. */
export class ProcessTrackers {
  readonly trackers = new Map<string, ProcessTracker>();
  private prev: Map<number, ProcInfo> = new Map();
  private maxLen: number;

  constructor(cfgs: TrackProcessConfig[]) {
    this.maxLen = maxProcessNameLen(cfgs);
    for (const c of cfgs) this.trackers.set(c.name, new ProcessTracker(c, this.maxLen));
  }

  /** What the /proc reader must read. */
  get needs(): { cmdline: boolean; cmdlineBytes: number } {
    const cfgs = [...this.trackers.values()].map((t) => t.cfg);
    return { cmdline: needsCmdline(cfgs), cmdlineBytes: this.maxLen + 2 };
  }

  /** Could `p` be counted (before its state is known)? The /proc reader reads state and parent only for these. */
  candidate = (p: ProcInfo): boolean => {
    for (const t of this.trackers.values()) if (t.matcher.matches({ ...p, zombie: false })) return true;
    return false;
  };

  static index(procs: ProcInfo[]): Map<number, ProcInfo> {
    return new Map(procs.map((p) => [p.pid, p]));
  }

  /** First snapshot: every tracker counts at once. */
  init(procs: ProcInfo[]): void {
    this.prev = ProcessTrackers.index(procs);
    for (const t of this.trackers.values()) t.init(this.prev.values());
  }

  /**
   * Reload: trackers whose configuration is unchanged keep their pids,
   * state and timers; new and changed ones count afresh from `procs`.
   */
  reconfigure(cfgs: TrackProcessConfig[], procs: ProcInfo[]): void {
    const old = this.trackers;
    const maxLen = maxProcessNameLen(cfgs);
    const next = new Map<string, ProcessTracker>();
    const cur = ProcessTrackers.index(procs);
    for (const c of cfgs) {
      const o = old.get(c.name);
      if (o && maxLen === this.maxLen && JSON.stringify(o.cfg) === JSON.stringify(c)) next.set(c.name, o);
      else {
        const t = new ProcessTracker(c, maxLen);
        t.init(cur.values());
        next.set(c.name, t);
      }
    }
    this.maxLen = maxLen;
    this.trackers.clear();
    for (const [k, v] of next) this.trackers.set(k, v);
    this.prev = cur;
  }

  /** A later snapshot; returns the names of the trackers whose state changed. */
  update(procs: ProcInfo[], now: number): string[] {
    const cur = ProcessTrackers.index(procs);
    const changed: string[] = [];
    for (const t of this.trackers.values()) if (t.update(this.prev, cur, now)) changed.push(t.cfg.name);
    this.prev = cur;
    return changed;
  }

  /** Fire due timers; returns the names of the trackers whose state changed. */
  tick(now: number): string[] {
    const changed: string[] = [];
    for (const t of this.trackers.values()) if (t.tick(now)) changed.push(t.cfg.name);
    return changed;
  }

  nextDeadline(): number | null {
    let d: number | null = null;
    for (const t of this.trackers.values()) {
      const x = t.nextDeadline();
      if (x !== null && (d === null || x < d)) d = x;
    }
    return d;
  }

  get(name: string): ProcessTracker | undefined {
    return this.trackers.get(name);
  }
}
