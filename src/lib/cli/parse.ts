/**
 * The flag parser every hactl command shares (except those that speak another
 * tool's syntax: ipvsadm's for vs/rs/save/restore/ipvsadm): argv against a
 * CommandSpec (./spec). Flags and positional arguments in any order, `--x=v`,
 * `--x v`, `-c v`, `-cv`, clusters of boolean short flags (`-SI`), `--`.
 * Pure; every problem is a UsageError naming the flag with its dashes.
 */
import { UsageError } from './errors';
import type { CommandSpec, FlagSpec } from './spec';
import { closest } from './suggest';

export interface Parsed {
  flags: Record<string, unknown>;
  args: Record<string, string | undefined>;
  /** every positional argument, in order */
  argv: string[];
}

/** `--name` / `-c, --name` as the user can type it. */
export function flagLabel(f: FlagSpec): string {
  return f.char ? `-${f.char}/--${f.name}` : `--${f.name}`;
}

function argLabel(name: string): string {
  return name.toUpperCase();
}

export function parseArgv(cmd: CommandSpec, argv: string[], helpRef: string): Parsed {
  const flags: Record<string, unknown> = {};
  const positionals: string[] = [];
  const byChar = new Map<string, FlagSpec>();
  for (const f of Object.values(cmd.flags)) if (f.char) byChar.set(f.char, f);
  // A value may start with '-' (`--retry -1` is then a bad value), but not be one of the command's long flags.
  const isFlag = (a: string) => a === '--help' || (a.startsWith('--') && Object.hasOwn(cmd.flags, a.slice(2).split('=')[0]));
  const usage = (message: string, hint?: string) => new UsageError(message, { hint: hint ?? helpRef });

  const set = (f: FlagSpec, value: string | boolean, typed: string) => {
    if (f.type === 'boolean') {
      if (Object.hasOwn(flags, f.name) && flags[f.name] !== value) throw usage(`${flagLabel(f)} given twice with opposite values`);
      flags[f.name] = value;
      return;
    }
    const v = value as string;
    if (f.options && !f.options.includes(v)) throw usage(`${typed} must be one of ${f.options.join(', ')} (got '${v}')`);
    if (f.multiple) {
      const list = (flags[f.name] as string[] | undefined) ?? [];
      list.push(v);
      flags[f.name] = list;
    } else {
      if (Object.hasOwn(flags, f.name)) throw usage(`${flagLabel(f)} can be given only once`);
      flags[f.name] = v;
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      let f: FlagSpec | undefined = Object.hasOwn(cmd.flags, name) ? cmd.flags[name] : undefined;
      let negated = false;
      if (!f && name.startsWith('no-') && Object.hasOwn(cmd.flags, name.slice(3)) && cmd.flags[name.slice(3)].allowNo) {
        f = cmd.flags[name.slice(3)];
        negated = true;
      }
      if (!f) {
        const near = closest(
          name,
          Object.values(cmd.flags)
            .filter((x) => !x.hidden)
            .map((x) => x.name),
        );
        throw usage(`unknown flag --${name}`, near ? `did you mean --${near}? (${helpRef})` : helpRef);
      }
      if (f.type === 'boolean') {
        if (eq >= 0) throw usage(`--${f.name} takes no value (got '${a.slice(eq + 1)}')`);
        set(f, !negated, `--${f.name}`);
      } else if (eq >= 0) set(f, a.slice(eq + 1), `--${f.name}`);
      else {
        if (i + 1 >= argv.length || isFlag(argv[i + 1])) throw usage(`--${f.name} needs a value${f.helpValue ? ` (${f.helpValue})` : ''}`);
        set(f, argv[++i], `--${f.name}`);
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      // -c, -cVALUE, -c VALUE, -abc (booleans)
      for (let j = 1; j < a.length; j++) {
        const ch = a[j];
        const f = byChar.get(ch);
        if (!f) throw usage(j === 1 ? `unknown flag -${ch}` : `unknown flag -${ch} (in ${a})`);
        if (f.type === 'boolean') {
          set(f, true, `-${ch}`);
          continue;
        }
        const rest = a.slice(j + 1);
        if (rest !== '') set(f, rest.startsWith('=') ? rest.slice(1) : rest, `-${ch}`);
        else {
          if (i + 1 >= argv.length || isFlag(argv[i + 1])) throw usage(`-${ch}/--${f.name} needs a value${f.helpValue ? ` (${f.helpValue})` : ''}`);
          set(f, argv[++i], `-${ch}`);
        }
        break;
      }
      continue;
    }
    positionals.push(a);
  }

  const argSpecs = Object.values(cmd.args);
  const args: Record<string, string | undefined> = {};
  argSpecs.forEach((s, k) => {
    args[s.name] = positionals[k];
    if (positionals[k] === undefined && s.required) {
      throw usage(`missing ${argLabel(s.name)}${s.description ? `: ${s.description.charAt(0).toLowerCase()}${s.description.slice(1)}` : ''}`);
    }
    if (positionals[k] !== undefined && s.options && !s.options.includes(positionals[k]))
      throw usage(`${argLabel(s.name)} must be one of ${s.options.join(', ')} (got '${positionals[k]}')`);
  });
  if (cmd.strict !== false && positionals.length > argSpecs.length) {
    const extra = positionals[argSpecs.length];
    throw usage(argSpecs.length === 0 ? `unexpected argument '${extra}': this command takes flags only` : `unexpected argument '${extra}'`);
  }
  for (const f of Object.values(cmd.flags)) {
    if (Object.hasOwn(flags, f.name)) continue;
    if (f.required) throw usage(`missing required flag ${flagLabel(f)}`);
    if (f.default !== undefined) flags[f.name] = f.multiple && !Array.isArray(f.default) ? [f.default] : f.default;
    else if (f.type === 'boolean') flags[f.name] = false;
  }
  return { flags, args, argv: positionals };
}
