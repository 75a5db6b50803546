/**
 * The one identity of IPVS services and destinations: the text keys every table, plan and
 * index is keyed by (the IPVS planner, the LVS half's wanted table and checker state, drift,
 * save/restore, the /proc fast path). A service is its protocol, address and port, or its
 * family and fwmark; a destination is its address and port within its service. Addresses are
 * compared as the kernel prints them back (`::ffff:192.0.2.1`, whatever text a configuration
 * used). Pure.
 */
import { canonicalIp, familyOfAf, formatAddrPort, INET_ATON } from '../addr';
import { AF_INET6 } from './constants';
import type { Dest, ServiceKey } from './types';

/** An address as the kernel prints it back (text that is not an address of that family is kept as is). */
export function addrId(af: number, addr: string): string {
  const c = canonicalIp(addr, INET_ATON);
  return c !== null && c.includes(':') === (af === AF_INET6) ? c : addr;
}

/**
 * A service's id from text already in the kernel's form (netlink replies, /proc, the LVS half's
 * specs, whose addresses are canonical): `6:192.0.2.1:80`, `17:[2001:db8::1]:53`, `fwm:2:7`.
 */
export function serviceTextId(s: ServiceKey): string {
  return s.fwmark ? `fwm:${s.af}:${s.fwmark}` : `${s.protocol}:${formatAddrPort(familyOfAf(s.af), s.addr, s.port)}`;
}

/** A destination's id within its service from text already in the kernel's form: `198.51.100.1:80`, `[2001:db8::2]:80`. */
export function destTextId(d: Pick<Dest, 'af' | 'addr' | 'port'>): string {
  return formatAddrPort(familyOfAf(d.af), d.addr, d.port);
}

/** A service's id from any address text (canonicalised first). */
export function serviceId(s: ServiceKey): string {
  return s.fwmark ? serviceTextId(s) : serviceTextId({ ...s, addr: addrId(s.af, s.addr) });
}

/** A destination's id within its service from any address text (canonicalised first). */
export function destId(d: Pick<Dest, 'af' | 'addr' | 'port'>): string {
  return destTextId({ af: d.af, addr: addrId(d.af, d.addr), port: d.port });
}

/** A destination's id across the whole table, from its service's id and its own. */
export function tableDestId(serviceIdText: string, destIdText: string): string {
  return `${serviceIdText}|${destIdText}`;
}

/** A destination's id across the whole table, from any address text. */
export function serviceDestId(svc: ServiceKey, d: Pick<Dest, 'af' | 'addr' | 'port'>): string {
  return tableDestId(serviceId(svc), destId(d));
}

/** A fwmark service as /proc/net/ip_vs names it: the file does not say its family (`fwm:7`). */
export function procFwmarkId(fwmark: number): string {
  return `fwm:${fwmark}`;
}

/** A service's key as the kernel takes it: fwmark services carry no protocol, address or port. */
export function serviceKey(s: ServiceKey): ServiceKey {
  return { af: s.af, protocol: s.fwmark ? 0 : s.protocol, addr: s.fwmark ? (s.af === AF_INET6 ? '::' : '0.0.0.0') : s.addr, port: s.fwmark ? 0 : s.port, fwmark: s.fwmark };
}
