/**
 * Errno names for netlink errors (an NLMSG_ERROR's errno, an addon's .errno): libuv's names
 * through util.getSystemErrorName, then this platform's os.constants.errno for the few libuv
 * does not know (EDEADLK...). No errno table is kept by hand. Pure.
 */
import * as os from 'node:os';
import * as util from 'node:util';

const ERRNO = os.constants.errno as Readonly<Record<string, number>>;

/** The symbolic name of a positive errno ('EEXIST'), or 'errno N' when nothing names it. */
export function errnoName(errno: number): string {
  if (Number.isInteger(errno) && errno > 0) {
    const name = util.getSystemErrorName(-errno);
    if (/^E[A-Z0-9]+$/.test(name)) return name;
    for (const k in ERRNO) if (ERRNO[k] === errno) return k;
  }
  return `errno ${errno}`;
}

/** The errno of a name ('EEXIST' -> 17, and the addons' 'E123' for an unnamed one); 0 when unknown. */
export function errnoNumber(name: string): number {
  const n = ERRNO[name];
  if (n !== undefined) return n;
  const m = /^E(\d+)$/.exec(name);
  return m ? Number(m[1]) : 0;
}
