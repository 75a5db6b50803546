/**
 * The VRRP daemon's dead-man switch: a small C process (native/packet/watchdog.c, built by
 * `npm ci` next to the addon) holding the read end of a pipe. On every change of the daemon's
 * MASTER instances it gets a plan (the instances' priority-0 adverts, ready encoded; the VIPs
 * to remove; the no_accept nftables elements to drop). When the daemon dies without a clean
 * stop (SIGKILL, a crash: the kernel closes the pipe), the watchdog runs the plan once within
 * milliseconds, so the backup takes over after Skew_Time instead of the master-down interval
 * and the VIP is not on two nodes, and exits. A clean stop ends with "bye" (the daemon has done
 * all that itself). It never acts later than that one moment, so it cannot fight a daemon
 * restarted afterwards (which starts from BACKUP and removes its VIPs at start anyway).
 *
 * keepalived gets the same from its process split: its parent killed, the VRRP child gets
 * SIGTERM (PR_SET_PDEATHSIG) and sends priority 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { parseIp } from '../addr';
import { watchdogPath } from '../netlink/addon';
import { delVipElems, encodeBatch, familyOf } from '../net/nft';
import { delRouteRequest, delRuleRequest, type RouteSpec } from '../net/rtnl';
import type { RouteConfig, RuleConfig } from './config';
import { RTPROT_KEEPALIVED, routeSpecOf } from './netops';

/** One MASTER instance, as the watchdog must undo it. */
export interface MasterPlan {
  instance: string;
  /** interface the adverts leave from (the vmac with use_vmac) */
  ifname: string;
  family: 4 | 6;
  /** source address of the adverts (IPv6: their checksum covers it) */
  src: string;
  /** priority-0 adverts: IPv4 the whole packet, IPv6 the VRRP message */
  adverts: { dst: string; packet: Buffer }[];
  /** addresses to remove: on `dev` */
  vips: { address: string; prefix: number; dev: string }[];
  /** no_accept: addresses in the nftables `vips` set */
  nftVips: string[];
  /** virtual_routes / virtual_rules to delete */
  routes?: RouteConfig[];
  rules?: RuleConfig[];
  /** other routes to delete, as given (the BGP announcer's VIP host routes, src/lib/bgp) */
  rawRoutes?: RouteSpec[];
}

const KIND = { advert4: 1, advert6: 2, address: 3, nft: 4, rtnl: 5, link: 6 } as const;

/** An ifindex no interface has: encoded into a route request, replaced by watchdog.c with the real one. */
const IFINDEX_MARK = 0x7ffffe5a;

/** A rtnetlink request for watchdog.c: the interface whose index goes at `patch` (0xffffffff: none). */
function rtnlAction(msg: Buffer, ifname?: string): Buffer {
  const off = Buffer.alloc(4);
  let patch = 0xffffffff;
  if (ifname) {
    const mark = Buffer.alloc(4);
    mark.writeUInt32LE(IFINDEX_MARK);
    patch = msg.indexOf(mark);
    if (patch < 0) throw new Error('route request without its interface');
  }
  off.writeUInt32LE(patch >>> 0);
  const name = ifname ? ifField(ifname) : Buffer.from([0]);
  return action(KIND.rtnl, Buffer.concat([name, off, msg]));
}

function action(kind: number, body: Buffer): Buffer {
  const h = Buffer.alloc(5);
  h[0] = kind;
  h.writeUInt32LE(body.length, 1);
  return Buffer.concat([h, body]);
}

function ifField(name: string): Buffer {
  const b = Buffer.from(name);
  if (b.length === 0 || b.length > 15) throw new Error(`interface name "${name}" is not 1 to 15 bytes`);
  return Buffer.concat([Buffer.from([b.length]), b]);
}

function ipBytes(a: string, family: 4 | 6): Buffer {
  const p = parseIp(a);
  if (!p || p.family !== family) throw new Error(`"${a}" is not an IPv${family} address`);
  return Buffer.from(p.bytes);
}

/**
 * The 'P' frame for a plan (length-prefixed), in the watchdog's format (see watchdog.c).
 * `links`: the use_vmac macvlans of all instances (BACKUP ones too), deleted last, as the
 * daemon's clean stop deletes them (watchdog.c deletes only an interface that is a macvlan).
 */
export function encodePlan(plans: MasterPlan[], nftSeq = 1, links: readonly string[] = []): Buffer {
  const acts: Buffer[] = [Buffer.from('P')];
  for (const p of plans)
    for (const a of p.adverts) {
      if (p.family === 4) acts.push(action(KIND.advert4, Buffer.concat([ifField(p.ifname), ipBytes(a.dst, 4), a.packet])));
      else acts.push(action(KIND.advert6, Buffer.concat([ifField(p.ifname), ipBytes(p.src, 6), ipBytes(a.dst, 6), a.packet])));
    }
  // as the daemon leaving MASTER: rules, routes, then the addresses
  for (const p of plans) for (const r of p.rules ?? []) acts.push(rtnlAction(delRuleRequest({ ...r, protocol: RTPROT_KEEPALIVED })));
  for (const p of plans)
    for (const r of p.routes ?? []) acts.push(rtnlAction(delRouteRequest(routeSpecOf(r, r.dev ? IFINDEX_MARK : undefined, true) as RouteSpec), r.dev));
  for (const p of plans) for (const r of p.rawRoutes ?? []) acts.push(rtnlAction(delRouteRequest(r)));
  for (const p of plans)
    for (const v of p.vips) {
      const fam = familyOf(v.address);
      acts.push(action(KIND.address, Buffer.concat([ifField(v.dev), Buffer.from([fam, v.prefix]), ipBytes(v.address, fam)])));
    }
  const nft = [...new Set(plans.flatMap((p) => p.nftVips))];
  let seq = nftSeq;
  for (const f of [4, 6] as const) {
    const addrs = nft.filter((a) => familyOf(a) === f);
    if (!addrs.length) continue;
    acts.push(action(KIND.nft, encodeBatch([delVipElems(f, addrs)], seq + 1).buf));
    seq += 3;
  }
  for (const l of new Set(links)) acts.push(action(KIND.link, ifField(l)));
  return frame(Buffer.concat(acts));
}

function frame(body: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt32LE(body.length, 0);
  return Buffer.concat([h, body]);
}

export const BYE_FRAME = frame(Buffer.from('B'));

type Log = (level: 'info' | 'warn' | 'error', msg: string) => void;

/** The daemon's end of the watchdog. */
export class Watchdog {
  private proc?: ChildProcess;
  private last: Buffer = encodePlan([]);
  private closing = false;
  private respawnTimer?: NodeJS.Timeout;
  private seq = Math.floor(Date.now() / 1000) + 0x40000000;

  constructor(
    private readonly bin: string,
    private readonly log: Log,
  ) {}

  /** Start it (undefined and one warning when the binary is not built). */
  static start(log: Log): Watchdog | undefined {
    if (process.env.HACTL_WATCHDOG === '0') return undefined;
    const bin = watchdogPath(); // native/packet/build/{Release,Debug}/hactl-watchdog, HACTL_WATCHDOG overrides
    if (!bin) {
      log('warn', 'watchdog not built (native/packet: run `npm ci`): if this daemon is killed with SIGKILL its VIPs stay until the peer takes over');
      return undefined;
    }
    const w = new Watchdog(bin, log);
    w.spawn();
    return w;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  private spawn(): void {
    let p: ChildProcess;
    try {
      // its own session: a signal to the daemon's process group (Ctrl-C) is not for it
      p = spawn(this.bin, [], { stdio: ['pipe', 'ignore', 'inherit'], detached: true });
    } catch (e) {
      this.log('warn', `watchdog: cannot start ${this.bin}: ${(e as Error).message}`);
      return;
    }
    this.proc = p;
    p.unref();
    const stdin = p.stdin as Socket | null;
    stdin?.on('error', () => {
      /* EPIPE: the exit handler below restarts it */
    });
    // the pipe must not keep the daemon's event loop alive
    stdin?.unref();
    p.on('error', (e) => this.log('warn', `watchdog: ${e.message}`));
    p.on('exit', (code, sig) => {
      if (this.proc !== p) return;
      this.proc = undefined;
      if (this.closing) return;
      this.log('warn', `watchdog (pid ${p.pid}) exited (${sig ?? code}); starting it again`);
      this.respawnTimer = setTimeout(() => {
        this.respawnTimer = undefined;
        if (this.closing) return;
        this.spawn();
      }, 1000);
      this.respawnTimer.unref();
    });
    if (this.last.length > 9) this.write(this.last);
  }

  private write(b: Buffer): void {
    try {
      this.proc?.stdin?.write(b);
    } catch {
      /* gone: restarted by the exit handler */
    }
  }

  /** The current MASTER instances and the daemon's vmac links (sent when they changed). */
  update(plans: MasterPlan[], links: readonly string[] = []): void {
    if (this.closing) return;
    let f: Buffer;
    try {
      f = encodePlan(plans, this.seq, links);
    } catch (e) {
      this.log('warn', `watchdog: ${(e as Error).message}`);
      return;
    }
    if (f.equals(this.last)) return;
    this.last = f;
    this.write(f);
  }

  /** Clean stop: the daemon gave up its VIPs itself. */
  bye(): void {
    this.closing = true;
    if (this.respawnTimer) clearTimeout(this.respawnTimer);
    this.write(BYE_FRAME);
    this.proc?.stdin?.end();
  }
}
