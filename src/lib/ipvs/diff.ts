/**
 * Restore's side of table planning: rollback of an applied plan and
 * operations as ipvsadm command lines. The planning itself (what to add,
 * edit, delete) is plan.ts, shared with the LVS daemon.
 */
import { familyOfAf, formatAddrPort } from '../addr';
import { AF_INET6 } from './constants';
import { formatServiceEntry, protocolName } from './format';
import { TableModel } from './plan';
import type { Op, Service, ServiceKey, ServiceWithDests } from './types';

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
  return `${opt} ${formatAddrPort(familyOfAf(s.af), s.addr, s.port)}`;
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
      return `-d ${svcArg(op.svc)} -r ${formatAddrPort(familyOfAf(d.af), d.addr, d.port)}`;
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
