/** Parsing of checker command-line values: targets, timers, ports. Pure. */
import { ipFamily, splitHostPort, WITH_ZONE } from '../addr';

export interface Target {
  host: string;
  port?: number;
}

/** ADDR, ADDR:PORT, [V6ADDR]:PORT, V6ADDR (no port) or NAME[:PORT]. */
export function parseTarget(s: string): Target {
  const bad = () => new Error(`invalid target '${s}' (expected ADDRESS[:PORT], [IPv6]:PORT or HOSTNAME[:PORT])`);
  const hp = s.length === 0 ? null : splitHostPort(s);
  if (!hp) throw bad();
  const fam = ipFamily(hp.host, WITH_ZONE);
  if (hp.bracketed || hp.host.includes(':') ? fam !== 6 : fam === 0 && !HOSTNAME.test(hp.host)) throw bad();
  return hp.port !== undefined ? { host: hp.host, port: parsePort(hp.port) } : { host: hp.host };
}

const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;

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
