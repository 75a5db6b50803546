/**
 * Typed value parsers with keepalived 2.2.7's rules: decimal integers
 * (optional sign, no hex), decimal timers in seconds, booleans
 * (on|off|true|false|yes|no), IPv4/IPv6 addresses with optional prefix, ports.
 * Each returns a value or an error message (no diagnostics here). Pure.
 */
import type { Family, IpAddress } from './model';

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

export function parseIpv4(s: string): string | null {
  // Four dot-separated decimal parts of 1-3 ASCII digits, each <= 255, and
  // like glibc's inet_pton no leading zeros ("00", "010"); such text is
  // already canonical, so it is returned as is. Scanned by hand (hot path).
  const n = s.length;
  if (n < 7 || n > 15) return null;
  let parts = 0;
  let i = 0;
  for (;;) {
    const start = i;
    let v = 0;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      i++;
    }
    const len = i - start;
    if (len === 0 || len > 3 || (len > 1 && s.charCodeAt(start) === 48) || v > 255) return null;
    parts++;
    if (i === n) break;
    if (parts === 4 || s.charCodeAt(i) !== 46) return null;
    i++;
  }
  return parts === 4 ? s : null;
}

/** Canonical (RFC 5952) IPv6 text, or null. Accepts an embedded IPv4 tail and a %zone. */
export function parseIpv6(s0: string): string | null {
  const s = s0.toLowerCase();
  const zi = s.indexOf('%');
  const base = zi >= 0 ? s.slice(0, zi) : s;
  if (!/^[0-9a-f:.]+$/.test(base) || !base.includes(':')) return null;
  let tail: number[] = [];
  let head = base;
  const lastColon = base.lastIndexOf(':');
  if (base.slice(lastColon + 1).includes('.')) {
    const v4 = parseIpv4(base.slice(lastColon + 1));
    if (!v4) return null;
    const p = v4.split('.').map(Number);
    tail = [(p[0] << 8) | p[1], (p[2] << 8) | p[3]];
    head = base.slice(0, lastColon + 1);
    if (head.endsWith('::')) {
      /* keep */
    } else head = head.slice(0, -1);
  }
  const dbl = head.split('::');
  if (dbl.length > 2) return null;
  const toGroups = (x: string) => (x === '' ? [] : x.split(':'));
  const a = toGroups(dbl[0]);
  const b = dbl.length === 2 ? toGroups(dbl[1]) : [];
  for (const g of [...a, ...b]) if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
  const total = a.length + b.length + tail.length;
  if (dbl.length === 1 && total !== 8) return null;
  if (dbl.length === 2 && total > 7) return null;
  const groups = [...a.map((g) => Number.parseInt(g, 16)), ...new Array(8 - total).fill(0), ...b.map((g) => Number.parseInt(g, 16)), ...tail];
  if (dbl.length === 1 && groups.length !== 8) return null;
  // Compress the longest run of zeros (length >= 2).
  let bestS = -1;
  let bestL = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] === 0) {
      let j = i;
      while (j < 8 && groups[j] === 0) j++;
      if (j - i > bestL && j - i >= 2) {
        bestS = i;
        bestL = j - i;
      }
      i = j;
    } else i++;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestS < 0) return hex.join(':');
  return `${hex.slice(0, bestS).join(':')}::${hex.slice(bestS + bestL).join(':')}`;
}

/** Address with optional `/prefix`. `allowPrefix` false rejects a prefix. */
export function parseIp(s: string, opts: { allowPrefix?: boolean } = {}): Parsed<IpAddress> {
  const slash = s.indexOf('/');
  const addrText = slash >= 0 ? s.slice(0, slash) : s;
  let family: Family;
  let address: string | null = parseIpv4(addrText);
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
