/**
 * The command-line front end of bin/hactl, without oclif: find the command
 * (./resolve, with a "did you mean" for typos), serve help (./help) and
 * `hactl help ...`, refuse `--json` where a command has no JSON output, parse
 * flags with the shared parser (./parse) over the spec (./spec: the oclif
 * manifest), and run the command's handler (src/fast.ts). Commands that speak
 * another tool's syntax get their raw argv (ipvsadm's, for vs/rs/save/restore).
 * `vrrp run` keeps its own path (its fast entry, then oclif).
 */
import { UsageError } from './errors';
import { parseArgv } from './parse';
import { reportError, setJsonErrors } from './report-cli';
import { resolveCommand } from './resolve';
import { type CliSpec, type CommandSpec, loadSpec, words } from './spec';

// Help texts are rendered only when asked for.
const helpLib = () => require('./help') as typeof import('./help');
const commandHelp: typeof import('./help').commandHelp = (...a) => helpLib().commandHelp(...a);
const rootHelp: typeof import('./help').rootHelp = (...a) => helpLib().rootHelp(...a);
const topicHelp: typeof import('./help').topicHelp = (...a) => helpLib().topicHelp(...a);
const printHelp = (text: string): number => (require('./help-cli') as typeof import('./help-cli')).printHelp(text);

function helpRef(spec: CliSpec, c?: CommandSpec): string {
  return c ? `see \`${spec.bin} ${words(c.id)} --help\`` : `see \`${spec.bin} --help\``;
}

/** `hactl help [COMMAND...]`: the help text, or a UsageError for an unknown command. */
export function helpFor(spec: CliSpec, argv: string[]): string {
  const ws = argv.filter((a) => a !== '--help' && a !== '-h');
  const bad = ws.find((a) => a.startsWith('-'));
  if (bad === '--json') throw new UsageError(`\`${spec.bin} help\` has no JSON output: --json is not one of its flags`, { hint: helpRef(spec) });
  if (bad) throw new UsageError(`unknown flag ${bad}`, { hint: helpRef(spec) });
  if (ws.length === 0) return rootHelp(spec);
  const r = resolveCommand(spec, ws);
  if (r.kind === 'topic') return topicHelp(spec, r.topic);
  if (r.kind === 'command' && r.rest.length === 0) return commandHelp(spec, r.cmd);
  const typed = r.kind === 'unknown' ? r.typed : ws.join(' ');
  const suggestion = r.kind === 'unknown' ? r.suggestion : undefined;
  throw unknownCommand(spec, typed, suggestion);
}

function unknownCommand(spec: CliSpec, typed: string, suggestion: string | undefined): UsageError {
  return new UsageError(`unknown command '${typed}'${suggestion ? `: did you mean \`${spec.bin} ${suggestion}\`?` : ''}`, {
    hint: `\`${spec.bin} help\` lists the commands`,
  });
}

/**
 * --help or -h anywhere before `--`; with the command's spec also -h inside a
 * group of its boolean short flags (`genhash -vh`, as getopt-based tools such
 * as keepalived's genhash accept), unless the command has its own -h.
 */
function hasHelpFlag(argv: string[], cmd?: CommandSpec): boolean {
  const flags = cmd ? Object.values(cmd.flags) : [];
  const byChar = new Map(flags.filter((f) => f.char).map((f) => [f.char as string, f]));
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
    if (!cmd || byChar.has('h') || !/^-[^-]./.test(a)) continue;
    for (const ch of a.slice(1)) {
      if (ch === 'h') return true;
      if (byChar.get(ch)?.type !== 'boolean') break;
    }
  }
  return false;
}

/**
 * Run a command line; resolves to the exit status, or to undefined when the
 * command was handed to oclif (which sets the status itself).
 */
export async function run(root: string, argv: string[]): Promise<number | undefined> {
  let spec: CliSpec | undefined;
  let usageExit = 2;
  try {
    spec = loadSpec(root);
    if (argv.length === 0 || (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h'))) {
      return printHelp(rootHelp(spec));
    }
    if (argv[0] === 'help') {
      const own = argv.length === 2 && (argv[1] === '--help' || argv[1] === '-h') && spec.commands.help;
      return printHelp(own ? commandHelp(spec, own) : helpFor(spec, argv.slice(1)));
    }
    const r = resolveCommand(spec, argv);
    if (r.kind === 'root') throw new UsageError(`unknown flag ${argv[0]}`, { hint: helpRef(spec) });
    if (r.kind === 'unknown') throw unknownCommand(spec, r.typed, r.suggestion);
    if (r.kind === 'topic') {
      if (r.rest.length === 0 || hasHelpFlag(r.rest)) {
        return printHelp(topicHelp(spec, r.topic));
      }
      throw new UsageError(`\`${spec.bin} ${r.topic}\` needs a command before ${r.rest[0]}`, { hint: `see \`${spec.bin} help ${r.topic}\`` });
    }
    const cmd = r.cmd;
    const key = words(cmd.id);
    // `hactl ipvsadm ...` is ipvsadm's own command line, -h included.
    if (key !== 'ipvsadm' && hasHelpFlag(r.rest, cmd)) {
      return printHelp(commandHelp(spec, cmd));
    }
    const fast = require('../../fast') as typeof import('../../fast');
    const entry = fast.commands[key];
    usageExit = entry?.usageExit ?? 2;
    if (key !== 'ipvsadm' && r.rest.includes('--json')) {
      const end = r.rest.indexOf('--');
      if (end < 0 || r.rest.indexOf('--json') < end) {
        if (!Object.hasOwn(cmd.flags, 'json'))
          throw new UsageError(`\`${spec.bin} ${key}\` has no JSON output: --json is not one of its flags`, {
            hint: entry?.jsonHint ?? helpRef(spec, cmd),
            exitCode: usageExit,
          });
        setJsonErrors(true);
      }
    }
    if (!entry) {
      // Not served here (vrrp run): its own fast entry, else oclif.
      if (fast.tryFast(argv)) return undefined;
      await (require('./base') as typeof import('./base')).runOclif(root, argv);
      return undefined;
    }
    const handler = entry.load();
    if (entry.raw) return await handler(r.rest as never);
    return await handler(parseArgv(cmd, r.rest, helpRef(spec, cmd)) as never);
  } catch (e) {
    if (e instanceof UsageError && e.exitCode === 2 && usageExit !== 2) return reportError(new UsageError(e.message, { hint: e.hint, exitCode: usageExit }));
    return reportError(e);
  }
}
