/**
 * HTTP_GET/SSL_GET `url { regex ... }`: keepalived 2.2.7 matches a PCRE2
 * pattern against the response body. This module translates the PCRE2 pattern
 * and `regex_options` into a JavaScript RegExp with the same meaning for the
 * syntax admins use in health checks, and says precisely what it cannot
 * translate (possessive quantifiers, atomic groups, recursion, \K, callouts...)
 * instead of matching something else. Pure: no I/O.
 *
 * Matching follows keepalived's check_regex(): the body is the subject (bytes,
 * as latin1 characters unless `utf` is set), the first (leftmost) match counts,
 * it must start at or after regex_min_offset and at or before regex_max_offset,
 * and `regex_no_match` inverts the verdict.
 */

/** keepalived's regex_options words (check_http.c regex_options[]). */
export const PCRE_OPTIONS = [
  'allow_empty_class',
  'alt_bsux',
  'auto_callout',
  'caseless',
  'dollar_endonly',
  'dotall',
  'dupnames',
  'extended',
  'firstline',
  'match_unset_backref',
  'multiline',
  'never_ucp',
  'never_utf',
  'no_auto_capture',
  'no_auto_possess',
  'no_dotstar_anchor',
  'no_start_optimize',
  'ucp',
  'ungreedy',
  'utf',
  'never_backslash_c',
  'alt_circumflex',
  'alt_verbnames',
  'use_offset_limit',
] as const;

/*
 * The other options only tune PCRE2's engine or its compile-time checks
 * (auto_callout, dupnames, no_auto_possess, no_dotstar_anchor, no_start_optimize,
 * never_ucp, never_utf, never_backslash_c, alt_verbnames, use_offset_limit,
 * match_unset_backref, allow_empty_class, alt_circumflex): no effect on what matches here.
 */

export interface RegexSpec {
  pattern: string;
  options?: readonly string[];
  noMatch?: boolean;
  /** First body offset at which a match may start (regex_min_offset). */
  minOffset?: number;
  /** Last body offset at which a match may start (regex_max_offset, inclusive). */
  maxOffset?: number;
}

export interface CompiledRegex {
  re: RegExp;
  /** PCRE2_FIRSTLINE: the match must start before the first newline after the start offset. */
  firstline: boolean;
  /** Decode the body as UTF-8 (utf/ucp) instead of one character per byte. */
  utf: boolean;
  spec: RegexSpec;
}

export class RegexError extends Error {
  constructor(
    message: string,
    /** Offset in the pattern, when the problem is at one place. */
    readonly offset?: number,
  ) {
    super(message);
    this.name = 'RegexError';
  }
}

const END_OF_SUBJECT = '(?![\\s\\S])';
/** PCRE2's `$` without multiline/dollar_endonly, and `\Z`: at the end or before a final newline. */
const END_OR_FINAL_NL = '(?=\\n?(?![\\s\\S]))';

interface Flags {
  caseless: boolean;
  multiline: boolean;
  dotall: boolean;
  extended: boolean;
  ungreedy: boolean;
  dollarEndonly: boolean;
  noAutoCapture: boolean;
}

/** Compile keepalived's regex + regex_options; throws RegexError naming the problem. */
export function compileRegex(spec: RegexSpec): CompiledRegex {
  const opts = spec.options ?? [];
  for (const o of opts) {
    if (!(PCRE_OPTIONS as readonly string[]).includes(o)) {
      throw new RegexError(`unknown regex option '${o}' (keepalived accepts: ${PCRE_OPTIONS.join(', ')})`);
    }
  }
  if (opts.includes('alt_bsux')) throw new RegexError("regex option 'alt_bsux' (JavaScript-style \\u, \\x, \\U) is not supported by hactl");
  const has = (o: string) => opts.includes(o);
  const f: Flags = {
    caseless: has('caseless'),
    multiline: has('multiline'),
    dotall: has('dotall'),
    extended: has('extended'),
    ungreedy: has('ungreedy'),
    dollarEndonly: has('dollar_endonly'),
    noAutoCapture: has('no_auto_capture'),
  };
  const utf = has('utf') || has('ucp');
  let pattern = spec.pattern;
  // Leading option settings such as (?i) or (?sx) apply to the whole pattern.
  for (;;) {
    const m = /^\(\?([imsxU]+)\)/.exec(pattern);
    if (!m) break;
    for (const c of m[1]) {
      if (c === 'i') f.caseless = true;
      else if (c === 'm') f.multiline = true;
      else if (c === 's') f.dotall = true;
      else if (c === 'x') f.extended = true;
      else if (c === 'U') f.ungreedy = true;
    }
    pattern = pattern.slice(m[0].length);
  }
  const source = translate(pattern, f, spec.pattern.length - pattern.length);
  let re: RegExp;
  try {
    re = new RegExp(source, `g${f.caseless ? 'i' : ''}${f.multiline ? 'm' : ''}${f.dotall ? 's' : ''}${utf ? 'u' : ''}`);
  } catch (e) {
    throw new RegexError(`invalid regex '${spec.pattern}': ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
  if (spec.minOffset !== undefined && spec.maxOffset !== undefined && spec.minOffset > spec.maxOffset) {
    throw new RegexError(`regex_min_offset ${spec.minOffset} is beyond regex_max_offset ${spec.maxOffset}`);
  }
  return { re, firstline: has('firstline'), utf, spec };
}

const UNSUPPORTED_GROUPS: [RegExp, string][] = [
  [/^\(\?>/, 'atomic groups (?>...)'],
  [/^\(\?[R0-9]\)/, 'recursion (?R)'],
  [/^\(\?[+-]?\d+\)/, 'subroutine calls (?N)'],
  [/^\(\?&/, 'subroutine calls (?&name)'],
  [/^\(\?P>/, 'subroutine calls (?P>name)'],
  [/^\(\?C/, 'callouts (?C)'],
  [/^\(\?\|/, 'branch reset groups (?|...)'],
  [/^\(\?\(/, 'conditional groups (?(...)...)'],
  [/^\(\*/, 'verbs such as (*FAIL) or (*UTF)'],
  [/^\(\?[a-zA-Z^-]*[:)]/, 'option settings inside the pattern (only a leading (?i), (?m), (?s), (?x) or (?U) is supported)'],
];

/** Walk the pattern once, rewriting PCRE2-only syntax; throws RegexError for what has no JS equivalent. */
function translate(p: string, f: Flags, base: number): string {
  let out = '';
  let i = 0;
  const n = p.length;
  const unsupported = (what: string, at: number): never => {
    throw new RegexError(`regex uses ${what} at offset ${base + at}, which hactl's checker cannot translate to a JavaScript regex`, base + at);
  };
  /** After a quantifier: PCRE's possessive '+' is unsupported, 'ungreedy' swaps the meaning of '?'. */
  const quantSuffix = (start: number): void => {
    if (p[i] === '+') unsupported('a possessive quantifier', start);
    const lazy = p[i] === '?';
    if (lazy) i++;
    if (f.ungreedy !== lazy) out += '?';
  };
  while (i < n) {
    const c = p[i];
    if (f.extended && /\s/.test(c)) {
      i++;
      continue;
    }
    if (f.extended && c === '#') {
      while (i < n && p[i] !== '\n') i++;
      continue;
    }
    if (c === '\\') {
      const d = p[i + 1];
      if (d === undefined) throw new RegexError(`regex '${p}' ends with a lone backslash`, base + i);
      if (d === 'A') out += '(?<![\\s\\S])';
      else if (d === 'z') out += END_OF_SUBJECT;
      else if (d === 'Z') out += END_OR_FINAL_NL;
      else if (d === 'h') out += '[\\t \\xa0]';
      else if (d === 'H') out += '[^\\t \\xa0]';
      else if (d === 'R') out += '(?:\\r\\n|[\\n\\v\\f\\r\\x85])';
      else if (d === 'Q') {
        const end = p.indexOf('\\E', i + 2);
        const lit = p.slice(i + 2, end < 0 ? n : end);
        out += lit.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
        i = end < 0 ? n : end + 2;
        continue;
      } else if (d === 'E') {
        /* stray \E: ignored by PCRE2 */
      } else if (d === 'K' || d === 'G' || d === 'X' || d === 'C' || d === 'N') unsupported(`\\${d}`, i);
      else if (d === 'x' && p[i + 2] === '{') {
        const end = p.indexOf('}', i + 3);
        if (end < 0) throw new RegexError(`regex '${p}': unterminated \\x{...}`, base + i);
        const cp = Number.parseInt(p.slice(i + 3, end), 16);
        if (!Number.isFinite(cp)) throw new RegexError(`regex '${p}': bad hex in \\x{...}`, base + i);
        out += cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u{${cp.toString(16)}}`;
        i = end + 1;
        continue;
      } else if (d === 'g' && (p[i + 2] === '{' || /[0-9-]/.test(p[i + 2] ?? ''))) {
        const m = /^\\g\{?(-?\d+|[A-Za-z_]\w*)\}?/.exec(p.slice(i));
        if (!m || m[1].startsWith('-')) unsupported('relative back-references \\g{-N}', i);
        out += /^\d+$/.test(m![1]) ? `\\${m![1]}` : `\\k<${m![1]}>`;
        i += m![0].length;
        continue;
      } else out += `\\${d}`;
      i += 2;
      continue;
    }
    if (c === '[') {
      // Character class: copied as is (POSIX [:alpha:] classes translated), up to its closing ']'.
      let j = i + 1;
      let cls = '[';
      if (p[j] === '^') {
        cls += '^';
        j++;
      }
      if (p[j] === ']') {
        cls += '\\]';
        j++;
      }
      for (; j < n && p[j] !== ']'; j++) {
        if (p[j] === '\\' && j + 1 < n) {
          cls += p[j] + p[j + 1];
          j++;
        } else if (p[j] === '[' && p[j + 1] === ':') {
          const end = p.indexOf(':]', j + 2);
          const name = end < 0 ? '' : p.slice(j + 2, end);
          const posix = POSIX[name.replace(/^\^/, '')];
          if (!posix || name.startsWith('^')) unsupported(`the POSIX class [:${name}:]`, j);
          cls += posix;
          j = end + 1;
        } else if (p[j] === '[') cls += '\\[';
        else cls += p[j];
      }
      if (j >= n) throw new RegexError(`regex '${p}': missing terminating ] for the character class at offset ${base + i}`, base + i);
      out += `${cls}]`;
      i = j + 1;
      continue;
    }
    if (c === '(') {
      const rest = p.slice(i);
      if (rest.startsWith('(?P<')) {
        out += '(?<';
        i += 4;
        continue;
      }
      if (rest.startsWith('(?P=')) {
        const end = p.indexOf(')', i);
        out += `\\k<${p.slice(i + 4, end)}>`;
        i = end + 1;
        continue;
      }
      if (rest.startsWith("(?'")) {
        const end = p.indexOf("'", i + 3);
        out += `(?<${p.slice(i + 3, end)}>`;
        i = end + 1;
        continue;
      }
      if (rest.startsWith('(?#')) {
        const end = p.indexOf(')', i);
        i = end < 0 ? n : end + 1;
        continue;
      }
      if (/^\(\?(?:[:=!]|<[=!]|<[A-Za-z_])/.test(rest)) {
        out += '(';
        i++;
        continue;
      }
      for (const [re, what] of UNSUPPORTED_GROUPS) if (re.test(rest)) unsupported(what, i);
      out += f.noAutoCapture ? '(?:' : '(';
      i++;
      continue;
    }
    if (c === '*' || c === '+' || c === '?') {
      out += c;
      i++;
      quantSuffix(i - 1);
      continue;
    }
    if (c === '{') {
      const m = /^\{\d+(?:,\d*)?\}/.exec(p.slice(i));
      if (m) {
        out += m[0];
        i += m[0].length;
        quantSuffix(i - m[0].length);
        continue;
      }
      out += '\\{';
      i++;
      continue;
    }
    if (c === '}') {
      out += '\\}';
      i++;
      continue;
    }
    if (c === '$' && !f.multiline) {
      out += f.dollarEndonly ? END_OF_SUBJECT : END_OR_FINAL_NL;
      i++;
      continue;
    }
    if (c === '/') {
      out += '\\/';
      i++;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

const POSIX: Record<string, string> = {
  alnum: 'a-zA-Z0-9',
  alpha: 'a-zA-Z',
  ascii: '\\x00-\\x7f',
  blank: ' \\t',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '\\x21-\\x7e',
  lower: 'a-z',
  print: '\\x20-\\x7e',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '\\w',
  xdigit: '0-9A-Fa-f',
};

export interface RegexVerdict {
  /** The check passes (matched, or not matched with regex_no_match). */
  ok: boolean;
  /** The regex matched within the allowed offsets. */
  matched: boolean;
  /** Body offset of the first match (also when it was beyond regex_max_offset). */
  at?: number;
  /** The text of the first match. */
  text?: string;
}

/** keepalived's check_regex() over the whole body. */
export function matchBody(c: CompiledRegex, body: Buffer): RegexVerdict {
  const subject = c.utf ? body.toString('utf8') : body.toString('latin1');
  const start = c.spec.minOffset ?? 0;
  c.re.lastIndex = start;
  const m = start <= subject.length ? c.re.exec(subject) : null;
  let matched = false;
  let at: number | undefined;
  let text: string | undefined;
  if (m) {
    text = m[0];
    at = c.utf ? Buffer.byteLength(subject.slice(0, m.index), 'utf8') : m.index;
    matched = c.spec.maxOffset === undefined || at <= c.spec.maxOffset;
    if (matched && c.firstline) {
      const nl = subject.indexOf('\n', start);
      if (nl >= 0 && m.index > nl) matched = false;
    }
  }
  return { ok: matched !== !!c.spec.noMatch, matched, at, text };
}
