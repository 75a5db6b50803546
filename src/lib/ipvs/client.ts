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
  decodeTimeouts,
  genlAttrs,
  parseMessages,
  type NlMessage,
} from './codec';
import { parseProcIpvs } from './procfs';
import { serviceId } from './codec';
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

  private constructor(
    private readonly sock: RawSocket,
    opts: ClientOptions,
  ) {
    this.pid = sock.address().port;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.window = opts.window ?? 200;
    sock.on('message', (buf) => this.onData(buf));
    sock.on('error', (err) => this.failAll(err));
    sock.unref();
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
    const c = new IpvsClient(IpvsClient.socket(), opts);
    c.family = family;
    return c;
  }

  /** Open the socket and resolve the IPVS family (IpvsUnavailableError if missing). */
  static async open(opts: ClientOptions = {}): Promise<IpvsClient> {
    const c = new IpvsClient(IpvsClient.socket(), opts);
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
      this.sock.close();
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
    if (!this.closed) this.sock.unref();
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
          b.errnos[i] = -m.payload.readInt32LE(0);
          if (--b.left === 0) b.done();
        }
        continue;
      }
      const p = this.pending.get(m.seq);
      if (!p) continue;
      if (m.type === NLMSG_ERROR) {
        const err = -m.payload.readInt32LE(0);
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
    if (this.pending.size === 0 && !this.closed) this.sock.unref();
  }

  /** Register a pending request for `seq`. */
  private expect(seq: number, dump: boolean, kind: OpKind): Promise<NlMessage[]> {
    return new Promise<NlMessage[]>((resolve, reject) => {
      if (this.pending.size === 0) this.sock.ref();
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
      this.sock.send(msgs.length === 1 ? msgs[0] : msgs, { port: 0 }, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** One request (message built with seq placeholder 0 is re-sequenced here). */
  private async request(msg: Buffer, dump: boolean, kind: OpKind, _type?: number): Promise<NlMessage[]> {
    const seq = this.nextSeq();
    msg.writeUInt32LE(seq, 8);
    msg.writeUInt32LE(this.pid, 12);
    // Both promises get handlers at once: the reply can arrive before the send callback.
    const [, items] = await Promise.all([this.sendRaw([msg]), this.expect(seq, dump, kind)]);
    return items;
  }

  /**
   * Apply operations in order, pipelined (windows of many requests per
   * sendmsg), one ACK each. Never throws for kernel errors: returns one
   * result per op. `stopOnError` stops sending after the first window that
   * had a failure (the remaining ops get errno -1).
   */
  async apply(ops: Op[], opts: { stopOnError?: boolean } = {}): Promise<OpResult[]> {
    const results: OpResult[] = new Array(ops.length);
    let failed = false;
    for (let start = 0; start < ops.length; start += this.window) {
      if (failed && opts.stopOnError) {
        for (let i = start; i < ops.length; i++) results[i] = { errno: -1, error: new IpvsError(ops[i].kind, -1, 'not attempted') };
        break;
      }
      const end = Math.min(ops.length, start + this.window);
      const n = end - start;
      // Consecutive sequence numbers for the window, all in one buffer and one sendmsg.
      if (this.seq + n > 0x7fffffff) this.seq = 1;
      const first = this.seq;
      this.seq += n;
      const w = new AttrWriter(n * 160);
      for (let i = 0; i < n; i++) encodeOpsInto(w, ops[start + i], this.family, first + i, this.pid);
      const batch: Batch = { first, count: n, errnos: new Int32Array(n), seen: new Uint8Array(n), left: n, done: () => {} };
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
      this.sock.ref();
      try {
        await Promise.all([this.sendRaw([w.bytes()]), finished]);
      } finally {
        this.batch = null;
        this.failBatch = null;
        if (this.pending.size === 0 && !this.closed) this.sock.unref();
      }
      for (let i = 0; i < n; i++) {
        const e = batch.errnos[i];
        if (e === 0) results[start + i] = { errno: 0 };
        else {
          results[start + i] = { errno: e, error: new IpvsError(ops[start + i].kind, e) };
          failed = true;
        }
      }
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
    const n = svcs.length < 64 ? 1 : lanes;
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
      const dests = byKey.get(s.fwmark ? `fwm:${s.fwmark}` : serviceId(s));
      if (!dests || dests.some((d) => d.fwd === Fwd.TUNNEL)) need.push(i);
      else out[i] = { ...s, dests };
    });
    let next = 0;
    const lanes = need.length < 64 ? 1 : 8;
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
