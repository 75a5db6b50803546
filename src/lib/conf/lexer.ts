/**
 * Line tokeniser with keepalived 2.2.7's rules: words are separated by spaces
 * and tabs, `#` and `!` start a comment anywhere outside quotes, `"` quotes
 * (adjacent quoted/unquoted parts join into one word; `'` is not a quote),
 * `{` and `}` outside quotes are words of their own. Problems keepalived would
 * silently mis-read (non-breaking spaces, typographic quotes, control bytes)
 * are reported. Pure.
 */
import type { Diagnostic, Pos } from './model';

export interface Token {
  text: string;
  /** 1-based column of the token's first character. */
  col: number;
  quoted: boolean;
  /**
   * The rest of the line from this token on, without its comment: set only on lines with a
   * backslash or a single quote, where keepalived's script reader (alloc_strvec_quoted_escaped)
   * splits words differently from the main tokenizer.
   */
  tail?: string;
}

export interface LexProblem {
  col: number;
  severity: 'error' | 'warning';
  message: string;
  rule: string;
}

const NON_ASCII = /[^\x00-\x7f]/;
const SMART = /[\u201c\u201d\u2018\u2019\u201e\u00ab\u00bb]/;
const ODD_SPACE = /[\u00a0\u2007\u202f\u3000\u2002\u2003\ufeff]/;

/**
 * Split one line (without its newline) into tokens. `problems` receives
 * positioned diagnostics (columns only; the caller adds file and line).
 */
export function tokenizeLine(line: string, problems: LexProblem[]): Token[] {
  const out: Token[] = [];
  const n = line.length;
  // Odd spaces and typographic quotes are all non-ASCII: pure ASCII lines skip both checks.
  const ascii = !NON_ASCII.test(line);
  const odd = ascii ? null : ODD_SPACE.exec(line);
  if (odd) {
    const c = odd[0].charCodeAt(0);
    problems.push({
      col: odd.index + 1,
      severity: 'error',
      message:
        c === 0xfeff
          ? 'UTF-8 byte order mark: keepalived reads it as part of the keyword; save the file without BOM'
          : `non-breaking or typographic space (U+${c.toString(16).toUpperCase().padStart(4, '0')}): keepalived reads it as part of a word; use a plain space`,
      rule: c === 0xfeff ? 'bom' : 'nbsp',
    });
  }
  let i = 0;
  while (i < n) {
    let c = line.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13 || c === 11 || c === 12) {
      i++;
      continue;
    }
    if (c === 35 || c === 33) break; // # !
    if (c === 123 || c === 125) {
      out.push({ text: line[i], col: i + 1, quoted: false });
      i++;
      continue;
    }
    // A word, possibly with quoted parts.
    const start = i;
    let text = '';
    let quoted = false;
    while (i < n) {
      c = line.charCodeAt(i);
      if (c === 32 || c === 9 || c === 13 || c === 11 || c === 12) break;
      if (c === 35 || c === 33 || c === 123 || c === 125) break;
      if (c === 34) {
        const close = line.indexOf('"', i + 1);
        quoted = true;
        if (close < 0) {
          problems.push({ col: i + 1, severity: 'error', message: `unterminated quote: '${line.trim()}'`, rule: 'unterminated-quote' });
          text += line.slice(i + 1);
          i = n;
          break;
        }
        text += line.slice(i + 1, close);
        i = close + 1;
        continue;
      }
      // Copy the run of plain characters at once.
      let j = i + 1;
      while (j < n) {
        const d = line.charCodeAt(j);
        if (d === 32 || d === 9 || d === 13 || d === 11 || d === 12 || d === 35 || d === 33 || d === 123 || d === 125 || d === 34) break;
        j++;
      }
      text += line.slice(i, j);
      i = j;
    }
    const sm = ascii ? null : SMART.exec(text);
    if (sm) {
      problems.push({
        col: start + 1,
        severity: 'warning',
        message: `typographic quote ${sm[0]} (U+${sm[0].charCodeAt(0).toString(16).toUpperCase()}) in '${text}': keepalived does not treat it as a quote; use "`,
        rule: 'smart-quote',
      });
    }
    out.push({ text, col: start + 1, quoted });
  }
  return out;
}

/** True when the byte buffer looks binary (NUL bytes or many control bytes in the first 8 KiB). */
export function binaryOffset(data: Uint8Array): number {
  const lim = Math.min(data.length, 8192);
  let ctrl = 0;
  for (let i = 0; i < lim; i++) {
    const b = data[i];
    if (b === 0) return i;
    if (b < 32 && b !== 9 && b !== 10 && b !== 13 && b !== 12 && b !== 11) {
      ctrl++;
      if (ctrl > 8) return i;
    }
  }
  return -1;
}

export function diag(pos: Pos, severity: 'error' | 'warning', message: string, rule: string): Diagnostic {
  return { file: pos.file, line: pos.line, col: pos.col, severity, message, rule };
}
