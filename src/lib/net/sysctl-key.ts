/**
 * sysctl keys and /proc/sys paths (pure; the fs adapter is ./sysctl). Keys use
 * sysctl(8) notation: dots separate components and an interface name that
 * contains dots is written with '/' instead (net.ipv4.conf.eth0/100.rp_filter).
 */
import * as path from 'node:path';

export const PROC_SYS = '/proc/sys';

/** Per-interface conf key: confKey(4, 'lo', 'arp_ignore') = 'net.ipv4.conf.lo.arp_ignore'. */
export function confKey(family: 4 | 6, ifname: string, param: string): string {
  return `net.ipv${family}.conf.${ifname.replace(/\./g, '/')}.${param}`;
}

/** Validate a key; throws on '..', empty components or characters outside [A-Za-z0-9_/.:@-]. */
export function checkKey(key: string): void {
  if (!/^[A-Za-z0-9_/.:@-]+$/.test(key)) throw new Error(`invalid sysctl key "${key}"`);
  const parts = key.split('.');
  if (parts.some((p) => p === '' || p.split('/').some((x) => x === '..' || x === ''))) throw new Error(`invalid sysctl key "${key}"`);
}

/** /proc/sys path of a key. */
export function sysctlPath(key: string, root = PROC_SYS): string {
  checkKey(key);
  return path.join(root, ...key.split('.').map((p) => p.replace(/\//g, '.')));
}

/** Value as written in a sysctl.d file / read back from /proc (trimmed, tabs -> spaces). */
export function normalizeValue(v: string | number): string {
  return String(v).trim().replace(/\s+/g, ' ');
}
