/**
 * The BGP announcer inside `hactl vrrp run --bgp FILE` (docs/bgp.md): after every change it asks
 * decideAnnounce about each VIP of the settings and makes the kernel routes (./routes) follow,
 * one change at a time. The watchdog is told which routes to delete if the daemon dies, before
 * a route is added and after one is deleted, so a SIGKILL never leaves one behind. Stop
 * withdraws everything. I/O only through the injected deps (tested with fakes).
 */
import type { RouteSpec } from '../net/rtnl';
import { type AnnounceVerdict, decideAnnounce, type VrrpHolder, type VsQuorum } from './decide';
import type { BgpSettings, VipAnnouncement } from './settings';

export interface AnnouncerDeps {
  /** hactl's route to the VIP exists with its MED afterwards */
  add(a: VipAnnouncement): Promise<unknown>;
  /** hactl's routes to the VIP are gone afterwards */
  del(vip: string): Promise<unknown>;
  /** VIPs hactl has routes for now (start-up: what an earlier run left) */
  list(): Promise<string[]>;
  /** the vrrp_instances holding the VIP, with their state now */
  holders(vip: string): VrrpHolder[];
  /** the VIP's virtual servers' quorum now, or 'unchecked' (--vrrp-only) */
  quorum(vip: string): VsQuorum[] | 'unchecked';
  /** vrrp_script results now (for track-script), name -> up */
  scripts?(): Readonly<Record<string, boolean | undefined>>;
  /** the delete requests the watchdog must send if this process dies */
  watchdog(routes: RouteSpec[]): void;
  log(level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>): void;
}

export interface VipAnnounceStatus {
  vip: string;
  mode: string;
  announced: boolean;
  reason: string;
  error: string | null;
}

export class BgpAnnouncer {
  /** what the kernel has (as far as we know) */
  private readonly announced = new Set<string>();
  private readonly verdicts = new Map<string, AnnounceVerdict>();
  private readonly errors = new Map<string, string>();
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private settings: BgpSettings,
    private readonly deps: AnnouncerDeps,
  ) {}

  /** Drop routes an earlier run left for VIPs this one does not announce now. */
  async start(): Promise<void> {
    const left = await this.deps.list().catch((e: Error) => {
      this.deps.log('error', `bgp: cannot list routes in table ${this.settings.table}: ${e.message}`);
      return [] as string[];
    });
    for (const v of left) this.announced.add(v);
    this.evaluate();
    await this.chain;
  }

  /** Something changed (VRRP state, quorum, settings): decide again, apply the differences. */
  evaluate(): void {
    if (this.stopped) return;
    const want = new Set<string>();
    const scripts = this.deps.scripts?.() ?? {};
    for (const a of this.settings.vips) {
      const v = decideAnnounce({ announcement: a, virtualServers: this.deps.quorum(a.vip), vrrp: this.deps.holders(a.vip), scripts });
      const prev = this.verdicts.get(a.vip);
      if (!prev || prev.announce !== v.announce || prev.reason !== v.reason)
        this.deps.log('info', `bgp: ${a.vip} ${v.announce ? 'announce' : 'withdraw'}: ${v.reason}`, { vip: a.vip, announce: v.announce, reason: v.reason });
      this.verdicts.set(a.vip, v);
      if (v.announce) want.add(a.vip);
    }
    for (const v of [...this.verdicts.keys()]) if (!this.settings.vips.some((a) => a.vip === v)) this.verdicts.delete(v);
    this.chain = this.chain.then(() => this.apply(want));
  }

  private async apply(want: Set<string>): Promise<void> {
    if (this.stopped) return;
    for (const vip of [...this.announced]) {
      if (want.has(vip)) continue;
      // a failed delete stays in `announced` (and in the watchdog's plan): retried at the next change
      if (await this.run(vip, 'withdraw', () => this.deps.del(vip))) {
        this.announced.delete(vip);
        this.errors.delete(vip);
      }
    }
    this.tellWatchdog(want);
    for (const a of this.settings.vips) {
      if (!want.has(a.vip)) continue;
      // add is idempotent (nothing happens to a route that is there with its MED): also retries after an error
      if (await this.run(a.vip, 'announce', () => this.deps.add(a))) {
        this.announced.add(a.vip);
        this.errors.delete(a.vip);
      }
    }
    this.tellWatchdog(this.announced);
  }

  private tellWatchdog(vips: Set<string>): void {
    const s = this.settings;
    const routes = [...new Set([...vips, ...this.announced])].map(
      (vip): RouteSpec => ({ dst: `${vip}/32`, table: s.table, protocol: s.protocol, type: 'blackhole', metric: s.vips.find((a) => a.vip === vip)?.med }),
    );
    this.deps.watchdog(routes);
  }

  private async run(vip: string, what: string, fn: () => Promise<unknown>): Promise<boolean> {
    try {
      await fn();
      return true;
    } catch (e) {
      const msg = `bgp: ${what} ${vip} failed: ${(e as Error).message}`;
      if (this.errors.get(vip) !== msg) this.deps.log('error', msg, { vip });
      this.errors.set(vip, msg);
      return false;
    }
  }

  /** A reload: new settings (VIPs gone from them are withdrawn). */
  reload(next: BgpSettings): void {
    if (next.table !== this.settings.table || next.protocol !== this.settings.protocol) {
      this.deps.log('warn', `bgp: table/protocol changes need a restart; keeping table ${this.settings.table} protocol ${this.settings.protocol}`);
      next = { ...next, table: this.settings.table, protocol: this.settings.protocol };
    }
    this.settings = next;
    this.evaluate();
  }

  /** Withdraw everything (clean stop), then the watchdog has nothing to undo. */
  async stop(): Promise<void> {
    await this.chain;
    this.stopped = true;
    for (const vip of [...this.announced]) if (await this.run(vip, 'withdraw', () => this.deps.del(vip))) this.announced.delete(vip);
    this.tellWatchdog(this.announced);
  }

  /** Settled: every queued change applied (tests). */
  idle(): Promise<void> {
    return this.chain;
  }

  status(): VipAnnounceStatus[] {
    return this.settings.vips.map((a) => {
      const v = this.verdicts.get(a.vip);
      return { vip: a.vip, mode: a.mode, announced: this.announced.has(a.vip), reason: v?.reason ?? 'not decided yet', error: this.errors.get(a.vip) ?? null };
    });
  }
}
