/** Parsing of checker command-line values: targets, timers, ports. Pure. */
import { isIP, isIPv6 } from 'node:net';

export interface Target {
  host: string;
  port?: number;
}

/** ADDR, ADDR:PORT, [V6ADDR]:PORT, V6ADDR (no port) or NAME[:PORT]. */
export function parseTarget(s: string): Target {
  const bad = () => new Error(`invalid target '${s}' (expected ADDRESS[:PORT], [IPv6]:PORT or HOSTNAME[:PORT])`);
  if (s.length === 0) throw bad();
  const m6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (m6) {
    if (!isIPv6(m6[1])) throw bad();
    return m6[2] !== undefined ? { host: m6[1], port: parsePort(m6[2]) } : { host: m6[1] };
  }
  if (isIPv6(s)) return { host: s };
  const i = s.lastIndexOf(':');
  if (i < 0) {
    if (!isIP(s) && !/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(s)) throw bad();
    return { host: s };
  }
  const host = s.slice(0, i);
  if (!isIP(host) && !/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host)) throw bad();
  return { host, port: parsePort(s.slice(i + 1)) };
}

export function parsePort(s: string, what = 'port'): number {
  if (!/^\d+$/.test(s)) throw new Error(`invalid ${what} '${s}' (expected 1-65535)`);
  const n = Number(s);
  if (n < 1 || n > 65535) throw new Error(`invalid ${what} '${s}' (expected 1-65535)`);
  return n;
}

/** The longest timer a Node timeout can hold (2^31-1 ms, about 24.8 days), in seconds. */
export const MAX_TIMER_S = 2147483;

/** keepalived <TIMER>: seconds, fractions allowed, at most MAX_TIMER_S; returns milliseconds. */
export function parseTimer(s: string, what: string): number {
  if (!/^\d+(\.\d+)?$/.test(s.trim())) throw new Error(`invalid ${what} '${s}' (expected seconds, e.g. 3 or 1.5)`);
  if (Number(s) > MAX_TIMER_S) throw new Error(`invalid ${what} '${s}' (at most ${MAX_TIMER_S} seconds)`);
  return Math.round(Number(s) * 1000);
}

export function parseUint(s: string, what: string, max = 0xffffffff): number {
  if (!/^\d+$/.test(s.trim()) || Number(s) > max) throw new Error(`invalid ${what} '${s}' (expected an integer 0-${max})`);
  return Number(s);
}

export function formatTarget(host: string, port?: number): string {
  if (port === undefined) return host;
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}
