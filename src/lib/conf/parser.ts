/**
 * Block structure: turns the pre-processed token lines into a tree of
 * statements (`keyword args... [{ children }]`). `{` may end the keyword's line
 * or start the next one; `}` may share a line with anything (keepalived 2.2.7
 * splits lines at braces). Uses an explicit stack (no recursion), caps nesting
 * at MAX_DEPTH with a precise error, and reports unbalanced braces like
 * keepalived does. Pure.
 */
import type { Token } from './lexer';
import type { Diagnostic, Pos } from './model';
import type { EmittedLine } from './preprocess';

export interface Stmt {
  keyword: string;
  pos: Pos;
  args: Token[];
  /** Children when a `{` block followed. */
  block?: Stmt[];
  /** Position of the `{`. */
  open?: Pos;
  /** Position of the closing `}` (absent when missing at end of file). */
  close?: Pos;
}

export const MAX_DEPTH = 32;

export class TreeBuilder {
  readonly root: Stmt[] = [];
  private readonly stack: Stmt[] = [];
  private cur: Stmt | null = null;
  /** Last statement finished by an end of line at the current level (may take a `{` on the next line). */
  private lastLineStmt: Stmt | null = null;
  private skipDepth = 0;
  private skipStart: Pos | null = null;

  constructor(private readonly diags: Diagnostic[]) {}

  private children(): Stmt[] {
    const top = this.stack[this.stack.length - 1];
    return top ? top.block! : this.root;
  }

  private finish(): void {
    if (this.cur) {
      this.children().push(this.cur);
      this.lastLineStmt = this.cur;
      this.cur = null;
    }
  }

  private open(s: Stmt, at: Pos): void {
    if (this.stack.length >= MAX_DEPTH) {
      this.skipDepth = 1;
      this.skipStart = at;
      this.diags.push({
        file: at.file,
        line: at.line,
        col: at.col,
        severity: 'error',
        message: `blocks nested deeper than ${MAX_DEPTH} levels; keepalived.conf never needs more than 5 (skipping this block)`,
        rule: 'nesting-depth',
      });
      return;
    }
    s.block = [];
    s.open = at;
    this.stack.push(s);
  }

  line(l: EmittedLine): void {
    const toks = l.tokens;
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      const at: Pos = { file: l.file, line: l.line, col: t.col };
      const brace = !t.quoted && (t.text === '{' || t.text === '}');
      if (this.skipDepth > 0) {
        if (brace && t.text === '{') this.skipDepth++;
        else if (brace && t.text === '}') this.skipDepth--;
        continue;
      }
      if (brace && t.text === '{') {
        if (this.cur) {
          const s = this.cur;
          this.cur = null;
          this.children().push(s);
          this.lastLineStmt = null;
          this.open(s, at);
        } else if (this.lastLineStmt && !this.lastLineStmt.block) {
          const s = this.lastLineStmt;
          this.lastLineStmt = null;
          this.open(s, at);
        } else {
          // A bare block: keep it as an anonymous statement so its contents are checked.
          const s: Stmt = { keyword: '{', pos: at, args: [] };
          this.children().push(s);
          this.lastLineStmt = null;
          this.open(s, at);
        }
        continue;
      }
      if (brace && t.text === '}') {
        this.finish();
        this.lastLineStmt = null;
        const s = this.stack.pop();
        if (!s) {
          this.diags.push({ file: at.file, line: at.line, col: at.col, severity: 'error', message: "extra '}' found", rule: 'brace' });
          continue;
        }
        s.close = at;
        continue;
      }
      if (!this.cur) {
        this.cur = { keyword: t.text, pos: at, args: [] };
        this.lastLineStmt = null;
      } else this.cur.args.push(t);
    }
    this.finish();
  }

  end(eofFile: string, eofLine: number): Stmt[] {
    this.finish();
    if (this.skipDepth > 0 && this.skipStart) {
      // already reported
    }
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const s = this.stack[i];
      const at = s.open ?? s.pos;
      this.diags.push({
        file: at.file,
        line: at.line,
        col: at.col,
        severity: 'error',
        message: `'{' of '${s.keyword}' is never closed (missing '}' before the end of ${eofFile}:${eofLine})`,
        rule: 'brace',
      });
    }
    this.stack.length = 0;
    return this.root;
  }
}
