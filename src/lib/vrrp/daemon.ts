/**
 * The VRRP daemon runtime ("scheduler"): drives one VrrpFsm per instance with
 * monotonic timers, moves packets between the channels and the machines,
 * applies state changes (VIPs, routes, rules, announcements, notify scripts)
 * and runs the trackers. Every effect goes through injected dependencies so
 * the whole runtime runs in-process against fakes in unit tests.
 *
 * size: ~1,500 lines, over the ~700 rule and due to be split (issue 12) along its concerns: the
 * MASTER sender arming is out (./sender-arming.ts); next the tracking (links, files, processes),
 * notify, addresses (VIPs, routes, rules, GARP) and status, each a class the runtime composes.
 */
import { formatIpv4 } from '../addr';
import { parseTrackFileStatus } from '../check/track-file';
import { runScript } from '../proc/run';
import type { HalfStatus } from '../daemon/supervisor';
import type { MasterPlan } from './watchdog';
import type { Command, DaemonConfig, InstanceConfig, NotifyConfig, ScriptConfig, VipConfig } from './config';
import { instanceKey, noAccept, notifyArgs, vipPlacement } from './config';
import { DropLogLimiter } from './droplog';
import { type Action, effectivePriority, instanceTracks, type RxMeta, type State, SyncGroup, type TrackStatus, VrrpFsm } from './fsm';
import type { VipFirewall } from './firewall';
import type { NetOps } from './netops';
import {
  type DecodedAdvert,
  type DropReason,
  decodeIpv4Packet,
  decodeVrrp,
  encodeIpv4Packet,
  encodeVrrp,
  PacketError,
  setIpv4Id,
  VRRP_MCAST_V4,
  VRRP_MCAST_V6,
} from './packet';
import { type ProcInfo, ProcessTrackers, type TrackerState } from './track-process';
import { ProcScanner } from './track-process-proc';
import type { RuntimeView } from './plan';
import { SenderArming } from './sender-arming';
import type { AdvertSender, Channel, ChannelFactory, RxPacket } from './transport';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(h: unknown): void;
}

export interface ExecResult {
  code: number | null;
  timedOut: boolean;
  /** Why it did not run (set with code 127). */
  error?: string;
}

export interface DaemonDeps {
  channels: ChannelFactory;
  net: NetOps;
  /** monotonic milliseconds */
  clock: () => number;
  timers: Timers;
  /** run a command (argv, never a shell); resolves when it exits or times out */
  exec: (cmd: Command, extraArgs: string[], timeoutMs: number) => Promise<ExecResult>;
  log: Logger;
  /** read a track_file (undefined when missing) */
  readFile?: (path: string) => string | undefined;
  writeFifo?: (path: string, line: string) => void;
  /** setImmediate: enables sub-millisecond master-down timers (yielding wait) */
  immediate?: (fn: () => void) => void;
  /**
   * Block for `ms` (fractional) with the kernel's timer precision, as
   * keepalived's timerfd sleep. Preferred over `immediate` for the last
   * EARLY_MS before a master-down or Skew_Time deadline: a process that
   * spins loses the CPU to other runnable tasks on a loaded host (measured:
   * 2 to 5 ms late), one that sleeps is woken on time.
   */
  sleepSync?: (ms: number) => void;
  /**
   * A full garbage collection (src/lib/daemon/gc.ts), run once when the daemon
   * has settled after start-up (COMPACT_AFTER_MS), at a moment when no timer is
   * due within COMPACT_ROOM_MS: V8 keeps the young generation that start-up and
   * the first transitions grew until a full collection (bench/vrrp: 100
   * instances' anonymous memory 26 -> 19 MiB). A full collection of that heap
   * took 12-23 ms on a loaded 2-core host, hence the room.
   */
  compact?: () => void;
  /** no_accept / vrrp_strict: nftables drop rules for the VIPs of a MASTER (src/lib/vrrp/firewall.ts) */
  firewall?: VipFirewall;
  /** vrrp_track_process: one snapshot of the processes (default: read /proc, track-process-proc.ts) */
  scanProcesses?: (opts: { cmdline: boolean; cmdlineBytes: number; detail?: (p: ProcInfo) => boolean }) => ProcInfo[];
  /** vrrp_track_process: /proc poll interval, ms (default PROC_POLL_MS) */
  procPollMs?: number;
  /**
   * The MASTER instances, as what to undo if this process died without stopping (their
   * priority-0 adverts, VIPs, no_accept elements), and every instance's use_vmac macvlan, after
   * every change: for the watchdog (src/lib/vrrp/watchdog.ts).
   */
  onMasters?: (plans: MasterPlan[], links: string[]) => void;
}

/**
 * keepalived learns about processes from the kernel's proc connector at
 * once; hactl polls /proc this often (see track-process.ts). Measured cost of
 * one scan + update on a 2-core VM: 75 processes 1.2 ms CPU (comm) / 2.1 ms
 * (cmdline), 485 processes 4.7 ms / 7.3 ms, i.e. 0.5-3 % of a core at 250 ms.
 * Only polled when a vrrp_track_process is configured.
 */
export const PROC_POLL_MS = 250;

const EARLY_MS = 2;
/** deps.compact: once, this long after start-up, when no timer is due within COMPACT_ROOM_MS (retried every COMPACT_RETRY_MS, COMPACT_TRIES times) */
const COMPACT_AFTER_MS = 10_000;
const COMPACT_ROOM_MS = 80;
const COMPACT_RETRY_MS = 37;
const COMPACT_TRIES = 50;

export interface InstanceStatus {
  name: string;
  interface: string;
  vrid: number;
  version: number;
  family: number;
  state: State;
  basePriority: number;
  effectivePriority: number;
  advertIntervalMs: number;
  masterAddr: string | null;
  masterPriority: number | null;
  fault: string | null;
  vips: string[];
  lastTransition: { from: State; to: State; reason: string; agoMs: number } | null;
  /** `hactl vrrp drill` stepped this instance down; it stays BACKUP until `--return` */
  drillHold?: boolean;
  /** the last advert accepted from another router on this VRID */
  lastPeer?: { addr: string; priority: number; agoMs: number } | null;
  /** configured unicast_peer addresses */
  unicastPeers?: string[];
  counters: {
    rxAdverts: number;
    txAdverts: number;
    rxPriorityZero: number;
    txPriorityZero: number;
    becameMaster: number;
    releasedMaster: number;
    transitions: number;
    addrMismatch: number;
    /** adverts that could not be sent (socket errors) */
    txErrors?: number;
    /** MASTER adverts the native sender sent more than half an interval late (CPU starvation) */
    txLate?: number;
    drops: Partial<Record<DropReason, number>>;
  };
}

export interface DaemonStatus {
  pid: number;
  routerId?: string;
  uptimeMs: number;
  stalls: number;
  maxStallMs: number;
  drops: Partial<Record<DropReason | 'unknown-vrid', number>>;
  instances: InstanceStatus[];
  /** vrrp_track_process trackers: matching process count and quorum state */
  trackProcesses?: TrackerState[];
  /** the supervised halves (src/lib/daemon): the LVS child, when there is one */
  halves?: HalfStatus[];
  /** the last reload attempt (run-cli; vrrp status, /metrics) */
  lastReload?: import('./control').ReloadRecord;
  /** `--bgp`: each VIP's announcement and why (src/lib/bgp/announcer.ts), and FRR's view (vrrp/bgp-hook.ts) */
  bgp?: import('../bgp/announcer').VipAnnounceStatus[];
  bgpRouting?: import('./bgp-hook').BgpRoutingStatus;
}

/** How a reload ended, as /metrics shows it: wall-clock time (ms since the epoch), applied or not. */
export interface ReloadResult {
  atMs: number;
  ok: boolean;
  error?: string;
}

class Instance {
  fsm: VrrpFsm;
  chan!: Channel;
  src = '';
  ipId = 0;
  timer: unknown = null;
  /** encoded adverts by `priority|dst` (cleared on reload) */
  packets = new Map<string, Buffer>();
  /** bumped on every (re)schedule: cancels a pending precise wait */
  gen = 0;
  /** the advert timer's callback (one closure for the instance's life) */
  onTimer: () => void = () => {};
  /** advert destinations (cleared on reload) */
  dsts?: string[];
  /** the native MASTER advert sender (undefined: not asked yet, null: none, the JS timer sends) */
  sender?: AdvertSender | null;
  /** what the sender is armed with (deadline|priority|content), '' when disarmed */
  armed = '';
  /** bumped when the encoded adverts change (reload) */
  content = 0;
  /** sender errors already logged */
  senderErrorsSeen = 0;
  /** adverts that failed to send from JS */
  txErrors = 0;
  txLate = 0;
  garpTimers: unknown[] = [];
  /** serialises address changes */
  ops: Promise<void> = Promise.resolve();
  /** address changes queued on `ops` and not finished (the synchronous MASTER path needs none) */
  pending = 0;
  /** VIPs currently installed by us (keys) */
  installed = false;
  group?: SyncGroup;
  groupCfg?: DaemonConfig['syncGroups'][number];
  linkUp = new Map<string, boolean>();

  constructor(public cfg: InstanceConfig) {
    this.fsm = new VrrpFsm(Instance.params(cfg, ''));
  }

  static params(cfg: InstanceConfig, primary: string) {
    return {
      name: cfg.name,
      vrid: cfg.vrid,
      version: cfg.version,
      priority: cfg.priority,
      intervalCs: cfg.intervalCs,
      preempt: cfg.preempt,
      preemptDelayMs: cfg.preemptDelayMs,
      primaryAddr: primary,
      auth: cfg.auth,
      addrs: cfg.vips.map((v) => v.address),
      unicast: cfg.unicastPeers.length > 0,
      skipCheckAdvAddr: cfg.skipCheckAdvAddr ?? false,
      lowerPrioNoAdvert: cfg.lowerPrioNoAdvert ?? false,
      higherPrioSendAdvert: cfg.higherPrioSendAdvert ?? false,
    };
  }

  get sendIf(): string {
    return this.cfg.vmac && !this.cfg.vmacXmitBase ? this.cfg.vmac : this.cfg.interface;
  }
}

class ScriptRunner {
  up: boolean;
  private ok = 0;
  private bad = 0;
  private timer: unknown = null;
  private running = false;
  private stopped = false;
  constructor(
    readonly cfg: ScriptConfig,
    private readonly deps: DaemonDeps,
    private readonly onChange: () => void,
  ) {
    this.up = !cfg.initFail;
  }
  start(): void {
    this.schedule(0);
  }
  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.deps.timers.set(() => this.run(), ms);
  }
  private async run(): Promise<void> {
    if (this.stopped || this.running) return;
    this.running = true;
    let success = false;
    try {
      const r = await this.deps.exec(this.cfg.command, [], this.cfg.timeoutMs);
      success = !r.timedOut && r.code === 0;
    } catch {
      success = false;
    }
    this.running = false;
    if (this.stopped) return;
    const was = this.up;
    if (success) {
      this.bad = 0;
      this.ok++;
      if (!this.up && this.ok >= this.cfg.rise) this.up = true;
    } else {
      this.ok = 0;
      this.bad++;
      if (this.up && this.bad >= this.cfg.fall) this.up = false;
    }
    if (was !== this.up) {
      this.deps.log('info', `vrrp_script ${this.cfg.name} ${this.up ? 'succeeded' : 'failed'}`, { script: this.cfg.name, up: this.up });
      this.onChange();
    }
    this.schedule(this.cfg.intervalMs);
  }
  stop(): void {
    this.stopped = true;
    if (this.timer) this.deps.timers.clear(this.timer);
  }
}

export class VrrpDaemon {
  private cfg: DaemonConfig;
  private instances = new Map<string, Instance>();
  private channels = new Map<string, Channel>();
  private scripts = new Map<string, ScriptRunner>();
  private fileValues = new Map<string, number>();
  private fileTimer: unknown = null;
  private procs: ProcessTrackers | null = null;
  private procTimer: unknown = null;
  private readonly procScanner = new ProcScanner();
  private linkWatch: { close(): void } | null = null;
  private readonly started: number;
  /** wholeMsDelay: deadline -> Node delay for this turn of the event loop */
  private readonly delayMemo = new Map<number, number>();
  private compactTimer: unknown = null;
  /** turnNow: the first timer's time in this turn of the event loop */
  private turnAt: number | undefined;
  private stalls = 0;
  private maxStallMs = 0;
  private readonly drops: DaemonStatus['drops'] = {};
  private readonly dropLog = new DropLogLimiter();
  private dropFlushTimer: unknown = null;
  private stopping = false;
  /** promote_secondaries set by us: interface -> the value it had */
  private readonly promoted = new Map<string, boolean | undefined>();
  /** the daemon's own tracked objects (e.g. "LVS half"): weight 0, FAULT while down */
  private readonly internal = new Map<string, boolean>();
  private mastersKey = '';
  private readonly arming: SenderArming<Instance>;

  constructor(
    cfg: DaemonConfig,
    private readonly deps: DaemonDeps,
  ) {
    this.cfg = cfg;
    this.started = deps.clock();
    this.arming = new SenderArming<Instance>({
      log: (level, msg, fields) => deps.log(level, msg, fields),
      timers: deps.timers,
      clock: () => deps.clock(),
      instances: () => this.instances.values(),
      stopping: () => this.stopping,
      packets: (inst, priority) => {
        const dsts = inst.dsts ?? (inst.dsts = this.destinations(inst));
        return dsts.map((dst) => ({ buf: this.packetFor(inst, priority, dst), dst }));
      },
      onStall: () => this.stalls++,
    });
  }

  // ------------------------------------------------------------ lifecycle

  async start(): Promise<void> {
    for (const s of this.cfg.scripts) this.addScript(s);
    for (const ic of this.cfg.instances) this.instances.set(instanceKey(ic), this.newInstance(ic));
    this.buildGroups();
    this.linkWatch = this.deps.net.watchLinks((l) => this.onLink(l.name, l.up));
    this.pollFiles();
    this.startProcesses();
    // Prepare every instance first, then start their state machines in one pass from one
    // `now`, as keepalived starts its instances from one time_now: instances that start
    // together keep one advert cadence, so a daemon with N instances wakes once per interval
    // instead of N times (bench/vrrp: CPU of 100 instances).
    for (const inst of this.instances.values()) await this.prepareInstance(inst);
    const now = this.deps.clock();
    for (const inst of this.instances.values()) this.goInstance(inst, now);
    for (const r of this.scripts.values()) r.start();
    if (this.deps.compact) this.compactTimer = this.deps.timers.set(() => this.compactWhenRoom(COMPACT_TRIES), COMPACT_AFTER_MS);
  }

  /** deps.compact when no instance timer is due within COMPACT_ROOM_MS; else retry shortly (at most `tries` times). */
  private compactWhenRoom(tries: number): void {
    this.compactTimer = null;
    if (this.stopping || !this.deps.compact) return;
    const now = this.deps.clock();
    let room = Number.POSITIVE_INFINITY;
    for (const i of this.instances.values()) {
      const d = i.fsm.deadline();
      // a natively sent advert does not wait for the collection
      if (d !== null && !i.armed) room = Math.min(room, d - now);
    }
    if (room >= COMPACT_ROOM_MS) {
      this.deps.compact();
      return;
    }
    if (tries > 1) this.compactTimer = this.deps.timers.set(() => this.compactWhenRoom(tries - 1), COMPACT_RETRY_MS);
  }

  private newInstance(ic: InstanceConfig): Instance {
    const inst = new Instance(ic);
    inst.onTimer = () => this.onTimer(inst);
    return inst;
  }

  private addScript(s: ScriptConfig): void {
    const r = new ScriptRunner(s, this.deps, () => this.retrack());
    this.scripts.set(s.name, r);
  }

  private buildGroups(): void {
    const byName = new Map([...this.instances.values()].map((i) => [i.cfg.name, i]));
    for (const i of this.instances.values()) {
      i.group = undefined;
      i.groupCfg = undefined;
      i.fsm.sync = null;
    }
    for (const g of this.cfg.syncGroups) {
      const members = g.members.map((m) => byName.get(m)).filter((x): x is Instance => !!x);
      const sg = new SyncGroup(
        g.name,
        members.map((m) => m.fsm),
      );
      for (const m of members) {
        m.group = sg;
        m.groupCfg = g;
      }
    }
  }

  private channelFor(inst: Instance): Channel {
    // use_vmac: adverts leave from the macvlan (00:00:5e:00:01:VRID) unless vmac_xmit_base
    const ifname = inst.sendIf;
    const base = inst.cfg.interface;
    const key = `${ifname}/${inst.cfg.family}`;
    let ch = this.channels.get(key);
    if (!ch) {
      ch = this.deps.channels.open(
        ifname,
        inst.cfg.family,
        (p) => this.onPacket(base, p),
        (e) => this.deps.log('error', `socket error on ${ifname}: ${e.message}`),
        { clock: this.deps.clock, rxIfname: base, vrid: inst.cfg.vmac ? inst.cfg.vrid : undefined },
      );
      this.channels.set(key, ch);
    }
    return ch;
  }

  private async startInstance(inst: Instance): Promise<void> {
    await this.prepareInstance(inst);
    this.goInstance(inst, this.deps.clock());
  }

  /** Everything before the state machine starts: links, source address, vmac, socket, a clean slate. */
  private async prepareInstance(inst: Instance): Promise<void> {
    const c = inst.cfg;
    if (noAccept(c) && !this.deps.firewall)
      // keepalived enforces no_accept (also implied by vrrp_strict) with nftables drop rules for
      // the VIPs while MASTER; without a firewall (an embedding that gives none) say so
      this.deps.log('warn', `(${c.name}) no_accept is not enforced: as MASTER this node accepts packets addressed to the virtual addresses`, {
        instance: c.name,
      });
    const link = await this.deps.net.link(c.interface);
    if (!link) throw new Error(`vrrp_instance ${c.name}: interface ${c.interface} does not exist`);
    inst.linkUp.set(c.interface, link.up);
    for (const t of c.trackInterfaces) {
      const l = await this.deps.net.link(t.name);
      inst.linkUp.set(t.name, !!l?.up);
    }
    const src =
      c.unicastSrcIp ?? c.mcastSrcIp ?? (await this.deps.net.primaryAddress(c.interface, c.family)) ?? (c.family === 4 ? '0.0.0.0' : '::');
    inst.src = src;
    inst.fsm.params.primaryAddr = src;
    if (c.vmac)
      await this.deps.net.ensureVmac(c.interface, c.vmac, c.vrid, c.family, {
        // IPv6: the macvlan carries our source link-local (adverts leave from it with the virtual MAC)
        linkLocal: c.family === 6 ? src : undefined,
        keepIpv6: c.excludedVips.some((v) => v.family === 6 && (!v.dev || v.dev === c.interface)),
      });
    if (c.promoteSecondaries) await this.promote(c.vmac ?? c.interface);
    inst.chan = this.channelFor(inst);
    if (c.family === 6) inst.chan.setSource?.(src);
    this.deps.net.prepare?.(c.vmac ?? c.interface, [...c.vips, ...c.excludedVips]);
    this.applyTracking(inst, false);
    // clean slate: our VIPs must not be present while not MASTER
    await this.removeAddresses(inst);
  }

  private goInstance(inst: Instance, now: number): void {
    this.handle(inst, inst.fsm.start(now), true);
  }

  // ------------------------------------------------------------ packets

  private countDrop(reason: DropReason | 'unknown-vrid'): void {
    this.drops[reason] = (this.drops[reason] ?? 0) + 1;
  }

  /**
   * Log a dropped packet (keepalived logs each one), rate-limited per reason
   * by DropLogLimiter; the summary of what was not logged follows by timer.
   */
  private logDrop(reason: string, line: string, fields: Record<string, unknown>): void {
    const now = this.deps.clock();
    if (this.dropLog.record(reason, line, now)) this.deps.log('info', line, { reason, ...fields });
    this.scheduleDropSummary();
  }

  private scheduleDropSummary(): void {
    const at = this.dropLog.nextFlush();
    if (at === null || this.dropFlushTimer !== null || this.stopping) return;
    this.dropFlushTimer = this.deps.timers.set(
      () => {
        this.dropFlushTimer = null;
        for (const l of this.dropLog.flush(this.deps.clock())) this.deps.log('info', l);
        this.scheduleDropSummary();
      },
      Math.max(1, at - this.deps.clock() + 1),
    );
  }

  /** Entry point for received packets (public for tests and fuzzing). */
  onPacket(ifname: string, p: RxPacket): void {
    if (this.stopping) return;
    let adv: DecodedAdvert;
    let src: string;
    let rx: RxMeta;
    try {
      // TTL / hop limit: checked per instance (only multicast instances want 255)
      if (p.family === 4) {
        const d = decodeIpv4Packet(p.raw, { checkTtl: false });
        adv = d.advert;
        src = d.ip.src;
        rx = { ttl: d.ip.ttl, dst: d.ip.dst };
      } else {
        adv = decodeVrrp(p.payload, { family: 6, src: p.src, dst: p.dst, ttl: p.hopLimit }, { checkTtl: false });
        src = p.src;
        rx = { ttl: p.hopLimit, dst: p.dst };
      }
    } catch (e) {
      const reason = e instanceof PacketError ? e.reason : 'truncated';
      this.countDrop(reason);
      const { from, vrid } = rawOrigin(p);
      this.logDrop(reason, `dropped VRRP packet on ${ifname} from ${from}${vrid === undefined ? '' : ` VRID ${vrid}`}: ${(e as Error).message}`, {
        interface: ifname,
        from,
        vrid,
      });
      return;
    }
    const inst = this.instances.get(`${ifname}/${p.family}/${adv.vrid}`);
    if (!inst) {
      // keepalived logs these only with log_unknown_vrids
      this.countDrop('unknown-vrid');
      return;
    }
    const c = inst.cfg;
    const fields = { instance: c.name, from: src, vrid: adv.vrid };
    // keepalived 2.2.7 (vrrp_check_packet): a unicast instance takes adverts from any source unless
    // check_unicast_src, which wants a unicast_peer whose min_ttl..max_ttl holds the TTL / hop limit
    if (c.checkUnicastSrc && c.unicastPeers.length > 0) {
      const i = c.unicastPeers.indexOf(src);
      if (i < 0) {
        inst.fsm.drop('not-peer');
        this.logDrop('not-peer', `(${c.name}) dropped advert from ${src} VRID ${adv.vrid}: not-peer: not one of the unicast_peer addresses`, fields);
        return;
      }
      const r = c.unicastPeerTtl?.[i];
      if (r && rx.ttl !== undefined && (rx.ttl < r.minTtl || rx.ttl > r.maxTtl)) {
        inst.fsm.drop('ttl');
        this.logDrop('ttl', `(${c.name}) dropped advert from ${src} VRID ${adv.vrid}: ttl: TTL ${rx.ttl} not in range ${r.minTtl} - ${r.maxTtl}`, fields);
        return;
      }
    }
    if (inst.fsm.state === 'BACKUP' || inst.fsm.state === 'MASTER') {
      const bad = inst.fsm.checkDetail(adv, src, rx);
      if (bad) {
        if (bad.reason === 'addr-mismatch') inst.fsm.stats.addrMismatch++;
        inst.fsm.drop(bad.reason);
        // our own adverts coming back are no news
        if (bad.reason !== 'own') this.logDrop(bad.reason, `(${c.name}) dropped advert from ${src} VRID ${adv.vrid}: ${bad.reason}: ${bad.detail}`, fields);
        return;
      }
    }
    // "now" for the FSM: when the socket became readable (keepalived: time_now
    // after epoll_wait), so decoding does not push the deadlines. A priority-0
    // advert (the master is leaving) counts from the kernel's receive time:
    // Skew_Time as the RFC means it. Regular adverts keep the later time: a
    // receive path slowed down by load (softirq backlog) must not make their
    // master-down deadline earlier (measured: false takeovers at 0.01 s).
    const at = adv.priority === 0 && p.kernelAt !== undefined ? p.kernelAt : p.at;
    const acts = inst.fsm.receive(adv, src, at ?? this.deps.clock(), rx);
    this.handle(inst, acts);
  }

  /** The encoded advert for (priority, destination), cached: only the IPv4 id and header checksum change. */
  private packetFor(inst: Instance, priority: number, dst: string): Buffer {
    const key = `${priority}|${dst}`;
    let pkt = inst.packets.get(key);
    if (!pkt) {
      const adv = inst.fsm.advert(priority);
      // unicast_ttl: the TTL of IPv4 unicast adverts (default 255)
      const ttl = inst.cfg.unicastPeers.length > 0 ? inst.cfg.unicastTtl : undefined;
      pkt = inst.cfg.family === 4 ? encodeIpv4Packet(adv, { src: inst.src, dst, id: 0, ttl }) : encodeVrrp(adv, { family: 6, src: inst.src, dst });
      inst.packets.set(key, pkt);
    }
    return pkt;
  }

  private destinations(inst: Instance): string[] {
    return inst.cfg.unicastPeers.length > 0 ? inst.cfg.unicastPeers : [inst.cfg.family === 4 ? VRRP_MCAST_V4 : VRRP_MCAST_V6];
  }

  private sendAdvert(inst: Instance, priority: number): void {
    const dsts = inst.dsts ?? (inst.dsts = this.destinations(inst));
    // IPv4: continue the ids of the native sender's adverts
    this.arming.syncIpId(inst);
    for (const dst of dsts) {
      try {
        const pkt = this.packetFor(inst, priority, dst);
        if (inst.cfg.family === 4) {
          inst.ipId = (inst.ipId % 0xffff) + 1;
          setIpv4Id(pkt, inst.ipId);
        }
        if (inst.cfg.family === 4) inst.chan.send(pkt, dst);
        // IPv6 unicast: unicast_ttl, else the kernel's default hop limit (-1), as keepalived 2.2.7
        else inst.chan.send(pkt, dst, inst.src, inst.cfg.unicastPeers.length > 0 ? (inst.cfg.unicastTtl ?? -1) : undefined);
      } catch (e) {
        inst.txErrors++;
        this.deps.log('error', `${inst.cfg.name}: cannot send advert: ${(e as Error).message}`);
      }
    }
  }

  // ------------------------------------------------------------ timers

  private schedule(inst: Instance): void {
    if (inst.timer) this.deps.timers.clear(inst.timer);
    inst.timer = null;
    inst.gen++;
    const d = inst.fsm.deadline();
    if (this.arming.sync(inst, d)) return;
    if (d === null || this.stopping) return;
    // Timers have millisecond granularity and fire late; with `immediate`
    // available, wake up EARLY_MS before the deadline and yield to I/O until
    // it is reached (keepalived's timerfd precision, sub-ms).
    const kind = inst.fsm.timerKind();
    // a backup's first advert must not wait for its encoding (the takeover's critical path)
    if (kind === 'masterDown')
      try {
        for (const dst of this.destinations(inst)) this.packetFor(inst, inst.fsm.priority, dst);
      } catch {
        /* reported when sending */
      }
    const early = (this.deps.sleepSync || this.deps.immediate) && kind === 'masterDown' ? EARLY_MS : 0;
    let delay = Math.max(0, d - this.deps.clock() - early);
    // whole ms when onTimer sleeps the rest: Node keeps one timer list per distinct
    // duration, and fractional ones made a new list (and queue entry) for every advert
    if (this.deps.sleepSync) delay = this.wholeMsDelay(d, delay);
    inst.timer = this.deps.timers.set(inst.onTimer, delay);
  }

  /**
   * The whole-ms Node delay for deadline `d`, the same for every instance that
   * schedules `d` in this turn of the event loop. Node counts a timer from the
   * loop's cached time, so instances with one deadline scheduled a few hundred
   * µs apart would otherwise get delays of 998 and 999 ms: two timer lists and
   * two wake-ups. With one delay they share a list and one wake-up; the first
   * sleeps the rest up to `d` (onTimer) and the others find `d` reached.
   */
  private wholeMsDelay(d: number, delay: number): number {
    const memo = this.delayMemo.get(d);
    if (memo !== undefined) return memo;
    const whole = Math.floor(delay);
    if (this.deps.immediate) {
      if (this.delayMemo.size === 0) this.deps.immediate(() => this.delayMemo.clear());
      this.delayMemo.set(d, whole);
    }
    return whole;
  }

  private onTimer(inst: Instance): void {
    inst.timer = null;
    if (this.stopping) return;
    const d = inst.fsm.deadline();
    if (d === null) return;
    let now = this.deps.clock();
    // (Sending an advert up to 1.5 ms early, to save the second wake-up, was tried and reverted: the FSM
    // then counts from a time the clock has not reached, and vrrp-lowprio showed the timer restart after
    // answering a priority-0 / lower-priority advert no longer matching keepalived's.)
    if (now < d && this.deps.sleepSync && d - now <= EARLY_MS + 1) {
      // the last EARLY_MS before a takeover: sleep precisely (an advert that
      // arrives meanwhile waits in the socket and is read by the drain below).
      // A master's advert timer fires up to 1 ms early (Node timers count whole
      // ms from a cached loop time): it sleeps the rest too. It used to spin
      // with setImmediate, which allocated ~10 MB/s at advert_int 0.01 (a
      // scavenge every 90 ms, 4-40 ms each on a loaded host: the gaps in the
      // adverts) and burnt CPU; a sleeping process is also woken on time.
      this.deps.sleepSync(d - now);
      now = this.deps.clock();
      // 1 µs tolerance: the sleep may round down
      if (now < d && d - now < 0.001) now = d;
    }
    if (now < d && this.deps.immediate) {
      const gen = inst.gen;
      const spin = () => {
        if (inst.gen !== gen || this.stopping) return; // rescheduled by a received advert
        if (this.deps.clock() >= d) this.onTimer(inst);
        else this.deps.immediate!(spin);
      };
      this.deps.immediate(spin);
      return;
    }
    const late = now - d;
    const slack = Math.max(20, inst.fsm.advertIntervalMs / 2);
    if (late > slack) {
      this.stalls++;
      this.maxStallMs = Math.max(this.maxStallMs, late);
      this.deps.log('warn', `event loop stalled: ${inst.cfg.name} timer ran ${late.toFixed(1)} ms late`, { instance: inst.cfg.name, lateMs: late });
    }
    if (inst.fsm.timerKind() === 'masterDown') {
      // Timer safety: before declaring the master down, read every advert
      // already queued in the kernel (a stalled loop may not have seen them).
      const drained = inst.chan.drain();
      if (drained > 0) this.deps.log('debug', `${inst.cfg.name}: read ${drained} queued packet(s) before the master-down decision`);
      now = this.deps.clock();
      const nd = inst.fsm.deadline();
      if (nd === null || nd > now || inst.fsm.timerKind() !== 'masterDown') {
        this.schedule(inst);
        return;
      }
    }
    this.handle(inst, inst.fsm.tick(this.turnNow(inst.fsm.deadline() ?? d, now)));
  }

  /**
   * The time the state machine is told at a timer: keepalived's time_now, taken
   * once when a turn of its event loop starts. Instances whose deadlines came in
   * the same turn all see the first one's time (never a time before their own
   * deadline), so the 100 instances whose master-down timers expire together
   * become MASTER with one advert cadence, as keepalived's do; counted from each
   * one's own handling time (VIPs and GARPs of the ones before: ~1 ms each) they
   * spread over ~120 ms and the daemon woke 100 times per interval.
   */
  private turnNow(deadline: number, now: number): number {
    if (!this.deps.immediate) return now;
    if (this.turnAt === undefined) {
      this.turnAt = now;
      this.deps.immediate(() => {
        this.turnAt = undefined;
      });
      return now;
    }
    return this.turnAt >= deadline ? this.turnAt : now;
  }

  // ------------------------------------------------------------ actions

  private handle(inst: Instance, acts: Action[], fromStart = false): void {
    for (const a of acts) {
      if (a.kind === 'send') this.sendAdvert(inst, a.priority);
      else if (a.kind === 'lowerPrio') this.onLowerPrio(inst, a.from, a.priority);
      else if (a.kind === 'held') this.onHeld(inst, a.by, a.first);
      else this.onTransition(inst, a.from, a.to, a.reason, fromStart);
    }
    if (inst.group && acts.some((a) => a.kind === 'transition')) {
      const res = inst.group.propagate(inst.fsm, acts, this.deps.clock());
      for (const [fsm, macts] of res) {
        const m = [...this.instances.values()].find((i) => i.fsm === fsm);
        if (!m) continue;
        for (const a of macts) {
          if (a.kind === 'send') this.sendAdvert(m, a.priority);
          else if (a.kind === 'transition') this.onTransition(m, a.from, a.to, a.reason, false);
        }
        this.schedule(m);
      }
      const states = new Set(inst.group.members.map((m) => m.state));
      if (states.size === 1 && inst.groupCfg) {
        const st = [...states][0];
        if (st !== 'INIT') this.notify(inst.groupCfg.notify, 'GROUP', inst.groupCfg.name, st, 0);
      }
    }
    this.schedule(inst);
    if (acts.some((a) => a.kind === 'transition')) this.publishMasters();
  }

  /** onMasters: the MASTER instances, when that set changed. */
  private publishMasters(): void {
    const cb = this.deps.onMasters;
    if (!cb || this.stopping) return;
    const masters = [...this.instances.values()].filter((i) => i.fsm.state === 'MASTER');
    // the use_vmac macvlans of every instance: the clean stop deletes them whatever the state
    const links = [...new Set([...this.instances.values()].flatMap((i) => (i.cfg.vmac ? [i.cfg.vmac] : [])))];
    const key = `${masters.map((i) => `${instanceKey(i.cfg)}|${i.src}|${JSON.stringify(i.cfg)}`).join('\n')}\n${links.join(' ')}`;
    if (key === this.mastersKey) return;
    this.mastersKey = key;
    const plans: MasterPlan[] = [];
    for (const i of masters) {
      const c = i.cfg;
      try {
        plans.push({
          instance: c.name,
          ifname: i.sendIf,
          family: c.family,
          src: i.src,
          // a copy: the cached packet's IPv4 id is rewritten on every send
          adverts: this.destinations(i).map((dst) => ({ dst, packet: Buffer.from(this.packetFor(i, 0, dst)) })),
          vips: [...c.vips, ...c.excludedVips].map((v) => {
            const on = this.vipOn(i, v);
            return { address: on.address, prefix: on.prefix, dev: on.dev ?? c.interface };
          }),
          nftVips: noAccept(c) && this.deps.firewall ? [...c.vips, ...c.excludedVips].map((v) => v.address) : [],
          routes: c.routes,
          rules: c.rules,
        });
      } catch (e) {
        this.deps.log('warn', `${c.name}: watchdog plan: ${(e as Error).message}`);
      }
    }
    cb(plans, links);
  }

  /**
   * A tracked object of the daemon itself, e.g. "LVS half" while the supervised LVS child is
   * down (src/lib/daemon): weight 0, so the instances are FAULT while it is down (a MASTER
   * sends priority 0 and gives up its VIPs), as for a tracked interface.
   */
  setInternalTrack(name: string, up: boolean): void {
    if ((this.internal.get(name) ?? true) === up) return;
    this.internal.set(name, up);
    this.deps.log(up ? 'info' : 'warn', `${name} is ${up ? 'up' : 'down'}${up ? '' : ': VRRP instances go to FAULT'}`, { track: name, up });
    this.retrack();
  }

  /**
   * `hactl vrrp drill` (control socket `drill NAME` / `drill-return NAME`): a MASTER steps down the
   * normal way (priority-0 advert, VIPs removed, notify BACKUP) and is held BACKUP; `return` ends the
   * hold, after which the instance preempts as configured. Refuses (error) what it cannot do.
   */
  drill(name: string, op: 'step-down' | 'return'): { error: string } | { instance: string; state: State; held: boolean; src: string } {
    const inst = this.instances.get(name) ?? [...this.instances.values()].find((i) => i.cfg.name === name);
    if (!inst) return { error: `no vrrp_instance ${name} in the running configuration (${[...this.instances.values()].map((i) => i.cfg.name).join(', ') || 'none'})` };
    const f = inst.fsm;
    if (op === 'return') {
      const was = f.releaseHold();
      this.deps.log('info', `(${name}) drill: ${was ? 'hold released; preempting as configured' : 'no drill hold to release'}`, { instance: name, drill: 'return' });
      return { instance: name, state: f.state, held: false, src: inst.src };
    }
    if (f.state !== 'MASTER') return { error: `${name} is ${f.state}, not MASTER: only a MASTER can step down` };
    if (inst.group) return { error: `${name} is in sync group ${inst.groupCfg?.name ?? '?'}: a drill of one member is not supported (the group would follow it)` };
    this.deps.log('warn', `(${name}) drill: stepping down (priority 0), held BACKUP until hactl vrrp drill --return`, { instance: name, drill: 'step-down' });
    this.handle(inst, f.stepDown(this.deps.clock(), 'drill: stepped down (hactl vrrp drill)'));
    return { instance: name, state: f.state, held: f.drillHold, src: inst.src };
  }

  private onTransition(inst: Instance, from: State, to: State, reason: string, _fromStart: boolean): void {
    const c = inst.cfg;
    this.deps.log('info', `(${c.name}) Entering ${to} STATE (${reason})`, {
      instance: c.name,
      from,
      to,
      reason,
      priority: inst.fsm.priority,
    });
    for (const t of inst.garpTimers) this.deps.timers.clear(t);
    inst.garpTimers = [];
    if (to === 'MASTER') {
      const garps = () => {
        if (c.garpMasterDelayMs > 0)
          inst.garpTimers.push(
            this.deps.timers.set(() => {
              if (inst.fsm.state === 'MASTER') void this.garpBurst(inst, c.garpMasterRepeat);
            }, c.garpMasterDelayMs),
          );
        if (c.garpMasterRefreshMs > 0) this.refreshLoop(inst);
      };
      if (this.canActNow(inst)) {
        // keepalived's order, in this same event: the advert (already sent), the VIPs, the GARPs/NAs.
        // No event-loop turn in between: the first GARP follows the first advert by well under a ms.
        this.addVipsNow(inst);
        this.garpNow(inst, this.announced(inst.cfg), c.garpMasterRepeat);
        garps();
        if (c.routes.length || c.rules.length) this.queue(inst, () => this.addRoutesRules(inst));
      } else
        this.queue(inst, async () => {
          if (inst.fsm.state !== 'MASTER') return;
          await this.addAddresses(inst);
          if (inst.fsm.state !== 'MASTER') return;
          await this.garpBurst(inst, c.garpMasterRepeat);
          garps();
        });
    } else if (from === 'MASTER' || to === 'FAULT' || to === 'BACKUP') {
      this.queue(inst, () => this.removeAddresses(inst));
    }
    if (to !== 'INIT') this.notify(c.notify, 'INSTANCE', c.name, to, inst.fsm.priority);
  }

  /**
   * Sync group: the master-down timer fired but another member still hears its master, so the
   * instance stays BACKUP (keepalived 2.2.7 logs nothing then; said once per wait here, the
   * re-armed timers at debug).
   */
  private onHeld(inst: Instance, by: string, first: boolean): void {
    const g = inst.group?.name ?? '';
    this.deps.log(
      first ? 'info' : 'debug',
      `(${inst.cfg.name}) master down, but held in BACKUP by sync group ${g}: ${by} still hears its master; waiting another ${inst.fsm.masterDownMs().toFixed(0)} ms`,
      { instance: inst.cfg.name, group: g, by },
    );
  }

  /**
   * keepalived vrrp_state_master_rx, lower-priority advert: (the FSM already
   * answered with an advert unless lower_prio_no_advert) garp_lower_prio_repeat
   * GARPs/NAs now and again after garp_lower_prio_delay, and
   * notify_master_rx_lower_pri (run without arguments, like notify_master;
   * notify_fifo gets `INSTANCE "NAME" MASTER_RX_LOWER_PRI PRIORITY`).
   */
  private onLowerPrio(inst: Instance, from: string, priority: number): void {
    const c = inst.cfg;
    this.deps.log('info', `(${c.name}) Received advert from ${from} with lower priority ${priority}, ours ${inst.fsm.priority}${c.lowerPrioNoAdvert ? '' : ', forcing new election'}`, {
      instance: c.name,
      from,
      priority,
    });
    const repeat = c.garpLowerPrioRepeat ?? c.garpMasterRepeat;
    const delayMs = c.garpLowerPrioDelayMs ?? c.garpMasterDelayMs;
    if (repeat > 0) {
      this.queue(inst, async () => {
        if (inst.fsm.state === 'MASTER') await this.garpBurst(inst, repeat);
      });
      if (delayMs > 0) {
        const t = this.deps.timers.set(() => {
          inst.garpTimers = inst.garpTimers.filter((x) => x !== t);
          if (inst.fsm.state === 'MASTER') void this.garpBurst(inst, repeat);
        }, delayMs);
        inst.garpTimers.push(t);
      }
    }
    const script = c.notify.masterRxLowerPri;
    if (script) void this.runNotify(script, []);
    if (script) this.fifoLine(`INSTANCE "${c.name}" MASTER_RX_LOWER_PRI ${inst.fsm.priority}\n`);
  }

  private refreshLoop(inst: Instance): void {
    inst.garpTimers.push(
      this.deps.timers.set(() => {
        if (inst.fsm.state !== 'MASTER') return;
        void this.garpBurst(inst, inst.cfg.garpMasterRefreshRepeat);
        this.refreshLoop(inst);
      }, inst.cfg.garpMasterRefreshMs),
    );
  }

  /** Chain an address change on the instance's queue (keeps `pending` for canActNow). */
  private queue(inst: Instance, fn: () => Promise<void>): void {
    inst.pending++;
    inst.ops = inst.ops.then(fn).finally(() => {
      inst.pending--;
    });
  }

  /** The synchronous MASTER path: the host offers it and no queued change could run after it. */
  private canActNow(inst: Instance): boolean {
    return inst.pending === 0 && !!this.deps.net.addVipNow && !!this.deps.net.announceNow;
  }

  /** The addresses a GARP/NA burst announces (those on the instance's interface). */
  private announced(c: InstanceConfig, vips: VipConfig[] = [...c.vips, ...c.excludedVips]): string[] {
    return vips.filter((v) => !v.dev || v.dev === c.interface).map((v) => v.address);
  }

  private garpNow(inst: Instance, addrs: string[], repeat: number): void {
    try {
      this.deps.net.announceNow!(inst.cfg.vmac ?? inst.cfg.interface, addrs, repeat);
    } catch (e) {
      this.deps.log('warn', `${inst.cfg.name}: gratuitous ARP/NA failed: ${(e as Error).message}`);
    }
  }

  private async garpBurst(inst: Instance, repeat: number, addrs = this.announced(inst.cfg)): Promise<void> {
    if (this.deps.net.announceNow) return this.garpNow(inst, addrs, repeat);
    try {
      await this.deps.net.announce(inst.cfg.vmac ?? inst.cfg.interface, addrs, repeat);
    } catch (e) {
      this.deps.log('warn', `${inst.cfg.name}: gratuitous ARP/NA failed: ${(e as Error).message}`);
    }
  }

  /** VIPs synchronously (addVipNow), then the no_accept rules; routes and rules follow on the queue. */
  private addVipsNow(inst: Instance): void {
    const c = inst.cfg;
    inst.installed = true;
    for (const v of [...c.vips, ...c.excludedVips]) {
      try {
        this.deps.net.addVipNow!(this.vipOn(inst, v), c.interface);
      } catch (e) {
        this.deps.log('error', `${c.name}: cannot add ${v.address}/${v.prefix}: ${(e as Error).message}`);
      }
    }
    this.deps.firewall?.update(c.name, noAccept(c) ? [...c.vips, ...c.excludedVips].map((v) => v.address) : []);
  }

  private async addRoutesRules(inst: Instance): Promise<void> {
    if (inst.fsm.state !== 'MASTER') return;
    const c = inst.cfg;
    for (const r of c.routes)
      await this.deps.net.addRoute(r).catch((e: Error) => this.deps.log('error', `${c.name}: cannot add route ${r.dst}: ${e.message}`));
    for (const r of c.rules)
      await this.deps.net.addRule(r).catch((e: Error) => this.deps.log('error', `${c.name}: cannot add rule: ${e.message}`));
  }

  private async addAddresses(inst: Instance): Promise<void> {
    const c = inst.cfg;
    inst.installed = true;
    for (const v of [...c.vips, ...c.excludedVips]) {
      try {
        await this.deps.net.addVip(this.vipOn(inst, v), c.interface);
      } catch (e) {
        this.deps.log('error', `${c.name}: cannot add ${v.address}/${v.prefix}: ${(e as Error).message}`);
      }
    }
    for (const r of c.routes)
      await this.deps.net.addRoute(r).catch((e: Error) => this.deps.log('error', `${c.name}: cannot add route ${r.dst}: ${e.message}`));
    for (const r of c.rules)
      await this.deps.net.addRule(r).catch((e: Error) => this.deps.log('error', `${c.name}: cannot add rule: ${e.message}`));
    this.deps.firewall?.update(c.name, noAccept(c) ? [...c.vips, ...c.excludedVips].map((v) => v.address) : []);
  }

  /** use_vmac: VIPs of the base interface live on the macvlan, as keepalived does. */
  private vipOn(_inst: Instance, v: VipConfig, cfg: InstanceConfig = _inst.cfg): VipConfig {
    return vipPlacement(cfg, v);
  }

  private async removeAddresses(inst: Instance, cfg: InstanceConfig = inst.cfg): Promise<void> {
    const had = inst.installed;
    inst.installed = false;
    this.deps.firewall?.update(cfg.name, []);
    for (const r of cfg.rules) await this.deps.net.delRule(r).catch(() => {});
    for (const r of cfg.routes) await this.deps.net.delRoute(r).catch(() => {});
    const devs = new Set<string>();
    for (const v of [...cfg.vips, ...cfg.excludedVips]) {
      const on = this.vipOn(inst, v, cfg);
      if (on.family === 4) devs.add(on.dev ?? cfg.interface);
      try {
        await this.deps.net.delVip(on, cfg.interface);
      } catch (e) {
        this.deps.log('warn', `${cfg.name}: cannot remove ${v.address}: ${(e as Error).message}`);
      }
    }
    if (had && devs.size > 0) await this.restoreSiblings(inst, devs);
  }

  /**
   * Removing the primary IPv4 address of a subnet makes the kernel remove its secondaries too
   * (unless promote_secondaries): VIPs of other MASTER instances in that subnet would be gone
   * without a word (keepalived 2.2.7 loses them; seen in test/integration/vrrp-notify-keepalived).
   * Put them back, and say so.
   */
  private async restoreSiblings(gone: Instance, devs: Set<string>): Promise<void> {
    const list = this.deps.net.ipv4Addresses?.bind(this.deps.net);
    // at stop every instance removes its addresses: nothing to put back
    if (!list || this.stopping) return;
    const present = new Map<string, Set<string>>();
    for (const o of this.instances.values()) {
      if (o === gone || !o.installed) continue;
      for (const v of [...o.cfg.vips, ...o.cfg.excludedVips]) {
        const on = this.vipOn(o, v);
        const dev = on.dev ?? o.cfg.interface;
        if (on.family !== 4 || !devs.has(dev)) continue;
        let have = present.get(dev);
        if (!have) present.set(dev, (have = new Set(await list(dev).catch(() => [] as string[]))));
        const key = `${on.address}/${on.prefix}`;
        if (have.has(key)) continue;
        this.deps.log(
          'warn',
          `(${o.cfg.name}) ${key} on ${dev} went away when ${gone.cfg.name} removed its addresses (the primary address of the subnet takes its secondaries with it); adding it again. Set promote_secondaries on the instances to avoid the gap`,
          { instance: o.cfg.name, vip: key },
        );
        await this.deps.net.addVip(on, o.cfg.interface).catch((e: Error) => this.deps.log('error', `${o.cfg.name}: cannot add ${key} again: ${e.message}`));
        have.add(key);
      }
    }
  }

  /** promote_secondaries on `dev`, the first time an instance asks for it; the old value comes back at stop. */
  private async promote(dev: string): Promise<void> {
    if (this.promoted.has(dev) || !this.deps.net.promoteSecondaries) return;
    const prev = await this.deps.net.promoteSecondaries(dev, true);
    this.promoted.set(dev, prev);
    if (prev === undefined) this.deps.log('warn', `promote_secondaries: cannot set net.ipv4.conf.${dev}.promote_secondaries`);
  }

  private notify(n: NotifyConfig, type: 'INSTANCE' | 'GROUP', name: string, state: State, priority: number): void {
    const specific = state === 'MASTER' ? n.master : state === 'BACKUP' ? n.backup : state === 'FAULT' ? n.fault : undefined;
    if (specific) void this.runNotify(specific, []);
    if (n.generic) void this.runNotify(n.generic, notifyArgs(type, name, state, priority));
    this.fifoLine(`${type} "${name}" ${state} ${priority}\n`);
  }

  /** One notify line to every FIFO (global notify_fifo, vrrp_notify_fifo), as keepalived's VRRP process. */
  private fifoLine(line: string): void {
    const w = this.deps.writeFifo;
    if (!w) return;
    const paths = new Set<string>();
    if (this.cfg.notifyFifo) paths.add(this.cfg.notifyFifo);
    for (const f of this.cfg.notifyFifos ?? []) paths.add(f.path);
    for (const p of paths) {
      try {
        w(p, line);
      } catch (e) {
        this.deps.log('warn', `notify_fifo ${p}: ${(e as Error).message}`);
      }
    }
  }

  private notifyStop(inst: Instance): Promise<unknown> {
    return this.notifyLast(inst, 'STOP', inst.cfg.notify.stop);
  }

  /**
   * A reload deleted the instance. keepalived 2.2.7 (seen in test/integration/vrrp-notify-keepalived):
   * the generic notify and notify_fifo get FAULT, or DELETED when the instance has `notify_deleted`,
   * whose script (if any) runs without arguments; notify_fault and notify_stop do not run.
   */
  private notifyDeleted(inst: Instance): Promise<unknown> {
    const n = inst.cfg.notify;
    return this.notifyLast(inst, n.sendDeleted ? 'DELETED' : 'FAULT', n.sendDeleted ? n.deleted : undefined);
  }

  private notifyLast(inst: Instance, state: 'STOP' | 'DELETED' | 'FAULT', script: Command | undefined): Promise<unknown> {
    const n = inst.cfg.notify;
    const ps: Promise<unknown>[] = [];
    if (script) ps.push(this.runNotify(script, []));
    if (n.generic) ps.push(this.runNotify(n.generic, notifyArgs('INSTANCE', inst.cfg.name, state, inst.fsm.priority)));
    this.fifoLine(`INSTANCE "${inst.cfg.name}" ${state} ${inst.fsm.priority}\n`);
    return Promise.all(ps);
  }

  private async runNotify(cmd: Command, args: string[]): Promise<void> {
    const c: Command = { ...cmd, user: cmd.user ?? this.cfg.scriptUser?.user, group: cmd.group ?? this.cfg.scriptUser?.group };
    try {
      const r = await this.deps.exec(c, args, 30_000);
      if (r.error) this.deps.log('warn', `notify ${cmd.argv[0]}: ${r.error}`);
      else if (r.code !== 0) this.deps.log('warn', `notify ${cmd.argv[0]} exited with ${r.timedOut ? 'timeout' : r.code}`);
    } catch (e) {
      this.deps.log('warn', `notify ${cmd.argv[0]}: ${(e as Error).message}`);
    }
  }

  // ------------------------------------------------------------ tracking

  private onLink(name: string, up: boolean): void {
    let changed = false;
    for (const inst of this.instances.values()) {
      if (!inst.linkUp.has(name)) continue;
      if (inst.linkUp.get(name) !== up) {
        inst.linkUp.set(name, up);
        changed = true;
        this.deps.log('info', `${inst.cfg.name}: interface ${name} is ${up ? 'up' : 'down'}`);
      }
    }
    if (changed) this.retrack();
  }

  private pollFiles(): void {
    if (this.cfg.trackFiles.length === 0 || !this.deps.readFile) return;
    let changed = false;
    for (const f of this.cfg.trackFiles) {
      // keepalived's strtol(..., 0): hex/octal/sign, trailing text ignored; an out-of-range number keeps the old value
      const v = parseTrackFileStatus(this.deps.readFile(f.path));
      if (v === null) continue;
      if (this.fileValues.get(f.name) !== v) {
        changed = this.fileValues.has(f.name) || changed || v !== 0;
        this.fileValues.set(f.name, v);
      }
    }
    if (changed) this.retrack();
    this.fileTimer = this.deps.timers.set(() => this.pollFiles(), 500);
  }

  // ------------------------------------------------------------ vrrp_track_process

  private scanProcs(): ProcInfo[] {
    if (!this.procs) return [];
    const scan = this.deps.scanProcesses ?? ((o: Parameters<ProcScanner['scan']>[0]) => this.procScanner.scan(o));
    try {
      return scan({ ...this.procs.needs, detail: this.procs.candidate });
    } catch (e) {
      this.deps.log('warn', `track_process: cannot read the process list: ${(e as Error).message}`);
      return [];
    }
  }

  private startProcesses(): void {
    const cfgs = this.cfg.trackProcesses ?? [];
    if (cfgs.length === 0) return;
    this.procs = new ProcessTrackers(cfgs);
    for (const c of cfgs)
      if (!c.fullCommand && Buffer.byteLength(c.path) > 15)
        this.deps.log('warn', `track_process ${c.name}: "${c.path}" is longer than a process name (15 bytes) and never matches; use full_command`);
    this.procs.init(this.scanProcs());
    for (const t of this.procs.trackers.values()) this.logProcess(t.cfg.name);
    this.scheduleProcesses();
  }

  private logProcess(name: string): void {
    const t = this.procs?.get(name);
    if (!t) return;
    this.deps.log('info', `Quorum ${t.up ? 'gained' : 'lost'} for tracked process ${name} (${t.count} running)`, {
      track_process: name,
      up: t.up,
      count: t.count,
    });
  }

  private scheduleProcesses(): void {
    if (!this.procs || this.stopping) return;
    const poll = this.deps.procPollMs ?? PROC_POLL_MS;
    const d = this.procs.nextDeadline();
    const delay = d === null ? poll : Math.max(0, Math.min(poll, d - this.deps.clock()));
    this.procTimer = this.deps.timers.set(() => this.pollProcesses(), delay);
  }

  private pollProcesses(): void {
    this.procTimer = null;
    if (!this.procs || this.stopping) return;
    const now = this.deps.clock();
    const changed = new Set([...this.procs.update(this.scanProcs(), now), ...this.procs.tick(now)]);
    for (const n of changed) this.logProcess(n);
    if (changed.size) this.retrack();
    this.scheduleProcesses();
  }

  private reloadProcesses(): void {
    const cfgs = this.cfg.trackProcesses ?? [];
    if (this.procTimer) this.deps.timers.clear(this.procTimer);
    this.procTimer = null;
    if (cfgs.length === 0) {
      this.procs = null;
      return;
    }
    if (!this.procs) {
      this.startProcesses();
      return;
    }
    const before = new Map([...this.procs.trackers].map(([k, t]) => [k, t]));
    this.procs.reconfigure(cfgs, this.scanProcs());
    for (const [k, t] of this.procs.trackers) if (before.get(k) !== t) this.logProcess(k);
    this.scheduleProcesses();
  }

  private tracks(inst: Instance): TrackStatus[] {
    return instanceTracks(inst.cfg, this.cfg.trackFiles, {
      internal: this.internal,
      link: (n) => inst.linkUp.get(n),
      script: (n) => {
        const r = this.scripts.get(n);
        return r && { up: r.up, weight: r.cfg.weight, reverse: r.cfg.reverse };
      },
      file: (n) => this.fileValues.get(n) ?? 0,
      process: (n) => {
        const p = this.procs?.get(n);
        return p && { up: p.up, weight: p.cfg.weight, reverse: p.cfg.reverse };
      },
    });
  }

  private applyTracking(inst: Instance, act = true): void {
    const { priority, fault } = effectivePriority(inst.cfg.priority, this.tracks(inst));
    const now = this.deps.clock();
    const acts: Action[] = [];
    if (act) {
      acts.push(...inst.fsm.setFault(fault, now));
      acts.push(...inst.fsm.setPriority(priority, now));
      this.handle(inst, acts);
    } else {
      inst.fsm.setFault(fault, now);
      inst.fsm.priority = priority;
    }
  }

  private retrack(): void {
    if (this.stopping) return;
    for (const inst of this.instances.values()) if (inst.fsm.state !== 'INIT') this.applyTracking(inst);
  }

  // ------------------------------------------------------------ reload / stop

  /** SIGHUP: apply only the difference. An instance that stays MASTER keeps its VIPs. */
  async reload(next: DaemonConfig): Promise<{ added: string[]; removed: string[]; changed: string[] }> {
    const res = { added: [] as string[], removed: [] as string[], changed: [] as string[] };
    const nextKeys = new Map(next.instances.map((i) => [instanceKey(i), i]));
    // removed instances
    for (const [k, inst] of this.instances) {
      if (nextKeys.has(k)) continue;
      res.removed.push(inst.cfg.name);
      const was = inst.fsm.state;
      this.handle(inst, inst.fsm.shutdown(this.deps.clock()));
      this.deps.log('info', `(${inst.cfg.name}) removed by the reload (was ${was}${was === 'MASTER' ? ', sent priority 0' : ''})`, {
        instance: inst.cfg.name,
        from: was,
        to: 'DELETED',
      });
      if (inst.timer) this.deps.timers.clear(inst.timer);
      inst.timer = undefined;
      this.arming.close(inst);
      await inst.ops;
      await this.removeAddresses(inst);
      if (inst.cfg.vmac) await this.deps.net.deleteLink(inst.cfg.vmac).catch(() => {});
      this.instances.delete(k);
      void this.notifyDeleted(inst);
    }
    // scripts: restart changed ones
    const oldScripts = new Map(this.cfg.scripts.map((s) => [s.name, s]));
    for (const s of next.scripts) {
      const o = oldScripts.get(s.name);
      if (o && JSON.stringify(o) === JSON.stringify(s)) continue;
      this.scripts.get(s.name)?.stop();
      this.addScript(s);
      this.scripts.get(s.name)?.start();
    }
    for (const s of this.cfg.scripts) {
      if (!next.scripts.some((n) => n.name === s.name)) {
        this.scripts.get(s.name)?.stop();
        this.scripts.delete(s.name);
      }
    }
    const prevCfg = this.cfg;
    this.cfg = next;
    this.reloadProcesses();
    for (const [k, ic] of nextKeys) {
      const inst = this.instances.get(k);
      if (!inst) {
        const ni = this.newInstance(ic);
        this.instances.set(k, ni);
        res.added.push(ic.name);
        continue;
      }
      const old = inst.cfg;
      if (JSON.stringify(old) === JSON.stringify(ic)) continue;
      res.changed.push(ic.name);
      inst.cfg = ic;
      // a track_interface the reload adds: its link as it is now (else it counted as down: FAULT,
      // and the link watcher, which only updates known names, never brought it back)
      for (const t of ic.trackInterfaces) if (!inst.linkUp.has(t.name)) inst.linkUp.set(t.name, !!(await this.deps.net.link(t.name))?.up);
      inst.packets.clear();
      inst.dsts = undefined;
      inst.content++;
      const p = inst.fsm.params;
      const src = ic.unicastSrcIp ?? ic.mcastSrcIp ?? inst.src;
      Object.assign(p, Instance.params(ic, src));
      inst.src = src;
      if (inst.fsm.state === 'MASTER') {
        // add new VIPs first, then remove the ones that went away: no gap
        const key = (v: { address: string; prefix: number; dev?: string }) => `${v.address}/${v.prefix}@${v.dev ?? ''}`;
        const newKeys = new Set([...ic.vips, ...ic.excludedVips].map(key));
        const gone = [...old.vips, ...old.excludedVips].filter((v) => !newKeys.has(key(v)));
        const oldKeys = new Set([...old.vips, ...old.excludedVips].map(key));
        const added = [...ic.vips, ...ic.excludedVips].filter((v) => !oldKeys.has(key(v)));
        this.queue(inst, async () => {
          await this.addAddresses(inst);
          // keepalived 2.2.7 (seen in the lab): a reload that gives a MASTER new addresses announces
          // all of its addresses, garp_master_repeat GARPs/NAs each at once (no delayed burst);
          // a reload without new addresses sends none
          if (this.announced(ic, added).length && inst.fsm.state === 'MASTER') await this.garpBurst(inst, ic.garpMasterRepeat);
          for (const v of gone) await this.deps.net.delVip(v, old.interface).catch(() => {});
          const rkey = JSON.stringify;
          for (const r of old.routes) if (!ic.routes.some((n) => rkey(n) === rkey(r))) await this.deps.net.delRoute(r).catch(() => {});
          for (const r of old.rules) if (!ic.rules.some((n) => rkey(n) === rkey(r))) await this.deps.net.delRule(r).catch(() => {});
        });
      }
    }
    void prevCfg;
    this.buildGroups();
    for (const inst of this.instances.values()) if (inst.fsm.state === 'INIT' && res.added.includes(inst.cfg.name)) await this.startInstance(inst);
    this.retrack();
    this.mastersKey = '';
    this.publishMasters();
    return res;
  }

  /** SIGTERM: priority-0 adverts, VIPs removed, notify_stop. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    if (this.compactTimer) this.deps.timers.clear(this.compactTimer);
    this.compactTimer = null;
    this.arming.stop();
    const now = this.deps.clock();
    for (const inst of this.instances.values()) {
      // no regular advert after the priority-0 one
      this.arming.close(inst);
      const was = inst.fsm.state;
      const acts = inst.fsm.shutdown(now);
      for (const a of acts) if (a.kind === 'send') this.sendAdvert(inst, a.priority);
      this.deps.log('info', `(${inst.cfg.name}) Stopping (was ${was}${was === 'MASTER' ? ', sent priority 0' : ''})`, { instance: inst.cfg.name, from: was, to: 'STOP' });
    }
    this.stopping = true;
    for (const inst of this.instances.values()) {
      if (inst.timer) this.deps.timers.clear(inst.timer);
      for (const t of inst.garpTimers) this.deps.timers.clear(t);
    }
    for (const r of this.scripts.values()) r.stop();
    if (this.fileTimer) this.deps.timers.clear(this.fileTimer);
    if (this.procTimer) this.deps.timers.clear(this.procTimer);
    if (this.dropFlushTimer) this.deps.timers.clear(this.dropFlushTimer);
    this.linkWatch?.close();
    const all: Promise<unknown>[] = [];
    for (const inst of this.instances.values()) {
      all.push(
        inst.ops
          .then(() => this.removeAddresses(inst))
          .then(() => (inst.cfg.vmac ? this.deps.net.deleteLink(inst.cfg.vmac).catch(() => {}) : undefined))
          .then(() => this.notifyStop(inst)),
      );
    }
    await Promise.all(all);
    for (const [dev, prev] of this.promoted) if (prev === false) await this.deps.net.promoteSecondaries?.(dev, false);
    this.promoted.clear();
    this.deps.firewall?.close();
    // let the priority-0 adverts leave before the sockets close
    await new Promise((r) => setTimeout(r, 20));
    for (const ch of this.channels.values()) ch.close();
    this.channels.clear();
  }

  // ------------------------------------------------------------ status

  /** What a reload plan needs to know now (src/lib/vrrp/plan.ts): states, tracked objects, the links `next` names. */
  async planView(next?: DaemonConfig): Promise<RuntimeView> {
    const instances: RuntimeView['instances'] = {};
    const links: Record<string, boolean> = {};
    for (const [k, i] of this.instances) {
      instances[k] = { state: i.fsm.state, effectivePriority: i.fsm.priority, masterPriority: i.fsm.state === 'MASTER' ? i.fsm.priority : i.fsm.masterPriority, fault: i.fsm.fault };
      for (const [n, up] of i.linkUp) links[n] = up;
    }
    for (const c of next?.instances ?? [])
      for (const n of [c.interface, ...c.trackInterfaces.map((t) => t.name)]) {
        if (n in links) continue;
        const l = await this.deps.net.link(n).catch(() => undefined);
        if (l) links[n] = l.up;
      }
    const scripts: Record<string, boolean> = {};
    for (const [n, r] of this.scripts) scripts[n] = r.up;
    const processes: Record<string, boolean> = {};
    for (const [n, t] of this.procs?.trackers ?? []) processes[n] = t.up;
    return { instances, internal: [...this.internal], links, scripts, files: Object.fromEntries(this.fileValues), processes };
  }

  /** The vrrp_scripts' results now, name -> up (the BGP announcer's track-script). */
  scriptStates(): Record<string, boolean> {
    const out: Record<string, boolean> = {};
    for (const [n, r] of this.scripts) out[n] = r.up;
    return out;
  }

  status(): DaemonStatus {
    const now = this.deps.clock();
    return {
      pid: process.pid,
      routerId: this.cfg.routerId,
      uptimeMs: Math.round(now - this.started),
      stalls: this.stalls,
      maxStallMs: Math.round(this.maxStallMs * 10) / 10,
      drops: { ...this.drops },
      trackProcesses: this.procs ? [...this.procs.trackers.values()].map((t) => t.state()) : undefined,
      instances: [...this.instances.values()].map((i) => ({
        name: i.cfg.name,
        interface: i.cfg.interface,
        vrid: i.cfg.vrid,
        version: i.cfg.version,
        family: i.cfg.family,
        state: i.fsm.state,
        basePriority: i.cfg.priority,
        effectivePriority: i.fsm.priority,
        advertIntervalMs: i.fsm.advertIntervalMs,
        masterAddr: i.fsm.state === 'MASTER' ? i.src : i.fsm.masterAddr,
        masterPriority: i.fsm.state === 'MASTER' ? i.fsm.priority : i.fsm.masterPriority,
        fault: i.fsm.fault,
        vips: i.cfg.vips.map((v) => `${v.address}/${v.prefix}`),
        lastTransition: i.fsm.lastTransition
          ? {
              from: i.fsm.lastTransition.from,
              to: i.fsm.lastTransition.to,
              reason: i.fsm.lastTransition.reason,
              agoMs: Math.round(now - i.fsm.lastTransition.at),
            }
          : null,
        drillHold: i.fsm.drillHold,
        lastPeer: i.fsm.lastPeer ? { addr: i.fsm.lastPeer.addr, priority: i.fsm.lastPeer.priority, agoMs: Math.round(now - i.fsm.lastPeer.at) } : null,
        unicastPeers: i.cfg.unicastPeers,
        counters: {
          rxAdverts: i.fsm.stats.rxAdverts,
          // the FSM counts the adverts it decided one by one; a MASTER's periodic ones the sender counts
          txAdverts: i.fsm.stats.txAdverts + this.arming.stats(i).sent,
          rxPriorityZero: i.fsm.stats.rxPriorityZero,
          txPriorityZero: i.fsm.stats.txPriorityZero,
          becameMaster: i.fsm.stats.becameMaster,
          releasedMaster: i.fsm.stats.releasedMaster,
          transitions: i.fsm.stats.transitions,
          addrMismatch: i.fsm.stats.addrMismatch,
          txErrors: i.txErrors + this.arming.stats(i).errors,
          txLate: i.txLate + this.arming.stats(i).late,
          drops: { ...i.fsm.stats.drops },
        },
      })),
    };
  }
}

// ------------------------------------------------------------ real deps

/**
 * Run a notify or track script (src/lib/proc: keepalived's way, its own process group; on
 * timeout SIGTERM to the group, SIGKILL 2 s later). Did not run: code 127 with the reason.
 */
export async function execArgv(cmd: Command, extra: string[], timeoutMs: number): Promise<ExecResult> {
  const r = await runScript({ argv: [...cmd.argv, ...extra], user: cmd.user, group: cmd.group, timeoutMs });
  if (r.error) return { code: 127, timedOut: false, error: r.error };
  return { code: r.code, timedOut: r.timedOut };
}

/** A precise blocking sleep (futex timeout, hrtimer): Atomics.wait on a private cell. */
const sleepCell = new Int32Array(new SharedArrayBuffer(4));
export function sleepPrecise(ms: number): void {
  if (ms > 0) Atomics.wait(sleepCell, 0, 0, ms);
}

export const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Source (and VRID when it can be read) of a packet that did not decode, for the log. */
function rawOrigin(p: RxPacket): { from: string; vrid?: number } {
  if (p.family === 6) return { from: p.src, vrid: p.payload.length >= 2 ? p.payload[1] : undefined };
  if (p.raw.length < 20) return { from: 'unknown' };
  const ihl = (p.raw[0] & 0x0f) * 4;
  return { from: formatIpv4(p.raw, 12), vrid: ihl >= 20 && p.raw.length > ihl + 1 ? p.raw[ihl + 1] : undefined };
}
