/**
 * The `hactl vs|rs|save|restore|ipvsadm` front ends. They take raw argv (so
 * ipvsadm's option syntax, including `-p [TIMEOUT]`, works unchanged) and are
 * shared by the oclif command classes and the oclif-free fast path
 * (src/fast.ts). Output is ipvsadm's; errors are one hactl line.
 */
import { isTTY, writeStderr, writeStdout } from '../cli/stdio-cli';
import { familyOfAf, formatAddrPort } from '../addr';
import * as fs from 'node:fs';
import { colorEnabled } from '../cli/color';
import { reportFailure } from '../cli/report-cli';
import { IpvsadmArgError, type IpvsadmCommand, parseIpvsadmArgs } from './argv';
import type { IpvsClient } from './client';
import { serviceKey } from './ids';
import { IpvsError, IpvsUnavailableError } from './errors';
import { protocolName, schedFlags, tableJson } from './format';
import { OPT } from './options';
import { clearQuestion, completeArgs, delQuestion, inquirerPrompter, missingOption, PromptFailure } from './interactive';
import { commandToOp, type Io, ipvsadmMain, type ListOutput, listOutput, systemParseOptions, systemResolver } from './run';

/** The process's own streams (the IPVS front ends' output). */
export const processIo: Io = {
  out: writeStdout,
  err: writeStderr,
};
import type { ServiceWithDests } from './types';

export type Verb =
  | 'vs add'
  | 'vs edit'
  | 'vs del'
  | 'vs clear'
  | 'vs zero'
  | 'vs list'
  | 'vs timeout'
  | 'vs sync start'
  | 'vs sync stop'
  | 'vs sync status'
  | 'rs add'
  | 'rs edit'
  | 'rs del'
  | 'save';

const PREFIX: Record<Verb, string[]> = {
  'vs add': ['-A'],
  'vs edit': ['-E'],
  'vs del': ['-D'],
  'vs clear': ['-C'],
  'vs zero': ['-Z'],
  'vs list': ['-L'],
  'vs timeout': ['-L', '--timeout'],
  'vs sync start': ['--start-daemon'],
  'vs sync stop': ['--stop-daemon'],
  'vs sync status': ['-L', '--daemon'],
  'rs add': ['-a'],
  'rs edit': ['-e'],
  'rs del': ['-d'],
  save: ['-S'],
};

/** A user-facing failure: message, optional hint, exit status. */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly hint?: string,
  ) {
    super(message);
  }
}

function colorOk(stream: { isTTY?: boolean }): boolean {
  return colorEnabled(stream.isTTY, process.env);
}

/** Through the one reporter (src/lib/cli/report: the line, the hint, the JSON error with --json). */
export function printFailure(e: CliFailure, io: Io = processIo): void {
  reportFailure(e.message, e.hint, e.exitCode, io);
}

/** A CliFailure or IpvsError printed through the one reporter: its exit status; undefined for anything else. */
function reported(e: unknown, io: Io): number | undefined {
  if (e instanceof CliFailure) {
    printFailure(e, io);
    return e.exitCode;
  }
  if (e instanceof IpvsError) {
    printFailure(new CliFailure(e.message, 1), io);
    return 1;
  }
  return undefined;
}

/** Clearer wording for ipvsadm's usage messages (the original text stays recognisable). */
function clarify(verb: Verb, msg: string): CliFailure {
  const m = /^You need to supply the '([^']+)' option/.exec(msg);
  if (m) {
    const what: Record<string, string> = {
      'service-address': 'the virtual service: give -t|-u|--sctp ADDR:PORT or -f MARK',
      'real-server': 'the real server: give -r ADDR[:PORT]',
    };
    return new CliFailure(`missing ${what[m[1]] ?? `--${m[1]}`}`, 2, `see \`hactl ${verb} --help\``);
  }
  const ill = /^Illegal '([^']+)' option with the '([^']+)' command$/.exec(msg);
  if (ill) return new CliFailure(`option --${ill[1]} cannot be used with \`hactl ${verb}\``, 2, `see \`hactl ${verb} --help\``);
  return new CliFailure(msg.replace(/\n+$/, ''), 2, `see \`hactl ${verb} --help\``);
}

function isTty(): boolean {
  return !!process.stdin.isTTY && !!process.stdout.isTTY;
}

/** Split hactl-only flags from the ipvsadm-style argv. */
function takeFlags(argv: string[], names: string[]): { rest: string[]; got: Set<string> } {
  const got = new Set<string>();
  const rest: string[] = [];
  for (const a of argv) {
    if (names.includes(a)) got.add(a);
    else rest.push(a);
  }
  return { rest, got };
}

/** The IPVS client for a command line: no IPVS in the kernel is exit 2 with the modprobe hint. */
export async function openClient(): Promise<IpvsClient> {
  const { ipvs } = await import('./client');
  try {
    return await ipvs();
  } catch (e) {
    if (e instanceof IpvsUnavailableError) throw new CliFailure(e.message, 2, 'run `modprobe ip_vs` as root, or use a kernel built with CONFIG_IP_VS');
    throw e;
  }
}

function parserFor(verb: Verb): (argv: string[]) => IpvsadmCommand {
  return (argv) => parseIpvsadmArgs([...PREFIX[verb], ...argv], systemParseOptions());
}

/** On a TTY, ask for what is missing; without one (or nothing to ask), null. */
async function promptMissing(verb: Verb, argv: string[], err: IpvsadmArgError): Promise<string[] | null> {
  if (!missingOption(err.message) || !isTty()) return null;
  if (verb !== 'vs add' && verb !== 'vs edit' && verb !== 'vs del' && verb !== 'rs add' && verb !== 'rs edit' && verb !== 'rs del') return null;
  const c = await openClient();
  let table: Promise<ServiceWithDests[]> | null = null;
  const more = await completeArgs(verb, argv, {
    prompter: await inquirerPrompter(),
    table: () => {
      table ??= c.getTable();
      return table;
    },
    parse: parserFor(verb),
    parseOptions: systemParseOptions(),
  });
  return more;
}

/** `vs del` / `vs clear`: --yes, or a terminal to ask on. */
async function confirm(ce: IpvsadmCommand, yes: boolean, verb: Verb): Promise<void> {
  if (yes) return;
  if (!isTty()) throw new CliFailure(`\`hactl ${verb}\` needs confirmation: add --yes (no terminal to ask on)`, 2);
  const c = await openClient();
  let question: string;
  if (ce.cmd === 'flush') {
    const table = await c.getTable();
    if (table.length === 0) return; // nothing to lose
    question = clearQuestion(table);
  } else {
    // Fails with "No such service" before asking about a service that does not exist.
    const svc = await c.getService(serviceKey(ce.svc));
    question = delQuestion({ ...svc, dests: await c.getDests(serviceKey(ce.svc)) });
  }
  const ok = await (await inquirerPrompter()).confirm(question);
  if (!ok) throw new CliFailure('cancelled: nothing was changed', 1);
}

function renderPretty(table: ServiceWithDests[], tty: boolean): string {
  const Table = require('cli-table3') as new (o: object) => { push(r: unknown[]): void; toString(): string };
  const t = new Table({
    head: ['Service', 'Scheduler', 'Flags', 'Real server', 'Forward', 'Weight', 'Active', 'Inactive'],
    style: tty ? {} : { head: [], border: [] },
  });
  const rows = tableJson(table) as Array<Record<string, unknown>>;
  table.forEach((s, i) => {
    const r = rows[i] as { dests: Array<Record<string, unknown>> };
    const flags = [schedFlags(s), s.flags & 1 ? `persistent ${s.timeout}` : '', s.flags & 4 ? 'ops' : '', s.pe ? `pe ${s.pe}` : ''].filter(Boolean).join(' ');
    const name = s.fwmark ? `FWM ${s.fwmark}${s.af === 10 ? ' IPv6' : ''}` : `${protocolName(s.protocol)} ${formatAddrPort(familyOfAf(s.af), s.addr, s.port)}`;
    if (r.dests.length === 0) t.push([name, s.sched, flags, '', '', '', '', '']);
    r.dests.forEach((d, j) => {
      const addr = formatAddrPort(d.family === 'inet6' ? 6 : 4, String(d.address), Number(d.port));
      t.push([j === 0 ? name : '', j === 0 ? s.sched : '', j === 0 ? flags : '', addr, d.forward, d.weight, d.activeConns, d.inactiveConns]);
    });
  });
  return `${t.toString()}\n`;
}

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'latin1');
  } catch {
    return null;
  }
}

/** Milliseconds hactl waits for DNS answers (ipvsadm waits for every resolver timeout). */
const DNS_TIMEOUT_MS = Number(process.env.HACTL_DNS_TIMEOUT_MS) > 0 ? Number(process.env.HACTL_DNS_TIMEOUT_MS) : 2000;

/**
 * A listing without -n names hosts the way gethostbyaddr does (the `hosts:`
 * sources of /etc/nsswitch.conf, see ./names). The listing is rendered once
 * while recording the addresses it names; only if some need DNS is it
 * rendered again with the answers.
 */
export async function namedListOutput(c: IpvsClient, ce: IpvsadmCommand, io: Io): Promise<ListOutput> {
  if (ce.fmt.numeric || ce.options.has(OPT.TIMEOUT) || ce.options.has(OPT.DAEMON)) return listOutput(c, ce);
  const { hostSources, usesDns, lookupHostNoDns, lookupHosts, dnsReverse } = await import('./names');
  const files = systemResolver();
  const sources = hostSources(readOrNull('/etc/nsswitch.conf'));
  const pending = new Map<string, { af: number; addr: string }>();
  const first = {
    host: (af: number, addr: string) => {
      const r = lookupHostNoDns(af, addr, sources, files.host);
      if (r.needsDns) pending.set(`${af}/${addr}`, { af, addr });
      return r.name;
    },
    service: files.service,
  };
  const once = await listOutput(c, ce, first);
  if (pending.size === 0 || !usesDns(sources)) return once;
  const dns = dnsReverse({ timeoutMs: Math.min(1000, DNS_TIMEOUT_MS), deadlineMs: DNS_TIMEOUT_MS });
  try {
    const got = await lookupHosts([...pending.values()], sources, { files: files.host, dns: dns.dns });
    if (got.timedOut.length > 0)
      io.err(
        `hactl: warning: no DNS answer within ${DNS_TIMEOUT_MS / 1000} s for ${got.timedOut.length === 1 ? got.timedOut[0] : `${got.timedOut.length} addresses`}: shown as numbers (use -n to skip name lookups)\n`,
      );
    if (got.names.size === 0) return once;
    return await listOutput(c, ce, { host: (af, addr) => got.names.get(`${af}/${addr}`) ?? first.host(af, addr), service: files.service });
  } finally {
    dns.close();
  }
}

/**
 * `hactl vs ...`, `hactl rs ...`, `hactl save`: ipvsadm semantics with hactl
 * errors. Returns the exit status.
 */
export async function vsMain(verb: Verb, rawArgv: string[], io: Io = processIo): Promise<number> {
  try {
    return await vsRun(verb, rawArgv, io);
  } catch (e) {
    const code = reported(e, io);
    if (code !== undefined) return code;
    if (e instanceof PromptFailure) {
      printFailure(new CliFailure(e.message, 1, e.hint), io);
      return 1;
    }
    if (e instanceof Error && (e.name === 'ExitPromptError' || e.name === 'AbortPromptError')) {
      printFailure(new CliFailure('cancelled: nothing was changed', 1), io);
      return 1;
    }
    printFailure(new CliFailure(e instanceof Error ? e.message : String(e), 1), io);
    return 1;
  } finally {
    const { closeIpvs } = await import('./client');
    await closeIpvs();
  }
}

async function vsRun(verb: Verb, rawArgv: string[], io: Io): Promise<number> {
  const { rest, got } = takeFlags(rawArgv, ['--json', '--pretty', '--yes', '-y']);
  let argv = rest;
  // `-y` is ipvsadm's --l-threshold; only treat it as --yes for the commands without thresholds.
  if (got.has('-y') && (verb === 'rs add' || verb === 'rs edit')) argv = rawArgv.filter((a) => a !== '--json' && a !== '--pretty' && a !== '--yes');
  const yes = got.has('--yes') || (got.has('-y') && verb !== 'rs add' && verb !== 'rs edit');
  if (verb === 'vs timeout' && argv.includes('--set')) {
    argv = argv.filter((a) => a !== '--set');
    checkTimeouts(argv);
    return vsApply(verb, ['--set', ...argv], io);
  }
  if (verb === 'vs timeout' && argv.length > 0) throw new CliFailure(`unexpected argument '${argv[0]}'`, 2, 'to change the timeouts: `hactl vs timeout --set TCP TCPFIN UDP`');
  if ((verb === 'vs sync start' || verb === 'vs sync stop') && !argv.some((a) => a === 'master' || a === 'backup'))
    throw new CliFailure(`\`hactl ${verb}\` needs the sync daemon's role: master or backup`, 2, `e.g. \`hactl ${verb} master --mcast-interface eth1\``);
  let ce: IpvsadmCommand;
  try {
    ce = parseIpvsadmArgs([...PREFIX[verb], ...argv], systemParseOptions());
  } catch (e) {
    if (!(e instanceof IpvsadmArgError)) throw e;
    if (e.tryHelp || e.exitCode === 255) throw new CliFailure(e.message || `unexpected argument in: ${argv.join(' ')}`, 2, `see \`hactl ${verb} --help\``);
    const more = await promptMissing(verb, argv, e);
    if (!more) throw clarify(verb, e.message);
    try {
      ce = parserFor(verb)(more);
    } catch (e2) {
      if (e2 instanceof IpvsadmArgError) throw clarify(verb, e2.message);
      throw e2;
    }
  }
  if (ce.cmd === 'list' || ce.cmd === 'save') {
    const c = await openClient();
    const res = await namedListOutput(c, ce, io);
    if (got.has('--json')) io.out(`${JSON.stringify(res.json, null, 2)}\n`);
    else if (got.has('--pretty') && !ce.options.has(OPT.CONNECTION) && !ce.options.has(OPT.TIMEOUT) && !ce.options.has(OPT.DAEMON)) {
      const table = ce.options.has(OPT.SERVICE) ? [{ ...(await c.getService(serviceKey(ce.svc))), dests: await c.getDests(serviceKey(ce.svc)) }] : await c.getTable();
      io.out(renderPretty(ce.options.has(OPT.SERVICE) ? table : (await import('./format')).sortServices(table), colorOk({ isTTY: isTTY(1) })));
    } else io.out(res.text);
    return 0;
  }
  if (ce.cmd === 'delete-service' || ce.cmd === 'flush') await confirm(ce, yes, verb);
  const op = commandToOp(ce);
  if (!op) return 0;
  const c = await openClient();
  await c.exec(op);
  return 0;
}

/** `vs timeout --set TCP TCPFIN UDP`: three whole numbers of seconds (0 keeps a value), checked before ipvsadm's parser sees them. */
function checkTimeouts(argv: string[]): void {
  const hint = 'e.g. `hactl vs timeout --set 900 120 300` (0 keeps a value)';
  if (argv.length !== 3) throw new CliFailure(`--set needs three timeouts, TCP TCPFIN UDP (got ${argv.length})`, 2, hint);
  const names = ['TCP', 'TCPFIN', 'UDP'];
  argv.forEach((a, i) => {
    if (!/^\d+$/.test(a) || Number(a) > 2147483647) throw new CliFailure(`invalid ${names[i]} timeout '${a}' (expected whole seconds, 0 to keep the current value)`, 2, hint);
  });
}

async function vsApply(verb: Verb, argv: string[], _io: Io): Promise<number> {
  let ce: IpvsadmCommand;
  try {
    ce = parseIpvsadmArgs(argv, systemParseOptions());
  } catch (e) {
    if (e instanceof IpvsadmArgError) throw clarify(verb, e.message || 'bad arguments');
    throw e;
  }
  const op = commandToOp(ce);
  if (!op) return 0;
  const c = await openClient();
  await c.exec(op);
  return 0;
}

/** `hactl ipvsadm ARGS...`: ipvsadm itself. */
export async function ipvsadmFast(argv: string[]): Promise<number> {
  const code = await ipvsadmMain(argv, processIo, () => fs.readFileSync(0, 'latin1'), namedListOutput);
  return code;
}

/** Fast-path entry for a verb (see src/fast.ts). */
export function fast(verb: Verb): (argv: string[]) => Promise<number> {
  return (argv) => vsMain(verb, argv);
}

/** `hactl restore [FILE|-] [--append] [--dry-run] [--json]`. */
export async function restoreMain(rawArgv: string[], io: Io = processIo): Promise<number> {
  try {
    const { rest, got } = takeFlags(rawArgv, ['--append', '--dry-run', '--json', '-n']);
    const unknown = rest.filter((a) => a.startsWith('-') && a !== '-');
    if (unknown.length) throw new CliFailure(`unknown option ${unknown[0]}`, 2, 'see `hactl restore --help`');
    if (rest.length > 1) throw new CliFailure(`one FILE at most, got: ${rest.join(' ')}`, 2, 'see `hactl restore --help`');
    const { readRules, restoreRun } = await import('./restore');
    if ((rest[0] === undefined || rest[0] === '-') && process.stdin.isTTY)
      throw new CliFailure('no rules: give a FILE, or pipe them in (standard input is a terminal)', 2, 'e.g. `hactl save -n > rules; hactl restore rules`');
    let text: string;
    try {
      text = readRules(rest[0]);
    } catch (e) {
      throw new CliFailure(`cannot read ${rest[0] ?? 'standard input'}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 2);
    }
    const c = await openClient();
    return await restoreRun(c, text, { append: got.has('--append'), dryRun: got.has('--dry-run'), json: got.has('--json') }, io);
  } catch (e) {
    const code = reported(e, io);
    if (code !== undefined) return code;
    throw e;
  } finally {
    const { closeIpvs } = await import('./client');
    await closeIpvs();
  }
}
