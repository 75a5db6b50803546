/**
 * Typed value parsers with keepalived 2.2.7's rules: decimal integers
 * (optional sign, no hex), decimal timers in seconds, booleans
 * (on|off|true|false|yes|no), IPv4/IPv6 addresses with optional prefix (read by
 * ../addr), ports.
 * Each returns a value or an error message (no diagnostics here). Pure.
 */
import { type FamilyName, parseIp as parseAddr, strictIpv4Text } from '../addr';
import type { IpAddress } from './model';

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(message: string): Parsed<T> => ({ ok: false, message });

/** Value of a string of 1 to 15 ASCII digits (exact in a double), else -1. */
function plainDigits(s: string): number {
  const n = s.length;
  if (n === 0 || n > 15) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

export function parseInteger(s: string, min: number, max: number): Parsed<number> {
  // Fast path: plain digits (the usual case), same result as the regular expression and parseInt.
  let v = plainDigits(s);
  if (v < 0) {
    if (!/^[-+]?\d+$/.test(s)) return bad(`invalid number '${s}'`);
    v = Number.parseInt(s, 10);
  }
  if (v < 0 && min >= 0) return bad(`negative number '${s}'`);
  if (v < min || v > max) return bad(`number '${s}' outside range [${min}, ${max}]`);
  return ok(v);
}

/** Seconds with fractions (keepalived timers: micro-second resolution). */
export function parseDecimal(s: string, min: number, max: number): Parsed<number> {
  let v = plainDigits(s);
  if (v < 0) {
    if (!/^[-+]?(\d+(\.\d*)?|\.\d+)$/.test(s)) return bad(`invalid number '${s}'`);
    v = Number.parseFloat(s);
  }
  if (v < 0 && min >= 0) return bad(`negative number '${s}'`);
  if (v < min || v > max) return bad(`number '${s}' outside range [${fmtRange(min)}, ${fmtRange(max)}]`);
  return ok(v);
}

function fmtRange(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(6);
}

const TRUE = new Set(['on', 'true', 'yes']);
const FALSE = new Set(['off', 'false', 'no']);

export function parseBool(s: string): Parsed<boolean> {
  const l = s.toLowerCase();
  if (TRUE.has(l)) return ok(true);
  if (FALSE.has(l)) return ok(false);
  return bad(`invalid boolean '${s}' (use on|off|true|false|yes|no)`);
}

/** A strict dotted quad as is (such text is already canonical), or null. */
export const parseIpv4 = strictIpv4Text;

/** inet_ntop's IPv6 text, or null. Accepts an embedded IPv4 tail and a %zone (dropped), as keepalived's reader. */
export function parseIpv6(s: string): string | null {
  return s.includes(':') ? (parseAddr(s, { zone: true })?.text ?? null) : null;
}

/** Address with optional `/prefix`. `allowPrefix` false rejects a prefix. */
export function parseIp(s: string, opts: { allowPrefix?: boolean } = {}): Parsed<IpAddress> {
  const slash = s.indexOf('/');
  const addrText = slash >= 0 ? s.slice(0, slash) : s;
  let family: FamilyName;
  let address: string | null = strictIpv4Text(addrText);
  if (address) family = 'inet';
  else {
    address = parseIpv6(addrText);
    if (!address) return bad(`invalid IP address '${s}'`);
    family = 'inet6';
  }
  let prefix: number | undefined;
  if (slash >= 0) {
    if (opts.allowPrefix === false) return bad(`'${s}': a prefix length is not allowed here`);
    const p = s.slice(slash + 1);
    const max = family === 'inet' ? 32 : 128;
    if (!/^\d{1,3}$/.test(p) || Number.parseInt(p, 10) > max) return bad(`invalid prefix length in '${s}' (0-${max})`);
    prefix = Number.parseInt(p, 10);
  }
  return ok({ family, address, prefix, text: s });
}

export function parsePort(s: string): Parsed<number> {
  return parseInteger(s, 0, 65535);
}

/** Levenshtein distance (for "did you mean"). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const m = a.length;
  const n = b.length;
  let prev = new Array<number>(n + 1);
  let cur = new Array<number>(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[n];
}

/** Closest candidate within a distance proportional to the word's length. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  if (word.length > 64) return undefined;
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  const lw = word.toLowerCase();
  for (const c of candidates) {
    if (c.toLowerCase() === lw) return c;
    const d = editDistance(lw, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  return bestD <= limit ? best : undefined;
}
