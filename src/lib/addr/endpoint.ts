/**
 * ADDR:PORT text (pure): the one splitter and formatter of "HOST:PORT",
 * "[IPV6]:PORT", "[IPV6]", "IPV6" and "HOST". An unbracketed text with more
 * than one ':' is an IPv6 address without a port (as ipvsadm, keepalived and
 * curl read it); the port is returned as text for the caller to check
 * (ranges, service names differ between commands).
 */
import { ipFamily } from './ip';

export interface HostPort {
  host: string;
  /** the text after the port's ':' (possibly empty); absent without one */
  port?: string;
  /** the host was written in brackets */
  bracketed: boolean;
}

/** Split ADDR:PORT; null when brackets are unbalanced or followed by something other than ":PORT". */
export function splitHostPort(s: string): HostPort | null {
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0) return null;
    const host = s.slice(1, close);
    const rest = s.slice(close + 1);
    if (rest === '') return { host, bracketed: true };
    if (rest[0] !== ':') return null;
    return { host, port: rest.slice(1), bracketed: true };
  }
  const i = s.indexOf(':');
  if (i < 0) return { host: s, bracketed: false };
  if (s.indexOf(':', i + 1) >= 0) return { host: s, bracketed: false };
  return { host: s.slice(0, i), port: s.slice(i + 1), bracketed: false };
}

/** "HOST:PORT", with an IPv6 address in brackets ("[2001:db8::1]:80"); the host alone without a port. */
export function formatHostPort(host: string, port?: number | string): string {
  if (port === undefined) return host;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** formatHostPort for a family known from elsewhere (an IPv6 address is always bracketed). */
export function formatAddrPort(family: 4 | 6, addr: string, port: number | string): string {
  return family === 6 ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** Is `host` an IPv6 address (a %zone allowed)? */
export const isIpv6Host = (host: string): boolean => ipFamily(host, { zone: true }) === 6;
