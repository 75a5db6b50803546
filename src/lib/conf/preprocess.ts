/**
 * keepalived.conf pre-processor (keepalived.conf(5) "ADVANCED CONFIGURATION"):
 * reads files through a FileReader, follows `include` and its checked variants
 * (includer/includem/includew/includeb/includea, globs relative to the
 * including file), detects include cycles, applies `@id` / `@^id` conditional
 * lines, `$NAME=value` definitions (multi-line with `\`), `${NAME}` / `$NAME`
 * substitution with the built-ins (${_PWD}, ${_INSTANCE}, ${_RANDOM [MIN
 * [MAX]]}, ${_HASH}, ${_BANG}, ${_ENV VAR}), and `~SEQ` / `~SEQx` / `~LST`
 * repetition. Each resulting line is tokenised and handed to `emit` in order,
 * so memory stays proportional to one line plus the consumer's model.
 * size: ~840 lines: one streaming state machine (include stack, @id, $NAME, ~SEQ share the line loop);
 * splitting it would put the hot per-line path across modules.
 * Pure apart from the injected reader.
 */
import { binaryOffset, diag, type LexProblem, type Token, tokenizeLine } from './lexer';
import type { Diagnostic, Pos } from './model';
import { dirname, expandBraces, type FileReader, hasGlob, resolvePath } from './reader';
import { TABLES } from './schema';

export interface PreprocessOptions {
  /** For `@id` lines and ${_INSTANCE} (a function is called once, when first needed). */
  configId: string | (() => string);
  env: Record<string, string | undefined>;
  /** Random source for ${_RANDOM} (tests inject a fixed one). */
  random?: () => number;
  /** Largest file read (bytes). Default 64 MiB. */
  maxFileBytes?: number;
  /** Most lines produced by ~SEQ/~LST/multi-line definitions together. Default 1,000,000. */
  maxLines?: number;
}

/** One line for the consumer, valid only during the `emit` call (the fast path reuses the object and its token list). */
export interface EmittedLine {
  /** The line's tokens are tokens[0..count) (the list may hold stale entries after them). */
  tokens: Token[];
  count: number;
  file: string;
  line: number;
}

/** How a main file failed to open (for exit code 4). */
export interface FatalOpen {
  file: string;
  message: string;
}

// keepalived 2.2.7 has no limit of its own: it holds one open file per level and follows 1,000
// nested includes (checked); deeper, it runs out of descriptors (ulimit -n, 1024 by default).
// hactl recurses per level (about 1 KiB of V8 stack each: 700 levels pass, 850 overflow the
// default stack), so it stops at 500 and says so.
const MAX_INCLUDE_DEPTH = 500;
const MAX_LINE = 65536;
/** keepalived's MAXBUF (lib/parser.h, 1024) less the terminating NUL: what one fgets() reads */
const KEEPALIVED_LINE_BYTES = 1023;
const NO_NAMES: ReadonlySet<string> = new Set();
const INCLUDE_WORDS = new Set(['include', 'includer', 'includem', 'includew', 'includeb', 'includea']);
/** Scratch list for the lexer's problems, emptied after each line (nothing re-enters processLine while it is in use). */
const PROBLEMS: LexProblem[] = [];
/**
 * Scratch token list and line of the plain-line fast path, reused for every
 * line: the consumer (TreeBuilder.line) copies what it keeps and never holds
 * on to the list or the line object.
 */
const PLAIN_TOKENS: Token[] = [];
const PLAIN_LINE: EmittedLine = { tokens: PLAIN_TOKENS, count: 0, file: '', line: 0 };
/**
 * Every keyword of every keyword table, in an open-addressing table hashed by
 * its characters: a keyword read from a plain line is found without copying it
 * out of the file text, and the table's own (interned) string is used.
 */
const KW_MASK = (1 << 12) - 1;
const KW_TABLE: (string | undefined)[] = new Array(KW_MASK + 1).fill(undefined);
for (const t of Object.values(TABLES)) {
  for (const k of Object.keys(t)) {
    let h = k.charCodeAt(0);
    for (let i = 1; i < k.length; i++) h = (Math.imul(h, 31) + k.charCodeAt(i)) | 0;
    let x = h & KW_MASK;
    while (KW_TABLE[x] !== undefined && KW_TABLE[x] !== k) x = (x + 1) & KW_MASK;
    KW_TABLE[x] = k;
  }
}

/** The interned keyword equal to text[start..end) (whose hash is `h`), if there is one. */
function knownKeyword(text: string, start: number, end: number, h: number): string | undefined {
  const len = end - start;
  for (let x = h & KW_MASK; ; x = (x + 1) & KW_MASK) {
    const k = KW_TABLE[x];
    if (k === undefined) return undefined;
    if (k.length === len) {
      let j = 0;
      while (j < len && k.charCodeAt(j) === text.charCodeAt(start + j)) j++;
      if (j === len) return k;
    }
  }
}

/** knownKeyword over the file's bytes (offsets equal to the text's). */
function knownKeywordBytes(b: Uint8Array, start: number, end: number, h: number): string | undefined {
  const len = end - start;
  for (let x = h & KW_MASK; ; x = (x + 1) & KW_MASK) {
    const k = KW_TABLE[x];
    if (k === undefined) return undefined;
    if (k.length === len) {
      let j = 0;
      while (j < len && k.charCodeAt(j) === b[start + j]) j++;
      if (j === len) return k;
    }
  }
}

function startsWithInclude(b: Uint8Array, i: number, end: number): boolean {
  const w = 'include';
  if (end - i < w.length) return false;
  for (let j = 0; j < w.length; j++) if (b[i + j] !== w.charCodeAt(j)) return false;
  return true;
}

/** Reused token objects for keywords and braces of plain lines, one per index in the line. */
const POOL: Token[] = [];

function pooled(i: number, text: string, col: number): Token {
  let t = POOL[i];
  if (t === undefined) {
    t = { text, col, quoted: false };
    POOL[i] = t;
  } else {
    t.text = text;
    t.col = col;
  }
  return t;
}

interface Def {
  lines: string[];
}

/** Position of the first unquoted `#` or `!` (comment start), or -1. */
export function commentStart(s: string): number {
  let q = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) q = !q;
    else if (!q && (c === 35 || c === 33)) return i;
  }
  return -1;
}

export class Preprocessor {
  readonly files: string[] = [];
  readonly fatal: FatalOpen[] = [];
  private readonly defs = new Map<string, Def>();
  private readonly stack: string[] = [];
  /** Where each file on `stack` was included from (undefined for the top file). */
  private readonly includedAt: (Pos | undefined)[] = [];
  /** The include line that is about to open a file (consumed by processFile). */
  private nextIncludeSite: Pos | undefined;
  /** Lines made by expansions (~SEQ, ~LST, multi-line definitions), and loop iterations. */
  private expanded = 0;
  private overflowReported = false;
  private readonly maxFileBytes: number;
  private readonly maxLines: number;
  private readonly random: () => number;
  private configIdValue: string | undefined;

  constructor(
    private readonly reader: FileReader,
    private readonly opts: PreprocessOptions,
    private readonly diags: Diagnostic[],
    private readonly emit: (l: EmittedLine) => void,
  ) {
    this.maxFileBytes = opts.maxFileBytes ?? 64 * 1024 * 1024;
    this.maxLines = opts.maxLines ?? 1_000_000;
    this.random = opts.random ?? Math.random;
  }

  private configId(): string {
    if (this.configIdValue === undefined) {
      const c = this.opts.configId;
      this.configIdValue = typeof c === 'function' ? c() : c;
    }
    return this.configIdValue;
  }

  /** Process a main file (as given on the command line). */
  runMain(path: string): void {
    const abs = resolvePath(this.reader.cwd(), path);
    const r = this.reader.read(abs, this.maxFileBytes);
    if (!r.ok) {
      const what =
        r.code === 'ENOENT'
          ? 'no such file'
          : r.code === 'EISDIR'
            ? 'is a directory, not a config file'
            : r.code === 'EACCES'
              ? 'permission denied'
              : r.code === 'ETOOBIG'
                ? `file too large (${r.message})`
                : r.code === 'ENOTREG'
                  ? `${r.message}; keepalived skips it ("is not a regular non-executable file - skipping") and runs with no configuration`
                  : r.message;
      this.fatal.push({ file: path, message: `cannot read ${path}: ${what}` });
      this.diags.push({ file: path, line: 0, col: 0, severity: 'error', message: `cannot read ${path}: ${what}`, rule: 'file-unreadable' });
      return;
    }
    this.processFile(path, abs, r.data);
  }

  private processFile(display: string, abs: string, data: Uint8Array): void {
    this.files.push(display);
    const bin = binaryOffset(data);
    if (bin >= 0) {
      this.diags.push({
        file: display,
        line: lineOfOffset(data, bin),
        col: 1,
        severity: 'error',
        message: `${display} looks like a binary file (control byte 0x${data[bin].toString(16).padStart(2, '0')} at offset ${bin}), not a keepalived config; skipped`,
        rule: 'binary-file',
      });
      return;
    }
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(data);
    // As many characters as bytes: every byte became one character, so byte and
    // character offsets agree and the plain-line scan can read the bytes.
    const bytes = text.length === data.length ? data : null;
    // A BOM stays in the text (keepalived reads it as part of the first word); the lexer reports it.
    const bad = text.indexOf('\ufffd');
    if (bad >= 0) {
      const line = countLines(text, bad);
      this.diags.push({ file: display, line, col: 1, severity: 'warning', message: 'invalid UTF-8 sequence', rule: 'encoding' });
    }
    this.stack.push(abs);
    this.includedAt.push(this.nextIncludeSite);
    this.nextIncludeSite = undefined;
    let crReported = false;
    const pwd = dirname(abs);
    let pos = 0;
    let lineNo = 0;
    const n = text.length;
    // One context per file (processLine does not keep it).
    const ctx: LineCtx = { file: display, abs, pwd, line: 0 };
    // Pending multi-line definition.
    let pendingDef: { name: string; lines: string[] } | null = null;
    while (pos <= n) {
      let end = text.indexOf('\n', pos);
      if (end < 0) end = n;
      if (pos === n && end === n) break;
      lineNo++;
      if (end - pos > MAX_LINE) {
        this.diags.push({
          file: display,
          line: lineNo,
          col: 1,
          severity: 'error',
          message: `line ${lineNo} is ${end - pos} characters long (limit ${MAX_LINE}); skipped`,
          rule: 'line-too-long',
        });
        pos = end + 1;
        continue;
      }
      // keepalived 2.2.7 reads a line with fgets() into a MAXBUF (1024) buffer: a line of more than
      // 1023 bytes comes in pieces of 1023, and each piece after the first is read as a line of its own
      // (an ASCII-only file has one byte per character; otherwise up to 4 bytes a character)
      if (pendingDef === null && (bytes ? end - pos > KEEPALIVED_LINE_BYTES : end - pos > KEEPALIVED_LINE_BYTES / 4)) {
        const lineBytes = Buffer.from(text.slice(pos, end).replace(/\r$/, ''), 'utf8');
        if (lineBytes.length > KEEPALIVED_LINE_BYTES) {
          const pieces: string[] = [];
          for (let o = 0; o < lineBytes.length; o += KEEPALIVED_LINE_BYTES) pieces.push(lineBytes.subarray(o, o + KEEPALIVED_LINE_BYTES).toString('utf8'));
          const firstLen = pieces[0].length;
          this.diags.push({
            file: display,
            line: lineNo,
            col: firstLen + 1,
            severity: 'warning',
            message: `line is ${lineBytes.length} bytes long: keepalived reads at most ${KEEPALIVED_LINE_BYTES} bytes as one line and the rest, from here, as ${pieces.length - 1 === 1 ? 'another line' : `${pieces.length - 1} more lines`} (split the line, or shorten it)`,
            rule: 'line-buffer',
          });
          ctx.line = lineNo;
          let col = 0;
          for (const piece of pieces) {
            this.processLine(piece, ctx, 0, col);
            col += piece.length;
          }
          pos = end + 1;
          continue;
        }
      }
      // Most lines are plain keyword/value lines: tokenised straight from the file text.
      if (pendingDef === null && (bytes ? this.plainBytes(bytes, text, pos, end, display, lineNo) : this.plainLine(text, pos, end, display, lineNo))) {
        pos = end + 1;
        continue;
      }
      let raw = text.slice(pos, end);
      pos = end + 1;
      if (raw.endsWith('\r')) {
        raw = raw.slice(0, -1);
        if (!crReported) {
          crReported = true;
          this.diags.push({
            file: display,
            line: lineNo,
            col: raw.length + 1,
            severity: 'warning',
            message: 'CRLF line ending (DOS format); keepalived expects LF: convert with dos2unix',
            rule: 'crlf',
          });
        }
      }
      if (pendingDef) {
        const cont = rtrim(raw).endsWith('\\');
        const body = cont ? rtrim(raw).slice(0, -1) : raw;
        pendingDef.lines.push(stripComment(body));
        if (!cont) {
          this.defs.set(pendingDef.name, { lines: pendingDef.lines.filter((l) => rtrim(ltrim(l)) !== '') });
          pendingDef = null;
        }
        continue;
      }
      ctx.line = lineNo;
      // Multi-line definition start: `$NAME=... \`
      const t = ltrim(raw);
      if (t.startsWith('$') && rtrim(raw).endsWith('\\')) {
        const m = /^\$([A-Za-z_][A-Za-z0-9_]*)=(.*)\\\s*$/.exec(t);
        if (m) {
          pendingDef = { name: m[1], lines: [] };
          const first = stripComment(m[2]);
          if (rtrim(ltrim(first)) !== '') pendingDef.lines.push(first);
          continue;
        }
      }
      this.processLine(raw, ctx, 0, 0);
    }
    if (pendingDef) this.defs.set(pendingDef.name, { lines: pendingDef.lines });
    this.stack.pop();
    this.includedAt.pop();
  }

  /**
   * Fast path for a plain line (`text[start..end)`): only printable ASCII, no
   * quote, no `$`, not starting with `@`, `~` or `include`. Such a line needs
   * none of the pre-processing, so it is tokenised in place (no copy of the
   * line) exactly as processLine + tokenizeLine would, and emitted. Returns
   * false, having done nothing, for any other line.
   */
  private plainLine(text: string, start: number, end: number, file: string, line: number): boolean {
    const toks = PLAIN_TOKENS;
    let n = 0;
    let i = start;
    // The first word of a line and the first after a brace is a keyword, the
    // rest are its arguments. Only arguments are kept by the TreeBuilder, so
    // keywords and braces use reused token objects (see pooled()).
    let keyword = true;
    while (i < end) {
      let c = text.charCodeAt(i);
      if (c === 32 || c === 9) {
        i++;
        continue;
      }
      if (c === 35 || c === 33) break; // comment
      if (c < 32 || c > 126 || c === 34 || c === 36 || c === 39 || c === 92) return false;
      if (c === 123 || c === 125) {
        toks[n] = pooled(n, c === 123 ? '{' : '}', i - start + 1);
        n++;
        keyword = true;
        i++;
        continue;
      }
      if (n === 0 && (c === 64 || c === 126 || (c === 105 && text.startsWith('include', i)))) return false;
      const w = i++;
      let h = c;
      while (i < end) {
        c = text.charCodeAt(i);
        if (c === 32 || c === 9 || c === 35 || c === 33 || c === 123 || c === 125) break;
        if (c < 32 || c > 126 || c === 34 || c === 36 || c === 39 || c === 92) return false;
        h = (Math.imul(h, 31) + c) | 0;
        i++;
      }
      if (keyword) {
        toks[n] = pooled(n, knownKeyword(text, w, i, h) ?? text.slice(w, i), w - start + 1);
        keyword = false;
      } else toks[n] = { text: text.slice(w, i), col: w - start + 1, quoted: false };
      n++;
    }
    if (n > 0) {
      const l = PLAIN_LINE;
      l.count = n;
      l.file = file;
      l.line = line;
      this.emit(l);
    }
    return true;
  }
  /** plainLine reading the file's bytes (pure one-byte-per-character text; see processFile). */
  private plainBytes(b: Uint8Array, text: string, start: number, end: number, file: string, line: number): boolean {
    const toks = PLAIN_TOKENS;
    let n = 0;
    let i = start;
    // The first word of a line and the first after a brace is a keyword, the
    // rest are its arguments. Only arguments are kept by the TreeBuilder, so
    // keywords and braces use reused token objects (see pooled()).
    let keyword = true;
    while (i < end) {
      let c = b[i];
      if (c === 32 || c === 9) {
        i++;
        continue;
      }
      if (c === 35 || c === 33) break; // comment
      if (c < 32 || c > 126 || c === 34 || c === 36 || c === 39 || c === 92) return false;
      if (c === 123 || c === 125) {
        toks[n] = pooled(n, c === 123 ? '{' : '}', i - start + 1);
        n++;
        keyword = true;
        i++;
        continue;
      }
      if (n === 0 && (c === 64 || c === 126 || (c === 105 && startsWithInclude(b, i, end)))) return false;
      const w = i++;
      let h = c;
      while (i < end) {
        c = b[i];
        if (c === 32 || c === 9 || c === 35 || c === 33 || c === 123 || c === 125) break;
        if (c < 32 || c > 126 || c === 34 || c === 36 || c === 39 || c === 92) return false;
        h = (Math.imul(h, 31) + c) | 0;
        i++;
      }
      if (keyword) {
        toks[n] = pooled(n, knownKeywordBytes(b, w, i, h) ?? text.slice(w, i), w - start + 1);
        keyword = false;
      } else toks[n] = { text: text.slice(w, i), col: w - start + 1, quoted: false };
      n++;
    }
    if (n > 0) {
      const l = PLAIN_LINE;
      l.count = n;
      l.file = file;
      l.line = line;
      this.emit(l);
    }
    return true;
  }

  /** One logical line: include, conditional, definition, ~SEQ/~LST, substitution, emit. */
  private processLine(raw: string, ctx: LineCtx, depth: number, colBase: number, active: ReadonlySet<string> = NO_NAMES): void {
    if (depth > 0) this.expanded++;
    if (depth > 0 && this.expanded > this.maxLines) {
      if (!this.overflowReported) {
        this.overflowReported = true;
        this.diags.push(
          diag(
            { file: ctx.file, line: ctx.line, col: 1 },
            'error',
            `~SEQ/~LST/$DEFINITION expansion makes more than ${this.maxLines} lines; hactl checks no further (keepalived reads every line, one at a time: 10,000,000 lines took it 12 s and 10 MiB here)`,
            'expansion-limit',
          ),
        );
      }
      return;
    }
    let s = stripComment(raw);
    let t = ltrim(s);
    if (t === '') return;
    colBase += s.length - t.length;
    // Conditional lines.
    if (t.startsWith('@')) {
      const m = /^@(\^?)(\S*)/.exec(t)!;
      const neg = m[1] === '^';
      const id = m[2];
      const match = id === this.configId();
      if (neg === match) return;
      const rest = t.slice(m[0].length);
      const r2 = ltrim(rest);
      colBase += m[0].length + (rest.length - r2.length);
      t = r2;
      s = t;
      if (t === '') return;
    }
    // Definitions.
    if (t.startsWith('$')) {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(t);
      if (m) {
        this.defs.set(m[1], { lines: [rtrim(ltrim(m[2]))] });
        return;
      }
    }
    // ~SEQ / ~SEQx / ~LST
    if (t.startsWith('~SEQ') || t.startsWith('~LST')) {
      this.repeat(t, ctx, depth, colBase, active);
      return;
    }
    // Substitution.
    let substituted = false;
    // Allocated only for lines that can substitute (most lines have no '$').
    let used: Set<string> = NO_NAMES as Set<string>;
    if (t.includes('$')) {
      used = new Set<string>();
      const r = this.substitute(t, ctx, active, used);
      if (r === null) return;
      if (r !== t) {
        substituted = true;
        t = r;
      }
    }
    if (substituted && t.includes('\n')) {
      if (depth > 16) {
        this.diags.push(diag({ file: ctx.file, line: ctx.line, col: colBase + 1 }, 'error', 'definitions nested too deeply (more than 16 levels)', 'definition-depth'));
        return;
      }
      const inner = new Set([...active, ...used]);
      for (const l of t.split('\n')) {
        if (this.expanded > this.maxLines) return;
        this.processLine(l, ctx, depth + 1, colBase, inner);
      }
      return;
    }
    if (substituted) {
      // keepalived's decomment() after replace_param (a '#' or '!' the substitution brought)
      const c = commentStart(t);
      if (c >= 0) {
        t = t.slice(0, c);
        if (ltrim(t) === '') return;
      }
    }
    if (substituted) {
      // A substitution can produce a definition, a conditional, or a comment.
      const again = ltrim(t);
      if (again.startsWith('@') || /^\$[A-Za-z_][A-Za-z0-9_]*=/.test(again) || again.startsWith('~SEQ') || again.startsWith('~LST')) {
        if (depth > 16) return;
        this.processLine(t, ctx, depth + 1, colBase, new Set([...active, ...used]));
        return;
      }
    }
    // include: keepalived's read_line checks for it last (check_include), on the line as the
    // conditional, the definitions and the substitution left it: `@id include x`, `include ${DIR}/x`
    if (t.startsWith('include') || (substituted && ltrim(t).startsWith('include'))) {
      const lt = ltrim(t);
      const firstWord = /^(\S+)/.exec(lt)?.[1] ?? '';
      if (INCLUDE_WORDS.has(firstWord)) {
        this.include(firstWord, lt.slice(firstWord.length), ctx, colBase + (t.length - lt.length));
        return;
      }
    }
    const problems = PROBLEMS;
    problems.length = 0;
    const tokens = tokenizeLine(t, problems);
    let unterminated = false;
    if (problems.length > 0) {
      for (const p of problems) {
        this.diags.push(diag({ file: ctx.file, line: ctx.line, col: colBase + p.col }, p.severity, p.message, p.rule));
        if (p.rule === 'unterminated-quote') unterminated = true;
      }
      problems.length = 0;
    }
    // keepalived drops a line with an unterminated quote.
    if (tokens.length === 0 || unterminated) return;
    const escapes = t.includes('\\') || t.includes("'");
    const cs = escapes ? commentStart(t) : -1;
    const end = cs < 0 ? t.length : cs;
    for (const tok of tokens) {
      if (escapes) tok.tail = t.slice(tok.col - 1, end);
      tok.col += colBase;
    }

    this.emit({ tokens, count: tokens.length, file: ctx.file, line: ctx.line });
  }

  /**
   * Replace ${NAME} / $NAME recursively at use time. A definition is never
   * expanded inside itself (`active` holds the names being expanded, also
   * across the lines a multi-line definition produces), so recursive
   * definitions stop with an error instead of growing without bound.
   * `used` receives the names expanded at the top level.
   */
  private substitute(t: string, ctx: LineCtx, active: ReadonlySet<string>, used: Set<string>): string | null {
    let budget = 1_000_000;
    let loopReported = false;
    const expand = (text: string, stack: ReadonlySet<string>, top: boolean): string =>
      text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)((?:\s+[^}\s]+)*)\s*\}|\$([A-Za-z_][A-Za-z0-9_]*)(?=[ \t,)]|$)/g, (all, n1, extra, n2) => {
        const name = (n1 ?? n2) as string;
        if (stack.has(name)) {
          if (!loopReported) {
            loopReported = true;
            this.diags.push(diag({ file: ctx.file, line: ctx.line, col: 1 }, 'error', `definition $${name} refers to itself; left unexpanded`, 'definition-loop'));
          }
          return all;
        }
        const v = this.lookup(name, rtrim(ltrim(extra ?? '')), ctx);
        if (v === undefined) return all;
        if (budget <= 0) return '';
        if (top) used.add(name);
        const inner = v.includes('$') ? expand(v, new Set([...stack, name]), false) : v;
        budget -= inner.length;
        if (budget <= 0 && !loopReported) {
          loopReported = true;
          this.diags.push(diag({ file: ctx.file, line: ctx.line, col: 1 }, 'error', 'parameter substitution produces more than 1,000,000 characters; stopped', 'definition-loop'));
          return '';
        }
        return inner;
      });
    const out = expand(t, active, true);
    // A line whose expansion blew the budget is dropped, not half-used.
    return budget <= 0 ? null : out;
  }

  private lookup(name: string, extra: string, ctx: LineCtx): string | undefined {
    switch (name) {
      case '_PWD':
        return ctx.pwd;
      case '_INSTANCE':
        return this.configId();
      // keepalived decomments a line again after replace_param: an unquoted ${_HASH} / ${_BANG}
      // starts a comment there, a quoted one is the character
      case '_HASH':
        return '#';
      case '_BANG':
        return '!';
      case '_RANDOM': {
        const parts = extra.split(/\s+/).filter(Boolean);
        const min = parts[0] !== undefined ? Number.parseInt(parts[0], 10) : 0;
        const max = parts[1] !== undefined ? Number.parseInt(parts[1], 10) : 32767;
        if (!Number.isFinite(min) || !Number.isFinite(max) || max < min) return String(min || 0);
        return String(min + Math.floor(this.random() * (max - min + 1)));
      }
      case '_ENV': {
        const v = this.opts.env[extra];
        return v ?? '';
      }
    }
    if (extra) return undefined;
    const d = this.defs.get(name);
    if (!d) return undefined;
    return d.lines.join('\n');
  }

  private repeat(t: string, ctx: LineCtx, depth: number, colBase: number, active: ReadonlySet<string>): void {
    const m = /^~(SEQx?|LST)\(/.exec(t);
    const at = { file: ctx.file, line: ctx.line, col: colBase + 1 };
    if (!m) {
      this.diags.push(diag(at, 'error', `malformed ~SEQ/~LST: '${t}'`, 'seq-syntax'));
      return;
    }
    // Find the matching ')', allowing {..} groups inside ~LST.
    let i = m[0].length;
    let level = 1;
    for (; i < t.length && level > 0; i++) {
      if (t[i] === '(') level++;
      else if (t[i] === ')') level--;
    }
    if (level !== 0) {
      this.diags.push(diag(at, 'error', `missing ')' in ${m[0].slice(0, -1)}(...)`, 'seq-syntax'));
      return;
    }
    const inner = t.slice(m[0].length, i - 1);
    const rest = t.slice(i);
    const bodyCol = colBase + i + (rest.length - ltrim(rest).length);
    if (depth > 16) {
      this.diags.push(diag(at, 'error', '~SEQ/~LST nested too deeply', 'seq-syntax'));
      return;
    }
    if (m[1] === 'LST') {
      const parsed = parseLst(inner);
      if (typeof parsed === 'string') {
        this.diags.push(diag(at, 'error', `~LST: ${parsed}`, 'seq-syntax'));
        return;
      }
      for (const vals of parsed.values) {
        if (vals.length !== parsed.vars.length) {
          this.diags.push(diag(at, 'error', `~LST: ${parsed.vars.length} variables but a value group has ${vals.length} values`, 'seq-syntax'));
          return;
        }
        for (let k = 0; k < parsed.vars.length; k++) this.defs.set(parsed.vars[k], { lines: [vals[k]] });
        this.processLine(rest, ctx, depth + 1, bodyCol, active);
        if (this.expanded > this.maxLines) return;
      }
      return;
    }
    let args = inner.split(',').map((a) => rtrim(ltrim(a)));
    if (args.length > 1 && inner.includes('$')) {
      // keepalived add_seq: replace_param on the numbers (not the variable name): ~SEQ(i,$START,$END)
      const nums = this.substitute(args.slice(1).join(','), ctx, active, new Set<string>());
      if (nums === null) return;
      if (nums.includes('\n')) {
        this.diags.push(diag(at, 'error', `~SEQ parameter is multiline definition '${t}'`, 'seq-syntax'));
        return;
      }
      args = [args[0], ...nums.split(',').map((a) => rtrim(ltrim(a)))];
    }
    const name = args[0];
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name ?? '') || args.length < 2 || args.length > 4) {
      this.diags.push(diag(at, 'error', `~${m[1]}(var, [start,] [step,] end): bad arguments '${inner}'`, 'seq-syntax'));
      return;
    }
    const nums = args.slice(1).map((a) => (/^[-+]?(0x[0-9a-f]+|\d+)$/i.test(a) ? Number.parseInt(a, a.toLowerCase().includes('0x') ? 16 : 10) * (a.startsWith('-') && a.toLowerCase().includes('0x') ? -1 : 1) : Number.NaN));
    if (nums.some((x) => Number.isNaN(x))) {
      this.diags.push(diag(at, 'error', `~${m[1]}: non-numeric argument in '${inner}'`, 'seq-syntax'));
      return;
    }
    let start: number;
    let step: number;
    let end: number;
    if (nums.length === 1) {
      end = nums[0];
      start = end >= 0 ? 1 : -1;
      step = end >= start ? 1 : -1;
    } else if (nums.length === 2) {
      [start, end] = nums;
      step = end >= start ? 1 : -1;
    } else [start, step, end] = nums;
    if (step === 0 || (step > 0 && start > end) || (step < 0 && start < end)) {
      // keepalived add_seq: "Invalid ~SEQ values" for a zero step or one going away from the end
      this.diags.push(diag(at, 'error', step === 0 ? `~${m[1]}: step is 0 (Invalid ~SEQ values)` : `~${m[1]}: step ${step} never goes from ${start} to ${end} (Invalid ~SEQ values)`, 'seq-syntax'));
      return;
    }
    const hex = m[1] === 'SEQx';
    for (let v = start; step > 0 ? v <= end : v >= end; v += step) {
      this.defs.set(name, { lines: [hex ? v.toString(16) : String(v)] });
      this.processLine(rest, ctx, depth + 1, bodyCol, active);
      if (this.expanded > this.maxLines) return;
    }
  }

  private include(kind: string, restRaw: string, ctx: LineCtx, colBase: number): void {
    const problems: LexProblem[] = [];
    const toks = tokenizeLine(restRaw, problems);
    const at: Pos = { file: ctx.file, line: ctx.line, col: colBase + 1 };
    if (toks.length === 0) {
      this.diags.push(diag(at, 'error', `'${kind}' needs a file name`, 'missing-parameter'));
      return;
    }
    // keepalived globs the rest of the line; the lexer would split `{a,b}` into block braces
    const raw = rtrim(ltrim(restRaw));
    const name = raw.includes('{') ? raw : toks[0].text;
    const pattern = resolvePath(ctx.pwd, name);
    const checked = kind !== 'include';
    const isGlob = hasGlob(name);
    // GLOB_BRACE: each alternative globbed in the order written (a plain one only when it exists)
    // keepalived's glob hooks (lib/parser.c gl_opendir / gl_lstat) count directories it could not
    // open and literal names that are missing; with them it prints "Config files missing" (no match)
    // or "Some config files missing" (some matches), and at exit 0 unless include_check asks for more
    const missed = { count: 0 };
    const matches = !isGlob
      ? [pattern]
      : name.includes('{')
        ? expandBraces(pattern).flatMap((p) => this.reader.glob(p, missed))
        : this.reader.glob(pattern, missed);
    if (isGlob && matches.length === 0) {
      const ktSays = missed.count > 0 ? ` (keepalived: "Config files missing '${name}'." and carries on)` : ' (keepalived silently ignores this)';
      if (kind === 'includem' || kind === 'includew' || kind === 'includeb' || kind === 'includea') {
        this.diags.push(diag(at, 'error', `${kind} ${name}: no file matches${missed.count > 0 ? ` (keepalived: "Config files missing '${name}'.")` : ''}`, 'missing-include'));
      } else if (kind === 'include') {
        this.diags.push(diag(at, 'warning', `include ${name}: no file matches${ktSays}`, 'missing-include'));
      }
      return;
    }
    if (isGlob && missed.count > 0 && kind === 'include') {
      this.diags.push(diag(at, 'warning', `include ${name}: some of the files or directories it names are missing (keepalived: "Some config files missing: "${name}".", and it reads the others)`, 'missing-include'));
    }
    if (this.stack.length >= MAX_INCLUDE_DEPTH) {
      this.diags.push(diag(at, 'error', `includes nested deeper than ${MAX_INCLUDE_DEPTH} levels: hactl reads no further (keepalived follows them until it runs out of file descriptors, about 1,000 levels)`, 'include-depth'));
      return;
    }
    for (const f of matches) {
      if (this.stack.includes(f)) {
        const first = this.stack.indexOf(f);
        const chain = [...this.stack.slice(first), f].join(' -> ');
        this.diags.push(diag(at, 'error', `include cycle: ${chain}`, 'include-cycle'));
        // keepalived follows the cycle until it runs out of descriptors, and which include line
        // then fails depends on how many it inherited: name every include in the cycle.
        for (let k = first + 1; k < this.stack.length; k++) {
          const site = this.includedAt[k];
          if (site) this.diags.push(diag(site, 'warning', `this include is part of the include cycle reported at ${at.file}:${at.line}`, 'include-cycle'));
        }
        continue;
      }
      const r = this.reader.read(f, this.maxFileBytes);
      if (!r.ok) {
        if (r.code === 'ENOTREG') {
          // keepalived logs "is not a regular non-executable file - skipping" and goes on without it
          this.diags.push(diag(at, 'warning', `${kind} ${name}: ${f} is ${r.message}; keepalived skips it ("is not a regular non-executable file - skipping")`, 'not-regular-file'));
          continue;
        }
        const why =
          r.code === 'ENOENT'
            ? 'no such file'
            : r.code === 'EISDIR'
              ? `is a directory (keepalived: "Configuration file '${name.endsWith('/') ? name : `${name}/`}' is a directory - skipping")`
              : r.message;
        const sev = checked || r.code !== 'ENOENT' ? 'error' : 'warning';
        this.diags.push(
          diag(at, sev, `${kind} ${name}: ${why}${r.code === 'ENOENT' && !checked ? " (keepalived only prints \"Config files missing\" and carries on)" : ''}`, 'missing-include'),
        );
        continue;
      }
      const display = f;
      this.nextIncludeSite = at;
      this.processFile(display, f, r.data);
    }
  }
}

interface LineCtx {
  file: string;
  abs: string;
  pwd: string;
  line: number;
}

function stripComment(s: string): string {
  const c = commentStart(s);
  return c < 0 ? s : s.slice(0, c);
}

function countLines(text: string, upto: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < upto; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function lineOfOffset(data: Uint8Array, off: number): number {
  let n = 1;
  for (let i = 0; i < off; i++) if (data[i] === 10) n++;
  return n;
}

/** `~LST(var, v1, v2)` or `~LST({a, b}, {1,2}, {3,4})`. */
export function parseLst(inner: string): { vars: string[]; values: string[][] } | string {
  const items: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of inner) {
    if (ch === '{') depth++;
    if (ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      items.push(rtrim(ltrim(cur)));
      cur = '';
    } else cur += ch;
  }
  items.push(rtrim(ltrim(cur)));
  if (items.length < 2) return 'needs a variable and at least one value';
  const group = (s: string) => (s.startsWith('{') && s.endsWith('}') ? s.slice(1, -1).split(',').map((x) => rtrim(ltrim(x))) : [s]);
  const vars = group(items[0]);
  if (!vars.every((v) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(v))) return `bad variable name in '${items[0]}'`;
  return { vars, values: items.slice(1).map(group) };
}

/** Trim ASCII blanks only (String#trim would also eat a BOM or a non-breaking space, which must be diagnosed). */
function ltrim(s: string): string {
  let i = 0;
  while (i < s.length && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9 || s.charCodeAt(i) === 13 || s.charCodeAt(i) === 11 || s.charCodeAt(i) === 12)) i++;
  return i ? s.slice(i) : s;
}

function rtrim(s: string): string {
  let i = s.length;
  while (i > 0 && (s.charCodeAt(i - 1) === 32 || s.charCodeAt(i - 1) === 9 || s.charCodeAt(i - 1) === 13 || s.charCodeAt(i - 1) === 11 || s.charCodeAt(i - 1) === 12)) i--;
  return i < s.length ? s.slice(0, i) : s;
}
