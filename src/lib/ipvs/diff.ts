/**
 * Pure table planning: a model of the IPVS table that operations can be
 * simulated on (with the kernel's errno for impossible ones and the inverse
 * operations for rollback), and the minimal ordered operation list that turns
 * a live table into a wanted one.
 */
import { AF_INET6, Fwd, FWD_MASK, SvcFlag } from './constants';
import { destId, serviceId, serviceKey } from './codec';
import { ERRNO } from './errors';
import { formatServiceEntry, protocolName } from './format';
import type { Dest, Op, Service, ServiceKey, ServiceWithDests } from './types';

/** Mutable model: services by id, each with dests by id (insertion order kept). */
export class TableModel {
  readonly svcs = new Map<string, { svc: Service; dests: Map<string, Dest> }>();

  static from(table: ServiceWithDests[]): TableModel {
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
      case 'add-dest': {
        const cur = this.svcs.get(serviceId(op.svc));
        if (!cur) return { errno: ERRNO.ESRCH, inverse: [] };
        const id = destId(op.dest);
        if (cur.dests.has(id)) return { errno: ERRNO.EEXIST, inverse: [] };
        cur.dests.set(id, cleanDest(op.dest));
        return { errno: 0, inverse: [{ kind: 'del-dest', svc: serviceKey(op.svc), dest: op.dest }] };
      }
      case 'edit-dest': {
        const cur = this.svcs.get(serviceId(op.svc));
        if (!cur) return { errno: ERRNO.ESRCH, inverse: [] };
        const id = destId(op.dest);
        const old = cur.dests.get(id);
        if (!old) return { errno: ERRNO.ENOENT, inverse: [] };
        cur.dests.set(id, cleanDest(op.dest));
        return { errno: 0, inverse: [{ kind: 'edit-dest', svc: serviceKey(op.svc), dest: old }] };
      }
      case 'del-dest': {
        const cur = this.svcs.get(serviceId(op.svc));
        if (!cur) return { errno: ERRNO.ESRCH, inverse: [] };
        const id = destId(op.dest);
        const old = cur.dests.get(id);
        if (!old) return { errno: ERRNO.ENOENT, inverse: [] };
        cur.dests.delete(id);
        return { errno: 0, inverse: [{ kind: 'add-dest', svc: serviceKey(op.svc), dest: old }] };
      }
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

/** Do two services differ in anything SET_SERVICE can change? */
export function serviceDiffers(a: Service, b: Service): boolean {
  const mask = SvcFlag.PERSISTENT | SvcFlag.ONEPACKET | SvcFlag.SCHED1 | SvcFlag.SCHED2 | SvcFlag.SCHED3;
  if (a.sched !== b.sched || (a.flags & mask) !== (b.flags & mask) || (a.pe ?? '') !== (b.pe ?? '')) return true;
  if (a.flags & SvcFlag.PERSISTENT) {
    if (a.timeout !== b.timeout || a.netmask >>> 0 !== b.netmask >>> 0) return true;
  }
  return false;
}

/** Do two destinations differ in anything SET_DEST can change? */
export function destDiffers(a: Dest, b: Dest): boolean {
  if ((a.fwd & FWD_MASK) !== (b.fwd & FWD_MASK) || a.weight !== b.weight || a.uThresh !== b.uThresh || a.lThresh !== b.lThresh) return true;
  if ((a.fwd & FWD_MASK) === Fwd.TUNNEL && (a.tunType !== b.tunType || a.tunPort !== b.tunPort || a.tunFlags !== b.tunFlags)) return true;
  return false;
}

/** An operation with the input line it comes from (for error reports). */
export interface PlannedOp {
  op: Op;
  line?: number;
}

/**
 * Minimal ordered operations turning `live` into `wanted`. Within a kept
 * service, new and changed destinations come before removed ones, so the
 * pool never shrinks to nothing on the way; removed services go last.
 * `lines` maps service ids and "service id|dest id" to source line numbers.
 */
export function planDiff(live: ServiceWithDests[], wanted: ServiceWithDests[] | TableModel, lines: Map<string, number> = new Map()): PlannedOp[] {
  const liveM = TableModel.from(live);
  const wantM = wanted instanceof TableModel ? wanted : TableModel.from(wanted);
  const first: PlannedOp[] = [];
  const later: PlannedOp[] = [];
  for (const [id, w] of wantM.svcs) {
    const l = liveM.svcs.get(id);
    const key = serviceKey(w.svc);
    if (!l) {
      first.push({ op: { kind: 'add-service', svc: w.svc }, line: lines.get(id) });
      for (const [did, d] of w.dests) first.push({ op: { kind: 'add-dest', svc: key, dest: d }, line: lines.get(`${id}|${did}`) });
      continue;
    }
    if (serviceDiffers(l.svc, w.svc)) first.push({ op: { kind: 'edit-service', svc: w.svc }, line: lines.get(id) });
    for (const [did, d] of w.dests) {
      const ld = l.dests.get(did);
      if (!ld) first.push({ op: { kind: 'add-dest', svc: key, dest: d }, line: lines.get(`${id}|${did}`) });
      else if (destDiffers(ld, d)) first.push({ op: { kind: 'edit-dest', svc: key, dest: d }, line: lines.get(`${id}|${did}`) });
    }
    for (const [did, d] of l.dests) if (!w.dests.has(did)) later.push({ op: { kind: 'del-dest', svc: key, dest: d } });
  }
  for (const [id, l] of liveM.svcs) if (!wantM.svcs.has(id)) later.push({ op: { kind: 'del-service', svc: serviceKey(l.svc) } });
  return [...first, ...later];
}

/** Inverse operations (to apply in the returned order) undoing `applied` from `before`. */
export function rollbackOps(before: ServiceWithDests[], applied: Op[]): Op[] {
  const m = TableModel.from(before);
  const stack: Op[][] = [];
  for (const op of applied) {
    const r = m.apply(op);
    stack.push(r.errno === 0 ? r.inverse : []);
  }
  const out: Op[] = [];
  for (let i = stack.length - 1; i >= 0; i--) out.push(...stack[i]);
  return out;
}

function svcArg(s: ServiceKey): string {
  if (s.fwmark) return s.af === AF_INET6 ? `-f ${s.fwmark} -6` : `-f ${s.fwmark}`;
  const opt = protocolName(s.protocol) === 'TCP' ? '-t' : protocolName(s.protocol) === 'UDP' ? '-u' : '--sctp-service';
  return `${opt} ${s.af === AF_INET6 ? `[${s.addr}]` : s.addr}:${s.port}`;
}

/** An operation as an ipvsadm command line (for --dry-run and messages). */
export function opToRule(op: Op): string {
  switch (op.kind) {
    case 'add-service':
    case 'edit-service': {
      const line = formatServiceEntry({ ...op.svc, dests: [] }, { rule: true, numeric: true }).trimEnd();
      return op.kind === 'add-service' ? line : line.replace(/^-A /, '-E ');
    }
    case 'del-service':
      return `-D ${svcArg(op.svc)}`;
    case 'add-dest':
    case 'edit-dest': {
      const svc = { ...(op.svc as Service), sched: '', flags: 0, timeout: 0, netmask: 0, pe: '' };
      const text = formatServiceEntry({ ...svc, dests: [op.dest] }, { rule: true, numeric: true, nosort: true }).split('\n')[1];
      const withT = `${text}${op.dest.uThresh ? ` -x ${op.dest.uThresh}` : ''}${op.dest.lThresh ? ` -y ${op.dest.lThresh}` : ''}`;
      return op.kind === 'add-dest' ? withT : withT.replace(/^-a /, '-e ');
    }
    case 'del-dest': {
      const d = op.dest;
      return `-d ${svcArg(op.svc)} -r ${d.af === AF_INET6 ? `[${d.addr}]` : d.addr}:${d.port}`;
    }
    case 'flush':
      return '-C';
    case 'zero':
      return op.svc ? `-Z ${svcArg(op.svc)}` : '-Z';
    case 'set-timeout':
      return `--set ${op.timeouts.tcp} ${op.timeouts.tcpFin} ${op.timeouts.udp}`;
    case 'start-daemon':
      return `--start-daemon ${op.daemon.state === 1 ? 'master' : 'backup'} --mcast-interface ${op.daemon.ifname} --syncid ${op.daemon.syncId}`;
    case 'stop-daemon':
      return `--stop-daemon ${op.daemon.state === 1 ? 'master' : 'backup'}`;
  }
}
