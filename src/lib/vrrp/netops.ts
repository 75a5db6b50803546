/**
 * What the VRRP daemon needs from the host's network stack, as a small
 * interface (fake in unit tests), and its real implementation on top of the
 * net helper (src/lib/net: rtnetlink, AF_PACKET announcements).
 */
import * as fs from 'node:fs';
import type { RouteConfig, RuleConfig, VipConfig } from './config';

/** rtnetlink protocol of keepalived's routes and rules (keepalived/include/vrrp_iproute.h) */
export const RTPROT_KEEPALIVED = 18;

export interface LinkState {
  index: number;
  name: string;
  mac: string;
  up: boolean;
}

export interface NetOps {
  link(name: string): Promise<LinkState | undefined>;
  /** First (primary) address of the interface for the family (IPv6: link-local). */
  primaryAddress(ifname: string, family: 4 | 6): Promise<string | undefined>;
  addVip(v: VipConfig, ifname: string): Promise<void>;
  delVip(v: VipConfig, ifname: string): Promise<void>;
  addRoute(r: RouteConfig): Promise<void>;
  delRoute(r: RouteConfig): Promise<void>;
  addRule(r: RuleConfig): Promise<void>;
  delRule(r: RuleConfig): Promise<void>;
  /** Gratuitous ARP / unsolicited NA for the addresses, `repeat` times each. */
  announce(ifname: string, addrs: string[], repeat: number): Promise<void>;
  /**
   * Synchronous variants for the MASTER transition (keepalived adds the VIPs and sends the GARPs
   * in the same event as the first advert). Optional: without them the daemon uses the async calls.
   * Throw on failure (addVipNow: an address already present is not a failure).
   */
  addVipNow?(v: VipConfig, ifname: string): void;
  announceNow?(ifname: string, addrs: string[], repeat: number): void;
  /** Before the first takeover: open what announceNow/addVipNow use on `ifname`, so their first call is fast. */
  prepare?(ifname: string, vips: VipConfig[]): void;
  /**
   * Create (or reuse) the macvlan for use_vmac with 00:00:5e:00:01:VRID
   * (IPv6: 00:00:5e:00:02:VRID), as keepalived does. IPv6: no address is
   * generated from the virtual MAC (it would be the same on every router);
   * `linkLocal` (the instance's source address) is added instead, nodad and
   * deprecated. IPv4: IPv6 is disabled on the macvlan unless `keepIpv6`.
   */
  ensureVmac(parent: string, name: string, vrid: number, family: 4 | 6, opts?: { linkLocal?: string; keepIpv6?: boolean }): Promise<void>;
  deleteLink(name: string): Promise<void>;
  /** IPv4 addresses of the interface as `address/prefix` (optional: used to find VIPs the kernel removed). */
  ipv4Addresses?(ifname: string): Promise<string[]>;
  /**
   * net.ipv4.conf.IF.promote_secondaries: set it to `on`; returns the value it had (undefined: no such
   * interface or no procfs). Optional (an embedding may not offer it).
   */
  promoteSecondaries?(ifname: string, on: boolean): Promise<boolean | undefined>;
  /** Link up/down notifications (carrier and admin state). */
  watchLinks(cb: (l: LinkState) => void): { close(): void };
  close(): void;
}

const ignore = (codes: string[]) => (e: unknown) => {
  const code = (e as { code?: string }).code ?? '';
  if (!codes.includes(code)) throw e;
};

export class RealNetOps implements NetOps {
  // biome-ignore lint/suspicious/noExplicitAny: net helper module loaded lazily
  private readonly net: any;
  // biome-ignore lint/suspicious/noExplicitAny: Rtnl instance
  private readonly nl: any;
  /** the Rtnl itself (its synchronous methods must not go through the queue) */
  // biome-ignore lint/suspicious/noExplicitAny: Rtnl instance
  private readonly raw: any;
  // biome-ignore lint/suspicious/noExplicitAny: Announcer (one AF_PACKET socket per interface, kept open)
  private readonly announcer: any;
  /** undefined: synchronous rtnetlink not available (addon not built) */
  readonly addVipNow?: (v: VipConfig, ifname: string) => void;

  /** rtnetlink requests are serialised: concurrent dumps on one socket interleave. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor() {
    this.net = require('../net');
    const nl = this.net.Rtnl.open();
    this.raw = nl;
    this.announcer = new this.net.Announcer();
    if (this.net.Rtnl.syncAvailable()) this.addVipNow = (v, ifname) => this.addVipSync(v, ifname);
    this.nl = new Proxy(nl, {
      get: (target, prop) => {
        const v = target[prop];
        if (typeof v !== 'function') return v;
        if (prop === 'close') return v.bind(target);
        return (...args: unknown[]) => {
          const run = this.queue.then(() => v.apply(target, args));
          this.queue = run.catch(() => {});
          return run;
        };
      },
    });
  }

  private async index(name: string): Promise<number> {
    const l = await this.nl.linkByName(name);
    if (!l) throw Object.assign(new Error(`interface ${name} not found`), { code: 'ENODEV' });
    return l.index;
  }

  async link(name: string): Promise<LinkState | undefined> {
    const l = await this.nl.linkByName(name);
    return l ? { index: l.index, name: l.name, mac: l.mac, up: l.up && l.lowerUp } : undefined;
  }

  async primaryAddress(ifname: string, family: 4 | 6): Promise<string | undefined> {
    const idx = await this.index(ifname);
    const addrs: { index: number; address: string; scope: string | number; flags: string[] }[] = await this.nl.listAddresses(family);
    const mine = addrs.filter((a) => a.index === idx && !a.flags.includes('secondary'));
    if (family === 6) return mine.find((a) => a.address.startsWith('fe80'))?.address ?? mine[0]?.address;
    return mine[0]?.address;
  }

  async addVip(v: VipConfig, ifname: string): Promise<void> {
    const index = await this.index(v.dev ?? ifname);
    await this.nl.addAddress(this.vipSpec(v, index)).catch(ignore(['EEXIST']));
  }

  private addVipSync(v: VipConfig, ifname: string): void {
    const dev = v.dev ?? ifname;
    const l = this.raw.linkByNameNow(dev);
    if (!l) throw Object.assign(new Error(`interface ${dev} not found`), { code: 'ENODEV' });
    try {
      this.raw.addAddressNow(this.vipSpec(v, l.index));
    } catch (e) {
      ignore(['EEXIST'])(e);
    }
  }

  private vipSpec(v: VipConfig, index: number) {
    return {
      index,
      address: `${v.address}/${v.prefix}`,
      label: v.label,
      scope: v.scope,
      broadcast: v.brd,
      nodad: v.family === 6 ? (v.nodad ?? true) : undefined,
      noprefixroute: v.noprefixroute || undefined,
    };
  }

  async ipv4Addresses(ifname: string): Promise<string[]> {
    const idx = await this.index(ifname).catch(() => undefined);
    if (idx === undefined) return [];
    const addrs: { index: number; address: string; prefix: number }[] = await this.nl.listAddresses(4);
    return addrs.filter((a) => a.index === idx).map((a) => `${a.address}/${a.prefix}`);
  }

  async promoteSecondaries(ifname: string, on: boolean): Promise<boolean | undefined> {
    // the interface name comes from the configuration: never let it walk out of /proc/sys
    if (!/^[^/\0]{1,15}$/.test(ifname) || ifname === '.' || ifname === '..') return undefined;
    const f = `/proc/sys/net/ipv4/conf/${ifname}/promote_secondaries`;
    try {
      const prev = fs.readFileSync(f, 'utf8').trim() === '1';
      if (prev !== on) fs.writeFileSync(f, on ? '1' : '0');
      return prev;
    } catch {
      return undefined;
    }
  }

  async delVip(v: VipConfig, ifname: string): Promise<void> {
    const index = await this.index(v.dev ?? ifname).catch(() => undefined);
    if (index === undefined) return;
    await this.nl.delAddress({ index, address: `${v.address}/${v.prefix}` }).catch(ignore(['EADDRNOTAVAIL', 'ENOENT', 'ESRCH', 'ENODEV']));
  }

  private async routeSpec(r: RouteConfig, del = false) {
    return routeSpecOf(r, r.dev ? await this.index(r.dev) : undefined, del);
  }

  async addRoute(r: RouteConfig): Promise<void> {
    await this.nl.addRoute({ ...(await this.routeSpec(r)), replace: true });
  }

  async delRoute(r: RouteConfig): Promise<void> {
    await this.nl.delRoute(await this.routeSpec(r, true)).catch(ignore(['ESRCH', 'ENOENT', 'ENODEV']));
  }

  async addRule(r: RuleConfig): Promise<void> {
    // keepalived 2.2.7 (netlink_rule): FRA_PROTOCOL RTPROT_KEEPALIVED on the rules it tracks (all of them here)
    await this.nl.addRule({ ...r, protocol: RTPROT_KEEPALIVED }).catch(ignore(['EEXIST']));
  }

  async delRule(r: RuleConfig): Promise<void> {
    await this.nl.delRule({ ...r, protocol: RTPROT_KEEPALIVED }).catch(ignore(['ENOENT', 'ESRCH']));
  }

  async announce(ifname: string, addrs: string[], repeat: number): Promise<void> {
    if (this.addVipNow) return this.announceNow(ifname, addrs, repeat);
    const l = await this.link(ifname);
    if (!l || addrs.length === 0) return;
    this.announcer.send({ ifindex: l.index, mac: l.mac, addresses: addrs, repeat });
  }

  prepare(ifname: string, vips: VipConfig[]): void {
    if (!this.addVipNow) return;
    try {
      const l = this.raw.linkByNameNow(ifname);
      if (!l) return;
      this.announcer.prepare(l.index, l.mac);
      for (const v of vips.slice(0, 1)) this.raw.prepareAddressNow(this.vipSpec(v, l.index));
    } catch {
      /* reported by the real calls */
    }
  }

  announceNow(ifname: string, addrs: string[], repeat: number): void {
    if (addrs.length === 0 || repeat <= 0) return;
    const l = this.raw.linkByNameNow(ifname);
    if (!l) return;
    this.announcer.send({ ifindex: l.index, mac: l.mac, addresses: addrs, repeat });
  }

  async ensureVmac(parent: string, name: string, vrid: number, family: 4 | 6, opts: { linkLocal?: string; keepIpv6?: boolean } = {}): Promise<void> {
    const existing = await this.nl.linkByName(name);
    if (!existing) {
      const p = await this.index(parent);
      await this.nl.createMacvlan({ parent: p, name, mac: this.net.vrrpVirtualMac(vrid, family), mode: 'private' });
    }
    const sc = new this.net.Sysctl();
    const set = (fam: 4 | 6, ifn: string, p: string, v: number) => {
      try {
        sc.write(this.net.confKey(fam, ifn, p), v);
      } catch {
        /* read-only /proc/sys or IPv6 disabled */
      }
    };
    // RFC 5798 7.4 / keepalived: no link-local generated from the virtual MAC
    // (it would be the same on every router); set before the link comes up
    set(6, name, 'addr_gen_mode', 1);
    if (family === 4) {
      // as keepalived: only the macvlan answers ARP for the VIPs (with the virtual MAC)
      set(4, parent, 'arp_ignore', 1);
      set(4, parent, 'arp_filter', 1);
      set(4, name, 'arp_ignore', 1);
      set(4, name, 'arp_filter', 0);
      set(4, name, 'accept_local', 1);
      set(4, name, 'rp_filter', 0);
      // no IPv6 on an IPv4 vmac (its EUI-64 link-local would clash between routers)
      if (!opts.keepIpv6) set(6, name, 'disable_ipv6', 1);
    } else {
      // our source link-local instead: adverts leave the macvlan from it
      if (opts.linkLocal) {
        const l = await this.nl.linkByName(name);
        if (l)
          await this.nl
            .addAddress({ index: l.index, address: `${opts.linkLocal}/64`, nodad: true, preferredLft: 0 })
            .catch(ignore(['EEXIST']));
      }
    }
    const l = await this.nl.linkByName(name);
    if (l && !l.up) await this.nl.setLinkUp(l.index, true);
  }

  async deleteLink(name: string): Promise<void> {
    const l = await this.nl.linkByName(name);
    if (!l) return;
    this.announcer.drop(l.index); // its GARP socket goes with it
    await this.nl.deleteLink(l.index).catch(ignore(['ENODEV']));
  }

  watchLinks(cb: (l: LinkState) => void): { close(): void } {
    return this.net.watchLinks(
      (ev: { type: string; link: { index: number; name: string; mac: string; up: boolean; lowerUp: boolean } }) =>
        cb({ index: ev.link.index, name: ev.link.name, mac: ev.link.mac, up: ev.type !== 'del' && ev.link.up && ev.link.lowerUp }),
      () => {},
    );
  }

  close(): void {
    this.announcer.close();
    this.nl.close();
  }
}

/** A virtual_route as the rtnetlink adapter's RouteSpec (protocol RTPROT_KEEPALIVED), on ifindex `index`. */
export function routeSpecOf(r: RouteConfig, index: number | undefined, del = false) {
  return {
    dst: r.dst,
    gw: r.gw,
    index,
    table: r.table,
    metric: r.metric,
    // keepalived 2.2.7 (netlink_route): RT_SCOPE_UNIVERSE unless `scope` is configured, also for a
    // device-only route (where `ip route add` would pick scope link); deleting matches any scope
    scope: r.scope ?? (del ? undefined : 'global'),
    src: r.src,
    type: r.type,
    protocol: RTPROT_KEEPALIVED,
  };
}
