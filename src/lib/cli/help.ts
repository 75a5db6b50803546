/**
 * Help text rendered from the command spec (./spec): `hactl --help`,
 * `hactl help TOPIC`, `hactl CMD --help`. Pure; the same spec feeds the
 * parser, shell completion (./completion) and the man page (./man).
 */
import { type CliSpec, type CommandSpec, commandList, compareWords, type FlagSpec, summaryOf, topicsOf, visibleFlags, words } from './spec';

function columns(rows: [string, string][], indent = '  '): string {
  const w = Math.max(0, ...rows.map((r) => r[0].length));
  return rows.map(([a, b]) => (b ? `${indent}${a.padEnd(w)}  ${b}` : `${indent}${a}`).trimEnd()).join('\n');
}

function indentBlock(text: string, indent = '  '): string {
  return text
    .split('\n')
    .map((l) => (l.trim() ? indent + l : ''))
    .join('\n');
}

/** `-s, --server=VALUE` / `    --json` */
export function flagSynopsis(f: FlagSpec): string {
  const long = `--${f.allowNo ? '[no-]' : ''}${f.name}`;
  const value = f.type === 'option' ? `=${f.helpValue ?? (f.options ? f.options.join('|') : 'VALUE')}` : '';
  return `${f.char ? `-${f.char}, ` : '    '}${long}${value}${f.multiple ? '...' : ''}`;
}

export function flagText(f: FlagSpec): string {
  const text = (f.summary ?? f.description ?? '').split('\n')[0];
  const extra: string[] = [];
  if (f.required) extra.push('required');
  if (f.default !== undefined && f.default !== false) extra.push(`default: ${String(f.default)}`);
  return extra.length ? `${text} [${extra.join(', ')}]` : text;
}

/** Summary line and long description, split the way oclif does (no summary: first line of the description). */
export function texts(c: CommandSpec): { summary: string; description: string } {
  if (c.summary) return { summary: c.summary.trim(), description: (c.description ?? '').trim() };
  const d = (c.description ?? '').trim();
  const nl = d.indexOf('\n');
  return nl < 0 ? { summary: d, description: '' } : { summary: d.slice(0, nl).trim(), description: d.slice(nl + 1).trim() };
}

export function usageLine(spec: CliSpec, c: CommandSpec): string {
  const args = Object.values(c.args).map((a) => (a.required ? a.name.toUpperCase() : `[${a.name.toUpperCase()}]`));
  if (c.strict === false && args.length > 0) args[args.length - 1] += '...';
  const required = visibleFlags(c)
    .filter((f) => f.required)
    .map((f) => `${f.char ? `-${f.char}` : `--${f.name}`}${f.type === 'option' ? ` ${f.helpValue ?? 'VALUE'}` : ''}`);
  const rest = visibleFlags(c).some((f) => !f.required) ? ['[FLAGS]'] : [];
  return [`${spec.bin} ${words(c.id)}`, ...required, ...args, ...rest].join(' ');
}

export function examplesOf(spec: CliSpec, c: CommandSpec): string[] {
  return (c.examples ?? []).map((e) => e.replace(/<%=\s*config\.bin\s*%>/g, spec.bin));
}

export function commandHelp(spec: CliSpec, c: CommandSpec): string {
  const { summary, description } = texts(c);
  const out: string[] = [summary, '', 'USAGE', `  $ ${usageLine(spec, c)}`];
  const args = Object.values(c.args);
  if (args.length) out.push('', 'ARGUMENTS', columns(args.map((a) => [a.name.toUpperCase(), a.description ?? ''])));
  const groups = new Map<string, FlagSpec[]>();
  for (const f of visibleFlags(c)) {
    const g = f.helpGroup ?? '';
    groups.set(g, [...(groups.get(g) ?? []), f]);
  }
  const ordered = [...groups.keys()].sort((a, b) => (a === '' ? -1 : b === '' ? 1 : 0));
  for (const g of ordered) out.push('', g ? `${g} FLAGS` : 'FLAGS', columns(groups.get(g)!.map((f) => [flagSynopsis(f), flagText(f)])));
  out.push('', 'GLOBAL FLAGS', columns([['-h, --help', 'Show this help.']]));
  if (description) out.push('', 'DESCRIPTION', indentBlock(description));
  const ex = examplesOf(spec, c);
  if (ex.length) out.push('', 'EXAMPLES', ...ex.map((e) => `  $ ${e}`));
  return `${out.join('\n')}\n`;
}

function listing(spec: CliSpec, prefix: string): { topics: [string, string][]; commands: [string, string][] } {
  const depth = prefix ? prefix.split(' ').length : 0;
  const topics: [string, string][] = [];
  for (const [t, d] of topicsOf(spec)) {
    const p = t.split(' ');
    if (p.length === depth + 1 && (prefix === '' || t.startsWith(`${prefix} `))) topics.push([t, d]);
  }
  const commands: [string, string][] = [];
  for (const c of commandList(spec)) {
    const w = words(c.id);
    if (w.split(' ').length === depth + 1 && (prefix === '' || w.startsWith(`${prefix} `))) commands.push([w, summaryOf(texts(c))]);
  }
  topics.sort((a, b) => compareWords(a[0], b[0]));
  return { topics, commands };
}

export function rootHelp(spec: CliSpec): string {
  const { topics, commands } = listing(spec, '');
  const out = [
    spec.description,
    '',
    'VERSION',
    `  ${spec.bin}/${spec.version}`,
    '',
    'USAGE',
    `  $ ${spec.bin} COMMAND [ARGS] [FLAGS]`,
    `  $ ${spec.bin} help [COMMAND]       help for a command (or \`${spec.bin} COMMAND --help\`)`,
    `  $ ${spec.bin} --version`,
    '',
    'TOPICS',
    columns(topics),
    '',
    'COMMANDS',
    columns(commands),
    '',
    `Exit status: 0 success, 1 failure, 2 bad usage (see \`man ${spec.bin}\`: some commands add their own).`,
  ];
  return `${out.join('\n')}\n`;
}

export function topicHelp(spec: CliSpec, topic: string): string {
  const { topics, commands } = listing(spec, topic);
  const desc = topicsOf(spec).get(topic) ?? '';
  const out = [desc, '', 'USAGE', `  $ ${spec.bin} ${topic} COMMAND`];
  if (topics.length) out.push('', 'TOPICS', columns(topics));
  out.push('', 'COMMANDS', columns(commands));
  return `${out.join('\n')}\n`;
}
