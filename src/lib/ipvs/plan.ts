/**
 * The one IPVS planner (pure, no I/O): a model of the table that operations
 * can be simulated on (the kernel's errno for impossible ones, the inverse
 * operations for rollback), and the ordered operations turning a live table
 * into a wanted one. `hactl restore` (restore.ts) and the LVS daemon
 * (lvs/reconciler.ts) both plan with it, so they agree on every table.
 *
 * What counts as "the same" is what the kernel reports back:
 * - services and destinations are identified by address bytes (one
 *   canonical text, the kernel's: `::ffff:192.0.2.1`, whatever text the
 *   configuration used), protocol/port or fwmark;
 * - a service needs SET_SERVICE when its scheduler, its flags under
 *   SVC_FLAG_MASK, or its persistence engine differ, or, when persistent,
 *   its timeout or netmask;
 * - a destination needs SET_DEST when its forwarding method (under
 *   FWD_MASK), weight or thresholds differ, or, for a tunnel, its tunnel
 *   type, port or flags.
 *
 * Two ways to plan. `hactl restore` plans from the live table: the result
 * IS the wanted table. The LVS daemon plans like keepalived's checker
 * process, which never reconciles the whole table: it plans from what it
 * set itself (the previous wanted table, not the kernel's), so only what
 * its checkers or a reload changed reaches IPVS, and the kernel's answers
 * are read with `keepalivedOutcome` (an add that finds the entry there, or
 * a delete that finds it gone, is done). A service or destination that
 * already exists, an operator's `ipvsadm -e`/`-E` and a hand-added real
 * server are then left as they are, as keepalived leaves them.
 */
import { destId, serviceId, serviceKey, tableDestId } from './ids';
import { AF_INET6, Fwd, FWD_MASK, SvcFlag } from './constants';
import { ERRNO } from './errors';
import type { Dest, Op, Service, ServiceWithDests } from './types';

/** The service flags that mean something to IPVS (HASHED is the kernel's own bookkeeping). */
export const SVC_FLAG_MASK = SvcFlag.PERSISTENT | SvcFlag.ONEPACKET | SvcFlag.SCHED1 | SvcFlag.SCHED2 | SvcFlag.SCHED3;

/** Mutable model: services by id, each with dests by id (insertion order kept). */
export class TableModel {
  readonly svcs = new Map<string, { svc: Service; dests: Map<string, Dest> }>();

  static from(table: Iterable<ServiceWithDests>): TableModel {
    const m = new TableModel();
    for (const s of table) {
      const { dests, ...svc } = s;
      m.svcs.set(serviceId(s), { svc: cleanService(svc), dests: new Map(dests.map((d) => [destId(d), cleanDest(d)])) });
    }
    return m;
  }

  toTable(): ServiceWithDests[] {
    return [...this.svcs.values()].map(({ svc, dests }) => ({ ...svc, dests: [...dests.values()] }));
  }

  clone(): TableModel {
    return TableModel.from(this.toTable());
  }

  /**
   * Simulate one operation. Returns the kernel errno it would fail with (0 if
   * it succeeds) and, on success, the operations that undo it.
   */
  apply(op: Op): { errno: number; inverse: Op[] } {
    switch (op.kind) {
      case 'add-service': {
        const id = serviceId(op.svc);
        if (this.svcs.has(id)) return { errno: ERRNO.EEXIST, inverse: [] };
        this.svcs.set(id, { svc: cleanService(op.svc), dests: new Map() });
        return { errno: 0, inverse: [{ kind: 'del-service', svc: serviceKey(op.svc) }] };
      }
      case 'edit-service': {
        const cur = this.svcs.get(serviceId(op.svc));
        if (!cur) return { errno: ERRNO.ESRCH, inverse: [] };
        const old = cur.svc;
        cur.svc = cleanService(op.svc);
        return { errno: 0, inverse: [{ kind: 'edit-service', svc: old }] };
      }
      case 'del-service': {
        const id = serviceId(op.svc);
        const cur = this.svcs.get(id);
        if (!cur) return { errno: ERRNO.ESRCH, inverse: [] };
        this.svcs.delete(id);
        const inv: Op[] = [{ kind: 'add-service', svc: cur.svc }];
        for (const d of cur.dests.values()) inv.push({ kind: 'add-dest', svc: serviceKey(cur.svc), dest: d });
        return { errno: 0, inverse: inv };
      }
      case 'add-dest':
      case 'edit-dest':
      case 'del-dest':
        return this.applyDest(op);
      case 'flush': {
        const inv: Op[] = [];
        for (const { svc, dests } of this.svcs.values()) {
          inv.push({ kind: 'add-service', svc });
          for (const d of dests.values()) inv.push({ kind: 'add-dest', svc: serviceKey(svc), dest: d });
        }
        this.svcs.clear();
        // Inverses are applied in reverse order: reverse here so services come before their dests.
        return { errno: 0, inverse: inv.reverse() };
      }
      case 'zero':
        if (op.svc && !this.svcs.has(serviceId(op.svc))) return { errno: ERRNO.ESRCH, inverse: [] };
        return { errno: 0, inverse: [] };
      default:
        return { errno: 0, inverse: [] };
    }
  }

  private applyDest(op: Extract<Op, { kind: 'add-dest' | 'edit-dest' | 'del-dest' }>): { errno: number; inverse: Op[] } {
    const cur = this.svcs.get(serviceId(op.svc));
    if (!cur) return { errno: ERRNO.ESRCH, inverse: [] };
    const id = destId(op.dest);
    const old = cur.dests.get(id);
    const svc = serviceKey(op.svc);
    if (op.kind === 'add-dest') {
      if (old) return { errno: ERRNO.EEXIST, inverse: [] };
      cur.dests.set(id, cleanDest(op.dest));
      return { errno: 0, inverse: [{ kind: 'del-dest', svc, dest: op.dest }] };
    }
    if (!old) return { errno: ERRNO.ENOENT, inverse: [] };
    if (op.kind === 'edit-dest') {
      cur.dests.set(id, cleanDest(op.dest));
      return { errno: 0, inverse: [{ kind: 'edit-dest', svc, dest: old }] };
    }
    cur.dests.delete(id);
    return { errno: 0, inverse: [{ kind: 'add-dest', svc, dest: old }] };
  }
}

function cleanService(s: Service): Service {
  return {
    af: s.af,
    protocol: s.fwmark ? 0 : s.protocol,
    addr: s.fwmark ? (s.af === AF_INET6 ? '::' : '0.0.0.0') : s.addr,
    port: s.fwmark ? 0 : s.port,
    fwmark: s.fwmark,
    sched: s.sched,
    flags: s.flags & ~SvcFlag.HASHED,
    timeout: s.timeout,
    netmask: s.netmask,
    pe: s.pe ?? '',
  };
}

function cleanDest(d: Dest): Dest {
  return { af: d.af, addr: d.addr, port: d.port, fwd: d.fwd & FWD_MASK, weight: d.weight, uThresh: d.uThresh, lThresh: d.lThresh, tunType: d.tunType, tunPort: d.tunPort, tunFlags: d.tunFlags };
}

/** Does the live service need SET_SERVICE to become the wanted one? */
export function serviceNeedsEdit(live: Service, want: Service): boolean {
  if (live.sched !== want.sched || (live.flags & SVC_FLAG_MASK) !== (want.flags & SVC_FLAG_MASK) || (live.pe ?? '') !== (want.pe ?? '')) return true;
  if (want.flags & SvcFlag.PERSISTENT) return live.timeout !== want.timeout || live.netmask >>> 0 !== want.netmask >>> 0;
  return false;
}

/** Does the live destination need SET_DEST to become the wanted one? */
export function destNeedsEdit(live: Dest, want: Dest): boolean {
  const fwd = want.fwd & FWD_MASK;
  if ((live.fwd & FWD_MASK) !== fwd || live.weight !== want.weight || live.uThresh !== want.uThresh || live.lThresh !== want.lThresh) return true;
  return fwd === Fwd.TUNNEL && (live.tunType !== want.tunType || live.tunPort !== want.tunPort || live.tunFlags !== want.tunFlags);
}

/** An operation with the input line it comes from (for error reports). */
export interface PlannedOp {
  op: Op;
  line?: number;
}

export interface PlanOptions {
  /** Source line numbers by service id and by table-wide destination id (./ids serviceId, serviceDestId). */
  lines?: ReadonlyMap<string, number>;
  /** Live services not wanted that may be deleted (by service id); default: every one. */
  deletable?: { has(id: string): boolean };
}

/**
 * Ordered operations turning `live` into `wanted`: service by service (in
 * wanted order) the service's add or edit, then its new and changed
 * destinations; then the removed destinations; then the removed services.
 * So a kept pool never shrinks to nothing on the way. Unchanged services and
 * destinations produce nothing.
 */
export function planTable(live: Iterable<ServiceWithDests> | TableModel, wanted: Iterable<ServiceWithDests> | TableModel, o: PlanOptions = {}): PlannedOp[] {
  const liveM = live instanceof TableModel ? live : TableModel.from(live);
  const wantM = wanted instanceof TableModel ? wanted : TableModel.from(wanted);
  const lines = o.lines;
  const first: PlannedOp[] = [];
  const later: PlannedOp[] = [];
  for (const [id, w] of wantM.svcs) {
    const l = liveM.svcs.get(id);
    const key = serviceKey(w.svc);
    if (!l) {
      first.push({ op: { kind: 'add-service', svc: w.svc }, line: lines?.get(id) });
      for (const [did, d] of w.dests) first.push({ op: { kind: 'add-dest', svc: key, dest: d }, line: lines?.get(tableDestId(id, did)) });
      continue;
    }
    if (serviceNeedsEdit(l.svc, w.svc)) first.push({ op: { kind: 'edit-service', svc: w.svc }, line: lines?.get(id) });
    for (const [did, d] of w.dests) {
      const ld = l.dests.get(did);
      if (!ld) first.push({ op: { kind: 'add-dest', svc: key, dest: d }, line: lines?.get(tableDestId(id, did)) });
      else if (destNeedsEdit(ld, d)) first.push({ op: { kind: 'edit-dest', svc: key, dest: d }, line: lines?.get(tableDestId(id, did)) });
    }
    for (const [did, d] of l.dests) if (!w.dests.has(did)) later.push({ op: { kind: 'del-dest', svc: key, dest: d } });
  }
  for (const [id, l] of liveM.svcs) {
    if (!wantM.svcs.has(id) && (!o.deletable || o.deletable.has(id))) later.push({ op: { kind: 'del-service', svc: serviceKey(l.svc) } });
  }
  return [...first, ...later];
}

/**
 * How the LVS daemon reads a refused operation (keepalived's ipvs_talk):
 * - 'done': an add that finds the entry already there (EEXIST), or a delete
 *   that finds it gone (ENOENT, ESRCH for a service): the table has what the
 *   daemon wanted, whatever the entry's attributes are;
 * - 'add': an edit of a destination that is not there (ENOENT): add it
 *   instead (keepalived's IP_VS_SO_SET_EDITDEST fallback);
 * - 'failed': anything else.
 */
export function keepalivedOutcome(op: Op, errno: number | undefined): 'done' | 'add' | 'failed' {
  if (errno === ERRNO.EEXIST && (op.kind === 'add-service' || op.kind === 'add-dest')) return 'done';
  if (errno === ERRNO.ENOENT && op.kind === 'del-dest') return 'done';
  if ((errno === ERRNO.ESRCH || errno === ERRNO.ENOENT) && op.kind === 'del-service') return 'done';
  if (errno === ERRNO.ENOENT && op.kind === 'edit-dest') return 'add';
  return 'failed';
}
