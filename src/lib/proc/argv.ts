/**
 * How keepalived 2.2.7 reads a script's command line (pure, no I/O).
 *
 * Every script keyword (notify*, vrrp_script `script`, MISC_CHECK `misc_path`, *_fifo_script,
 * quorum_up/down, startup/shutdown_script) goes through the same two steps in keepalived:
 * alloc_strvec_quoted_escaped reads the whole configuration line, then set_script_params_array
 * splits its first word again with alloc_strvec_quoted_escaped into the argv (lib/notify.c,
 * check_misc.c misc_path_handler, vrrp_parser.c vrrp_vscript_script_handler). So the argv of
 * `misc_path "/bin/echo a\\tb"` is the same as for `script "/bin/echo a\\tb"`.
 */

/**
 * Split a command line like keepalived 2.2.7's alloc_strvec_quoted_escaped: words separated by
 * spaces/tabs; "..." and '...' group (also inside a word) and are removed; a backslash escapes
 * the next character, inside quotes too (\a \b \E \f \n \r \t \v, \xHH, \cX, \ooo octal,
 * anything else itself). An unterminated quote or a trailing backslash: no words (keepalived
 * ignores such a script).
 */
export function splitCommand(cmd: string): string[] {
  return readCommand(cmd).argv;
}

/** What keeps keepalived from reading a command line. */
export type CommandProblem = { kind: 'quote'; quote: string } | { kind: 'escape' } | { kind: 'empty' };

/** The argv of a command line (see splitCommand), or why keepalived cannot read it (argv then empty). */
export function readCommand(cmd: string): { argv: string[]; problem?: CommandProblem } {
  const out: string[] = [];
  const n = cmd.length;
  let i = 0;
  const white = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';
  const hex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);
  while (i < n) {
    while (i < n && white(cmd[i])) i++;
    if (i >= n) break;
    let word = '';
    let quote = '';
    while (i < n) {
      const c = cmd[i];
      if (c === '\\') {
        i++;
        if (i >= n) return { argv: [], problem: { kind: 'escape' } };
        const e = cmd[i];
        if (e === 'x' && hex(cmd[i + 1])) {
          let v = 0;
          i++;
          while (hex(cmd[i])) v = ((v << 4) | Number.parseInt(cmd[i++], 16)) & 0xff;
          word += String.fromCharCode(v);
        } else if (e === 'c' && i + 1 < n) {
          word += String.fromCharCode(cmd.charCodeAt(i + 1) & 0x1f);
          i += 2;
        } else if (e >= '0' && e <= '7') {
          let v = cmd.charCodeAt(i++) - 48;
          for (let k = 0; k < 2 && cmd[i] >= '0' && cmd[i] <= '7'; k++) v = ((v << 3) + cmd.charCodeAt(i++) - 48) & 0xff;
          word += String.fromCharCode(v);
        } else {
          const map: Record<string, string> = { a: '\x07', b: '\b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
          word += map[e] ?? e;
          i++;
        }
        continue;
      }
      if (quote) {
        if (c === quote) quote = '';
        else word += c;
        i++;
        continue;
      }
      if (c === '"' || c === "'") {
        quote = c;
        i++;
        continue;
      }
      if (white(c)) break;
      word += c;
      i++;
    }
    if (quote) return { argv: [], problem: { kind: 'quote', quote } };
    out.push(word);
  }
  return out.length ? { argv: out } : { argv: out, problem: { kind: 'empty' } };
}


/**
 * Why keepalived cannot read `cmd` as a command line (undefined when it can): a quote without
 * its end, a backslash at the end, or no words at all. keepalived then has no script.
 */
export function unreadableCommand(cmd: string): string | undefined {
  const p = readCommand(cmd).problem;
  if (!p) return undefined;
  if (p.kind === 'empty') return 'the command line is empty';
  return p.kind === 'quote' ? `keepalived cannot read '${cmd}' (a quote without its end: ${p.quote})` : `keepalived cannot read '${cmd}' (a backslash at the end)`;
}
