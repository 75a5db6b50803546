/**
 * In-process fakes for the VRRP daemon: a virtual clock with timers, a
 * shared "link" carrying packets between daemons, and a NetOps that records
 * address changes. Used by the daemon and fuzz tests.
 */
import type { Command, DaemonConfig, InstanceConfig } from '../../src/lib/vrrp/config';
import type { FsmParams } from '../../src/lib/vrrp/fsm';
import { type DecodedAdvert, setIpv4Id } from '../../src/lib/vrrp/packet';
import type { DaemonDeps, ExecResult, LogLevel } from '../../src/lib/vrrp/daemon';
import type { LinkState, NetOps } from '../../src/lib/vrrp/netops';
import type { AdvertArming, AdvertSender, AdvertSenderStats, Channel, ChannelFactory, RxPacket } from '../../src/lib/vrrp/transport';

export class VirtualClock {
  now = 0;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void; seq: number }>();
  set = (fn: () => void, ms: number): unknown => {
    const id = ++this.seq;
    this.timers.set(id, { at: this.now + Math.max(0, ms), fn, seq: id });
    return id;
  };
  clear = (h: unknown): void => {
    this.timers.delete(h as number);
  };
  private immediates: (() => void)[] = [];
  /** setImmediate: runs once the timers already due have run (Node's check phase after its timers phase). */
  immediate = (fn: () => void): void => {
    this.immediates.push(fn);
  };
  private runImmediates(): void {
    const q = this.immediates;
    this.immediates = [];
    for (const fn of q) fn();
  }
  /** Run timers in time order up to `t` (inclusive); `between` runs after each timer (for microtasks). */
  async advance(t: number, onEach?: () => void): Promise<void> {
    for (;;) {
      const next = this.next();
      if (!next || next[1].at > t) break;
      this.timers.delete(next[0]);
      this.now = Math.max(this.now, next[1].at);
      next[1].fn();
      onEach?.();
      await flush();
      // one turn of the event loop ends when no other timer is due yet
      const after = this.next();
      if (!after || after[1].at > this.now) this.runImmediates();
    }
    this.now = Math.max(this.now, t);
    this.runImmediates();
    await flush();
  }
  private next(): [number, { at: number; fn: () => void; seq: number }] | undefined {
    let next: [number, { at: number; fn: () => void; seq: number }] | undefined;
    for (const e of this.timers) if (!next || e[1].at < next[1].at || (e[1].at === next[1].at && e[1].seq < next[1].seq)) next = e;
    return next;
  }
  /** Jump the clock without running timers (an event-loop stall). */
  stall(ms: number): void {
    this.now += ms;
  }
  pending(): number {
    return this.timers.size;
  }
}

export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** A broadcast link. `mode` 'immediate' delivers at once; 'queued' holds packets until poll()/drain(). */
export class FakeLink {
  channels: FakeChannel[] = [];
  /** src: the IPv6 source the daemon asked for (undefined for IPv4, where it is in the packet) */
  sent: { from: string; buf: Buffer; dst: string; at: number; src?: string; hopLimit?: number }[] = [];
  queued = false;
  /**
   * Channels offer an AdvertSender (FakeSender: sends on the fake clock, like the native thread).
   * VRRP_FAKE_SENDERS=1 turns it on for every test (the daemon suites then run the native path).
   */
  nativeSenders = process.env.VRRP_FAKE_SENDERS === '1';
  /** what the daemons did with their senders, in order */
  senderLog: { node: string; at: number; op: 'arm' | 'disarm' | 'close' | 'checkIn'; delayMs?: number; intervalMs?: number; priority?: number }[] = [];
  /** per node: the last sender check-in and its lease */
  leases = new Map<string, { at: number; ms: number }>();
  constructor(readonly clock: VirtualClock) {}
}

/** The native advert sender on the fake clock: arm/disarm/lease as native/packet/sender.c. */
export class FakeSender implements AdvertSender {
  private a: AdvertArming | null = null;
  private timer: unknown = null;
  sent = 0;
  expired = false;
  ipId = 0;
  constructor(private readonly ch: FakeChannel) {}
  private get clock(): VirtualClock {
    return this.ch.link.clock;
  }
  private log(op: 'arm' | 'disarm' | 'close' | 'checkIn', o: { delayMs?: number; intervalMs?: number; priority?: number } = {}): void {
    this.ch.link.senderLog.push({ node: this.ch.node, at: this.clock.now, op, ...o });
  }
  arm(a: AdvertArming): void {
    const b = a.packets[0].buf;
    const priority = this.ch.family === 4 ? b[(b[0] & 0x0f) * 4 + 2] : b[2];
    this.log('arm', { delayMs: a.delayMs, intervalMs: a.intervalMs, priority });
    if (this.timer) this.clock.clear(this.timer);
    this.checkIn(a.leaseMs, false);
    this.a = { ...a, packets: a.packets.map((p) => ({ buf: Buffer.from(p.buf), dst: p.dst })) };
    this.ipId = a.ipId;
    this.expired = false;
    this.timer = this.clock.set(() => this.fire(), a.delayMs);
  }
  /** the thread runs on while the loop stalls: past its lease it has stopped */
  private expire(): boolean {
    const lease = this.ch.link.leases.get(this.ch.node) ?? { at: 0, ms: 0 };
    if (!this.a || this.clock.now < lease.at + lease.ms) return false;
    this.expired = true;
    this.a = null;
    if (this.timer) this.clock.clear(this.timer);
    this.timer = null;
    return true;
  }
  private fire(): void {
    this.timer = null;
    const a = this.a;
    if (!a || this.expire()) return;
    for (const p of a.packets) {
      if (this.ch.family === 4) {
        this.ipId = (this.ipId % 0xffff) + 1;
        setIpv4Id(p.buf, this.ipId);
      }
      this.ch.send(p.buf, p.dst, a.src, a.hopLimit);
      this.sent++;
    }
    this.timer = this.clock.set(() => this.fire(), a.intervalMs);
  }
  disarm(): void {
    this.log('disarm');
    this.a = null;
    if (this.timer) this.clock.clear(this.timer);
    this.timer = null;
  }
  checkIn(leaseMs: number, log = true): void {
    if (log) this.log('checkIn');
    for (const c of this.ch.link.channels) for (const x of c.senders) x.expire();
    // one lease per process (node), as the native thread's
    this.ch.link.leases.set(this.ch.node, { at: this.clock.now, ms: leaseMs });
  }
  stats(): AdvertSenderStats {
    this.expire();
    return { sent: this.sent, errors: 0, ipId: this.ipId, expired: this.expired, late: 0 };
  }
  close(): void {
    this.log('close');
    this.disarm();
  }
}

export class FakeChannel implements Channel {
  readonly queue: RxPacket[] = [];
  muted = false;
  closed = false;
  constructor(
    readonly link: FakeLink,
    readonly node: string,
    readonly ifname: string,
    readonly family: 4 | 6,
    private readonly onPacket: (p: RxPacket) => void,
  ) {}
  /** IPv6: the hop limit receivers see */
  hopLimit = 255;
  send(buf: Buffer, dst: string, src?: string, hopLimit?: number): void {
    if (this.closed || this.muted) return;
    this.link.sent.push({ from: this.node, buf: Buffer.from(buf), dst, at: this.link.clock.now, src, hopLimit });
    for (const c of this.link.channels) {
      if (c === this || c.closed || c.family !== this.family) continue;
      const p: RxPacket =
        this.family === 4 ? { family: 4, raw: Buffer.from(buf) } : { family: 6, src: src ?? 'fe80::1', dst, hopLimit: this.hopLimit, payload: buf };
      if (this.link.queued) c.queue.push(p);
      else c.onPacket(p);
    }
  }
  readonly senders: FakeSender[] = [];
  advertSender(): AdvertSender | null {
    if (!this.link.nativeSenders) return null;
    const s = new FakeSender(this);
    this.senders.push(s);
    return s;
  }
  /** Deliver one queued packet, as one event-loop poll would. */
  poll(): void {
    const p = this.queue.shift();
    if (p) this.onPacket(p);
  }
  drain(): number {
    let n = 0;
    while (this.queue.length) {
      this.poll();
      n++;
    }
    return n;
  }
  close(): void {
    this.closed = true;
  }
}

export class FakeNet implements NetOps {
  addrs = new Set<string>();
  ops: string[] = [];
  announced: string[] = [];
  links = new Map<string, boolean>();
  private watchers: ((l: LinkState) => void)[] = [];
  constructor(
    readonly primary: string,
    readonly mac = '02:00:00:00:00:01',
  ) {
    this.links.set('eth0', true);
  }
  async link(name: string): Promise<LinkState | undefined> {
    if (!this.links.has(name)) return undefined;
    return { index: 2, name, mac: this.mac, up: this.links.get(name)! };
  }
  async primaryAddress(): Promise<string | undefined> {
    return this.primary;
  }
  async addVip(v: { address: string; prefix: number }): Promise<void> {
    this.ops.push(`add ${v.address}/${v.prefix}`);
    this.addrs.add(`${v.address}/${v.prefix}`);
  }
  async delVip(v: { address: string; prefix: number }): Promise<void> {
    if (this.addrs.delete(`${v.address}/${v.prefix}`)) this.ops.push(`del ${v.address}/${v.prefix}`);
  }
  async addRoute(r: { dst: string }): Promise<void> {
    this.ops.push(`route add ${r.dst}`);
  }
  async delRoute(r: { dst: string }): Promise<void> {
    this.ops.push(`route del ${r.dst}`);
  }
  async addRule(): Promise<void> {}
  async delRule(): Promise<void> {}
  async announce(_ifname: string, addrs: string[], repeat: number): Promise<void> {
    for (let i = 0; i < repeat; i++) this.announced.push(...addrs);
  }
  addVipNow?: (v: { address: string; prefix: number }, ifname: string) => void;
  announceNow?: (ifname: string, addrs: string[], repeat: number) => void;
  /** Offer the synchronous calls (as RealNetOps with the netlink addon); `timeline` records them. */
  enableSync(timeline: string[] = []): void {
    this.addVipNow = (v) => {
      timeline.push(`add ${v.address}`);
      this.ops.push(`add ${v.address}/${v.prefix}`);
      this.addrs.add(`${v.address}/${v.prefix}`);
    };
    this.announceNow = (_ifname, addrs, repeat) => {
      timeline.push(`garp ${addrs.join(',')} x${repeat}`);
      for (let i = 0; i < repeat; i++) this.announced.push(...addrs);
    };
  }
  async ensureVmac(): Promise<void> {}
  async deleteLink(): Promise<void> {}
  watchLinks(cb: (l: LinkState) => void): { close(): void } {
    this.watchers.push(cb);
    return { close: () => {} };
  }
  setLink(name: string, up: boolean): void {
    this.links.set(name, up);
    for (const w of this.watchers) w({ index: 2, name, mac: this.mac, up });
  }
  close(): void {}
}

export interface Node {
  name: string;
  net: FakeNet;
  chan?: FakeChannel;
  deps: DaemonDeps;
  logs: string[];
  execs: { argv: string[]; extra: string[] }[];
  execResult: (cmd: Command) => ExecResult;
}

export function makeNode(link: FakeLink, name: string, primary: string): Node {
  const net = new FakeNet(primary);
  const node: Node = {
    name,
    net,
    logs: [],
    execs: [],
    execResult: () => ({ code: 0, timedOut: false }),
    deps: undefined as unknown as DaemonDeps,
  };
  const channels: ChannelFactory = {
    open: (ifname, family, onPacket) => {
      const c = new FakeChannel(link, name, ifname, family, onPacket);
      link.channels.push(c);
      node.chan = c;
      return c;
    },
  };
  node.deps = {
    channels,
    net,
    clock: () => link.clock.now,
    timers: { set: link.clock.set, clear: link.clock.clear },
    exec: async (cmd, extra) => {
      node.execs.push({ argv: cmd.argv, extra });
      return node.execResult(cmd);
    },
    log: (level: LogLevel, msg: string) => {
      node.logs.push(`${link.clock.now.toFixed(3)} ${level} ${msg}`);
    },
  };
  return node;
}

export function instance(o: Partial<InstanceConfig> = {}): InstanceConfig {
  return {
    name: 'VI_1',
    interface: 'eth0',
    vrid: 51,
    version: 3,
    family: 4,
    priority: 100,
    intervalCs: 100,
    preempt: true,
    preemptDelayMs: 0,
    accept: true,
    auth: { type: 'none' },
    vips: [{ address: '192.0.2.100', prefix: 24, family: 4 }],
    excludedVips: [],
    routes: [],
    rules: [],
    unicastPeers: [],
    vmacXmitBase: false,
    garpMasterDelayMs: 5000,
    garpMasterRepeat: 5,
    garpMasterRefreshMs: 0,
    garpMasterRefreshRepeat: 1,
    trackInterfaces: [],
    trackScripts: [],
    trackFiles: [],
    dontTrackPrimary: false,
    notify: {},
    ...o,
  };
}

export function daemonConfig(instances: InstanceConfig[], o: Partial<DaemonConfig> = {}): DaemonConfig {
  return { instances, scripts: [], trackFiles: [], syncGroups: [], enableScriptSecurity: false, ...o };
}

/** State machine parameters: VI_1, VRID 51, v3, priority 100, 1 s adverts, one VIP. */
export const fsmParams = (o: Partial<FsmParams> = {}): FsmParams => ({
  name: 'VI_1',
  vrid: 51,
  version: 3,
  priority: 100,
  intervalCs: 100,
  preempt: true,
  preemptDelayMs: 0,
  primaryAddr: '192.0.2.1',
  auth: { type: 'none' },
  addrs: ['192.0.2.100'],
  ...o,
});

/** A decoded advert of VRID 51 (v3, 1 s, the VIP of fsmParams) with this priority. */
export const advert = (priority: number, o: Partial<DecodedAdvert> = {}): DecodedAdvert => ({
  version: 3,
  vrid: 51,
  priority,
  intervalCs: 100,
  addrs: ['192.0.2.100'],
  checksum: 0,
  ...o,
});
