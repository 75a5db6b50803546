/**
 * rtnetlink adapter over the `netlink` npm package (never shells out to `ip`).
 * Thin: converts between hactl's small plain types and the package's
 * structures, and turns "Request rejected: EEXIST" into NetError with `.code`.
 * Every call works in the network namespace of the calling process.
 * size: ~740 lines: one adapter for links, addresses, routes and rules over one socket; each part is
 * a thin converter, kept together so the socket handling has one home.
 */
// The package's submodules, not its index: the index also loads the genl, nl80211 and
// wireguard families (~10 ms of each `hactl arp ...` start-up, issue 11).
import { FlagsNew } from 'netlink/dist/constants';
import { createRtNetlink, type RtNetlinkSocket } from 'netlink/dist/rt/rt';
import type * as rt from 'netlink/dist/rt/structs';
import * as rtStructs from 'netlink/dist/rt/structs';
import { AttrStream } from 'netlink/dist/structs';
import { type Cidr, type Family, formatIp, parseCidr, parseIp } from '../addr';
import { formatMac, parseMac } from './mac';
import { loadNetlinkAddon, NETLINK_ADDON_HINT, type NativeNl } from '../netlink/addon';
import { nlAttr, nlU32, parseAttrs } from '../netlink/attrs';
import { errnoName } from '../netlink/errors';
import { errnoAt, forEachMessage, NLM_F_ACK, NLM_F_REQUEST, NLMSG_ERROR, nlMessage } from '../netlink/message';

const AF_INET = 2;
const AF_INET6 = 10;
const TIMEOUT = 5000;

/** A failed netlink request; `code` is the errno name (EEXIST, ENODEV, EPERM...). */
export class NetError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'NetError';
  }
}

export interface LinkInfo {
  index: number;
  name: string;
  /** "aa:bb:cc:dd:ee:ff" ('' when the link has no hardware address) */
  mac: string;
  /** administratively up (IFF_UP) */
  up: boolean;
  /** carrier (IFF_LOWER_UP) */
  lowerUp: boolean;
  /** IFF_RUNNING */
  running: boolean;
  mtu: number;
  /** rtnl_link_ops kind ("macvlan", "veth", "bridge", "ipip"...) when the kernel reports one */
  kind?: string;
  /** IFLA_LINK: parent ifindex (macvlan/vlan) */
  parentIndex?: number;
  /** IFLA_MASTER */
  masterIndex?: number;
  loopback: boolean;
  noarp: boolean;
  /** RFC 2863 operational state: 'up', 'down', 'lowerlayerdown', 'dormant', 'unknown'... */
  operstate: string;
}

const OPERSTATES = ['unknown', 'notpresent', 'down', 'lowerlayerdown', 'testing', 'dormant', 'up'];

export type ScopeName = 'global' | 'site' | 'link' | 'host' | 'nowhere';
const SCOPES: Record<ScopeName, number> = { global: 0, site: 200, link: 253, host: 254, nowhere: 255 };

export function scopeNumber(s: ScopeName | number | undefined, dflt = 0): number {
  if (s === undefined) return dflt;
  if (typeof s === 'number') return s;
  const n = SCOPES[s];
  if (n === undefined) throw new NetError(`unknown scope "${s}"`, 'EINVAL');
  return n;
}

export function scopeName(n: number): ScopeName | number {
  for (const [k, v] of Object.entries(SCOPES)) if (v === n) return k as ScopeName;
  return n;
}

export interface AddrInfo {
  index: number;
  family: Family;
  /** canonical address text */
  address: string;
  prefix: number;
  label?: string;
  scope: ScopeName | number;
  broadcast?: string;
  /** IFA_F_* flags as the package names them (nodad, secondary, permanent, tentative...) */
  flags: string[];
}

export interface AddressSpec {
  /** interface index (find it with linkByName) */
  index: number;
  /** "198.51.100.10/24", "2001:db8::1/64" or a bare address (host prefix) */
  address: string;
  /** overrides the prefix in `address` */
  prefix?: number;
  /** IPv4 label ("eth0:vip"); must start with the interface name, at most 15 chars */
  label?: string;
  scope?: ScopeName | number;
  /** IPv4 broadcast: an address, or '+' to derive it from the prefix */
  broadcast?: string;
  /** peer address for point-to-point links */
  peer?: string;
  /** IPv6: skip duplicate address detection (IFA_F_NODAD) */
  nodad?: boolean;
  /** do not create the prefix route */
  noprefixroute?: boolean;
  /** replace instead of failing with EEXIST */
  replace?: boolean;
  /** preferred lifetime in seconds (IFA_CACHEINFO; 0: deprecated, never chosen as a source); valid stays forever */
  preferredLft?: number;
}

export interface RouteSpec {
  /** "default", "0.0.0.0/0", "198.51.100.0/24", "2001:db8::/64", or a bare address */
  dst: string;
  gw?: string;
  /** output interface index */
  index?: number;
  /** routing table id (default main = 254) */
  table?: number;
  /** RTA_PRIORITY */
  metric?: number;
  scope?: ScopeName | number;
  /** preferred source (RTA_PREFSRC) */
  src?: string;
  type?: 'unicast' | 'local' | 'blackhole' | 'unreachable' | 'prohibit' | 'throw';
  /** routing protocol number (default 4 = static; keepalived uses 18) */
  protocol?: number;
  onlink?: boolean;
  replace?: boolean;
}

export interface RouteInfo {
  family: Family;
  dst: string;
  dstLen: number;
  gw?: string;
  index?: number;
  table: number;
  metric?: number;
  scope: ScopeName | number;
  src?: string;
  type: string;
  protocol: number;
}

export interface RuleSpec {
  family?: Family;
  /** source prefix ("198.51.100.0/24") */
  from?: string;
  /** destination prefix */
  to?: string;
  table?: number;
  priority?: number;
  fwmark?: number;
  fwmask?: number;
  iif?: string;
  oif?: string;
  action?: 'table' | 'blackhole' | 'unreachable' | 'prohibit' | 'goto';
  goto?: number;
  invert?: boolean;
  /** FRA_PROTOCOL, the rule's originator (`ip rule` shows `proto N`; keepalived uses 18) */
  protocol?: number;
}

export interface RuleInfo {
  family: Family;
  from?: string;
  to?: string;
  table: number;
  priority?: number;
  fwmark?: number;
  fwmask?: number;
  iif?: string;
  oif?: string;
  action: string;
  /** FRA_PROTOCOL (0 when the kernel reports none) */
  protocol: number;
}

export interface MacvlanSpec {
  /** parent interface index */
  parent: number;
  name: string;
  /** MAC (e.g. vrrpVirtualMac(vrid)); kernel picks a random one when omitted */
  mac?: string | Uint8Array;
  mode?: 'private' | 'vepa' | 'bridge' | 'passthru' | 'source';
}

const MACVLAN_MODES = { private: 1, vepa: 2, bridge: 4, passthru: 8, source: 16 } as const;


function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
}

/** IFLA_LINKINFO payload for a link kind with optional IFLA_INFO_DATA. */
export function encodeLinkInfo(kind: string, data?: Buffer): Buffer {
  const parts = [nlAttr(1, Buffer.from(`${kind}\0`))];
  if (data) parts.push(nlAttr(2, data));
  return Buffer.concat(parts);
}

function wrapErr(e: unknown, what: string): NetError {
  const msg = e instanceof Error ? e.message : String(e);
  const m = /Request rejected: (\S+)/.exec(msg);
  const code = m ? m[1] : ((e as NodeJS.ErrnoException)?.code ?? 'EIO');
  const human: Record<string, string> = {
    EEXIST: 'already exists',
    ENODEV: 'no such device',
    ESRCH: 'no such entry',
    EADDRNOTAVAIL: 'address not assigned',
    EPERM: 'operation not permitted (root/CAP_NET_ADMIN needed)',
    EOPNOTSUPP: 'not supported by this kernel',
    ENOTSUP: 'not supported by this kernel',
    EINVAL: 'invalid argument',
    ENETUNREACH: 'network unreachable (gateway not on a connected subnet)',
    ENOENT: 'no such entry',
  };
  return new NetError(`${what}: ${human[code] ?? msg} (${code})`, code);
}

function toLink(m: rt.LinkMessage): LinkInfo {
  const a = m.attrs;
  const f = m.data.flags ?? {};
  let kind: string | undefined;
  if (a.linkinfo) {
    const k = parseAttrs(a.linkinfo).get(1);
    if (k) kind = k.toString('utf8').replace(/\0+$/, '');
  }
  const linkBuf = a.link as unknown as Buffer | number | undefined;
  let parentIndex: number | undefined;
  if (typeof linkBuf === 'number') parentIndex = linkBuf;
  else if (linkBuf && linkBuf.length >= 4) parentIndex = linkBuf.readUInt32LE(0);
  return {
    index: m.data.index ?? 0,
    name: a.ifname ?? '',
    mac: a.address && a.address.length > 0 ? formatMac(a.address) : '',
    up: !!f.up,
    lowerUp: !!f.lowerUp,
    running: !!f.running,
    mtu: a.mtu ?? 0,
    kind,
    parentIndex,
    masterIndex: a.master,
    loopback: !!f.loopback,
    noarp: !!f.noarp,
    operstate: OPERSTATES[a.operstate ?? 0] ?? String(a.operstate),
  };
}

function flagNames(f: rt.AddressFlags | undefined): string[] {
  if (!f) return [];
  return Object.entries(f)
    .filter(([k, v]) => k !== '__unknown' && v === true)
    .map(([k]) => k);
}

function cidrOf(s: string, prefix: number | undefined, what: string): Cidr {
  const c = parseCidr(s);
  if (!c) throw new NetError(`${what}: invalid address "${s}"`, 'EINVAL');
  if (prefix !== undefined) {
    const max = c.family === 4 ? 32 : 128;
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) throw new NetError(`${what}: invalid prefix ${prefix}`, 'EINVAL');
    c.prefix = prefix;
  }
  return c;
}

function ipBytes(s: string, family: Family, what: string): Buffer {
  const ip = parseIp(s);
  if (!ip) throw new NetError(`${what}: invalid address "${s}"`, 'EINVAL');
  if (ip.family !== family) throw new NetError(`${what}: "${s}" is not IPv${family}`, 'EINVAL');
  return ip.bytes;
}

/** The package reports known enum values by name: back to numbers. */
function enumNum(v: unknown, e: Record<string, string | number>): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && typeof e[v] === 'number') return e[v] as number;
  return 0;
}

const ROUTE_TYPES: Record<string, number> = { unicast: 1, local: 2, blackhole: 6, unreachable: 7, prohibit: 8, throw: 9 };
const RULE_ACTIONS: Record<string, number> = { table: 1, goto: 2, blackhole: 6, unreachable: 7, prohibit: 8 };

/**
 * One rtnetlink socket for requests. Create with `Rtnl.open()`, `close()` when done.
 * All methods reject with NetError.
 */
export class Rtnl {
  /** the synchronous socket (hactl_netlink addon), opened on first use */
  private sync: { nl: NativeNl; fd: number; seq: number; buf: Buffer } | null = null;

  private constructor(private readonly sock: RtNetlinkSocket) {}

  static open(): Rtnl {
    return new Rtnl(createRtNetlink());
  }

  close(): void {
    this.sock.socket.close();
    if (this.sync) this.sync.nl.close(this.sync.fd);
    this.sync = null;
  }

  // ---- synchronous requests (hactl_netlink addon) ----
  //
  // For the VRRP daemon's MASTER transition, which keepalived does inside one
  // event: advert, VIPs (one netlink request each, the kernel answers inside
  // sendmsg), gratuitous ARPs. Going through the event loop for each request
  // put 10 to 50 ms between the first advert and the first GARP on a loaded
  // host. Throws NetError like the async methods.

  /** Whether the synchronous methods can work here (the addon is built). */
  static syncAvailable(): boolean {
    return loadNetlinkAddon() !== null;
  }

  private syncSock(what: string): { nl: NativeNl; fd: number; seq: number; buf: Buffer } {
    if (this.sync) return this.sync;
    const nl = loadNetlinkAddon();
    if (!nl) throw new NetError(`${what}: ${NETLINK_ADDON_HINT}`, 'ENOSYS');
    try {
      const [fd] = nl.open(0 /* NETLINK_ROUTE */, 0);
      this.sync = { nl, fd, seq: Math.floor(Date.now() / 1000) & 0x3fffffff, buf: Buffer.alloc(65536) };
    } catch (e) {
      throw wrapErr(e, what);
    }
    return this.sync;
  }

  /** One request; returns the payload of its reply (type `replyType`) or undefined when only an ACK came. */
  private requestNow(what: string, type: number, flags: number, payload: Buffer[], replyType?: number): Buffer | undefined {
    const s = this.syncSock(what);
    const seq = ++s.seq;
    const msg = nlMessage(type, flags, seq, 0, payload);
    try {
      s.nl.send(s.fd, msg, msg.length);
      if (replyType === undefined) {
        const errnos = new Int32Array(1).fill(-1);
        s.nl.acks(s.fd, seq, 1, errnos, SYNC_TIMEOUT);
        if (errnos[0] === -1) throw new NetError(`${what}: no answer from the kernel`, 'ETIMEDOUT');
        if (errnos[0] !== 0) throw rejected(errnos[0], what);
        return undefined;
      }
      const end = Date.now() + SYNC_TIMEOUT;
      for (;;) {
        const left = end - Date.now();
        const n = left > 0 ? s.nl.recv(s.fd, s.buf, left) : 0;
        if (n === 0) throw new NetError(`${what}: no answer from the kernel`, 'ETIMEDOUT');
        let reply: Buffer | undefined;
        let answered = false;
        forEachMessage(s.buf, Math.abs(n), (t, mseq, o, len) => {
          if (mseq !== seq) return false;
          if (t === NLMSG_ERROR) {
            const err = errnoAt(s.buf, o);
            if (err !== 0) throw rejected(err, what);
            answered = true;
          } else if (t === replyType) {
            reply = Buffer.from(s.buf.subarray(o + 16, o + len));
            answered = true;
          }
          return answered;
        });
        if (answered) return reply;
      }
    } catch (e) {
      throw e instanceof NetError ? e : wrapErr(e, what);
    }
  }

  /** The link called `name` (one RTM_GETLINK, no dump), synchronously. */
  linkByNameNow(name: string): LinkInfo | undefined {
    const ifname = Buffer.from(`${name}\0`);
    try {
      const r = this.requestNow(`find link ${name}`, 18 /* RTM_GETLINK */, 1 /* REQUEST */, [Buffer.alloc(16), nlAttr(3 /* IFLA_IFNAME */, ifname)], 16);
      return r ? toLink(rtStructs.parseLinkMessage(r)) : undefined;
    } catch (e) {
      if (e instanceof NetError && e.code === 'ENODEV') return undefined;
      throw e;
    }
  }

  /** Encode an address request without sending it: compiles that path before a takeover needs it. */
  prepareAddressNow(spec: AddressSpec): void {
    const [data, attrs] = this.addrMsg(spec, 'prepare');
    rtStructs.formatAddressMessage({ kind: 'address', data, attrs }, new AttrStream());
  }

  /** addAddress, synchronously. */
  addAddressNow(spec: AddressSpec): void {
    const what = `add address ${spec.address} on ifindex ${spec.index}`;
    const [data, attrs] = this.addrMsg(spec, what);
    const out = new AttrStream();
    rtStructs.formatAddressMessage({ kind: 'address', data, attrs }, out);
    const flags = 1 | 4 /* REQUEST|ACK */ | FlagsNew.CREATE | (spec.replace ? FlagsNew.REPLACE : FlagsNew.EXCL);
    this.requestNow(what, 20 /* RTM_NEWADDR */, flags, out.bufs as Buffer[]);
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw wrapErr(e, what);
    }
  }

  // ---- links ----

  async listLinks(): Promise<LinkInfo[]> {
    const msgs = await this.call('list links', () => this.sock.getLinks(undefined, undefined, { timeout: TIMEOUT }));
    return msgs.map(toLink);
  }

  async linkByName(name: string): Promise<LinkInfo | undefined> {
    return (await this.listLinks()).find((l) => l.name === name);
  }

  async linkByIndex(index: number): Promise<LinkInfo | undefined> {
    return (await this.listLinks()).find((l) => l.index === index);
  }

  /** Set a link administratively up or down. */
  async setLinkUp(index: number, up: boolean): Promise<void> {
    await this.call(`set link ${index} ${up ? 'up' : 'down'}`, () =>
      this.sock.setLink({ index, change: { up: true }, flags: up ? { up: true } : {} }, undefined, { timeout: TIMEOUT }),
    );
  }

  /** Create a link of a given kind (e.g. 'ipip', 'dummy'); `data` is raw IFLA_INFO_DATA. */
  async createLink(name: string, kind: string, opts: { data?: Buffer; parent?: number; mac?: string | Uint8Array; up?: boolean } = {}): Promise<LinkInfo> {
    const attrs: Record<string, unknown> = { ifname: name, linkinfo: encodeLinkInfo(kind, opts.data) };
    if (opts.parent !== undefined) attrs.link = u32(opts.parent);
    if (opts.mac !== undefined) {
      const mac = typeof opts.mac === 'string' ? parseMac(opts.mac) : Buffer.from(opts.mac);
      if (mac?.length !== 6) throw new NetError(`create ${kind} ${name}: invalid MAC`, 'EINVAL');
      attrs.address = mac;
    }
    await this.call(`create ${kind} link ${name}`, () =>
      this.sock.newLink(opts.up ? { flags: { up: true }, change: { up: true } } : {}, attrs as never, {
        flags: FlagsNew.CREATE | FlagsNew.EXCL,
        timeout: TIMEOUT,
      }),
    );
    const l = await this.linkByName(name);
    if (!l) throw new NetError(`create ${kind} link ${name}: created but not found`, 'ENODEV');
    return l;
  }

  /** macvlan on `parent` (keepalived use_vmac: mode private, MAC 00:00:5e:00:01:VRID). */
  async createMacvlan(spec: MacvlanSpec): Promise<LinkInfo> {
    const mode = MACVLAN_MODES[spec.mode ?? 'private'];
    return this.createLink(spec.name, 'macvlan', { data: nlU32(1, mode), parent: spec.parent, mac: spec.mac });
  }

  async deleteLink(index: number): Promise<void> {
    await this.call(`delete link ${index}`, () => this.sock.delLink({ index }, undefined, { timeout: TIMEOUT }));
  }

  // ---- addresses ----

  async listAddresses(family?: Family): Promise<AddrInfo[]> {
    const msgs = await this.call('list addresses', () =>
      this.sock.getAddresses(family ? { family: family === 4 ? AF_INET : AF_INET6 } : undefined, undefined, { timeout: TIMEOUT }),
    );
    const out: AddrInfo[] = [];
    for (const m of msgs) {
      const fam: Family = m.data.family === AF_INET6 ? 6 : 4;
      if (m.data.family !== AF_INET && m.data.family !== AF_INET6) continue;
      const raw = m.attrs.local ?? m.attrs.address;
      if (!raw) continue;
      out.push({
        index: m.data.index ?? 0,
        family: fam,
        address: formatIp(raw),
        prefix: m.data.prefixlen ?? 0,
        label: m.attrs.label,
        scope: scopeName(m.data.scope ?? 0),
        broadcast: m.attrs.broadcast ? formatIp(m.attrs.broadcast) : undefined,
        flags: flagNames(m.attrs.flags ?? m.data.flags),
      });
    }
    return out;
  }

  private addrMsg(spec: AddressSpec, what: string): [rt.Address, rt.AddressAttrs] {
    const c = cidrOf(spec.address, spec.prefix, what);
    const flags: rt.AddressFlags = {};
    if (spec.nodad) flags.nodad = true;
    if (spec.noprefixroute) flags.noprefixroute = true;
    const data: rt.Address = {
      family: c.family === 4 ? AF_INET : AF_INET6,
      prefixlen: c.prefix,
      index: spec.index,
      scope: scopeNumber(spec.scope, 0),
    };
    const attrs: rt.AddressAttrs = { local: c.bytes, address: c.bytes };
    if (spec.peer) attrs.address = ipBytes(spec.peer, c.family, what);
    if (Object.keys(flags).length) attrs.flags = flags;
    if (spec.preferredLft !== undefined) attrs.cacheInfo = { ifaPrefered: spec.preferredLft, ifaValid: 0xffffffff };
    if (spec.label !== undefined) {
      if (c.family !== 4) throw new NetError(`${what}: labels are IPv4 only`, 'EINVAL');
      if (spec.label.length > 15) throw new NetError(`${what}: label "${spec.label}" longer than 15 characters`, 'EINVAL');
      attrs.label = spec.label;
    }
    if (spec.broadcast !== undefined) {
      if (c.family !== 4) throw new NetError(`${what}: broadcast is IPv4 only`, 'EINVAL');
      if (spec.broadcast === '+') {
        const b = Buffer.from(c.bytes);
        for (let i = 0; i < 4; i++) {
          const bits = Math.max(0, Math.min(8, c.prefix - i * 8));
          b[i] |= ~((0xff << (8 - bits)) & 0xff) & 0xff;
        }
        attrs.broadcast = b;
      } else attrs.broadcast = ipBytes(spec.broadcast, 4, what);
    }
    return [data, attrs];
  }

  async addAddress(spec: AddressSpec): Promise<void> {
    const what = `add address ${spec.address} on ifindex ${spec.index}`;
    const [data, attrs] = this.addrMsg(spec, what);
    const flags = FlagsNew.CREATE | (spec.replace ? FlagsNew.REPLACE : FlagsNew.EXCL);
    await this.call(what, () => this.sock.newAddress(data, attrs, { flags, timeout: TIMEOUT }));
  }

  async delAddress(spec: AddressSpec): Promise<void> {
    const what = `delete address ${spec.address} on ifindex ${spec.index}`;
    const [data, attrs] = this.addrMsg(spec, what);
    delete attrs.flags;
    delete attrs.broadcast;
    await this.call(what, () => this.sock.delAddress(data, attrs, { timeout: TIMEOUT }));
  }

  // ---- routes ----


  async addRoute(spec: RouteSpec): Promise<void> {
    const what = `add route ${spec.dst}`;
    const [data, attrs] = routeMsg(spec, what);
    if (spec.onlink) (data as { flags: number }).flags = 4; // RTNH_F_ONLINK
    const flags = FlagsNew.CREATE | (spec.replace ? FlagsNew.REPLACE : FlagsNew.EXCL);
    await this.call(what, () => this.sock.newRoute(data, attrs, { flags, timeout: TIMEOUT }));
  }

  async delRoute(spec: RouteSpec): Promise<void> {
    const what = `delete route ${spec.dst}`;
    const [data, attrs] = routeMsg(spec, what);
    if (spec.scope === undefined) data.scope = 255 as never; // RT_SCOPE_NOWHERE: match any scope
    if (spec.protocol === undefined) data.protocol = 0 as never;
    await this.call(what, () => this.sock.delRoute(data, attrs, { timeout: TIMEOUT }));
  }

  /** Routes of every table (or of `table`), optionally only those of one routing protocol number. */
  async listRoutes(family: Family = 4, table?: number, protocol?: number): Promise<RouteInfo[]> {
    const msgs = await this.call('list routes', () =>
      this.sock.getRoutes({ family: family === 4 ? AF_INET : AF_INET6 }, undefined, { timeout: TIMEOUT }),
    );
    const out: RouteInfo[] = [];
    for (const m of msgs) {
      const t = m.attrs.table ?? m.data.table ?? 254;
      if (table !== undefined && t !== table) continue;
      if (protocol !== undefined && enumNum(m.data.protocol, rtStructs.RouteProtocol) !== protocol) continue;
      const fam: Family = m.data.family === AF_INET6 ? 6 : 4;
      out.push({
        family: fam,
        dst: m.attrs.dst ? formatIp(m.attrs.dst) : fam === 4 ? '0.0.0.0' : '::',
        dstLen: m.data.dstLen ?? 0,
        gw: m.attrs.gateway ? formatIp(m.attrs.gateway) : undefined,
        index: m.attrs.oif,
        table: t,
        metric: m.attrs.priority,
        scope: scopeName(enumNum(m.data.scope, rtStructs.RouteScope)),
        src: m.attrs.prefsrc ? formatIp(m.attrs.prefsrc) : undefined,
        type: String(typeof m.data.type === 'number' ? (rtStructs.RouteType[m.data.type] ?? m.data.type) : (m.data.type ?? 'UNICAST')).toLowerCase(),
        protocol: enumNum(m.data.protocol, rtStructs.RouteProtocol),
      });
    }
    return out;
  }

  // ---- rules ----


  async addRule(spec: RuleSpec): Promise<void> {
    const what = 'add rule';
    const [data, attrs] = ruleMsg(spec, what);
    await this.call(what, () => this.sock.newRule(data, attrs, { flags: FlagsNew.CREATE | FlagsNew.EXCL, timeout: TIMEOUT }));
  }

  async delRule(spec: RuleSpec): Promise<void> {
    const what = 'delete rule';
    const [data, attrs] = ruleMsg(spec, what);
    await this.call(what, () => this.sock.delRule(data, attrs, { timeout: TIMEOUT }));
  }

  async listRules(family: Family = 4): Promise<RuleInfo[]> {
    const msgs = await this.call('list rules', () => this.sock.getRules({ family: family === 4 ? AF_INET : AF_INET6 }, undefined, { timeout: TIMEOUT }));
    return msgs.map((m) => {
      const d = m.data;
      const a = m.attrs;
      const fam: Family = d.family === AF_INET6 ? 6 : 4;
      return {
        family: fam,
        from: a.src ? `${formatIp(a.src)}/${d.srcLen}` : undefined,
        to: a.dst ? `${formatIp(a.dst)}/${d.dstLen}` : undefined,
        table: a.table ?? d.table ?? 0,
        priority: a.priority,
        fwmark: a.fwmark,
        fwmask: a.fwmask,
        iif: a.iifname,
        oif: a.oifname,
        action: String(d.action ?? ''),
        protocol: a.protocol ?? 0,
      };
    });
  }
}

function routeMsg(spec: RouteSpec, what: string): [rt.Route, rt.RouteAttrs] {
  let c: Cidr | null;
  if (spec.dst === 'default') {
    const fam: Family = spec.gw && parseIp(spec.gw)?.family === 6 ? 6 : 4;
    c = parseCidr(fam === 4 ? '0.0.0.0/0' : '::/0');
  } else c = parseCidr(spec.dst);
  if (!c) throw new NetError(`${what}: invalid destination "${spec.dst}"`, 'EINVAL');
  const table = spec.table ?? 254;
  const type = ROUTE_TYPES[spec.type ?? 'unicast'];
  if (type === undefined) throw new NetError(`${what}: unknown route type "${spec.type}"`, 'EINVAL');
  const dfltScope = type === 2 ? 254 : spec.gw || type !== 1 ? 0 : 253;
  const data: rt.Route = {
    family: c.family === 4 ? AF_INET : AF_INET6,
    dstLen: c.prefix,
    table: table < 256 ? table : 252,
    protocol: (spec.protocol ?? 4) as never,
    scope: scopeNumber(spec.scope, dfltScope) as never,
    type: type as never,
    flags: {},
  };
  const attrs: rt.RouteAttrs = { table };
  if (c.prefix > 0) attrs.dst = c.bytes;
  if (spec.gw) attrs.gateway = ipBytes(spec.gw, c.family, what);
  if (spec.index !== undefined) attrs.oif = spec.index;
  if (spec.metric !== undefined) attrs.priority = spec.metric;
  if (spec.src) attrs.prefsrc = ipBytes(spec.src, c.family, what);
  return [data, attrs];
}
function ruleMsg(spec: RuleSpec, what: string): [rt.Rule, rt.RuleAttrs] {
  const from = spec.from ? parseCidr(spec.from) : null;
  const to = spec.to ? parseCidr(spec.to) : null;
  if (spec.from && !from) throw new NetError(`${what}: invalid from "${spec.from}"`, 'EINVAL');
  if (spec.to && !to) throw new NetError(`${what}: invalid to "${spec.to}"`, 'EINVAL');
  const family: Family = spec.family ?? from?.family ?? to?.family ?? 4;
  if ((from && from.family !== family) || (to && to.family !== family)) throw new NetError(`${what}: mixed address families`, 'EINVAL');
  const action = RULE_ACTIONS[spec.action ?? 'table'];
  if (action === undefined) throw new NetError(`${what}: unknown action "${spec.action}"`, 'EINVAL');
  const table = spec.table ?? (action === 1 ? 254 : 0);
  const data: rt.Rule = {
    family: family === 4 ? AF_INET : AF_INET6,
    srcLen: from?.prefix ?? 0,
    dstLen: to?.prefix ?? 0,
    table: table < 256 ? table : 252,
    action: action as never,
    flags: spec.invert ? { invert: true } : {},
  };
  const attrs: rt.RuleAttrs = {};
  if (table) attrs.table = table;
  if (from) attrs.src = from.bytes;
  if (to) attrs.dst = to.bytes;
  if (spec.priority !== undefined) attrs.priority = spec.priority;
  if (spec.fwmark !== undefined) attrs.fwmark = spec.fwmark;
  if (spec.fwmask !== undefined) attrs.fwmask = spec.fwmask;
  if (spec.iif) attrs.iifname = spec.iif;
  if (spec.oif) attrs.oifname = spec.oif;
  if (spec.goto !== undefined) attrs.goto = spec.goto;
  if (spec.protocol !== undefined) attrs.protocol = spec.protocol;
  return [data, attrs];
}
const RTM_DELROUTE = 25;
const RTM_DELRULE = 33;

function request(type: number, bufs: Uint8Array[]): Buffer {
  return nlMessage(type, NLM_F_REQUEST | NLM_F_ACK, 1, 0, bufs);
}

/** The RTM_DELROUTE request delRoute sends, as bytes (for a process that sends it later: the VRRP watchdog). */
export function delRouteRequest(spec: RouteSpec): Buffer {
  const [data, attrs] = routeMsg(spec, `delete route ${spec.dst}`);
  if (spec.scope === undefined) data.scope = 255 as never;
  if (spec.protocol === undefined) data.protocol = 0 as never;
  const msg = new AttrStream();
  rtStructs.formatRouteMessage({ kind: 'route', data, attrs }, msg);
  return request(RTM_DELROUTE, msg.bufs);
}

/** The RTM_DELRULE request delRule sends, as bytes. */
export function delRuleRequest(spec: RuleSpec): Buffer {
  const [data, attrs] = ruleMsg(spec, 'delete rule');
  const msg = new AttrStream();
  rtStructs.formatRuleMessage({ kind: 'rule', data, attrs }, msg);
  return request(RTM_DELRULE, msg.bufs);
}

const SYNC_TIMEOUT = 1000;

function rejected(errno: number, what: string): NetError {
  return wrapErr(new Error(`Request rejected: ${errnoName(errno)}`), what);
}

export type LinkEvent = { type: 'new' | 'del'; link: LinkInfo };

export interface LinkWatcher {
  close(): void;
}

/**
 * Subscribe to RTNLGRP_LINK: `onEvent` gets every RTM_NEWLINK/RTM_DELLINK
 * (state changes arrive as NEWLINK with new flags; compare `lowerUp`/`up`
 * with the previous value for track_interface). Keeps the event loop alive
 * until close().
 */
export function watchLinks(onEvent: (ev: LinkEvent) => void, onError?: (e: Error) => void): LinkWatcher {
  const sock = createRtNetlink({ ref: true, recvBufferSize: 1 << 20, sendBufferSize: 1 << 16 });
  sock.addMembership('LINK');
  // The package's parsed 'message' event drops nlmsg_type (NEW vs DEL), so
  // listen on the underlying socket and parse the link payload ourselves.
  sock.socket.on('message', (msgs) => {
    for (const m of msgs) {
      if (m.type !== 16 && m.type !== 17) continue; // RTM_NEWLINK / RTM_DELLINK
      try {
        onEvent({ type: m.type === 17 ? 'del' : 'new', link: toLink(rtStructs.parseLinkMessage(m.data)) });
      } catch (e) {
        onError?.(e as Error);
      }
    }
  });
  if (onError) sock.socket.on('error', onError);
  return {
    close: () => sock.socket.close(),
  };
}
