/**
 * The VRRP state machine (RFC 3768 section 6.4, RFC 5798 section 6.4) plus
 * keepalived's FAULT state. Pure: time comes in as a monotonic `now` (ms) on
 * every call, and the machine answers with actions (send an advert, change
 * state) for the driver to perform. `deadline()` says when `tick()` must be
 * called next. No timers, sockets or clocks in here.
 */
import { addrKey, isMulticast } from '../addr';
import { type Advert, type Auth, compareAddr, type DecodedAdvert, type DropReason, type VrrpVersion } from './packet';
import type { InstanceConfig, TrackFileConfig } from './config';

export type State = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT';

export interface FsmParams {
  name: string;
  vrid: number;
  version: VrrpVersion;
  /** Configured (base) priority 1..255. */
  priority: number;
  /** Our advertisement interval in centiseconds. */
  intervalCs: number;
  preempt: boolean;
  /** keepalived `preempt_delay`, ms (0: none). */
  preemptDelayMs: number;
  /** Our primary address (the source of our adverts; tie-break). */
  primaryAddr: string;
  /** v2 authentication. */
  auth: Auth;
  /**
   * Virtual addresses we advertise. An advert whose list differs (another
   * count, or one of ours missing) is dropped, as keepalived 2.2.7
   * (vrrp_check_packet) does for v2 and v3 alike.
   */
  addrs: string[];
  /** unicast_peer configured: adverts must come to a unicast address, any TTL / hop limit (keepalived) */
  unicast?: boolean;
  /** skip_check_adv_addr: a BACKUP does not check the addresses of adverts from the master it follows */
  skipCheckAdvAddr?: boolean;
  /** keepalived `lower_prio_no_advert`: a MASTER does not answer a lower-priority advert. */
  lowerPrioNoAdvert?: boolean;
  /** keepalived `higher_prio_send_advert`: a MASTER sends one advert before yielding to a higher one. */
  higherPrioSendAdvert?: boolean;
}

export type Action =
  | { kind: 'send'; priority: number }
  | { kind: 'transition'; from: State; to: State; reason: string }
  /** As MASTER, an advert with a lower priority (or equal priority and lower address) arrived. */
  | { kind: 'lowerPrio'; from: string; priority: number }
  /**
   * Sync group: the master-down timer fired but member `by` still hears its master, so this
   * member stays BACKUP (silent) and waits another Master_Down_Interval; `first`: the wait began now.
   */
  | { kind: 'held'; by: string; first: boolean };

/** What the IP layer said about a received advert (unknown fields are not checked). */
export interface RxMeta {
  /** IPv4 TTL / IPv6 hop limit */
  ttl?: number;
  /** destination address of the carrying IP packet */
  dst?: string;
}

/** Why an advert was dropped, in words for the log. */
export interface DropDetail {
  reason: DropReason;
  detail: string;
}

export interface FsmStats {
  rxAdverts: number;
  txAdverts: number;
  rxPriorityZero: number;
  txPriorityZero: number;
  becameMaster: number;
  /** MASTER -> another state (keepalived's release_master) */
  releasedMaster: number;
  /** every state change (INIT, BACKUP, MASTER, FAULT) */
  transitions: number;
  addrMismatch: number;
  drops: Partial<Record<DropReason, number>>;
}


/** Microseconds → milliseconds, kept exact to the microsecond. */
const us = (n: number) => n / 1000;

/**
 * Skew_Time in ms. v2: (256 - Priority) / 256 s; v3: ((256 - Priority) *
 * Master_Adver_Interval) / 256, computed in microseconds like keepalived.
 */
export function skewTimeMs(version: VrrpVersion, priority: number, masterIntervalCs: number): number {
  if (version === 2) return us(Math.floor(((256 - priority) * 1_000_000) / 256));
  return us(Math.floor(((256 - priority) * masterIntervalCs * 10_000) / 256));
}

/** Master_Down_Interval in ms: 3 * Master_Adver_Interval + Skew_Time. */
export function masterDownIntervalMs(version: VrrpVersion, priority: number, masterIntervalCs: number): number {
  return 3 * masterIntervalCs * 10 + skewTimeMs(version, priority, masterIntervalCs);
}

/** One tracked object's contribution (keepalived semantics). */
export interface TrackStatus {
  name: string;
  up: boolean;
  /** 0: down means FAULT; > 0: added while up; < 0: added while down. */
  weight: number;
  /** track_file: a value added as is (weight * file value); overrides up/weight. */
  delta?: number;
}

/**
 * A tracked interface, script or process, as keepalived 2.2.7 counts it (vrrp_track.c,
 * weight_multiplier): weight 0 means FAULT while down (with `reverse`: while up); any other
 * weight is added while (weight > 0) === up, negated by `reverse` (so `weight 10 reverse`
 * takes 10 off while up, and `weight -7 reverse` adds 7 while down).
 */
export function weightedTrack(name: string, up: boolean, weight: number, reverse: boolean): TrackStatus {
  if (weight === 0) return { name, up: up !== reverse, weight: 0 };
  return { name, up: true, weight, delta: weight > 0 === up ? weight * (reverse ? -1 : 1) : 0 };
}

/**
 * A track_file (keepalived 2.2.7): weight 0 means FAULT while the value is non-zero (with
 * `reverse`: while it is 0); otherwise value x weight (negated by `reverse`) is added, capped
 * at 253, and at -254 or below the instance is in FAULT ("tracked file has status -300").
 */
export function fileTrack(name: string, value: number, weight: number, reverse: boolean): TrackStatus {
  if (weight === 0) return { name, up: (value !== 0) === reverse, weight: 0 };
  const status = value * weight * (reverse ? -1 : 1);
  if (status <= -254) return { name, up: false, weight: 0 };
  return { name, up: true, weight, delta: Math.min(status, 253) };
}

/** What an instance's tracked objects are now (the daemon's view, or a plan's guess of it after a reload). */
export interface TrackView {
  /** internal tracked objects (weight 0), e.g. the LVS half */
  internal: Iterable<[string, boolean]>;
  /** link state of an interface; undefined: not known */
  link(name: string): boolean | undefined;
  script(name: string): { up: boolean; weight: number; reverse: boolean } | undefined;
  /** a track_file's value (0 when never read) */
  file(name: string): number;
  process(name: string): { up: boolean; weight: number; reverse: boolean } | undefined;
}

/**
 * One instance's tracked objects as TrackStatus (keepalived 2.2.7's order): internal ones, the
 * primary interface (unless dont_track_primary; unknown counts as up), track_interface (unknown
 * counts as down), track_script, track_file, track_process (objects that do not exist are skipped).
 */
export function instanceTracks(c: InstanceConfig, trackFiles: readonly TrackFileConfig[], v: TrackView): TrackStatus[] {
  const out: TrackStatus[] = [];
  for (const [name, up] of v.internal) out.push({ name, up, weight: 0 });
  if (!c.dontTrackPrimary) out.push({ name: c.interface, up: v.link(c.interface) ?? true, weight: 0 });
  for (const t of c.trackInterfaces) out.push(weightedTrack(t.name, v.link(t.name) ?? false, t.weight ?? 0, t.reverse));
  for (const t of c.trackScripts) {
    const r = v.script(t.name);
    if (!r) continue;
    out.push(weightedTrack(`script ${t.name}`, r.up, t.weight ?? r.weight, t.reverse || r.reverse));
  }
  for (const t of c.trackFiles) {
    const f = trackFiles.find((x) => x.name === t.name);
    if (!f) continue;
    out.push(fileTrack(`file ${t.name}`, v.file(t.name), t.weight ?? f.weight, t.reverse || f.reverse));
  }
  for (const t of c.trackProcesses ?? []) {
    const p = v.process(t.name);
    if (!p) continue;
    // keepalived: the tracker's reverse unless the instance line says `weight N reverse|noreverse`
    // (the model has no flag for noreverse: it keeps the tracker's)
    out.push(weightedTrack(`process ${t.name}`, p.up, t.weight ?? p.weight, t.reverse || p.reverse));
  }
  return out;
}

/**
 * Effective priority from the base priority and tracked objects. An address owner
 * (priority 255) keeps 255 whatever the weights (keepalived vrrp_set_effective_priority);
 * FAULT still applies to it.
 */
export function effectivePriority(base: number, tracks: TrackStatus[]): { priority: number; fault: string | null } {
  let p = base;
  let fault: string | null = null;
  let changed = false;
  for (const t of tracks) {
    if (t.delta === undefined && t.weight === 0) {
      if (!t.up && !fault) fault = t.name;
    } else if (base === 255) {
      // the owner's priority never moves
    } else if (t.delta !== undefined) {
      p += t.delta;
      changed = true;
    } else if ((t.weight > 0 && t.up) || (t.weight < 0 && !t.up)) {
      p += t.weight;
      changed = true;
    }
  }
  if (changed) p = Math.max(1, Math.min(254, p));
  return { priority: p, fault };
}

export class VrrpFsm {
  state: State = 'INIT';
  readonly params: FsmParams;
  /** Current effective priority. */
  priority: number;
  /** Master_Adver_Interval (v3 learns it from the master), cs. */
  masterIntervalCs: number;
  /** Address of the current master (ours when MASTER). */
  masterAddr: string | null = null;
  masterPriority: number | null = null;
  lastTransition: { at: number; from: State; to: State; reason: string } | null = null;
  /** When the last advert for this VRID was accepted (monotonic ms). */
  lastRxAt: number | null = null;
  readonly stats: FsmStats = {
    rxAdverts: 0,
    txAdverts: 0,
    rxPriorityZero: 0,
    txPriorityZero: 0,
    becameMaster: 0,
    releasedMaster: 0,
    transitions: 0,
    addrMismatch: 0,
    drops: {},
  };
  private timer: { kind: 'adver' | 'masterDown'; at: number } | null = null;
  private faultReason: string | null = null;
  /** preempt_delay: when the delay (counted from the first lower-priority advert) ends. */
  private preemptAt: number | null = null;
  /**
   * keepalived's wantstate MASTER for a BACKUP: the master-down timer fired (the master is gone)
   * but the sync group held us back. Cleared by an accepted advert or by any transition.
   */
  private wantMaster = false;
  /** Sync group (set by SyncGroup): who keeps us from going MASTER on our own, or null. */
  sync: SyncGroup | null = null;
  /**
   * `hactl vrrp drill`: this instance stepped down and stays BACKUP behind any master it hears
   * (as nopreempt) until releaseHold(); it still takes over when that master goes silent.
   */
  drillHold = false;
  /** The last accepted advert from another router on our VRID (a peer exists). */
  lastPeer: { addr: string; priority: number; at: number } | null = null;

  constructor(params: FsmParams) {
    this.params = { ...params };
    this.priority = params.priority;
    this.masterIntervalCs = params.intervalCs;
  }

  /** When tick() must next be called (monotonic ms), or null. */
  deadline(): number | null {
    return this.timer ? this.timer.at : null;
  }

  timerKind(): 'adver' | 'masterDown' | null {
    return this.timer ? this.timer.kind : null;
  }

  get advertIntervalMs(): number {
    return this.params.intervalCs * 10;
  }

  masterDownMs(): number {
    return masterDownIntervalMs(this.params.version, this.priority, this.masterIntervalCs);
  }

  skewMs(): number {
    return skewTimeMs(this.params.version, this.priority, this.masterIntervalCs);
  }

  /** The advert we send, at the given priority. */
  advert(priority = this.priority): Advert {
    const p = this.params;
    return { version: p.version, vrid: p.vrid, priority, intervalCs: p.intervalCs, addrs: p.addrs, auth: p.auth };
  }

  drop(reason: DropReason): void {
    this.stats.drops[reason] = (this.stats.drops[reason] ?? 0) + 1;
  }

  private go(to: State, reason: string, now: number, out: Action[]): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.wantMaster = false;
    this.lastTransition = { at: now, from, to, reason };
    this.stats.transitions++;
    if (from === 'MASTER') this.stats.releasedMaster++;
    if (to === 'MASTER') {
      this.drillHold = false;
      this.stats.becameMaster++;
      this.masterAddr = this.params.primaryAddr;
      this.masterPriority = this.priority;
      this.preemptAt = null;
    }
    out.push({ kind: 'transition', from, to, reason });
  }

  private send(priority: number, out: Action[]): void {
    this.stats.txAdverts++;
    if (priority === 0) this.stats.txPriorityZero++;
    out.push({ kind: 'send', priority });
  }

  private becomeMaster(now: number, reason: string, out: Action[]): void {
    this.send(this.priority, out);
    this.timer = { kind: 'adver', at: now + this.advertIntervalMs };
    this.go('MASTER', reason, now, out);
  }

  private becomeBackup(now: number, reason: string, out: Action[], downMs = this.masterDownMs()): void {
    this.timer = { kind: 'masterDown', at: now + downMs };
    this.go('BACKUP', reason, now, out);
  }

  /** Startup event. */
  start(now: number): Action[] {
    const out: Action[] = [];
    if (this.state !== 'INIT') return out;
    this.masterIntervalCs = this.params.intervalCs;
    if (this.faultReason) {
      this.timer = null;
      this.go('FAULT', `tracked object down: ${this.faultReason}`, now, out);
    } else if (this.priority === 255) this.becomeMaster(now, 'address owner (priority 255)', out);
    else this.becomeBackup(now, 'startup', out);
    return out;
  }

  /** Timer expiry: call when now >= deadline(). */
  tick(now: number): Action[] {
    const out: Action[] = [];
    const t = this.timer;
    if (!t || now < t.at) return out;
    if (t.kind === 'adver' && this.state === 'MASTER') {
      this.send(this.priority, out);
      // keep the cadence; if we are badly late do not send a burst
      const next = t.at + this.advertIntervalMs;
      this.timer = { kind: 'adver', at: next > now ? next : now + this.advertIntervalMs };
    } else if (t.kind === 'masterDown' && this.state === 'BACKUP') {
      this.masterAddr = null;
      // keepalived vrrp_state_goto_master -> vrrp_sync_can_goto_master: a sync group member goes
      // MASTER only when every other member wants MASTER too (prefer BACKUP to thrashing);
      // otherwise it stays BACKUP, sends nothing, and re-arms a full Master_Down_Interval
      const by = this.sync?.holder(this);
      if (by) {
        const first = !this.wantMaster;
        this.wantMaster = true;
        this.timer = { kind: 'masterDown', at: now + this.masterDownMs() };
        out.push({ kind: 'held', by: by.params.name, first });
        return out;
      }
      const since = this.lastRxAt === null ? 'none received' : `last advert ${(now - this.lastRxAt).toFixed(1)} ms ago`;
      this.becomeMaster(now, `master down timer expired (${since})`, out);
    } else this.timer = null;
    return out;
  }

  /**
   * Instance-level receive checks (RFC 3768 7.1 items that depend on the
   * configuration). Returns the drop reason or null when the advert is for us.
   */
  check(adv: DecodedAdvert, src: string, rx: RxMeta = {}): DropReason | null {
    return this.checkDetail(adv, src, rx)?.reason ?? null;
  }

  /**
   * check() with the reason in words. keepalived 2.2.7 (vrrp_check_packet):
   * TTL / hop limit 255 only for multicast instances (unicast adverts may
   * come with any: keepalived's own IPv6 unicast ones leave with the
   * kernel's default of 64); a unicast advert to a multicast instance, or a
   * multicast one to a unicast instance, is dropped; the VIP list must have
   * our count and hold each of our addresses (any order), except for a
   * BACKUP with skip_check_adv_addr hearing the master it already follows.
   */
  checkDetail(adv: DecodedAdvert, src: string, rx: RxMeta = {}): DropDetail | null {
    const p = this.params;
    if (adv.vrid !== p.vrid) return { reason: 'vrid', detail: `VRID ${adv.vrid}, ours is ${p.vrid}` };
    if (!p.unicast && rx.ttl !== undefined && rx.ttl !== 255)
      return { reason: 'ttl', detail: `${src.includes(':') ? 'hop limit' : 'TTL'} ${rx.ttl} is not 255 (multicast instance)` };
    if (adv.version !== p.version) return { reason: 'version', detail: `version ${adv.version}, ours is ${p.version}` };
    if (src === p.primaryAddr) return { reason: 'own', detail: 'our own address' };
    if (p.version === 2) {
      const a = adv.auth ?? { type: 'none' };
      if (a.type !== p.auth.type) return { reason: 'auth-type', detail: `auth type ${a.type}, ours is ${p.auth.type}` };
      if (a.type === 'pass' && p.auth.type === 'pass' && a.password !== p.auth.password.slice(0, 8))
        return { reason: 'auth-mismatch', detail: 'wrong password' };
      if (adv.intervalCs !== Math.round(p.intervalCs / 100) * 100)
        return { reason: 'interval', detail: `advert_int ${adv.intervalCs / 100} s, ours is ${Math.round(p.intervalCs / 100)} s` };
    }
    const checkAddrs = !(p.skipCheckAdvAddr && this.state === 'BACKUP' && this.masterAddr === src);
    if (checkAddrs && adv.addrs.length !== p.addrs.length)
      return { reason: 'addr-mismatch', detail: `${adv.addrs.length} virtual address(es), we have ${p.addrs.length}` };
    if (rx.dst !== undefined && isMulticast(rx.dst) === !!p.unicast)
      return { reason: 'dst-type', detail: p.unicast ? `multicast advert (to ${rx.dst}) to a unicast instance` : `unicast advert (to ${rx.dst}) to a multicast instance` };
    if (checkAddrs) {
      const theirs = new Set(adv.addrs.map((a) => addrKey(a)));
      const missing = p.addrs.find((a) => !theirs.has(addrKey(a)));
      if (missing !== undefined) return { reason: 'addr-mismatch', detail: `virtual address ${missing} not in the advert` };
    }
    return null;
  }

  /** A validated advert from `src` for our VRID (the driver ran check() first, or call receive() which does). */
  receive(adv: DecodedAdvert, src: string, now: number, rx: RxMeta = {}): Action[] {
    const out: Action[] = [];
    const bad = this.check(adv, src, rx);
    if (bad) {
      if (bad === 'addr-mismatch') this.stats.addrMismatch++;
      this.drop(bad);
      return out;
    }
    this.stats.rxAdverts++;
    this.lastRxAt = now;
    this.lastPeer = { addr: src, priority: adv.priority, at: now };
    if (adv.priority === 0) this.stats.rxPriorityZero++;
    if (this.state === 'BACKUP') {
      if (adv.priority === 0) {
        this.timer = { kind: 'masterDown', at: now + this.skewMs() };
        this.masterPriority = 0;
        return out;
      }
      let accept = this.drillHold || !this.params.preempt || adv.priority >= this.priority;
      if (!accept && this.params.preemptDelayMs > 0) {
        if (this.preemptAt === null) this.preemptAt = now + this.params.preemptDelayMs;
        if (now < this.preemptAt) accept = true;
      }
      if (accept) {
        if (this.params.version === 3) this.masterIntervalCs = adv.intervalCs;
        // keepalived vrrp_state_backup: a master is heard again, so we no longer want MASTER
        this.wantMaster = false;
        this.masterAddr = src;
        this.masterPriority = adv.priority;
        this.timer = { kind: 'masterDown', at: now + this.masterDownMs() };
      }
      return out;
    }
    if (this.state === 'MASTER') {
      if (adv.priority === 0) {
        // answered at once; like keepalived 2.2.7 (vrrp_dispatcher_read) the advert
        // timer restarts from here only without lower_prio_no_advert, else the cadence is kept
        this.send(this.priority, out);
        if (!this.params.lowerPrioNoAdvert) this.timer = { kind: 'adver', at: now + this.advertIntervalMs };
        return out;
      }
      const higher = adv.priority > this.priority || (adv.priority === this.priority && compareAddr(src, this.params.primaryAddr) > 0);
      if (higher) {
        // keepalived higher_prio_send_advert: tell the other master our priority before yielding
        if (this.params.higherPrioSendAdvert) this.send(this.priority, out);
        if (this.params.version === 3) this.masterIntervalCs = adv.intervalCs;
        this.masterAddr = src;
        this.masterPriority = adv.priority;
        this.becomeBackup(now, `higher priority advert from ${src} (priority ${adv.priority})`, out);
      } else {
        // keepalived: a lower-priority master exists; answer at once to force the
        // election (unless lower_prio_no_advert); the driver sends the GARPs and
        // runs notify_master_rx_lower_pri on the lowerPrio action
        if (!this.params.lowerPrioNoAdvert) {
          this.send(this.priority, out);
          this.timer = { kind: 'adver', at: now + this.advertIntervalMs };
        }
        out.push({ kind: 'lowerPrio', from: src, priority: adv.priority });
      }
    }
    // INIT / FAULT: ignore
    return out;
  }

  /** New effective priority (tracking). */
  setPriority(priority: number, now: number): Action[] {
    const out: Action[] = [];
    if (priority === this.priority) return out;
    this.priority = priority;
    if (this.state === 'MASTER') {
      // advertise the new priority at once so a better backup can preempt
      this.send(priority, out);
      this.timer = { kind: 'adver', at: now + this.advertIntervalMs };
    }
    return out;
  }

  /** Tracked fault on (reason) or off (null). */
  setFault(reason: string | null, now: number): Action[] {
    const out: Action[] = [];
    const was = this.faultReason;
    this.faultReason = reason;
    if (reason && !was) {
      if (this.state === 'MASTER') this.send(0, out);
      if (this.state !== 'INIT') {
        this.timer = null;
        this.masterAddr = null;
        this.go('FAULT', `tracked object down: ${reason}`, now, out);
      }
    } else if (!reason && was && this.state === 'FAULT') {
      this.masterIntervalCs = this.params.intervalCs;
      // keepalived 2.2.7 try_up_instance: an owner goes straight to MASTER unless its sync group
      // cannot (vrrp_sync_can_goto_master: another member does not want MASTER), then BACKUP
      const by = this.priority === 255 ? this.sync?.holder(this) : null;
      if (this.priority === 255 && !by) this.becomeMaster(now, 'fault cleared (address owner)', out);
      else this.becomeBackup(now, by ? `fault cleared (address owner held by sync group member ${by.params.name})` : 'fault cleared', out);
    }
    return out;
  }

  get fault(): string | null {
    return this.faultReason;
  }

  /** MASTER, or a BACKUP whose master is gone (its master-down timer fired) but which a sync group holds back. */
  get wantsMaster(): boolean {
    return this.state === 'MASTER' || (this.state === 'BACKUP' && this.wantMaster);
  }

  /** Sync group: follow a peer member's state. */
  follow(to: 'MASTER' | 'BACKUP' | 'FAULT', reason: string, now: number): Action[] {
    const out: Action[] = [];
    if (this.state === to || this.state === 'INIT') return out;
    if (this.state === 'FAULT' && this.faultReason) return out;
    if (to === 'MASTER') {
      this.becomeMaster(now, reason, out);
    } else if (to === 'BACKUP') {
      if (this.state === 'MASTER') this.send(0, out);
      this.becomeBackup(now, reason, out);
    } else {
      if (this.state === 'MASTER') this.send(0, out);
      this.timer = null;
      this.go('FAULT', reason, now, out);
    }
    return out;
  }

  /**
   * `hactl vrrp drill`: a MASTER sends priority 0 (as when it stops) and becomes a BACKUP held
   * behind the peer that takes over (drillHold). Nothing for another state.
   */
  stepDown(now: number, reason: string): Action[] {
    const out: Action[] = [];
    if (this.state !== 'MASTER') return out;
    this.send(0, out);
    this.masterAddr = null;
    this.masterPriority = null;
    this.becomeBackup(now, reason, out);
    this.drillHold = true;
    return out;
  }

  /**
   * End a drill hold: from here the BACKUP preempts again as configured (with preempt and a higher
   * priority it takes MASTER back when its Master_Down_Interval passes without an advert it accepts).
   */
  releaseHold(): boolean {
    const was = this.drillHold;
    this.drillHold = false;
    return was;
  }

  /** Shutdown event: a master sends a priority-0 advert; everything stops. */
  shutdown(now: number): Action[] {
    const out: Action[] = [];
    if (this.state === 'MASTER') this.send(0, out);
    this.timer = null;
    this.go('INIT', 'shutdown', now, out);
    return out;
  }
}

/**
 * vrrp_sync_group: members move together. When one member becomes MASTER the
 * others follow; when one drops to BACKUP or FAULT the others follow (FAULT
 * dominates). A member goes MASTER on its own (master-down timer) only when
 * every other member wants MASTER too (keepalived 2.2.7 vrrp_sync_can_goto_master):
 * while one still hears its master the group stays BACKUP.
 */
export class SyncGroup {
  constructor(
    readonly name: string,
    readonly members: VrrpFsm[],
  ) {
    for (const m of members) m.sync = this;
  }

  /**
   * The member that keeps `m` out of MASTER, or null: none when the group is already MASTER
   * (a member is), else the first other member that does not want MASTER. A member in FAULT
   * does not hold: propagate() then takes the whole group to FAULT, as before.
   */
  holder(m: VrrpFsm): VrrpFsm | null {
    const others = this.members.filter((x) => x !== m);
    if (others.some((x) => x.state === 'MASTER')) return null;
    if (others.some((x) => x.fault)) return null;
    return others.find((x) => !x.wantsMaster) ?? null;
  }

  /** Propagate `origin`'s transitions found in `actions`; returns actions per member. */
  propagate(origin: VrrpFsm, actions: Action[], now: number): Map<VrrpFsm, Action[]> {
    const res = new Map<VrrpFsm, Action[]>();
    for (const a of actions) {
      if (a.kind !== 'transition') continue;
      if (a.to === 'INIT') continue;
      const anyFault = this.members.find((m) => m.fault);
      for (const m of this.members) {
        if (m === origin) continue;
        let acts: Action[];
        if (a.to === 'MASTER' && anyFault) {
          // a faulty member pins the group out of MASTER
          acts = origin.follow('FAULT', `sync group ${this.name}: member ${anyFault.params.name} in FAULT`, now);
          const list = res.get(origin) ?? [];
          list.push(...acts);
          res.set(origin, list);
          continue;
        }
        acts = m.follow(a.to, `sync group ${this.name}: ${origin.params.name} became ${a.to}`, now);
        if (acts.length) res.set(m, [...(res.get(m) ?? []), ...acts]);
      }
    }
    return res;
  }
}
