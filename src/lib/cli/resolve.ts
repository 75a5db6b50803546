/**
 * Which command a command line names: the longest run of leading words that
 * is a command id, else a topic, else an unknown command with the nearest
 * real one as a suggestion. Pure (works on the spec).
 */
import { type CliSpec, type CommandSpec, topicsOf, words } from './spec';
import { closest } from './suggest';

export type Resolution =
  | { kind: 'command'; cmd: CommandSpec; rest: string[] }
  | { kind: 'topic'; topic: string; rest: string[] }
  | { kind: 'root'; rest: string[] }
  | { kind: 'unknown'; typed: string; suggestion?: string };

function leadingWords(argv: string[]): string[] {
  const out: string[] = [];
  for (const a of argv) {
    if (a.startsWith('-') || out.length === 4) break;
    out.push(a);
  }
  return out;
}

/** The nearest command or topic to `typed` (words separated by spaces). */
export function suggestCommand(spec: CliSpec, typed: string): string | undefined {
  const names = [...Object.keys(spec.commands).map(words), ...topicsOf(spec).keys()];
  const n = typed.split(' ').length;
  return closest(
    typed,
    names.filter((c) => c.split(' ').length === n),
  );
}

export function resolveCommand(spec: CliSpec, argv: string[]): Resolution {
  const ws = leadingWords(argv);
  if (ws.length === 0) return { kind: 'root', rest: argv };
  for (let n = ws.length; n > 0; n--) {
    const id = ws.slice(0, n).join(':');
    if (!Object.hasOwn(spec.commands, id)) continue;
    const cmd = spec.commands[id];
    const rest = argv.slice(n);
    // `check htp ...`: `check` is a command too, but takes no positional argument, so `htp` is a mistyped subcommand.
    const hasSub = Object.keys(spec.commands).some((k) => k.startsWith(`${id}:`));
    if (hasSub && n < ws.length && Object.keys(cmd.args).length === 0 && cmd.strict !== false) {
      const typed = ws.slice(0, n + 1).join(' ');
      return { kind: 'unknown', typed, suggestion: suggestCommand(spec, typed) };
    }
    return { kind: 'command', cmd, rest };
  }
  const topics = topicsOf(spec);
  let t = 0;
  for (let n = ws.length; n > 0 && t === 0; n--) if (topics.has(ws.slice(0, n).join(' '))) t = n;
  if (t === ws.length) return { kind: 'topic', topic: ws.join(' '), rest: argv.slice(t) };
  const typed = ws.slice(0, t + 1).join(' ');
  return { kind: 'unknown', typed, suggestion: suggestCommand(spec, typed) };
}
