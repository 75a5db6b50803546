/**
 * Namespace lab helpers for the VRRP acceptance tests: start hactl / keepalived
 * nodes, capture VRRP and ARP on a client host, wait for states, measure
 * failover times from capture timestamps.
 */
import { type ChildProcess, execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { queryControl } from '../../src/lib/vrrp/control';
import type { DaemonStatus } from '../../src/lib/vrrp/daemon';
import { HACTL } from '../helpers/cli';
import { type Host, Lab, netnsUnavailable } from '../helpers/netns';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function vrrpLabUnavailable(): string | null {
  const r = netnsUnavailable();
  if (r) return r;
  for (const bin of ['tcpdump']) {
    try {
      execFileSync(bin, ['--version'], { stdio: 'ignore' });
    } catch {
      return `${bin} not installed`;
    }
  }
  return null;
}

export function keepalivedUnavailable(): string | null {
  try {
    execFileSync('keepalived', ['--version'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'keepalived not installed';
  }
}

export interface Advert {
  t: number;
  src: string;
  dst: string;
  vrid: number;
  prio: number;
  version: number;
  /** TTL / hop limit (tcpdump prints it when it is not 255) */
  ttl: number;
}

/** tcpdump on the client, line-buffered, epoch timestamps. */
export class Capture {
  adverts: Advert[] = [];
  arps: { t: number; line: string }[] = [];
  private buf = '';
  constructor(readonly proc: ChildProcess) {
    proc.stdout?.setEncoding('utf8');
    proc.stdout?.on('data', (d: string) => {
      this.buf += d;
      let i = this.buf.indexOf('\n');
      while (i >= 0) {
        this.line(this.buf.slice(0, i));
        this.buf = this.buf.slice(i + 1);
        i = this.buf.indexOf('\n');
      }
    });
  }
  private line(l: string): void {
    // `-i any` (the switch capture) puts the interface and direction before IP; a TTL / hop limit
    // other than 255 (keepalived's IPv6 unicast adverts: 64) is printed as "(ttl 64), "
    const m = l.match(/^(\d+\.\d+) (?:\S+ +(?:In|Out|P|M|B|U) +)?IP6? (\S+) > (\S+): VRRPv(\d), Advertisement, (?:\(ttl (\d+)\), )?vrid (\d+), prio (\d+)/);
    if (m) {
      this.adverts.push({
        t: Number(m[1]) * 1000,
        src: m[2],
        dst: m[3].replace(/:$/, ''),
        version: Number(m[4]),
        ttl: m[5] === undefined ? 255 : Number(m[5]),
        vrid: Number(m[6]),
        prio: Number(m[7]),
      });
      return;
    }
    const a = l.match(/^(\d+\.\d+) ARP/);
    if (a) this.arps.push({ t: Number(a[1]) * 1000, line: l });
  }
  from(src: string, vrid?: number): Advert[] {
    return this.adverts.filter((a) => a.src === src && (vrid === undefined || a.vrid === vrid));
  }
  last(src: string, vrid?: number): Advert | undefined {
    const f = this.from(src, vrid);
    return f[f.length - 1];
  }
  /** First advert from `src` (priority > 0) after time t. */
  firstAfter(src: string, t: number, vrid?: number): Advert | undefined {
    return this.adverts.find((a) => a.src === src && a.t > t && a.prio > 0 && (vrid === undefined || a.vrid === vrid));
  }
  /**
   * Longest time two sources advertised as master at once: each source's
   * master periods are runs of prio>0 adverts with gaps <= 1.5 intervals,
   * extended by one interval; returns the largest overlap between sources.
   */
  maxDualMaster(vrid: number, intervalMs: number, since = 0): number {
    const periods = new Map<string, [number, number][]>();
    for (const a of this.adverts) {
      if (a.vrid !== vrid || a.t < since) continue;
      const list = periods.get(a.src) ?? [];
      if (a.prio === 0) {
        // leaving: the period ends now
        const p = list[list.length - 1];
        if (p) p[1] = Math.min(p[1], a.t);
        periods.set(a.src, list);
        continue;
      }
      const p = list[list.length - 1];
      if (p && a.t - (p[1] - intervalMs) <= 1.5 * intervalMs) p[1] = a.t + intervalMs;
      else list.push([a.t, a.t + intervalMs]);
      periods.set(a.src, list);
    }
    let worst = 0;
    const srcs = [...periods.keys()];
    for (let i = 0; i < srcs.length; i++)
      for (let j = i + 1; j < srcs.length; j++)
        for (const [a0, a1] of periods.get(srcs[i])!)
          for (const [b0, b1] of periods.get(srcs[j])!) worst = Math.max(worst, Math.min(a1, b1) - Math.max(a0, b0));
    return worst;
  }
}

export interface Node {
  name: string;
  host: Host;
  addr: string;
  kind: 'hactl' | 'keepalived';
  proc?: ChildProcess;
  conf: string;
  sock: string;
  logs: { t: number; line: string; json?: Record<string, unknown> }[];
  pidFiles: string[];
}

export class VrrpLab {
  readonly lab: Lab;
  readonly dir: string;
  readonly client: Host;
  readonly nodes: Node[] = [];
  capture?: Capture;
  private readonly watches: VipWatch[] = [];

  constructor(tag: string, n: number, opts: { v6?: boolean } = {}) {
    this.lab = new Lab(tag);
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `hactl-vrrp-${tag}-`));
    try {
      for (let i = 1; i <= n; i++) {
        const addrs = [`198.51.100.${i}/24`];
        if (opts.v6) addrs.push(`2001:db8::${i}/64`);
        const host = this.lab.addHost(`n${i}`, addrs);
        this.nodes.push({
          name: `n${i}`,
          host,
          addr: `198.51.100.${i}`,
          kind: 'hactl',
          conf: path.join(this.dir, `n${i}.conf`),
          sock: path.join(this.dir, `n${i}.sock`),
          logs: [],
          pidFiles: [],
        });
      }
      this.client = this.lab.addHost('client', opts.v6 ? ['198.51.100.50/24', '2001:db8::50/64'] : ['198.51.100.50/24']);
    } catch (e) {
      this.cleanup();
      throw e;
    }
  }

  /**
   * tcpdump on the client (it sees multicast adverts and ARP), or with
   * `onSwitch` on every port of the lab switch as the frames come in, which
   * also sees the unicast adverts between two nodes (each once per port it
   * crosses: harmless for maxDualMaster).
   */
  startCapture(opts: { onSwitch?: boolean } = {}): Capture {
    const filter = 'ip proto 112 or ip6 proto 112 or arp';
    const p = opts.onSwitch
      ? this.lab.spawn(this.lab.bridgeNs, 'tcpdump', ['-i', 'any', '-Q', 'in', '-nn', '-tt', '-l', '-U', filter])
      : this.lab.spawn(this.client.ns, 'tcpdump', ['-i', 'eth0', '-nn', '-tt', '-l', '-U', filter]);
    this.capture = new Capture(p);
    return this.capture;
  }

  /** Start polling which nodes hold `vip` (for assertNoSplitBrain). */
  watchVip(vip: string, everyMs = 100): VipWatch {
    const w = new VipWatch(this, vip, everyMs);
    this.watches.push(w);
    return w;
  }

  private collect(node: Node, p: ChildProcess): void {
    for (const s of [p.stdout, p.stderr]) {
      let buf = '';
      s?.setEncoding('utf8');
      s?.on('data', (d: string) => {
        buf += d;
        let i = buf.indexOf('\n');
        while (i >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          let json: Record<string, unknown> | undefined;
          try {
            json = line.startsWith('{') ? JSON.parse(line) : undefined;
          } catch {
            json = undefined;
          }
          node.logs.push({ t: Date.now(), line, json });
          if (process.env.HACTL_VRRP_TEST_LOG) process.stderr.write(`[${node.name}] ${line}\n`);
          i = buf.indexOf('\n');
        }
      });
    }
  }

  /** `opts.bin`: another build's bin/hactl (bench/coldstart --baseline). */
  startHactl(node: Node, conf: string, opts: { args?: string[]; env?: Record<string, string>; bin?: string } = {}): ChildProcess {
    fs.writeFileSync(node.conf, conf);
    node.kind = 'hactl';
    node.logs = [];
    const p = this.lab.spawn(
      node.host.ns,
      process.execPath,
      [opts.bin ?? HACTL, 'vrrp', 'run', '-f', node.conf, '--control-socket', node.sock, '--pid-file', path.join(this.dir, `${node.name}.pid`), '--log-format', 'json', ...(opts.args ?? [])],
      opts.env ? { env: { ...process.env, ...opts.env } } : {},
    );
    node.proc = p;
    this.collect(node, p);
    return p;
  }

  startKeepalived(node: Node, conf: string): ChildProcess {
    fs.writeFileSync(node.conf, conf);
    node.kind = 'keepalived';
    node.logs = [];
    const pid = path.join(this.dir, `${node.name}-ka.pid`);
    const vpid = path.join(this.dir, `${node.name}-ka-vrrp.pid`);
    const cpid = path.join(this.dir, `${node.name}-ka-chk.pid`);
    node.pidFiles = [pid, vpid];
    // stale pid files of a killed predecessor make keepalived refuse to start
    for (const f of [pid, vpid, cpid]) fs.rmSync(f, { force: true });
    const p = this.lab.spawn(node.host.ns, 'keepalived', ['-n', '-l', '-D', '-G', '-P', '-R', '-f', node.conf, '-p', pid, '-r', vpid, '-c', cpid]);
    node.proc = p;
    this.collect(node, p);
    return p;
  }

  /** Pid of the process doing VRRP (keepalived: its VRRP child). */
  vrrpPid(node: Node): number | undefined {
    if (node.kind === 'hactl') return node.proc?.pid;
    try {
      return Number(fs.readFileSync(node.pidFiles[1], 'utf8').trim());
    } catch {
      return undefined;
    }
  }

  /**
   * The node dies silently: SIGKILL the VRRP process and what would speak for it (keepalived's
   * parent, which would respawn it; hactl's watchdog, which would send priority 0). For
   * hactl's own SIGKILL behaviour (the watchdog acts) see killDaemonOnly.
   */
  kill(node: Node): void {
    if (node.kind === 'hactl' && node.proc?.pid) for (const w of childPids(node.proc.pid, 'hactl-watchdog')) killQuiet(w);
    if (node.kind === 'keepalived') {
      for (const f of node.pidFiles.slice().reverse()) {
        try {
          process.kill(Number(fs.readFileSync(f, 'utf8').trim()), 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    node.proc?.kill('SIGKILL');
  }

  /** SIGKILL the hactl daemon process only (its watchdog and LVS child live on). */
  killDaemonOnly(node: Node): void {
    node.proc?.kill('SIGKILL');
  }

  /** SIGTERM and wait for exit; returns the exit code. */
  async stop(node: Node, timeoutMs = 8000): Promise<number | null> {
    const p = node.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return p?.exitCode ?? null;
    const done = new Promise<number | null>((r) => p.once('exit', (c) => r(c)));
    p.kill('SIGTERM');
    const code = await Promise.race([done, sleep(timeoutMs).then(() => -999)]);
    if (code === -999) this.kill(node);
    return code;
  }

  async status(node: Node): Promise<DaemonStatus | undefined> {
    try {
      return await queryControl(node.sock, 2000);
    } catch {
      return undefined;
    }
  }

  /** State of instance `inst` on a node: hactl via control socket, keepalived via its log. */
  async state(node: Node, inst = 'VI_1'): Promise<string | undefined> {
    if (node.kind === 'hactl') return (await this.status(node))?.instances.find((i) => i.name === inst)?.state;
    let st: string | undefined;
    for (const l of node.logs) {
      const m = l.line.match(/\((\S+)\) Entering (\w+) STATE/);
      if (m && m[1] === inst) st = m[2];
    }
    return st;
  }

  async waitState(node: Node, want: string, timeoutMs: number, inst = 'VI_1'): Promise<void> {
    const end = Date.now() + timeoutMs;
    let st: string | undefined;
    while (Date.now() < end) {
      st = await this.state(node, inst);
      if (st === want) return;
      await sleep(50);
    }
    throw new Error(`${node.name} (${node.kind}) ${inst}: state ${st ?? 'unknown'}, expected ${want} within ${timeoutMs} ms\n${node.logs
      .slice(-15)
      .map((l) => l.line)
      .join('\n')}`);
  }

  /** IPv6: wait until duplicate address detection is over on every node (no tentative address). */
  async waitDad(timeoutMs = 5000): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (const n of [...this.nodes.map((x) => x.host), this.client]) {
      while (Date.now() < end && this.lab.nsExec(n.ns, 'ip', ['-6', 'addr', 'show', 'tentative']).trim() !== '') await sleep(100);
    }
  }

  hasAddr(node: Node, addr: string): boolean {
    return this.lab.nsExec(node.host.ns, 'ip', ['-o', 'addr', 'show']).includes(` ${addr}/`);
  }

  linkLocal(node: Node): string {
    const out = this.lab.nsExec(node.host.ns, 'ip', ['-6', '-o', 'addr', 'show', 'dev', node.host.ifname, 'scope', 'link']);
    return out.match(/inet6 (fe80::[0-9a-f:]+)\//)![1];
  }

  mac(node: Node): string {
    const out = this.lab.nsExec(node.host.ns, 'ip', ['-o', 'link', 'show', 'dev', node.host.ifname]);
    return out.match(/link\/ether (\S+)/)![1];
  }

  neighMac(addr: string): string | undefined {
    const out = this.lab.nsExec(this.client.ns, 'ip', ['neigh', 'show', addr], { allowFail: true });
    return out.match(/lladdr (\S+)/)?.[1];
  }

  /** Poll the client's neighbour entry for `addr` until it is `mac` (announcements follow the VIP add). */
  async waitNeigh(addr: string, mac: string, timeoutMs = 3000): Promise<string | undefined> {
    const end = Date.now() + timeoutMs;
    let cur = this.neighMac(addr);
    while (cur !== mac && Date.now() < end) {
      await sleep(100);
      cur = this.neighMac(addr);
    }
    return cur;
  }

  ping(addr: string): boolean {
    return this.lab.nsExec(this.client.ns, 'ping', ['-c', '1', '-W', '1', addr], { allowFail: true }).includes('1 received');
  }

  cleanup(): void {
    for (const w of this.watches) w.stop();
    for (const n of this.nodes) if (n.kind === 'keepalived' || n.proc) this.kill(n);
    this.lab.cleanup();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Polls every node's addresses (asynchronously: the test's event loop is not blocked) for one VIP. */
export class VipWatch {
  /** poll times (epoch ms) and the nodes that held the VIP then */
  readonly samples: { t: number; holders: string[] }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  constructor(
    readonly l: VrrpLab,
    readonly vip: string,
    readonly everyMs: number,
  ) {
    this.poll();
  }
  private poll(): void {
    if (this.stopped) return;
    const t = Date.now();
    const ask = (n: Node) =>
      new Promise<string | null>((r) =>
        execFile('ip', ['netns', 'exec', n.host.ns, 'ip', '-o', 'addr', 'show'], { encoding: 'utf8' }, (e, out) => r(!e && out.includes(` ${this.vip}/`) ? n.name : null)),
      );
    void Promise.all(this.l.nodes.map(ask)).then((h) => {
      if (this.stopped) return;
      this.samples.push({ t, holders: h.filter((x): x is string => x !== null) });
      this.timer = setTimeout(() => this.poll(), this.everyMs);
    });
  }
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
  /** Longest run (ms) of samples since `since` in which two or more nodes held the VIP. */
  maxDualHolders(since = 0): { ms: number; at?: number; holders?: string[] } {
    let worst: { ms: number; at?: number; holders?: string[] } = { ms: 0 };
    let start: number | null = null;
    let who: string[] = [];
    for (const s of this.samples) {
      if (s.t < since) continue;
      if (s.holders.length > 1) {
        if (start === null) {
          start = s.t;
          who = s.holders;
        }
        if (s.t - start > worst.ms || worst.at === undefined) worst = { ms: s.t - start, at: start, holders: who };
      } else start = null;
    }
    return worst;
  }
}

/**
 * Split brain after convergence, checked two ways: never two sources
 * advertising the VRID with a non-zero priority at once (from the capture:
 * for unicast adverts it must be a switch capture), and never the VIP on two
 * nodes (from a VipWatch), for longer than one advert interval (plus one poll
 * for the VIP). Throws with what was seen.
 */
export function assertNoSplitBrain(
  l: VrrpLab,
  o: { vrid?: number; intervalMs: number; since: number; watch?: VipWatch; capture?: Capture },
): void {
  const cap = o.capture ?? l.capture;
  const vrid = o.vrid ?? 51;
  if (cap) {
    const dual = cap.maxDualMaster(vrid, o.intervalMs, o.since);
    if (dual > o.intervalMs) {
      const recent = cap.adverts.filter((a) => a.vrid === vrid && a.t >= o.since && a.prio > 0);
      const srcs = [...new Set(recent.map((a) => a.src))];
      throw new Error(`split brain: ${srcs.join(' and ')} advertised VRID ${vrid} as master together for ${dual.toFixed(0)} ms (> ${o.intervalMs} ms)`);
    }
  }
  if (o.watch) {
    const d = o.watch.maxDualHolders(o.since);
    if (d.ms > o.intervalMs + o.watch.everyMs)
      throw new Error(`split brain: ${o.watch.vip} on ${d.holders?.join(' and ')} together for ${d.ms} ms (> ${o.intervalMs} ms)`);
    const n = o.watch.samples.filter((s) => s.t >= o.since).length;
    if (n < 2) throw new Error(`split-brain check: only ${n} VIP sample(s) since convergence`);
  }
}

/**
 * The native advert sender threads (named vrrp-advert) of process `pid` and its descendants, as
 * "policy P rtprio R" (SCHED_RR is 2; from the 41st and 40th fields of /proc/PID/task/TID/stat).
 */
export function advertThreads(pid: number): string[] {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++)
    for (const t of fs.readdirSync(`/proc/${pids[i]}/task`)) {
      try {
        for (const c of fs.readFileSync(`/proc/${pids[i]}/task/${t}/children`, 'utf8').split(' ').filter(Boolean)) pids.push(Number(c));
      } catch {
        /* gone */
      }
    }
  const out: string[] = [];
  for (const p of pids)
    for (const t of fs.readdirSync(`/proc/${p}/task`)) {
      const st = fs.readFileSync(`/proc/${p}/task/${t}/stat`, 'utf8');
      const comm = st.slice(st.indexOf('(') + 1, st.lastIndexOf(')'));
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      if (comm === 'vrrp-advert') out.push(`policy ${f[38]} rtprio ${f[37]}`);
    }
  return out;
}

/** A keepalived.conf for one instance. */
export function vrrpConf(o: {
  name?: string;
  vrid?: number;
  prio: number;
  version?: 2 | 3;
  advert?: number;
  auth?: string;
  vips?: string[];
  nopreempt?: boolean;
  state?: 'MASTER' | 'BACKUP';
  extra?: string;
  unicast?: { src: string; peers: string[] };
  globalExtra?: string;
  top?: string;
  /** vrrp_priority (nice) for the VRRP process; null: leave it out */
  nice?: number | null;
}): string {
  const name = o.name ?? 'VI_1';
  // vrrp_priority: the same nice value for hactl and keepalived, so timing
  // assertions survive a busy test host
  return `${o.top ?? ''}global_defs {
  router_id ${name}_test
${o.nice === null ? '' : `  vrrp_priority ${o.nice ?? -10}\n`}${o.globalExtra ?? ''}}
${instanceBlock({ ...o, name })}`;
}

/** A MASTER-state v3 instance at 0.2 s with one /24 VIP on eth0 and extra body lines. */
export function fastMaster(name: string, vrid: number, vip: string, body = ''): string {
  return instanceBlock({ name, vrid, prio: 150, version: 3, advert: 0.2, state: 'MASTER', vips: [`${vip}/24`], extra: body });
}

export function instanceBlock(o: Parameters<typeof vrrpConf>[0]): string {
  return `vrrp_instance ${o.name ?? 'VI_1'} {
  state ${o.state ?? 'BACKUP'}
  interface eth0
  virtual_router_id ${o.vrid ?? 51}
  priority ${o.prio}
  advert_int ${o.advert ?? 1}
  version ${o.version ?? 2}
${o.nopreempt ? '  nopreempt\n' : ''}${o.auth ? `  authentication {\n    auth_type PASS\n    auth_pass ${o.auth}\n  }\n` : ''}${
    o.unicast ? `  unicast_src_ip ${o.unicast.src}\n  unicast_peer {\n${o.unicast.peers.map((p) => `    ${p}\n`).join('')}  }\n` : ''
  }  virtual_ipaddress {
${(o.vips ?? ['198.51.100.100/24']).map((v) => `    ${v} dev eth0\n`).join('')}  }
${o.extra ?? ''}}
`;
}

/**
 * A raw-socket VRRP sender of the test's own inside a lab host (not a VRRP
 * router): it sends exactly the adverts it is told to, through the daemon's
 * IPv4 channel and packet codec, so a test controls priority and timing.
 */
export class Injector {
  private buf = '';
  private waiters: ((t: number) => void)[] = [];
  private readyP: Promise<void>;
  constructor(
    readonly proc: ChildProcess,
    readonly src: string,
  ) {
    let ready: () => void = () => {};
    this.readyP = new Promise((r) => {
      ready = r;
    });
    proc.stdout?.setEncoding('utf8');
    proc.stdout?.on('data', (d: string) => {
      this.buf += d;
      let i = this.buf.indexOf('\n');
      while (i >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        if (line === 'ready') ready();
        const m = line.match(/^sent (\d+(?:\.\d+)?)$/);
        if (m) this.waiters.shift()?.(Number(m[1]));
        i = this.buf.indexOf('\n');
      }
    });
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (d: string) => process.stderr.write(`[injector] ${d}`));
  }

  /** Resolves when the raw socket is open (bounded). */
  async ready(timeoutMs = 5000): Promise<void> {
    const r = await Promise.race([this.readyP.then(() => true), sleep(timeoutMs).then(() => false)]);
    if (!r) throw new Error(`injector not ready within ${timeoutMs} ms`);
  }

  /** Send one IPv4 advert to 224.0.0.18; resolves with the epoch ms it was sent (bounded). */
  async send(adv: { version?: 2 | 3; vrid: number; priority: number; intervalCs?: number; addrs: string[] }, timeoutMs = 3000): Promise<number> {
    const full = { version: adv.version ?? 2, vrid: adv.vrid, priority: adv.priority, intervalCs: adv.intervalCs ?? 100, addrs: adv.addrs, auth: { type: 'none' } };
    const p = new Promise<number>((r) => this.waiters.push(r));
    this.proc.stdin?.write(`${JSON.stringify({ src: this.src, adv: full })}\n`);
    const t = await Promise.race([p, sleep(timeoutMs).then(() => -1)]);
    if (t < 0) throw new Error(`injector did not send within ${timeoutMs} ms`);
    return t;
  }
}

/** Start an Injector on a lab node (its address is the adverts' source). */
export function startInjector(l: VrrpLab, node: Node): Injector {
  const transport = path.resolve(__dirname, '../../src/lib/vrrp/transport');
  const packet = path.resolve(__dirname, '../../src/lib/vrrp/packet');
  const code = `
const { rawChannels } = require(${JSON.stringify(transport)});
const { encodeIpv4Packet } = require(${JSON.stringify(packet)});
const ch = rawChannels.open(${JSON.stringify(node.host.ifname)}, 4, () => {}, (e) => process.stderr.write(e.message + '\\n'));
let id = 1;
require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
  const m = JSON.parse(line);
  ch.send(encodeIpv4Packet(m.adv, { src: m.src, dst: '224.0.0.18', id: id++ }), '224.0.0.18');
  process.stdout.write('sent ' + Date.now() + '\\n');
});
process.stdin.on('end', () => { ch.close(); process.exit(0); });
process.stdout.write('ready\\n');
`;
  const p = l.lab.spawn(node.host.ns, process.execPath, ['-e', code], { stdio: ['pipe', 'pipe', 'pipe'] });
  return new Injector(p, node.addr);
}

/** Pids of `pid`'s children whose name (comm) is `comm`. */
export function childPids(pid: number, comm?: string): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = st.lastIndexOf(')');
      const name = st.slice(st.indexOf('(') + 1, close);
      const ppid = Number(st.slice(close + 2).split(' ')[1]);
      if (ppid === pid && (comm === undefined || name === comm)) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

function killQuiet(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}
