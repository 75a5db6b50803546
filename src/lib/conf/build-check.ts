/**
 * The checkers inside a real_server (keepalived's check_*.c parsers): HTTP_GET / SSL_GET urls, TCP,
 * SMTP, MISC, DNS, UDP, PING, FILE and BFD checks, and the global SSL block.
 * Part of the statement-tree builder (./build.ts holds the shared walk and the top level). Pure.
 */
import type {
  Checker,
  CheckerKind,
  HttpUrl,
  Pos,
  SslDefs,
} from './model';
import type { Stmt } from './parser';
import { compileRegex } from '../pcre/pcre';
import { type SeenTable, NO_PREFIX, type Builder } from './build-common';

/** A block of at most 16 plain statements (no nested or stray braces). */
export function plainBlock(b: Stmt[] | undefined): b is Stmt[] {
  if (!b || b.length > 16) return false;
  for (let i = 0; i < b.length; i++) if (b[i].block !== undefined || b[i].open !== undefined || b[i].keyword === '{') return false;
  return true;
}

export function sameWords(a: Stmt[], b: Stmt[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.keyword !== y.keyword || x.args.length !== y.args.length) return false;
    for (let j = 0; j < x.args.length; j++) if (x.args[j].text !== y.args[j].text || x.args[j].quoted !== y.args[j].quoted) return false;
  }
  return true;
}

export function checker(bu: Builder, s: Stmt, kind: CheckerKind, rsWhere: string): Checker {
  const b = s.block;
  if (!bu.lean || !plainBlock(b)) return buildChecker(bu, s, kind, rsWhere);
  let list = bu.checkerMemo.get(kind);
  if (list) {
    for (const e of list) if (sameWords(e.block, b)) return { ...e.c, pos: s.pos, at: {}, extra: [], url: [], host: [], end: s.close };
  }
  const before = bu.diagCount();
  const c = buildChecker(bu, s, kind, rsWhere);
  if (bu.diagCount() === before && c.misc_path === undefined && c.url.length === 0 && c.host.length === 0) {
    if (!list) bu.checkerMemo.set(kind, (list = []));
    if (list.length < 8) list.push({ block: b, c });
  }
  return c;
}

export function buildChecker(bu: Builder, s: Stmt, kind: CheckerKind, rsWhere: string): Checker {
  const c = emptyChecker(s.pos, kind);
  c.end = s.close;
  const table = kind === 'SSL_GET' ? 'HTTP_GET' : kind;
  const where = `${kind} of ${rsWhere}`;
  const m = bu.walk(s.block ?? [], table, where, bu.lean ? undefined : c);
  checkerFields(bu, m, c);
  if (kind === 'HTTP_GET' || kind === 'SSL_GET') {
    for (const occ of m.get('url') ?? []) {
      const u: HttpUrl = { pos: occ.stmt.pos, at: {}, extra: [], status_code: [], regex_no_match: false, end: occ.stmt.close };
      const um = bu.walk(occ.stmt.block ?? [], 'url', `url of ${where}`, bu.lean ? undefined : u);
      const last = (k: string) => um.last(k);
      u.path = last('path')?.value as string | undefined;
      const dg = last('digest');
      if (dg) {
        const v = dg.value as string;
        if (!/^[0-9a-fA-F]{32}$/.test(v)) bu.d(bu.argPos(dg.stmt, 0), 'error', `digest '${v}' is not a 32-hex-digit MD5 value`, 'digest');
        u.digest = v.toLowerCase();
      }
      const scd = last('status_code');
      if (scd) {
        for (let i = 0; i < scd.stmt.args.length; i++) {
          const t = scd.stmt.args[i].text;
          const mm = /^(\d{3})(?:-(\d{3}))?$/.exec(t);
          if (!mm || Number(mm[1]) < 100 || Number(mm[2] ?? mm[1]) > 599 || Number(mm[2] ?? mm[1]) < Number(mm[1])) {
            bu.d(bu.argPos(scd.stmt, i), 'error', `invalid HTTP status code '${t}' (100-599 or a range like 200-299)`, 'range');
            continue;
          }
          u.status_code.push({ from: Number(mm[1]), to: Number(mm[2] ?? mm[1]) });
        }
      }
      u.virtualhost = last('virtualhost')?.value as string | undefined;
      u.regex = last('regex')?.value as string | undefined;
      u.regex_no_match = !!last('regex_no_match');
      urlRegex(bu, u, last);
      c.url.push(u);
    }
    c.virtualhost = m.last('virtualhost')?.value as string | undefined;
    const hp = m.last('http_protocol');
    c.http_protocol = hp?.value as string | undefined;
    if (hp && !['1.0', '1.0C', '1.1'].includes(c.http_protocol ?? '')) bu.d(bu.argPos(hp.stmt, 0), 'error', `Invalid http_protocol version ${c.http_protocol} (1.0, 1.0C or 1.1)`, 'enum');
    const sni = m.last('enable_sni');
    if (sni) c.enable_sni = sni.value !== false;
  } else if (kind === 'SMTP_CHECK') {
    c.helo_name = m.last('helo_name')?.value as string | undefined;
    for (const occ of m.get('host') ?? []) {
      const h = emptyChecker(occ.stmt.pos, 'SMTP_CHECK');
      const hm = bu.walk(occ.stmt.block ?? [], 'SMTP_HOST', `host of ${where}`, bu.lean ? undefined : h);
      checkerFields(bu, hm, h);
      c.host.push(h);
    }
  } else if (kind === 'MISC_CHECK') {
    const mp = (m.get('misc_path') ?? []).filter((o) => o.stmt.args.length > 0).pop();
    if (mp) c.misc_path = bu.script(mp.stmt, false);
    c.misc_timeout = m.last('misc_timeout')?.value as number | undefined;
    c.misc_dynamic = !!m.get('misc_dynamic');
    const u = m.last('user');
    if (u) {
      c.user = u.stmt.args[0]?.text;
      c.group = u.stmt.args[1]?.text;
      c.at.user = u.stmt.pos; // also in a lean build (lint names the line)
    }
  } else if (kind === 'DNS_CHECK') {
    const t = m.last('type');
    if (t) {
      const TYPES = ['A', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'AAAA'];
      const v = (t.value as string).toUpperCase();
      if (!TYPES.includes(v)) bu.d(bu.argPos(t.stmt, 0), 'error', `DNS_CHECK: unknown type '${t.value}' (${TYPES.join('|')})`, 'enum');
      c.type = v;
    }
    c.name = m.last('name')?.value as string | undefined;
  } else if (kind === 'UDP_CHECK') {
    const pl = m.last('payload');
    // keepalived read_hex_str (checked against keepalived -t: "1", "123", "ab cd" are good, "0x12" is not
    // a payload; a reply may hold x/X nibbles, so "0x12" is one there)
    if (pl) {
      const w = pl.value as string[];
      c.payload = w.join(' ');
      if (!w.every((g) => /^[0-9a-fA-F]+$/.test(g))) bu.d(bu.argPos(pl.stmt, 0), 'error', `Invalid hex string for UDP_CHECK payload '${c.payload}'`, 'payload');
    }
    const rr = m.last('require_reply');
    if (rr) {
      const w = rr.value as string[];
      c.require_reply = w.length ? w.join(' ') : true;
      if (!w.every((g) => /^[0-9a-fA-FxX]+$/.test(g))) bu.d(bu.argPos(rr.stmt, 0), 'error', `Invalid hex string for UDP_CHECK reply '${w.join(' ')}'`, 'payload');
    }
  } else if (kind === 'FILE_CHECK') {
    c.track_file = m.last('track_file')?.value as string | undefined;
    // check_file.c track_file_weight_handler: a bad option word ignores the whole statement
    const wt = m.last('weight');
    const opt = wt?.stmt.args[1];
    if (wt && opt && opt.text !== 'reverse' && opt.text !== 'noreverse') {
      bu.d(bu.argPos(wt.stmt, 1), 'error', `unknown track file weight option ${opt.text} - ignoring`, 'unknown-option');
    } else if (wt) {
      c.weight = wt.value as number | undefined;
      c.weight_reverse = opt?.text === 'reverse';
    }
  } else if (kind === 'BFD_CHECK') {
    c.name_bfd = m.last('name')?.value as string | undefined;
    c.weight = m.last('weight')?.value as number | undefined;
  }
  return c;
}

/** url regex_options / regex_min_offset / regex_max_offset, and the pattern compiled as the checker will (keepalived check_http.c url_check). */
export function urlRegex(bu: Builder, u: HttpUrl, last: (k: string) => { value: unknown; stmt: Stmt } | undefined): void {
  const opts = last('regex_options');
  if (opts) u.regex_options = (opts.value as string[]) ?? [];
  // keepalived reads the offsets with strtoul: no number (or none at all) is 0
  const ul = (v: unknown) => {
    const m = /^\s*(\d+)/.exec(((v as string[] | undefined) ?? [])[0] ?? '');
    return m ? Math.min(Number(m[1]), 4294967295) : 0;
  };
  const min = last('regex_min_offset');
  if (min) u.regex_min_offset = ul(min.value);
  const max = last('regex_max_offset');
  if (max) u.regex_max_offset = ul(max.value);
  const reStmt = last('regex');
  // a bare `regex` sets nothing in keepalived
  const re = reStmt && reStmt.value !== undefined ? reStmt : undefined;
  if (!re) {
    const stray = opts ?? min ?? max ?? last('regex_no_match');
    if (stray) bu.d(stray.stmt.pos, 'note', 'regex parameters without a regex in this url block are ignored (as keepalived does, silently)', 'regex');
    return;
  }
  if (min && max && (u.regex_min_offset ?? 0) > (u.regex_max_offset ?? 0)) {
    bu.d(min.stmt.pos, 'warning', `regex_min_offset ${u.regex_min_offset} is beyond regex_max_offset ${u.regex_max_offset}: keepalived ignores both`, 'regex');
    u.regex_min_offset = undefined;
    u.regex_max_offset = undefined;
  }
  try {
    compileRegex({ pattern: u.regex ?? '', options: u.regex_options });
  } catch (e) {
    bu.d(bu.argPos(re.stmt, 0), 'error', (e as Error).message, 'regex');
  }
}

export function checkerFields(bu: Builder, m: SeenTable, c: Checker): void {
  const last = (k: string) => m.last(k);
  for (let i = 0; i < CHECKER_IPS.length; i++) {
    const k = CHECKER_IPS[i];
    const x = last(k);
    if (x) c[k] = bu.ip(x.stmt, 0, NO_PREFIX);
  }
  for (let i = 0; i < CHECKER_NUMBERS.length; i++) {
    const k = CHECKER_NUMBERS[i];
    const x = last(k);
    if (x && x.value !== undefined) c[k] = x.value as number;
  }
  const rt = last('retry') ?? last('nb_get_retry');
  if (rt && rt.value !== undefined) c.retry = rt.value as number;
  c.bind_if = last('bind_if')?.value as string | undefined;
  const al = last('alpha');
  if (al) c.alpha = al.value !== false;
}

export function ssl(bu: Builder, s: Stmt): SslDefs {
  const n: SslDefs = { pos: s.pos, at: {}, extra: [] };
  const m = bu.walk(s.block ?? [], 'SSL', 'SSL', n);
  for (const k of ['password', 'ca', 'certificate', 'key'] as const) n[k] = m.last(k)?.value as string | undefined;
  return n;
}

export const CHECKER_IPS = ['connect_ip', 'bindto'] as const;

export const CHECKER_NUMBERS = ['connect_port', 'bind_port', 'connect_timeout', 'delay_before_retry', 'warmup', 'delay_loop', 'fwmark'] as const;

export const CHECKER_KINDS: CheckerKind[] = ['HTTP_GET', 'SSL_GET', 'TCP_CHECK', 'SMTP_CHECK', 'MISC_CHECK', 'DNS_CHECK', 'UDP_CHECK', 'PING_CHECK', 'FILE_CHECK', 'BFD_CHECK'];

export function emptyChecker(pos: Pos, kind: CheckerKind): Checker {
  return { pos, at: {}, extra: [], kind, url: [], host: [], misc_dynamic: false, end: undefined, bind_if: undefined };
}
