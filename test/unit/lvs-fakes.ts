/**
 * Fakes for the LVS reconciler tests: an in-memory IPVS that refuses what the
 * kernel refuses (with ipvsadm's messages), scripted checkers and a clock that
 * only moves when told to.
 */
import { canonicalAddr } from '../../src/lib/ipvs/addr';
import { Fwd } from '../../src/lib/ipvs/constants';
import type { OpResult } from '../../src/lib/lvs/reconciler';
import type { CheckerPort, IpvsPort, TimerClock } from '../../src/lib/lvs/reconciler';
import type {
  CheckOutcome,
  CheckerSpec,
  Daemon,
  Dest,
  Op,
  RealServerSpec,
  Service,
  ServiceWithDests,
  ServiceKey,
  VirtualServerSpec,
} from '../../src/lib/lvs/types';

/** The fake table's own keys (tests name services and dests by them): `6|192.0.2.1|80`, `fwm|2|7`, `198.51.100.1|80`. */
export function svcKey(s: ServiceKey): string {
  return s.fwmark ? `fwm|${s.af}|${s.fwmark}` : `${s.protocol}|${s.addr}|${s.port}`;
}
export function destKey(d: { addr: string; port: number }): string {
  return `${d.addr}|${d.port}`;
}

/** An operation with its addresses as the kernel keeps them (bytes) and prints them back (inet_ntop). */
export function canonOp(op: Op): Op {
  const c = <T extends { af: number; addr: string }>(x: T): T => ({ ...x, addr: canonicalAddr(x.af, x.addr) });
  if ('dest' in op) return { ...op, svc: c(op.svc), dest: c(op.dest) };
  if ('svc' in op && op.svc) return { ...op, svc: c(op.svc) } as Op;
  return op;
}

const SCHEDULERS = new Set(['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh']);

export class FakeIpvs implements IpvsPort {
  readonly services = new Map<string, { svc: Service; dests: Map<string, Dest> }>();
  readonly daemons: Daemon[] = [];
  timeouts?: { tcp: number; tcpFin: number; udp: number };
  readonly log: Op[] = [];
  /** Make the next operations of this kind fail (once each). */
  failNext: { kind: Op['kind']; error: string; errno?: number }[] = [];
  listCalls = 0;

  async list(): Promise<ServiceWithDests[]> {
    this.listCalls++;
    return [...this.services.values()].map((s) => ({ ...s.svc, dests: [...s.dests.values()].map((d) => ({ ...d })) }));
  }

  applyCalls = 0;

  /** Make the next apply() throw after applying this many operations (a broken batch). */
  throwAfter?: number;

  async apply(ops: Op[]): Promise<OpResult[]> {
    this.applyCalls++;
    if (this.throwAfter !== undefined) {
      const n = this.throwAfter;
      this.throwAfter = undefined;
      for (const op of ops.slice(0, n)) if (this.one(op).ok) this.log.push(op);
      throw new RangeError('The value of "offset" is out of range.');
    }
    return ops.map((op) => {
      const r = this.one(op);
      if (r.ok) this.log.push(op);
      return r;
    });
  }

  private one(op: Op): OpResult {
    const inj = this.failNext.findIndex((f) => f.kind === op.kind);
    if (inj >= 0) {
      const [f] = this.failNext.splice(inj, 1);
      return { ok: false, error: f.error, errno: f.errno };
    }
    switch (op.kind) {
      case 'add-service': {
        const k = svcKey(op.svc);
        if (this.services.has(k)) return { ok: false, error: 'Service already exists', errno: 17 };
        if (!SCHEDULERS.has(op.svc.sched)) return { ok: false, error: 'Scheduler or persistence engine not found' };
        this.services.set(k, { svc: { ...op.svc }, dests: new Map() });
        return { ok: true };
      }
      case 'edit-service': {
        const s = this.services.get(svcKey(op.svc));
        if (!s) return { ok: false, error: 'No such service' };
        if (!SCHEDULERS.has(op.svc.sched)) return { ok: false, error: 'Scheduler or persistence engine not found' };
        s.svc = { ...op.svc };
        return { ok: true };
      }
      case 'del-service':
        if (!this.services.delete(svcKey(op.svc))) return { ok: false, error: 'No such service', errno: 3 };
        return { ok: true };
      case 'add-dest':
      case 'edit-dest':
      case 'del-dest': {
        const s = this.services.get(svcKey(op.svc));
        if (!s) return { ok: false, error: 'Service not defined' };
        const d = op.dest;
        if (d.weight < 0 || d.weight > 2147483647) return { ok: false, error: 'Invalid argument' };
        if (d.fwd !== Fwd.MASQ && !op.svc.fwmark && d.port !== op.svc.port) return { ok: false, error: 'Invalid argument' };
        const k = destKey(d);
        if (op.kind === 'add-dest') {
          if (s.dests.has(k)) return { ok: false, error: 'Destination already exists', errno: 17 };
          s.dests.set(k, { ...d });
        } else if (op.kind === 'edit-dest') {
          if (!s.dests.has(k)) return { ok: false, error: 'No such destination', errno: 2 };
          s.dests.set(k, { ...d });
        } else if (!s.dests.delete(k)) return { ok: false, error: 'No such destination', errno: 2 };
        return { ok: true };
      }
      case 'flush':
        this.services.clear();
        return { ok: true };
      case 'set-timeout':
        this.timeouts = { ...op.timeouts };
        return { ok: true };
      case 'start-daemon':
        if (this.daemons.some((x) => x.state === op.daemon.state)) return { ok: false, error: 'Device or resource busy' };
        this.daemons.push({ ...op.daemon });
        return { ok: true };
      case 'stop-daemon': {
        const i = this.daemons.findIndex((x) => x.state === op.daemon.state);
        if (i < 0) return { ok: false, error: 'No such process' };
        this.daemons.splice(i, 1);
        return { ok: true };
      }
      default:
        return { ok: false, error: `unsupported ${op.kind}` };
    }
  }

  /** Comparable snapshot: svcKey -> service + sorted dests. */
  snapshot(): Record<string, { svc: Service; dests: Record<string, Dest> }> {
    const out: Record<string, { svc: Service; dests: Record<string, Dest> }> = {};
    for (const [k, s] of [...this.services].sort(([a], [b]) => a.localeCompare(b))) {
      const dests: Record<string, Dest> = {};
      for (const [dk, d] of [...s.dests].sort(([a], [b]) => a.localeCompare(b))) dests[dk] = d;
      out[k] = { svc: s.svc, dests };
    }
    return out;
  }

  weights(key: string): Record<string, number> {
    const s = this.services.get(key);
    const out: Record<string, number> = {};
    if (!s) return out;
    for (const [k, d] of [...s.dests].sort(([a], [b]) => a.localeCompare(b))) out[k] = d.weight;
    return out;
  }
}

/** Checkers whose answer the test sets per real server ("addr|port") or per checker id. */
export class FakeCheckers implements CheckerPort {
  readonly up = new Map<string, boolean>();
  readonly weight = new Map<string, number>();
  readonly calls: { rs: string; check: string; at: number }[] = [];
  /** Real-server keys whose checks never settle until aborted. */
  readonly hang = new Set<string>();
  constructor(private readonly clock: FakeClock) {}

  async run(check: CheckerSpec, rs: RealServerSpec, _vs: VirtualServerSpec, signal: AbortSignal): Promise<CheckOutcome> {
    const k = `${rs.addr}|${rs.port}`;
    this.calls.push({ rs: k, check: check.id, at: this.clock.now() });
    if (this.hang.has(k)) {
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      return { up: false, reason: 'aborted' };
    }
    const specific = this.up.get(`${k}#${check.id}`);
    const up = specific ?? this.up.get(k) ?? true;
    const w = this.weight.get(k);
    return { up, reason: up ? 'connected' : 'connection refused', weight: w, durationMs: 1 };
  }
}

export class FakeClock implements TimerClock {
  private t = 0;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void; seq: number }>();

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn, seq: id });
    return id;
  }

  clearTimeout(h: unknown): void {
    this.timers.delete(h as number);
  }

  pending(): number {
    return this.timers.size;
  }

  /** Move time forward, firing due timers in order and letting their promises settle. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void; seq: number }] | undefined;
      for (const e of this.timers) {
        if (e[1].at <= target && (!next || e[1].at < next[1].at || (e[1].at === next[1].at && e[1].seq < next[1].seq))) next = e;
      }
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
      await flush();
    }
    this.t = target;
    await flush();
  }
}

export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
}

/** FakeIpvs that, like the kernel, keeps addresses as bytes and lists them as inet_ntop prints them (::ffff:192.0.2.1). */
export class KernelLikeIpvs extends FakeIpvs {
  /** Every operation asked for, refused ones included. */
  readonly attempted: Op[] = [];

  override async apply(ops: Op[]): Promise<OpResult[]> {
    this.attempted.push(...ops);
    return super.apply(ops.map(canonOp));
  }
}
