/**
 * hactl(1) in roff, generated from the command spec (./spec) like help and
 * completion: `npm run build` writes man/hactl.1 (scripts/manifest.js).
 * Pure and deterministic (no date: the version names the page).
 */
import { examplesOf, flagSynopsis, flagText, texts, usageLine } from './help';
import { type CliSpec, commandList, visibleFlags } from './spec';

/** Escape text for roff: backslashes, leading dots/quotes, dashes in options. */
function esc(s: string): string {
  return s
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .split('\n')
    .map((l) => (/^[.']/.test(l) ? `\\&${l}` : l))
    .join('\n');
}

/** Exit statuses, the table README.md documents too. */
export const EXIT_STATUS: [string, string][] = [
  ['0', 'success (check: the real server is up; conf lint: clean)'],
  ['1', 'failure (check: down; arp *-status: something is missing; vs/rs/save/restore: the kernel refused the change)'],
  ['2', 'bad usage: unknown command or flag, missing or invalid value (also: no IPVS in the kernel for vs/rs/save/restore/ipvsadm)'],
  ['4', 'conf lint, conf dump: fatal (file not found); arp setup/teardown: not root'],
  ['5', 'conf lint: errors or warnings'],
  ['6', 'conf lint: script-security violation'],
  ['255', 'ipvsadm: the kernel refused the command (as ipvsadm)'],
];

export function manPage(spec: CliSpec): string {
  const b = spec.bin;
  const out: string[] = [
    `.TH ${b.toUpperCase()} 1 "" "${b} ${spec.version}" "User Commands"`,
    '.SH NAME',
    `${b} \\- ${esc(spec.description)}`,
    '.SH SYNOPSIS',
    `.B ${b}`,
    '.I COMMAND',
    '[\\fIARGS\\fR] [\\fIFLAGS\\fR]',
    '.br',
    `.B ${b} help`,
    '[\\fICOMMAND\\fR]',
    '.br',
    `.B ${b} completion`,
    '.IR bash | zsh',
    '.SH DESCRIPTION',
    esc(
      `Every command takes -h/--help. Flags and arguments may come in any order. Errors are one line on standard error (plus a "hint:" line); with --json, commands that offer JSON output also print {"error":{"message":...,"hint":...,"exitCode":...}} on standard output. A mistyped command gets the nearest real one as a suggestion.`,
    ),
    '.SH COMMANDS',
  ];
  for (const c of commandList(spec)) {
    const { summary, description: long } = texts(c);
    out.push(`.SS "${esc(usageLine(spec, c))}"`, esc(summary));
    if (long) out.push('.PP', esc(long).replace(/\n\n+/g, '\n.PP\n'));
    for (const a of Object.values(c.args)) out.push('.TP', `.I ${a.name.toUpperCase()}`, esc(a.description ?? ''));
    for (const f of visibleFlags(c)) out.push('.TP', `.B ${esc(flagSynopsis(f).trim())}`, esc(flagText(f)));
    const ex = examplesOf(spec, c);
    if (ex.length) out.push('.PP', 'Examples:', '.RS', '.nf', ...ex.map(esc), '.fi', '.RE');
  }
  out.push('.SH EXIT STATUS', ...EXIT_STATUS.flatMap(([k, v]) => ['.TP', `.B ${k}`, esc(v)]));
  out.push(
    '.SH ENVIRONMENT',
    '.TP',
    '.B NO_COLOR',
    'When set to a non\\-empty value, no colour (colour is used only on a terminal anyway).',
    '.TP',
    '.B HACTL_DEBUG',
    'When set, unexpected errors print their stack trace.',
    '.SH SEE ALSO',
    '.BR ipvsadm (8),',
    '.BR keepalived (8),',
    '.BR genhash (1)',
  );
  return `${out.join('\n')}\n`;
}
