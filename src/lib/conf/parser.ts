/**
 * Block structure, the way keepalived 2.2.7 reads it: turns pre-processed
 * token lines into a tree of statements (`keyword args... [{ children }]`)
 * while tracking which keyword table is active, because keepalived only opens
 * a block for keywords that have one:
 *  - `{` may end the keyword's line or start the next one; `}` may share a
 *    line with anything (keepalived splits lines at braces);
 *  - after an unknown or value-less keyword a `{` is "unexpected" and ignored,
 *    so the lines inside stay at the current level and the next `}` closes the
 *    enclosing block (exactly keepalived's recovery, so line numbers match);
 *  - inside value blocks (virtual_ipaddress, unicast_peer, ...) every line is
 *    an entry and only `}` ends the block;
 *  - a block keyword without `{` is reported and its block is absent.
 * Uses an explicit stack (no recursion) and caps nesting at MAX_DEPTH. Pure.
 */
import type { Token } from './lexer';
import type { Diagnostic, Pos } from './model';
import type { EmittedLine } from './preprocess';
import { type Spec, TABLES } from './schema';

/**
 * One statement. Its position is kept as numbers and made into a Pos object
 * only when asked for (most statements are checked and dropped without ever
 * needing one).
 */
export class Stmt {
  declare keyword: string;
  declare readonly file: string;
  declare readonly line: number;
  declare readonly col: number;
  declare args: Token[];
  /** Children when a `{` block followed. */
  declare block: Stmt[] | undefined;
  /** Position of the `{`. */
  declare open: Pos | undefined;
  /** Position of the closing `}` (absent when missing at end of file). */
  declare close: Pos | undefined;
  /** The keyword table the TreeBuilder looked this keyword up in, and what it found (the builder reuses it). */
  declare specTable: Record<string, Spec> | undefined;
  declare spec: Spec | undefined;
  /** The parsed value, set by the model builder when it accepts the statement. */
  declare value: number | boolean | string | string[] | undefined;
  declare private p: Pos | undefined;

  // Plain assignments in the constructor (no field initializers): one
  // object shape, and no initializer function run for each of the
  // hundreds of thousands of statements of a big config.
  constructor(keyword: string, file: string, line: number, col: number, args: Token[], pos?: Pos) {
    this.keyword = keyword;
    this.file = file;
    this.line = line;
    this.col = col;
    this.args = args;
    this.block = undefined;
    this.open = undefined;
    this.close = undefined;
    this.specTable = undefined;
    this.spec = undefined;
    this.value = undefined;
    this.p = pos;
  }

  /** The builder records accepted statements as {stmt, value} pairs; a statement is its own pair. */
  get stmt(): Stmt {
    return this;
  }

  get pos(): Pos {
    if (this.p === undefined) this.p = { file: this.file, line: this.line, col: this.col };
    return this.p;
  }
}

export const MAX_DEPTH = 32;

/** What the active table says about a keyword. */
type Kind = { t: 'block'; table: string } | { t: 'values' } | { t: 'leaf' } | { t: 'unknown' };

const VALUES = '#values';
const RAW = 'raw';

/** Shared results (never mutated) so classifying allocates only for blocks. */
const LEAF: Kind = { t: 'leaf' };
const UNKNOWN: Kind = { t: 'unknown' };
const VALUE_BLOCK: Kind = { t: 'values' };

/** What a keyword table says about one of its keywords. */
interface KeywordEntry {
  /** The table's own (interned) key string. */
  readonly key: string;
  readonly spec: Spec;
  readonly kind: Kind;
}

/** A keyword table as a Map (keyword -> entry); undefined for tables that do not exist. */
type KeywordIndex = Map<string, KeywordEntry>;
const INDEXES = new Map<string, KeywordIndex | undefined>();

function kindOf(spec: Spec): Kind {
  if (spec.k === 'block') return { t: 'block', table: spec.table ?? RAW };
  if (spec.k === 'vblock') return VALUE_BLOCK;
  return LEAF;
}

/**
 * The Map form of a keyword table: looking a freshly read word up in a Map
 * only hashes it, where a property lookup on the table object interns it
 * first; and the statement then takes the table's own key string, so the
 * builder's many comparisons with keyword constants are pointer checks.
 */
export function keywordIndex(table: string): KeywordIndex | undefined {
  const known = INDEXES.get(table);
  if (known !== undefined || INDEXES.has(table)) return known;
  const t = TABLES[table];
  const m: KeywordIndex | undefined = t ? new Map(Object.keys(t).map((k) => [k, { key: k, spec: t[k], kind: kindOf(t[k]) }])) : undefined;
  INDEXES.set(table, m);
  return m;
}

/** A table as the TreeBuilder uses it: its name, its index and its object (for Stmt.specTable), looked up once per block. */
interface TableRef {
  name: string;
  index: KeywordIndex | undefined;
  tbl: Record<string, Spec> | undefined;
}

const TABLE_REFS = new Map<string, TableRef>();

function tableRef(name: string): TableRef {
  let r = TABLE_REFS.get(name);
  if (!r) {
    r = { name, index: name === RAW || name === VALUES ? undefined : keywordIndex(name), tbl: TABLES[name] };
    TABLE_REFS.set(name, r);
  }
  return r;
}

const TOP_REF = tableRef('top');

function classify(t: TableRef, s: Stmt): Kind {
  if (t.name === RAW) return LEAF;
  s.specTable = t.tbl;
  const e = t.index?.get(s.keyword);
  if (!e) {
    s.spec = undefined;
    return UNKNOWN;
  }
  s.keyword = e.key;
  s.spec = e.spec;
  return e.kind;
}

interface Frame {
  stmt: Stmt;
  table: string;
  ref: TableRef;
  /** A value block opened without '{': its '}' also closes the enclosing block (keepalived). */
  noBrace?: boolean;
}

export class TreeBuilder {
  readonly root: Stmt[] = [];
  private readonly stack: Frame[] = [];
  private cur: Stmt | null = null;
  /** A block keyword whose line ended without `{`: the next token decides. */
  private awaiting: { stmt: Stmt; kind: Kind } | null = null;

  /** Brace counts over the whole input (keepalived checks the balance too). */
  private opens = 0;
  private closes = 0;
  /** First '{' that keepalived counts but takes as a value entry. */
  private valueOpen: Pos | undefined;

  /** Top-level statements seen so far (also counted when streamed to `onTop`). */
  topCount = 0;
  /** The last top-level statement; handed to `onTop` once the next one starts (it may still get its block until then). */
  private pendingTop: Stmt | null = null;

  /**
   * With `onTop`, each complete top-level statement is handed over as soon as
   * the next one starts (and the last one at `end()`) instead of being kept in
   * `root`: the consumer builds its model block by block and the statement
   * tree never has to live all at once (garbage collection cost on big files).
   */
  constructor(
    private readonly diags: Diagnostic[],
    private readonly onTop?: (s: Stmt) => void,
  ) {}

  /** Attach a statement to the innermost open block, or to the top level. */
  private add(s: Stmt): void {
    const top = this.stack[this.stack.length - 1];
    if (top) {
      top.stmt.block!.push(s);
      return;
    }
    this.topCount++;
    if (!this.onTop) {
      this.root.push(s);
      return;
    }
    const prev = this.pendingTop;
    this.pendingTop = s;
    if (prev) this.onTop(prev);
  }

  private tableRef(): TableRef {
    return this.stack.length ? this.stack[this.stack.length - 1].ref : TOP_REF;
  }

  private table(): string {
    return this.stack.length ? this.stack[this.stack.length - 1].table : 'top';
  }

  private err(at: Pos, message: string, rule: string, severity: 'error' | 'warning' = 'error'): void {
    this.diags.push({ file: at.file, line: at.line, col: at.col, severity, message, rule });
  }

  private open(s: Stmt, at: Pos, table: string, noBrace = false): void {
    if (this.stack.length >= MAX_DEPTH) {
      this.err(at, `blocks nested deeper than ${MAX_DEPTH} levels; keepalived.conf never needs more than 5 (block ignored)`, 'nesting-depth');
      return;
    }
    s.block = [];
    s.open = at;
    this.stack.push({ stmt: s, table, ref: tableRef(table), noBrace });
  }

  /** Resolve a pending block keyword when the next token is not `{` (`at`: that token, where keepalived reports it). */
  private settleAwaiting(at?: Pos): void {
    const a = this.awaiting;
    if (!a) return;
    this.awaiting = null;
    if (a.kind.t === 'values') {
      // keepalived reads the value lines up to the next '}' even without '{'.
      this.err(a.stmt.pos, `missing '{' after '${a.stmt.keyword}': keepalived reads the following lines up to '}' as its values, and that '}' also closes the enclosing block`, 'brace');
      this.open(a.stmt, a.stmt.pos, VALUES, true);
    } else {
      this.err(at ?? a.stmt.pos, `missing '{' at beginning of '${a.stmt.keyword}' block (line ${a.stmt.pos.line})`, 'brace');
    }
  }

  /** A statement is complete: attach it; return how a following `{` is to be treated. */
  private finish(openFollows: boolean): void {
    const s = this.cur;
    if (!s) return;
    this.cur = null;
    this.add(s);
    const table = this.table();
    if (table === VALUES) return;
    const kind = classify(this.tableRef(), s);
    if (kind.t === 'block' || kind.t === 'values') {
      if (!openFollows) this.awaiting = { stmt: s, kind };
    }
  }

  line(l: EmittedLine): void {
    const toks = l.tokens;
    const n = l.count;
    for (let i = 0; i < n; i++) {
      const t = toks[i];
      const isOpen = !t.quoted && t.text === '{';
      const isClose = !t.quoted && t.text === '}';
      // Positions are only materialised where a node or a message needs one.
      if (!isOpen && !isClose) {
        if (this.awaiting) {
          this.settleAwaiting(l.line !== this.awaiting.stmt.line ? { file: l.file, line: l.line, col: t.col } : undefined);
        } else if (this.cur) {
          this.cur.args.push(t);
          continue;
        }
        if (!this.cur) {
          // The words up to the next brace are this statement's arguments: take
          // them in one exact-size slice (pushing one by one leaves a large
          // spare backing store on every statement kept in the tree).
          let j = i + 1;
          while (j < n && (toks[j].quoted || (toks[j].text !== '{' && toks[j].text !== '}'))) j++;
          this.cur = new Stmt(t.text, l.file, l.line, t.col, j > i + 1 ? toks.slice(i + 1, j) : []);
          i = j - 1;
        } else this.cur.args.push(t);
        continue;
      }
      const at: Pos = { file: l.file, line: l.line, col: t.col };
      if (this.awaiting) {
        if (isOpen) {
          const a = this.awaiting;
          this.awaiting = null;
          this.open(a.stmt, at, a.kind.t === 'values' ? VALUES : (a.kind as { table: string }).table);
          this.opens++;
          continue;
        }
        this.settleAwaiting(undefined);
      }
      const table = this.table();
      if (isOpen) this.opens++;
      if (isClose) this.closes++;
      if (isOpen) {
        if (table === VALUES) {
          this.valueOpen ??= at;
          // keepalived takes a '{' inside a value block as an entry of its own.
          this.finishValue();
          this.add(new Stmt('{', at.file, at.line, at.col, [], at));
          continue;
        }
        const s = this.cur;
        if (s && table === RAW) {
          this.cur = null;
          this.add(s);
          this.open(s, at, RAW);
        } else if (s) {
          this.cur = null;
          this.add(s);
          const kind = classify(this.tableRef(), s);
          if (kind.t === 'block') this.open(s, at, kind.table);
          else if (kind.t === 'values') this.open(s, at, VALUES);
          else if (kind.t === 'leaf') this.err(at, `unexpected '{' after '${s.keyword}' (it does not take a block) - ignoring`, 'brace');
          else this.err(at, `unexpected '{' - ignoring (after unknown keyword '${s.keyword}', so the lines up to the next '}' stay in the enclosing block)`, 'brace');
        } else {
          this.err(at, "unexpected '{' - ignoring", 'brace');
        }
        continue;
      }
      if (isClose) {
        if (this.cur) {
          if (table === VALUES) this.finishValue();
          else this.finish(false);
          if (this.awaiting) this.settleAwaiting();
        }
        const f = this.stack.pop();
        if (!f) {
          this.err(at, "extra '}' found", 'brace');
          continue;
        }
        f.stmt.close = at;
        // Done growing: without a consumer (whole tree kept) keep an exact-size copy of
        // the children (drops the spare capacity); streamed blocks are dropped soon anyway.
        const kids = f.stmt.block!;
        if (!this.onTop && kids.length > 0) f.stmt.block = kids.slice();
        if (f.noBrace) {
          const outer = this.stack.pop();
          if (outer) outer.stmt.close = at;
        }
      }
    }
    if (this.cur) {
      if (this.table() === VALUES) this.finishValue();
      else this.finish(false);
    }
  }

  private finishValue(): void {
    if (this.cur) {
      this.add(this.cur);
      this.cur = null;
    }
  }

  end(eofFile: string, eofLine: number): Stmt[] {
    if (this.cur) this.finish(false);
    if (this.awaiting) this.settleAwaiting();
    if (this.stack.length > 0) {
      const n = this.stack.length;
      const s = this.stack[n - 1].stmt;
      const at = s.open ?? s.pos;
      this.err(
        at,
        `There ${n === 1 ? 'is' : 'are'} ${n} missing '}'${n === 1 ? '' : 's'} at the end of ${eofFile}:${eofLine} (the innermost unclosed block is '${s.keyword}', opened here)`,
        'brace',
      );
      // Also point at every other unclosed block (bounded).
      for (let i = n - 2; i >= 0 && i >= n - 20; i--) {
        const o = this.stack[i].stmt;
        const p = o.open ?? o.pos;
        this.err(p, `'{' of '${o.keyword}' is never closed`, 'brace');
      }
    }
    else if (this.opens > this.closes && this.valueOpen) {
      const n = this.opens - this.closes;
      this.err(this.valueOpen, `There ${n === 1 ? 'is' : 'are'} ${n} missing '}'${n === 1 ? '' : 's'} or extra '{'${n === 1 ? '' : 's'} (this '{' inside a value block is counted by keepalived)`, 'brace');
    }
    this.stack.length = 0;
    if (this.pendingTop) {
      const last = this.pendingTop;
      this.pendingTop = null;
      this.onTop!(last);
    }
    return this.root;
  }
}
