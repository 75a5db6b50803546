/**
 * `hactl vrrp run --bgp FILE`: the BgpAnnouncer wired to the running daemon. VRRP states come from
 * the daemon's status, quorum from the LVS half's control socket (polled every second) or is
 * 'unchecked' with --vrrp-only; the routes go through src/lib/net/rtnl; the routes the watchdog
 * must delete ride on the MASTER plans it already gets.
 */
import type { MasterPlan } from './watchdog';
import type { LvsStatus } from '../lvs/reconciler';
import type { RouteSpec } from '../net/rtnl';
import { BgpAnnouncer, type VipAnnounceStatus } from '../bgp/announcer';
import { type VrrpHolder, type VsQuorum, vsAddress } from '../bgp/decide';
import type { ConfFacts } from '../bgp/check';
import type { BgpSettings } from '../bgp/settings';
import type { LvsSpec } from '../lvs/types';
import type { DaemonConfig } from './config';

type Log = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

export interface BgpHookOptions {
  settings: BgpSettings;
  log: Log;
  /** the VRRP instances now: name, state, VIPs ("addr/prefix") */
  instances: () => { name: string; state: string; vips: string[] }[];
  /** the vrrp_scripts' results now (name -> up) */
  scripts?: () => Readonly<Record<string, boolean | undefined>>;
  /** the LVS half's status (undefined: not answering); absent: --vrrp-only */
  lvsStatus?: () => Promise<LvsStatus | undefined>;
  /** the watchdog's plan changed */
  onPlan: () => void;
}

/** The VIP's virtual servers' quorum from the LVS half's status (by the address in their id). Pure. */
export function quorumOf(st: LvsStatus | undefined, vip: string): VsQuorum[] {
  if (!st) return [{ id: 'LVS half', quorumUp: undefined }];
  return st.virtualServers
    .filter((v) => vsAddress(v.id) === vip)
    .map((v) => ({ id: v.id, quorumUp: v.quorumUp, sorryAlive: v.sorryServer?.active ?? false }));
}

/** The facts of the daemon's configuration (vrrp run --bgp at start; quorum settings are not known there). */
export function confFacts(file: string, c: DaemonConfig, lvs: LvsSpec | undefined): ConfFacts {
  return {
    file,
    instances: c.instances.map((i) => ({ name: i.name, vips: [...i.vips, ...i.excludedVips].map((v) => v.address) })),
    virtualServers: (lvs?.virtualServers ?? []).map((v) => ({ id: v.id, vips: v.vips.map((a) => vsAddress(`[${a}]:`) ?? a), sched: v.sched })),
    scripts: c.scripts.map((s) => s.name),
  };
}

/** The instances holding the VIP. Pure. */
export function holdersOf(instances: { name: string; state: string; vips: string[] }[], vip: string): VrrpHolder[] {
  return instances.filter((i) => i.vips.some((v) => v.split('/')[0] === vip)).map((i) => ({ instance: i.name, state: i.state }));
}

/** FRR's view as the daemon last read it through vtysh (status `bgpRouting`, /metrics). */
export interface BgpRoutingStatus {
  /** vtysh answered the last time */
  ok: boolean;
  /** why not (one line), with ok false */
  error?: string;
  checkedAt: string;
  peers: import('../bgp/frr').BgpPeer[];
  vips: import('../bgp/frr').FrrVipView[];
}

/** How often the daemon asks FRR (vtysh runs are processes: not every second). */
export const FRR_POLL_MS = 5000;

export class BgpHook {
  private routing?: BgpRoutingStatus;
  private frrTimer?: NodeJS.Timeout;
  private frrBusy = false;
  readonly announcer: BgpAnnouncer;
  private routes: RouteSpec[] = [];
  private lvs: LvsStatus | undefined;
  private timer?: NodeJS.Timeout;
  private rtnl?: import('../net/rtnl').Rtnl;
  private settingsNow: BgpSettings;

  constructor(private readonly o: BgpHookOptions) {
    const { Rtnl } = require('../net/rtnl') as typeof import('../net/rtnl');
    const r = require('../bgp/routes') as typeof import('../bgp/routes');
    const rtnl = Rtnl.open();
    this.rtnl = rtnl;
    const s = () => this.settingsNow;
    this.settingsNow = o.settings;
    this.announcer = new BgpAnnouncer(o.settings, {
      add: (a) => r.addVipRoute(rtnl, s(), a),
      del: (vip) => r.delVipRoute(rtnl, s(), vip),
      list: async () => [...new Set((await r.announcedRoutes(rtnl, s())).map((x) => x.dst))],
      holders: (vip) => {
        try {
          return holdersOf(o.instances(), vip);
        } catch {
          return [];
        }
      },
      quorum: (vip) => (o.lvsStatus ? quorumOf(this.lvs, vip) : 'unchecked'),
      scripts: () => {
        try {
          return o.scripts?.() ?? {};
        } catch {
          return {};
        }
      },
      watchdog: (routes) => {
        this.routes = routes;
        o.onPlan();
      },
      log: o.log,
    });
  }

  /** Before the VRRP instances start: drop what an earlier run left, then poll the LVS half. */
  async start(): Promise<void> {
    await this.announcer.start();
    this.timer = setInterval(() => void this.tick(), 1000);
    this.timer.unref();
    void this.readFrr();
    this.frrTimer = setInterval(() => void this.readFrr(), FRR_POLL_MS);
    this.frrTimer.unref();
  }

  /** FRR's sessions and, per VIP, whether bgpd has and advertises it; a failure is the visible degraded state. */
  private async readFrr(): Promise<void> {
    if (this.frrBusy) return;
    this.frrBusy = true;
    const { frrView } = require('../bgp/frr') as typeof import('../bgp/frr');
    const s = this.settingsNow;
    const was = this.routing;
    try {
      const v = await frrView({ vtySocket: s.vtySocket, timeoutMs: 3000 }, s.vips.map((a) => a.vip));
      this.routing = { ok: true, checkedAt: new Date().toISOString(), peers: v.peers, vips: v.vips };
      if (was && !was.ok) this.o.log('info', 'bgp: FRR answers again');
    } catch (e) {
      const error = (e as Error).message;
      this.routing = { ok: false, error, checkedAt: new Date().toISOString(), peers: [], vips: [] };
      if (!was || was.ok || was.error !== error) this.o.log('error', `bgp: cannot read FRR's view: ${error}; the routes stay as decided, but FRR may not announce them`);
    } finally {
      this.frrBusy = false;
    }
  }

  routingStatus(): BgpRoutingStatus | undefined {
    return this.routing;
  }

  private async tick(): Promise<void> {
    if (this.o.lvsStatus) this.lvs = await this.o.lvsStatus().catch(() => undefined);
    this.announcer.evaluate();
  }

  /** The MASTER plans with the BGP routes the watchdog must delete. */
  plans(masters: MasterPlan[]): MasterPlan[] {
    if (!this.routes.length) return masters;
    return [...masters, { instance: 'bgp', ifname: 'lo', family: 4, src: '0.0.0.0', adverts: [], vips: [], nftVips: [], rawRoutes: this.routes }];
  }

  reload(next: BgpSettings): void {
    this.settingsNow = { ...next, table: this.settingsNow.table, protocol: this.settingsNow.protocol };
    this.announcer.reload(next);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.frrTimer) clearInterval(this.frrTimer);
    await this.announcer.stop();
    this.rtnl?.close();
    this.rtnl = undefined;
  }

  status(): VipAnnounceStatus[] {
    return this.announcer.status();
  }
}
