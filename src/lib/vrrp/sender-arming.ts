/**
 * A MASTER's advert timer on the native sender thread (transport AdvertSender), kept in step
 * with the instance's state machine: arming, re-arming, disarming, the event loop's check-ins
 * (the safety lease) and the sender's counts. The state machines decide every advert; this only
 * tells the sender "these bytes every interval from T". One per daemon (vrrp/daemon.ts).
 * Pure but for the injected timers, clock and log; tested through test/unit/vrrp-daemon-sender.test.ts.
 */
import type { InstanceConfig } from './config';
import type { VrrpFsm } from './fsm';
import type { AdvertSender, Channel } from './transport';

/**
 * The native advert sender stops by itself when the event loop has not checked in for this
 * long, or for the longest Master_Down_Interval of the MASTER instances when that is longer: a
 * stall shorter than that (a GC pause, a reload of 1,000 checks) no longer delays the adverts,
 * and a wedged loop, which can no longer yield to a better master or react to a fault, loses
 * MASTER on the wire within the lease plus the peer's Master_Down_Interval.
 */
export const SENDER_LEASE_MIN_MS = 1000;
/** the check-in period (a tenth of the shortest lease: ten missed check-ins before the sender stops) */
export const SENDER_CHECKIN_MS = 100;

/** What of a daemon instance the sender arming reads and keeps. */
export interface SenderSlot {
  readonly cfg: Pick<InstanceConfig, 'name' | 'family' | 'unicastPeers' | 'unicastTtl'>;
  readonly fsm: Pick<VrrpFsm, 'state' | 'timerKind' | 'priority' | 'advertIntervalMs' | 'masterDownMs' | 'deadline' | 'stats'>;
  readonly chan?: Channel;
  /** IPv6: the adverts' source address */
  readonly src: string;
  /** bumped when the encoded adverts change (reload) */
  readonly content: number;
  /** the native sender (undefined: not asked yet, null: none, the JS timer sends) */
  sender?: AdvertSender | null;
  /** what the sender is armed with (deadline|priority|content), '' when disarmed */
  armed: string;
  /** IPv4: the id of the last advert sent (JS and the sender continue each other's) */
  ipId: number;
  /** sender errors already logged */
  senderErrorsSeen: number;
  /** counts of a closed sender, kept */
  txErrors: number;
  txLate: number;
}

export interface SenderArmingHost<I extends SenderSlot> {
  log(level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>): void;
  timers: { set(fn: () => void, ms: number): unknown; clear(h: unknown): void };
  clock(): number;
  instances(): Iterable<I>;
  stopping(): boolean;
  /** the instance's adverts at `priority`, one per destination */
  packets(inst: I, priority: number): { buf: Buffer; dst: string }[];
  /** an event-loop stall outlasted the lease (counted in status) */
  onStall(): void;
}

export class SenderArming<I extends SenderSlot> {
  private checkInTimer: unknown = null;

  constructor(private readonly host: SenderArmingHost<I>) {}

  /** The instance's native advert sender, asked for once (null: none, adverts go from the JS timer). */
  of(inst: I): AdvertSender | null {
    if (inst.sender !== undefined) return inst.sender;
    try {
      inst.sender = inst.chan?.advertSender?.() ?? null;
    } catch (e) {
      this.host.log('warn', `${inst.cfg.name}: no native advert sender, adverts are sent from the event loop: ${(e as Error).message}`);
      inst.sender = null;
    }
    return inst.sender;
  }

  /**
   * A MASTER's advert timer runs on the native sender (off the event loop): armed with the
   * state machine's next advert deadline `d`, its priority's adverts and the interval; re-armed
   * only when one of those changes (the FSM restarted the timer after answering a lower-priority
   * or priority-0 advert, a new priority, a reload changed the adverts), disarmed in every other
   * state. The FSM decides every other send. Returns true when the sender runs the timer.
   */
  sync(inst: I, d: number | null, resume = false): boolean {
    const master = !this.host.stopping() && d !== null && inst.fsm.state === 'MASTER' && inst.fsm.timerKind() === 'adver';
    const s = master || inst.armed ? this.of(inst) : null;
    if (!s || !master || d === null) {
      if (inst.armed) {
        s?.disarm();
        inst.armed = '';
      }
      return false;
    }
    const priority = inst.fsm.priority;
    const key = `${d}|${priority}|${inst.content}`;
    if (key === inst.armed) return true;
    try {
      const unicast = inst.cfg.unicastPeers.length > 0;
      s.arm({
        packets: this.host.packets(inst, priority),
        src: inst.cfg.family === 6 ? inst.src : undefined,
        hopLimit: inst.cfg.family === 6 && unicast ? (inst.cfg.unicastTtl ?? -1) : undefined,
        intervalMs: inst.fsm.advertIntervalMs,
        delayMs: this.firstSendIn(inst, d, resume),
        ipId: inst.ipId,
        leaseMs: this.leaseMs(),
      });
    } catch (e) {
      this.host.log('warn', `${inst.cfg.name}: native advert sender failed, adverts are sent from the event loop: ${(e as Error).message}`);
      inst.sender = null;
      inst.armed = '';
      return false;
    }
    inst.armed = key;
    if (this.checkInTimer === null) this.checkInTimer = this.host.timers.set(() => this.checkIn(), SENDER_CHECKIN_MS);
    return true;
  }

  /** The sender's adverts, errors and late sends so far (0 when there is none). */
  stats(inst: I): { sent: number; errors: number; late: number } {
    if (!inst.sender) return { sent: 0, errors: 0, late: 0 };
    const st = inst.sender.stats();
    return { sent: st.sent, errors: st.errors, late: st.late };
  }

  /** IPv4: the id of the sender's last advert, for an advert JS sends next. */
  syncIpId(inst: I): void {
    if (inst.armed && inst.sender && inst.cfg.family === 4) inst.ipId = inst.sender.stats().ipId;
  }

  /** Close the instance's sender, keeping its counts (the FSM's plus the sender's own). */
  close(inst: I): void {
    if (inst.sender) {
      this.syncIpId(inst);
      const st = this.stats(inst);
      inst.fsm.stats.txAdverts += st.sent;
      inst.txErrors += st.errors;
      inst.txLate += st.late;
      inst.sender.close();
    }
    inst.sender = null;
    inst.armed = '';
  }

  /** No more check-ins (stop): the senders are closed one by one by the caller. */
  stop(): void {
    if (this.checkInTimer) this.host.timers.clear(this.checkInTimer);
    this.checkInTimer = null;
  }

  /**
   * How long from now the sender's first advert is due: at the FSM's deadline `d`. A deadline
   * already passed is one the sender has been keeping since (only the adverts changed, e.g. a
   * reload): its next beat of that cadence; after a lease expiry (`resume`) at once, as a late timer.
   */
  private firstSendIn(inst: I, d: number, resume: boolean): number {
    const now = this.host.clock();
    if (d >= now || resume || !inst.armed) return Math.max(0, d - now);
    const ivl = inst.fsm.advertIntervalMs;
    return d + Math.ceil((now - d) / ivl) * ivl - now;
  }

  /** SENDER_LEASE_MIN_MS, or the longest Master_Down_Interval of a MASTER instance when longer. */
  private leaseMs(): number {
    let ms = SENDER_LEASE_MIN_MS;
    for (const i of this.host.instances()) if (i.fsm.state === 'MASTER') ms = Math.max(ms, i.fsm.masterDownMs());
    return ms;
  }

  /**
   * Every SENDER_CHECKIN_MS while a sender is armed: tell the senders the loop is alive, log
   * their send errors, and re-arm one that stopped because a stall outlasted its lease (it
   * sends at once: the FSM's next advert is overdue, as after a late JS timer).
   */
  private checkIn(): void {
    this.checkInTimer = null;
    if (this.host.stopping()) return;
    let any: AdvertSender | null = null;
    const lease = this.leaseMs();
    for (const inst of this.host.instances()) {
      if (!inst.armed || !inst.sender) continue;
      const st = inst.sender.stats();
      if (st.errors > inst.senderErrorsSeen) {
        this.host.log('error', `${inst.cfg.name}: cannot send advert: ${st.errors - inst.senderErrorsSeen} failed (${st.lastError ?? 'error'})`);
        inst.senderErrorsSeen = st.errors;
      }
      if (st.expired) {
        this.host.onStall();
        this.host.log('warn', `event loop stalled: ${inst.cfg.name} advert sender stopped after ${lease} ms without a check-in; sending again`, {
          instance: inst.cfg.name,
        });
        inst.armed = '';
        this.sync(inst, inst.fsm.deadline(), true);
      }
      any = inst.sender;
    }
    if (!any) return;
    any.checkIn(lease);
    this.checkInTimer = this.host.timers.set(() => this.checkIn(), SENDER_CHECKIN_MS);
  }
}
