/**
 * Kernel errno → ipvsadm's messages (libipvs ipvs_strerror), per operation.
 * Pure.
 */
import * as os from 'node:os';
import type { Op } from './types';

export const ERRNO = os.constants.errno;

/** What the failing request was, for the message table. */
export type OpKind = Op['kind'] | 'get-services' | 'get-service' | 'get-dests' | 'get-timeout' | 'get-daemon' | 'get-info' | 'resolve';

const TABLE: Array<[OpKind | null, number, string]> = [
  ['add-service', ERRNO.EEXIST, 'Service already exists'],
  ['add-service', ERRNO.ENOENT, 'Scheduler or persistence engine not found'],
  ['edit-service', ERRNO.ESRCH, 'No such service'],
  ['edit-service', ERRNO.ENOENT, 'Scheduler or persistence engine not found'],
  ['del-service', ERRNO.ESRCH, 'No such service'],
  ['zero', ERRNO.ESRCH, 'No such service'],
  ['add-dest', ERRNO.ESRCH, 'Service not defined'],
  ['add-dest', ERRNO.EEXIST, 'Destination already exists'],
  ['edit-dest', ERRNO.ESRCH, 'Service not defined'],
  ['edit-dest', ERRNO.ENOENT, 'No such destination'],
  ['del-dest', ERRNO.ESRCH, 'Service not defined'],
  ['del-dest', ERRNO.ENOENT, 'No such destination'],
  ['start-daemon', ERRNO.EEXIST, 'Daemon has already run'],
  ['stop-daemon', ERRNO.ESRCH, 'No daemon is running'],
  ['get-services', ERRNO.ESRCH, 'No such service'],
  ['get-dests', ERRNO.ESRCH, 'No such service'],
  ['get-service', ERRNO.ESRCH, 'No such service'],
  [null, ERRNO.EPERM, 'Permission denied (you must be root)'],
  [null, ERRNO.EINVAL, 'Invalid operation.  Possibly wrong module version, address not unicast, ...'],
  [null, ERRNO.ENOPROTOOPT, 'Protocol not available'],
  [null, ERRNO.ENOMEM, 'Memory allocation problem'],
  [null, ERRNO.EOPNOTSUPP, 'Operation not supported with IPv6'],
  [null, ERRNO.EAFNOSUPPORT, 'Operation not supported with specified address family'],
  [null, ERRNO.EMSGSIZE, 'Module is wrong version'],
];

/** strerror() texts for the errnos not in ipvsadm's table. */
const STRERROR: Record<number, string> = {
  [ERRNO.ENOENT]: 'No such file or directory',
  [ERRNO.ESRCH]: 'No such process',
  [ERRNO.EEXIST]: 'File exists',
  [ERRNO.EBUSY]: 'Device or resource busy',
  [ERRNO.ENODEV]: 'No such device',
  [ERRNO.ENOBUFS]: 'No buffer space available',
  [ERRNO.EACCES]: 'Permission denied',
  [ERRNO.ERANGE]: 'Numerical result out of range',
  [ERRNO.ENOTSUP]: 'Operation not supported',
};

/** ipvsadm's message for a kernel errno returned by an operation. */
export function ipvsStrerror(kind: OpKind, errno: number): string {
  for (const [k, e, msg] of TABLE) if ((k === null || k === kind) && e === errno) return msg;
  return STRERROR[errno] ?? `Unknown error ${errno}`;
}

export const IPVS_UNAVAILABLE = 'IPVS is not available: load the ip_vs module';

/** A kernel error for one request. */
export class IpvsError extends Error {
  readonly errno: number;
  readonly kind: OpKind;
  constructor(kind: OpKind, errno: number, message?: string) {
    super(message ?? ipvsStrerror(kind, errno));
    this.name = 'IpvsError';
    this.errno = errno;
    this.kind = kind;
  }
}

/** The generic netlink family "IPVS" does not exist (no ip_vs module). */
export class IpvsUnavailableError extends Error {
  constructor(detail?: string) {
    super(detail ? `${IPVS_UNAVAILABLE} (${detail})` : IPVS_UNAVAILABLE);
    this.name = 'IpvsUnavailableError';
  }
}
