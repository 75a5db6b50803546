/**
 * The questions `hactl vs add|edit|del` and `hactl rs add|edit|del` ask on a
 * terminal when the service or the real server is missing, and the
 * confirmations of `vs del` / `vs clear`. The flow is pure over a Prompter
 * (inquirer in real use, a script in the unit tests) and the live table; it
 * only ever adds ipvsadm-style arguments to argv, so what runs afterwards is
 * exactly what the same command line would run.
 */
import { IpvsadmArgError, type IpvsadmCommand, type ParseOptions, parseServiceArg } from './argv';
import { OPT } from './options';
import { IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP } from './constants';
import { protocolName, sortDests, sortServices } from './format';
import type { Dest, ServiceWithDests } from './types';

export interface Choice<T> {
  name: string;
  value: T;
}

export interface Prompter {
  select<T>(message: string, choices: Choice<T>[], dflt?: T): Promise<T>;
  /** validate returns true, or the message shown under the answer (then asked again). */
  input(message: string, validate: (s: string) => string | true): Promise<string>;
  confirm(message: string): Promise<boolean>;
}

export type PromptVerb = 'vs add' | 'vs edit' | 'vs del' | 'rs add' | 'rs edit' | 'rs del';

/** Nothing to choose from (no services): message and hint for the user. */
export class PromptFailure extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export interface FlowDeps {
  prompter: Prompter;
  /** The live table (read at most once). */
  table(): Promise<ServiceWithDests[]>;
  /** Parse the verb's full command line (throws IpvsadmArgError like parseIpvsadmArgs). */
  parse(argv: string[]): IpvsadmCommand;
  parseOptions?: ParseOptions;
}

/** The option ipvsadm says is missing ("You need to supply the 'X' option ..."), if that is the error. */
export function missingOption(msg: string): string | null {
  const m = /^You need to supply the '([^']+)' option for the '[^']+' command/.exec(msg);
  return m ? m[1] : null;
}

export const SCHEDULERS = ['wlc', 'rr', 'wrr', 'lc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh'];

function bracket(af: number, addr: string): string {
  return af === 10 ? `[${addr}]` : addr;
}

export function serviceLabel(s: ServiceWithDests): string {
  const name = s.fwmark ? `FWM  ${s.fwmark}${s.af === 10 ? ' IPv6' : ''}` : `${protocolName(s.protocol).padEnd(4)} ${bracket(s.af, s.addr)}:${s.port}`;
  const n = s.dests.length;
  return `${name} ${s.sched} (${n} real server${n === 1 ? '' : 's'})`;
}

/** The ipvsadm arguments naming a service. */
export function serviceArgs(s: { af: number; protocol: number; addr: string; port: number; fwmark: number }): string[] {
  if (s.fwmark) return s.af === 10 ? ['-f', String(s.fwmark), '-6'] : ['-f', String(s.fwmark)];
  const opt = s.protocol === IPPROTO_UDP ? '-u' : s.protocol === IPPROTO_SCTP ? '--sctp-service' : '-t';
  return [opt, `${bracket(s.af, s.addr)}:${s.port}`];
}

function destLabel(d: Dest): string {
  return `${bracket(d.af, d.addr)}:${d.port} weight ${d.weight}`;
}

function sameService(a: { af: number; protocol: number; addr: string; port: number; fwmark: number }, b: typeof a): boolean {
  if (a.fwmark || b.fwmark) return a.fwmark === b.fwmark && a.af === b.af;
  return a.af === b.af && a.protocol === b.protocol && a.addr === b.addr && a.port === b.port;
}

function tryParse(deps: FlowDeps, argv: string[]): IpvsadmCommand | IpvsadmArgError {
  try {
    return deps.parse(argv);
  } catch (e) {
    if (e instanceof IpvsadmArgError) return e;
    throw e;
  }
}

async function askNewService(argv: string[], deps: FlowDeps): Promise<string[]> {
  const p = deps.prompter;
  const kind = await p.select(
    'Protocol',
    [
      { name: 'TCP', value: 'tcp' },
      { name: 'UDP', value: 'udp' },
      { name: 'SCTP', value: 'sctp' },
      { name: 'firewall mark (IPv4)', value: 'fwmark' },
      { name: 'firewall mark (IPv6)', value: 'fwmark6' },
    ],
    'tcp',
  );
  let svc: string[];
  if (kind === 'fwmark' || kind === 'fwmark6') {
    const mark = await p.input('Firewall mark (1-4294967295)', (s) => (/^\d+$/.test(s.trim()) && Number(s) >= 1 && Number(s) <= 0xffffffff ? true : 'give an integer from 1 to 4294967295'));
    svc = kind === 'fwmark6' ? ['-f', mark.trim(), '-6'] : ['-f', mark.trim()];
  } else {
    const proto = kind === 'udp' ? IPPROTO_UDP : kind === 'sctp' ? IPPROTO_SCTP : IPPROTO_TCP;
    const addr = await p.input('Virtual address:port (e.g. 192.0.2.10:80, [2001:db8::10]:80)', (s) => {
      const r = parseServiceArg(s.trim(), proto, deps.parseOptions);
      if (!(r.result & 1)) return `not an address[:port]: ${s.trim() || '(empty)'}`;
      if (!(r.result & 2)) return 'give the port too, e.g. 192.0.2.10:80';
      return true;
    });
    svc = [kind === 'udp' ? '-u' : kind === 'sctp' ? '--sctp-service' : '-t', addr.trim()];
  }
  const out = [...argv, ...svc];
  const parsed = tryParse(deps, out);
  if (!(parsed instanceof IpvsadmArgError) && !parsed.options.has(OPT.SCHEDULER)) {
    const sched = await p.select(
      'Scheduler',
      SCHEDULERS.map((s) => ({ name: s === 'wlc' ? 'wlc (default)' : s, value: s })),
      'wlc',
    );
    out.push('-s', sched);
  }
  return out;
}

async function askExistingService(verb: PromptVerb, argv: string[], deps: FlowDeps): Promise<string[]> {
  const table = sortServices(await deps.table());
  if (table.length === 0) throw new PromptFailure('there are no virtual services to choose from', 'create one with `hactl vs add`');
  const what = verb === 'vs del' ? 'Virtual service to delete' : verb === 'vs edit' ? 'Virtual service to change' : 'Virtual service';
  const i = await deps.prompter.select(
    what,
    table.map((s, j) => ({ name: serviceLabel(s), value: j })),
    0,
  );
  return [...argv, ...serviceArgs(table[i])];
}

async function askDest(verb: PromptVerb, argv: string[], deps: FlowDeps): Promise<string[]> {
  const p = deps.prompter;
  if (verb === 'rs del' || verb === 'rs edit') {
    // Which service? Parse with a placeholder server of each family (a v4 one fails on a v6 service).
    let svc: IpvsadmCommand | null = null;
    for (const dummy of ['0.0.0.1', '::1']) {
      const r = tryParse(deps, [...argv, '-r', dummy]);
      if (!(r instanceof IpvsadmArgError)) {
        svc = r;
        break;
      }
    }
    const live = svc ? (await deps.table()).find((s) => sameService(s, svc.svc)) : undefined;
    if (live && live.dests.length > 0) {
      const dests = sortDests(live.dests);
      const i = await p.select(
        verb === 'rs del' ? 'Real server to delete' : 'Real server to change',
        dests.map((d, j) => ({ name: destLabel(d), value: j })),
        0,
      );
      const d = dests[i];
      return [...argv, '-r', `${bracket(d.af, d.addr)}:${d.port}`];
    }
    if (live) throw new PromptFailure(`the virtual service ${serviceLabel(live)} has no real servers`, 'add one with `hactl rs add`');
  }
  const proto = argv.includes('-u') || argv.includes('--udp-service') ? IPPROTO_UDP : IPPROTO_TCP;
  const addr = await p.input('Real server address[:port] (e.g. 198.51.100.11:8080)', (s) =>
    parseServiceArg(s.trim(), proto, deps.parseOptions).result & 1 ? true : `not an address[:port]: ${s.trim() || '(empty)'}`,
  );
  return [...argv, '-r', addr.trim()];
}

/**
 * Ask for whatever the command line lacks (service, then real server),
 * re-parsing after each answer. Returns the completed argv, or argv unchanged
 * when nothing it can ask for is missing (the caller then reports the error).
 */
export async function completeArgs(verb: PromptVerb, argv: string[], deps: FlowDeps): Promise<string[]> {
  let args = [...argv];
  for (let round = 0; round < 3; round++) {
    const r = tryParse(deps, args);
    if (!(r instanceof IpvsadmArgError)) return args;
    const missing = missingOption(r.message);
    if (missing === 'service-address') args = verb === 'vs add' ? await askNewService(args, deps) : await askExistingService(verb, args, deps);
    else if (missing === 'real-server' && verb.startsWith('rs ')) args = await askDest(verb, args, deps);
    else return args;
  }
  return args;
}

/** The question `vs clear` asks, with what it would delete. */
export function clearQuestion(table: ServiceWithDests[]): string {
  const n = table.length;
  const d = table.reduce((k, s) => k + s.dests.length, 0);
  return `Delete ALL ${n} virtual service${n === 1 ? '' : 's'} and their ${d} real server${d === 1 ? '' : 's'}?`;
}

export function delQuestion(s: ServiceWithDests): string {
  return `Delete the virtual service ${serviceLabel(s)}?`;
}

/** Prompter on @inquirer/prompts (streams injectable for tests). */
export async function inquirerPrompter(context?: { input?: NodeJS.ReadableStream; output?: NodeJS.WritableStream }): Promise<Prompter> {
  const q = await import('@inquirer/prompts');
  const ctx = context as Parameters<typeof q.confirm>[1];
  return {
    select: <T>(message: string, choices: Choice<T>[], dflt?: T) => q.select<T>({ message, choices, default: dflt, loop: false }, ctx),
    input: (message, validate) => q.input({ message, validate }, ctx),
    confirm: (message) => q.confirm({ message, default: false }, ctx),
  };
}
