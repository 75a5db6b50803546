/**
 * Thin socket adapter: one generic netlink socket per process (the `netlink`
 * npm package's raw socket), the "IPVS" family resolved once, requests
 * pipelined many to a sendmsg with one ACK each, dumps for services and
 * destinations. All encoding/decoding is in ./codec.
 */
import {
  AttrWriter,
  encodeOpsInto,
  encodeGetDests,
  encodeGetFamily,
  encodeGetService,
  encodeGetServices,
  encodeSimple,
  decodeDaemon,
  decodeDest,
  decodeFamily,
  decodeInfo,
  decodeService,
  decodeServiceAt,
  decodeTimeouts,
  genlAttrs,
  parseMessages,
  type NlMessage,
} from './codec';
import { loadNetlinkAddon, type NativeNl } from '../netlink/addon';
import { forEachAttr } from '../netlink/attrs';
import { ackErrno, errnoAt, forEachMessage } from '../netlink/message';
import { parseProcIpvs } from './procfs';
import { procFwmarkId, serviceTextId } from './ids';
import { Cmd, CmdAttr, Fwd, GENL_ID_CTRL, IPVS_GENL_NAME, NETLINK_GENERIC, NLMSG_DONE, NLMSG_ERROR } from './constants';
import { ERRNO, IpvsError, IpvsUnavailableError, type OpKind } from './errors';
import type { Daemon, Dest, Info, Op, Service, ServiceKey, ServiceWithDests, Timeouts } from './types';

interface RawSocket {
  on(ev: 'message', cb: (msg: Buffer) => void): unknown;
  on(ev: 'error', cb: (err: Error) => void): unknown;
  send(msg: Uint8Array | Uint8Array[], options?: { port?: number }, cb?: (err?: Error) => void): void;
  address(): { port: number };
  close(): void;
  ref(): void;
  unref(): void;
  setRecvBufferSize(n: number): unknown;
  setSendBufferSize(n: number): unknown;
}

/**
 * The hactl_netlink addon when built; null (the `netlink` npm package is used) when missing
 * or HACTL_NATIVE_NETLINK=0.
 */
function loadNativeNl(): NativeNl | null {
  if (process.env.HACTL_NATIVE_NETLINK === '0') return null;
  return loadNetlinkAddon();
}

/** Socket buffer size asked for (SO_*BUFFORCE as root): room for the ACKs of a big window. */
const NATIVE_BUF = 8 << 20;
/** Receive buffer for native replies (dumps come in skbs of at most 32 KiB). */
let recvBuf: Buffer | null = null;

interface Pending {
  dump: boolean;
  items: NlMessage[];
  resolve: (items: NlMessage[]) => void;
  reject: (err: Error) => void;
  kind: OpKind;
}

export interface ClientOptions {
  /** Per-request timeout in ms (default 30 s). */
  timeoutMs?: number;
  /** Max requests per sendmsg window (default 200). */
  window?: number;
  /**
   * Native I/O is synchronous: return to the event loop between windows. A long-running
   * process (the LVS half of `vrrp run`, which shares its event loop with VRRP timers) sets
   * this with a small window, so a large change never stalls adverts.
   */
  yieldBetweenWindows?: boolean;
}

/** Result of one operation in a batch: 0 on success, else the kernel errno. */
export type OpResult = { errno: 0 } | { errno: number; error: IpvsError };

/** One window of pipelined requests: ACKs are counted, not promised one by one. */
interface Batch {
  first: number;
  count: number;
  errnos: Int32Array;
  seen: Uint8Array;
  left: number;
  done: () => void;
}

export class IpvsClient {
  private seq = Math.floor(Math.random() * 0x3fffffff) + 1;
  private readonly pending = new Map<number, Pending>();
  private batch: Batch | null = null;
  private readonly pid: number;
  private closed = false;
  family = 0;
  private readonly timeoutMs: number;
  private readonly window: number;
  private readonly yieldBetweenWindows: boolean;

  /** Native socket (fd >= 0) when the addon is available; else `sock` is the npm package's. */
  private readonly fd: number;
  private readonly nl: NativeNl | null;
  private readonly sock: RawSocket | null;

  private constructor(opts: ClientOptions, native = loadNativeNl()) {
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.yieldBetweenWindows = !!opts.yieldBetweenWindows;
    if (native) {
      const [fd, pid, rcvbuf] = native.open(NETLINK_GENERIC, NATIVE_BUF);
      this.nl = native;
      this.fd = fd;
      this.pid = pid;
      this.sock = null;
      // Every reply of a window must fit in the receive buffer (else the kernel drops them):
      // an ACK, or an error echoing its request, takes well under 2 KiB of it. As root the
      // buffer is 16 MiB (SO_RCVBUFFORCE); without CAP_NET_ADMIN, rmem_max caps it.
      this.window = opts.window ?? Math.max(16, Math.min(2048, Math.floor((rcvbuf || 212992) / 2048)));
      return;
    }
    const sock = IpvsClient.socket();
    this.nl = null;
    this.fd = -1;
    this.sock = sock;
    this.pid = sock.address().port;
    this.window = opts.window ?? 200;
    sock.on('message', (buf) => this.onData(buf));
    sock.on('error', (err) => this.failAll(err));
    sock.unref();
  }

  /** True when requests go through the native addon (synchronous I/O). */
  get native(): boolean {
    return this.nl !== null;
  }

  private static socket(): RawSocket {
    // Lazy: keeps `hactl --help` from loading the native addon.
    const { RawNetlinkSocket } = require('netlink/dist/raw') as { RawNetlinkSocket: new (proto: number, o?: object) => RawSocket };
    const sock = new RawNetlinkSocket(NETLINK_GENERIC);
    try {
      sock.setRecvBufferSize(4 << 20);
      sock.setSendBufferSize(4 << 20);
    } catch {
      /* best effort */
    }
    return sock;
  }

  /** Another socket for an already resolved family (used for parallel dumps). */
  static attach(family: number, opts: ClientOptions = {}): IpvsClient {
    const c = new IpvsClient(opts);
    c.family = family;
    return c;
  }

  /** Open the socket and resolve the IPVS family (IpvsUnavailableError if missing). */
  static async open(opts: ClientOptions = {}): Promise<IpvsClient> {
    const c = new IpvsClient(opts);
    try {
      const [reply] = await c.request(encodeGetFamily(IPVS_GENL_NAME, 0), false, 'resolve', GENL_ID_CTRL);
      if (!reply) throw new IpvsUnavailableError();
      c.family = decodeFamily(reply).id;
    } catch (e) {
      c.close();
      if (e instanceof IpvsError && e.errno === ERRNO.ENOENT) throw new IpvsUnavailableError();
      throw e;
    }
    return c;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.nl) this.nl.close(this.fd);
      else this.sock?.close();
    } catch {
      /* ignore */
    }
    this.failAll(new Error('netlink socket closed'));
  }

  private nextSeq(): number {
    const s = this.seq;
    this.seq = (this.seq % 0x7fffffff) + 1;
    return s;
  }

  private failBatch: ((err: Error) => void) | null = null;

  private failAll(err: Error): void {
    this.failBatch?.(err);
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(err);
    if (!this.closed) this.sock?.unref();
  }

  private onData(buf: Buffer): void {
    let msgs: NlMessage[];
    try {
      msgs = parseMessages(buf);
    } catch (e) {
      this.failAll(e as Error);
      return;
    }
    for (const m of msgs) {
      const b = this.batch;
      if (b && m.type === NLMSG_ERROR && m.seq >= b.first && m.seq < b.first + b.count) {
        const i = m.seq - b.first;
        if (!b.seen[i]) {
          b.seen[i] = 1;
          b.errnos[i] = ackErrno(m);
          if (--b.left === 0) b.done();
        }
        continue;
      }
      const p = this.pending.get(m.seq);
      if (!p) continue;
      if (m.type === NLMSG_ERROR) {
        const err = ackErrno(m);
        this.settle(m.seq);
        if (err === 0) p.resolve(p.items);
        else p.reject(new IpvsError(p.kind, err));
      } else if (m.type === NLMSG_DONE) {
        this.settle(m.seq);
        p.resolve(p.items);
      } else {
        p.items.push(m);
      }
    }
  }

  private settle(seq: number): void {
    this.pending.delete(seq);
    if (this.pending.size === 0 && !this.closed) this.sock?.unref();
  }

  /** Register a pending request for `seq`. */
  private expect(seq: number, dump: boolean, kind: OpKind): Promise<NlMessage[]> {
    return new Promise<NlMessage[]>((resolve, reject) => {
      if (this.pending.size === 0) this.sock?.ref();
      const timer = setTimeout(() => {
        if (this.pending.delete(seq)) reject(new Error(`no reply from the kernel within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      timer.unref();
      this.pending.set(seq, {
        dump,
        items: [],
        kind,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  private sendRaw(msgs: Buffer[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.sock?.send(msgs.length === 1 ? msgs[0] : msgs, { port: 0 }, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** One request (message built with seq placeholder 0 is re-sequenced here). */
  private async request(msg: Buffer, dump: boolean, kind: OpKind, _type?: number): Promise<NlMessage[]> {
    const seq = this.nextSeq();
    msg.writeUInt32LE(seq, 8);
    msg.writeUInt32LE(this.pid, 12);
    if (this.nl) return this.requestNative(msg, seq, kind);
    // Both promises get handlers at once: the reply can arrive before the send callback.
    const [, items] = await Promise.all([this.sendRaw([msg]), this.expect(seq, dump, kind)]);
    return items;
  }

  /**
   * Native: send, then read the replies at once (the kernel answers inside
   * sendmsg; a dump's further parts are made as they are read).
   */
  private requestNative(msg: Buffer, seq: number, kind: OpKind): NlMessage[] {
    const nl = this.nl as NativeNl;
    nl.send(this.fd, msg, msg.length);
    recvBuf ??= Buffer.allocUnsafe(1 << 16);
    const items: NlMessage[] = [];
    for (;;) {
      const n = nl.recv(this.fd, recvBuf, this.timeoutMs);
      if (n === 0) throw new Error(`no reply from the kernel within ${this.timeoutMs} ms`);
      if (n < 0) throw new Error(`netlink reply of ${-n} bytes truncated`);
      // Copy: the receive buffer is reused and dump items outlive this read.
      for (const m of parseMessages(Buffer.from(recvBuf.subarray(0, n)))) {
        if (m.seq !== seq) continue;
        if (m.type === NLMSG_ERROR) {
          const err = ackErrno(m);
          if (err !== 0) throw new IpvsError(kind, err);
          return items;
        }
        if (m.type === NLMSG_DONE) return items;
        items.push(m);
      }
    }
  }

  /**
   * Native dump read in place: `each(buf, off, end)` gets the generic netlink
   * attributes (after nlmsghdr + genlmsghdr) of every reply message; the
   * buffer is reused afterwards.
   */
  private dumpNative(msg: Buffer, kind: OpKind, each: (b: Buffer, off: number, end: number) => void): void {
    const nl = this.nl as NativeNl;
    const seq = this.nextSeq();
    msg.writeUInt32LE(seq, 8);
    msg.writeUInt32LE(this.pid, 12);
    nl.send(this.fd, msg, msg.length);
    recvBuf ??= Buffer.allocUnsafe(1 << 16);
    const b = recvBuf;
    for (;;) {
      const n = nl.recv(this.fd, b, this.timeoutMs);
      if (n === 0) throw new Error(`no reply from the kernel within ${this.timeoutMs} ms`);
      if (n < 0) throw new Error(`netlink reply of ${-n} bytes truncated`);
      let end = false;
      forEachMessage(b, n, (type, mseq, off, len) => {
        if (mseq !== seq) return false;
        if (type === NLMSG_ERROR) {
          const err = errnoAt(b, off);
          if (err !== 0) throw new IpvsError(kind, err);
          end = true;
        } else if (type === NLMSG_DONE) end = true;
        else each(b, off + 20, off + len);
        return end;
      });
      if (end) return;
    }
  }

  /**
   * Reserve `n` consecutive sequence numbers for requests encoded by the
   * caller (see applyEncoded); returns the first one.
   */
  reserveSeq(n: number): number {
    if (this.seq + n > 0x7fffffff) this.seq = 1;
    const first = this.seq;
    this.seq += n;
    return first;
  }

  /** Port id to put in encoded requests' nlmsg_pid. */
  get portId(): number {
    return this.pid;
  }

  /**
   * Send `n` already encoded requests (sequences first..first+n-1, message i
   * at bytes offs[i]..offs[i+1] of buf) in windows of many per sendmsg, one
   * ACK each. Returns the errno of each (0 ok, -1 not attempted: after a
   * window with a failure nothing more is sent when stopOnError).
   */
  async applyEncoded(buf: Buffer, offs: Uint32Array, first: number, n: number, stopOnError: boolean): Promise<Int32Array> {
    const errnos = new Int32Array(n).fill(-1);
    // Keep each sendmsg well under the socket's send buffer and ACKs within the receive buffer.
    const maxBytes = this.nl ? 2 << 20 : 1 << 18;
    let start = 0;
    while (start < n) {
      let end = Math.min(n, start + this.window);
      while (end > start + 1 && offs[end] - offs[start] > maxBytes) end = start + ((end - start) >> 1);
      const cnt = end - start;
      const part = errnos.subarray(start, end);
      if (this.nl) {
        this.nl.send(this.fd, buf.subarray(offs[start], offs[end]), offs[end] - offs[start]);
        const seen = this.nl.acks(this.fd, first + start, cnt, part, this.timeoutMs);
        if (seen < cnt) throw new Error(`no reply from the kernel within ${this.timeoutMs} ms (${cnt - seen} of ${cnt} requests unanswered)`);
        if (this.yieldBetweenWindows && end < n) await new Promise<void>((r) => setImmediate(r));
      } else {
        await this.windowNpm(buf.subarray(offs[start], offs[end]), first + start, cnt, part);
      }
      start = end;
      if (stopOnError) {
        let bad = false;
        for (let i = 0; i < cnt; i++) if (part[i] !== 0) bad = true;
        if (bad) break;
      }
    }
    return errnos;
  }

  /** npm-package path: one window through the event loop, ACKs counted in onData. */
  private async windowNpm(bytes: Buffer, first: number, n: number, errnos: Int32Array): Promise<void> {
    const batch: Batch = { first, count: n, errnos, seen: new Uint8Array(n), left: n, done: () => {} };
    const finished = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply from the kernel within ${this.timeoutMs} ms`)), this.timeoutMs);
      batch.done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.failBatch = (err) => {
        clearTimeout(timer);
        reject(err);
      };
    });
    this.batch = batch;
    this.sock?.ref();
    try {
      await Promise.all([this.sendRaw([bytes]), finished]);
    } finally {
      this.batch = null;
      this.failBatch = null;
      if (this.pending.size === 0 && !this.closed) this.sock?.unref();
    }
  }

  /**
   * Apply operations in order, pipelined (windows of many requests per
   * sendmsg), one ACK each. Never throws for kernel errors: returns one
   * result per op. `stopOnError` stops sending after the first window that
   * had a failure (the remaining ops get errno -1).
   */
  async apply(ops: Op[], opts: { stopOnError?: boolean } = {}): Promise<OpResult[]> {
    const n = ops.length;
    const first = this.reserveSeq(n);
    // All requests in one buffer (consecutive sequence numbers); windows are cut by applyEncoded.
    const w = new AttrWriter(n * 160 + 64);
    const offs = new Uint32Array(n + 1);
    for (let i = 0; i < n; i++) {
      offs[i] = w.len;
      encodeOpsInto(w, ops[i], this.family, first + i, this.pid);
    }
    offs[n] = w.len;
    const errnos = await this.applyEncoded(w.buffer, offs, first, n, !!opts.stopOnError);
    const results: OpResult[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const e = errnos[i];
      if (e === 0) results[i] = { errno: 0 };
      else if (e === -1) results[i] = { errno: -1, error: new IpvsError(ops[i].kind, -1, 'not attempted') };
      else results[i] = { errno: e, error: new IpvsError(ops[i].kind, e) };
    }
    return results;
  }

  /** Apply one operation; throws IpvsError with ipvsadm's message on failure. */
  async exec(op: Op): Promise<void> {
    const [r] = await this.apply([op]);
    if (r.errno !== 0) throw (r as { error: IpvsError }).error;
  }

  async getInfo(): Promise<Info> {
    const [m] = await this.request(encodeSimple(Cmd.GET_INFO, this.family, 0), false, 'get-info');
    return decodeInfo(genlAttrs(m));
  }

  async getServices(): Promise<Service[]> {
    if (this.nl) {
      const out: Service[] = [];
      this.dumpNative(encodeGetServices(this.family, 0), 'get-services', (b, off, end) => {
        // The reply's IPVS_CMD_ATTR_SERVICE (nested; the last one, like genlAttrs().get()).
        let at = -1;
        let atEnd = 0;
        forEachAttr(b, off, end, (type, p, plen) => {
          if (type === CmdAttr.SERVICE) {
            at = p;
            atEnd = p + plen;
          }
        });
        if (at >= 0) out.push(decodeServiceAt(b, at, atEnd));
      });
      return out;
    }
    const items = await this.request(encodeGetServices(this.family, 0), true, 'get-services');
    const out: Service[] = [];
    for (const m of items) {
      const a = genlAttrs(m).get(CmdAttr.SERVICE);
      if (a) out.push(decodeService(a));
    }
    return out;
  }

  async getService(key: ServiceKey): Promise<Service> {
    const items = await this.request(encodeGetService(key, this.family, 0), false, 'get-service');
    const a = items[0] && genlAttrs(items[0]).get(CmdAttr.SERVICE);
    if (!a) throw new IpvsError('get-service', ERRNO.ESRCH);
    return decodeService(a);
  }

  async getDests(svc: ServiceKey): Promise<Dest[]> {
    const items = await this.request(encodeGetDests(svc, this.family, 0), true, 'get-dests');
    const out: Dest[] = [];
    for (const m of items) {
      const a = genlAttrs(m).get(CmdAttr.DEST);
      if (a) out.push(decodeDest(a, svc.af));
    }
    return out;
  }

  /**
   * Whole table: services, each with its destinations (kernel order). The
   * kernel runs one dump at a time per socket, so big tables are read over a
   * few extra sockets in parallel (`lanes`), each doing its dumps in turn.
   */
  async getTable(lanes = 8): Promise<ServiceWithDests[]> {
    const svcs = await this.getServices();
    const out: ServiceWithDests[] = new Array(svcs.length);
    // Native I/O is synchronous: extra sockets would only add work.
    const n = svcs.length < 64 || this.nl ? 1 : lanes;
    const extra = Array.from({ length: n - 1 }, () => IpvsClient.attach(this.family, { timeoutMs: this.timeoutMs }));
    const clients: IpvsClient[] = [this, ...extra];
    let next = 0;
    try {
      await Promise.all(
        clients.map(async (cl) => {
          while (next < svcs.length) {
            const i = next++;
            out[i] = { ...svcs[i], dests: await cl.getDests(svcs[i]) };
          }
        }),
      );
    } finally {
      for (const cl of extra) cl.close();
    }
    return out;
  }

  /**
   * The table as `save` needs it (no thresholds, no counters): services over
   * netlink, destinations from one read of /proc/net/ip_vs, and netlink dumps
   * only for the services the file cannot describe (tunnel destinations, or a
   * fwmark used by both families). Falls back to getTable().
   */
  async getTableForSave(procText?: string): Promise<ServiceWithDests[]> {
    const svcs = await this.getServices();
    let text = procText;
    if (text === undefined) {
      try {
        text = require('node:fs').readFileSync('/proc/net/ip_vs', 'latin1') as string;
      } catch {
        return this.getTable();
      }
    }
    const proc = parseProcIpvs(text);
    if (!proc) return this.getTable();
    const byKey = new Map<string, Dest[] | null>();
    for (const p of proc) byKey.set(p.key, byKey.has(p.key) ? null : p.dests);
    const out: ServiceWithDests[] = new Array(svcs.length);
    const need: number[] = [];
    svcs.forEach((s, i) => {
      const dests = byKey.get(s.fwmark ? procFwmarkId(s.fwmark) : serviceTextId(s));
      if (!dests || dests.some((d) => d.fwd === Fwd.TUNNEL)) need.push(i);
      else out[i] = { ...s, dests };
    });
    let next = 0;
    const lanes = need.length < 64 || this.nl ? 1 : 8;
    const extra = Array.from({ length: lanes - 1 }, () => IpvsClient.attach(this.family, { timeoutMs: this.timeoutMs }));
    try {
      await Promise.all(
        [this, ...extra].map(async (cl) => {
          while (next < need.length) {
            const i = need[next++];
            out[i] = { ...svcs[i], dests: await cl.getDests(svcs[i]) };
          }
        }),
      );
    } finally {
      for (const cl of extra) cl.close();
    }
    return out;
  }

  async getTimeouts(): Promise<Timeouts> {
    const [m] = await this.request(encodeSimple(Cmd.GET_CONFIG, this.family, 0), false, 'get-timeout');
    return decodeTimeouts(genlAttrs(m));
  }

  async getDaemons(): Promise<Daemon[]> {
    const items = await this.request(encodeSimple(Cmd.GET_DAEMON, this.family, 0, true), true, 'get-daemon');
    const out: Daemon[] = [];
    for (const m of items) {
      const a = genlAttrs(m).get(CmdAttr.DAEMON);
      if (a) out.push(decodeDaemon(a));
    }
    return out;
  }
}

let shared: Promise<IpvsClient> | null = null;

/** The process-wide client (opened on first use). */
export function ipvs(opts: ClientOptions = {}): Promise<IpvsClient> {
  if (!shared) {
    shared = IpvsClient.open(opts);
    shared.catch(() => {
      shared = null;
    });
  }
  return shared;
}

/** Close the process-wide client if open. */
export async function closeIpvs(): Promise<void> {
  const s = shared;
  shared = null;
  if (s) {
    try {
      (await s).close();
    } catch {
      /* never opened */
    }
  }
}
