/**
 * ipvsadm 1.31's own command line (popt semantics, the commands_v_options
 * checks, its messages and exit codes) and the -S lines' fast reading. Pure.
 * The options themselves (spellings, columns, help) are declared once in ./options;
 * the -S/-R line splitting is ./rules.
 */
import { formatIpv4, formatIpv6, INET_ATON, ipBytes } from '../addr';
import {
  AF_INET,
  AF_INET6,
  DaemonState,
  DEFAULT_PERSISTENT_TIMEOUT,
  DEFAULT_SCHEDULER,
  Fwd,
  FWD_MASK,
  IPPROTO_SCTP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  MAX_TIMEOUT,
  SVC_SCHED_FLAGS,
  SvcFlag,
  TunFlag,
} from './constants';
import type { ListFormat } from './format';
import { OPT, OPT_NAMES, OPTIONS, type OptDef, TABLE, TUN_NAMES, TUN_OPTS, TUN_TABLE } from './options';
import type { Daemon, Dest, Af, Service, Timeouts } from './types';

export type IpvsadmCmd =
  | 'add-service'
  | 'edit-service'
  | 'delete-service'
  | 'flush'
  | 'list'
  | 'add-server'
  | 'delete-server'
  | 'edit-server'
  | 'set'
  | 'start-daemon'
  | 'stop-daemon'
  | 'restore'
  | 'save'
  | 'zero'
  | 'help'
  | 'version';

const _CMD_NAMES: IpvsadmCmd[] = [
  'add-service',
  'edit-service',
  'delete-service',
  'flush',
  'list',
  'add-server',
  'delete-server',
  'edit-server',
  'set',
  'start-daemon',
  'stop-daemon',
  'restore',
  'save',
  'zero',
];

/** A command-line error: ipvsadm's message and exit status. */
export class IpvsadmArgError extends Error {
  readonly exitCode: number;
  /** Print "Try `ipvsadm -h' ..." after the message. */
  readonly tryHelp: boolean;
  constructor(message: string, exitCode = 2, tryHelp = false) {
    super(message);
    this.name = 'IpvsadmArgError';
    this.exitCode = exitCode;
    this.tryHelp = tryHelp;
  }
}

function fail(msg: string): never {
  throw new IpvsadmArgError(msg, 2);
}

export interface IpvsadmCommand {
  cmd: IpvsadmCmd;
  options: Set<number>;
  fmt: ListFormat;
  svc: Service;
  dest: Dest;
  timeouts: Timeouts;
  daemon: Daemon;
}

export interface ParseOptions {
  /** Parsing a line of a -R stream (forbids a nested -R). */
  readingStdin?: boolean;
  /** getservbyname(name, proto) → port, for named ports. */
  serviceToPort?: (name: string, proto: string) => number | undefined;
  /** gethostbyname(name) → IPv4 text, for host names. */
  hostToAddr?: (name: string) => string | undefined;
}

/** strtol(s, 10) whole-string, within [min, max], else -1 (string_to_number). */
export function stringToNumber(s: string, min: number, max: number): number {
  if (!/^[ \t\n\v\f\r]*[+-]?\d+$/.test(s)) return -1;
  const n = Number(s.trim());
  if (!Number.isFinite(n) || n < min || n > max) return -1;
  return n;
}

interface ParsedAddr {
  result: number; // 0 none, 1 addr, 3 addr+port
  af: Af;
  addr: string;
  port: number;
}

/** parse_service: host[:port], [v6]:port, v6. */
const FAST_V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?::(0|[1-9]\d{0,4}))?$/;

export function parseServiceArg(buf: string, proto: number, opts: ParseOptions = {}): ParsedAddr {
  // Common case (canonical dotted quad, decimal port): same result as the general path, much cheaper.
  const fast = FAST_V4.exec(buf);
  if (fast && (fast[5] === undefined || Number(fast[5]) <= 65535)) {
    return { result: fast[5] === undefined ? 1 : 3, af: AF_INET, addr: `${fast[1]}.${fast[2]}.${fast[3]}.${fast[4]}`, port: fast[5] === undefined ? 0 : Number(fast[5]) };
  }
  const none: ParsedAddr = { result: 0, af: AF_INET, addr: '0.0.0.0', port: 0 };
  if (/^\d*$/.test(buf)) return none;
  let s = buf;
  let portStr: string | null = null;
  if (s[0] === '[') {
    s = s.slice(1);
    const close = s.indexOf(']');
    if (close < 0) return none;
    const rest = s.slice(close + 1);
    s = s.slice(0, close);
    if (rest[0] !== ':') return none;
    portStr = rest.slice(1);
  }
  let af: Af;
  let addr: string;
  const v6 = ipBytes(s, 6);
  if (v6) {
    af = AF_INET6;
    addr = formatIpv6(v6);
  } else {
    const c = s.lastIndexOf(':');
    if (c >= 0) {
      portStr = s.slice(c + 1);
      s = s.slice(0, c);
    }
    const v4 = ipBytes(s, 4, INET_ATON);
    const viaName = v4 ? undefined : opts.hostToAddr?.(s);
    if (v4) addr = formatIpv4(v4);
    else if (viaName) addr = viaName;
    else return none;
    af = AF_INET;
  }
  let port = 0;
  let result = 1;
  if (portStr !== null) {
    result |= 2;
    const n = stringToNumber(portStr, 0, 65535);
    if (n !== -1) port = n;
    else {
      const pn = opts.serviceToPort?.(portStr, proto === IPPROTO_UDP ? 'udp' : proto === IPPROTO_SCTP ? 'sctp' : 'tcp');
      if (pn === undefined) return none;
      port = pn;
    }
  }
  return { result, af, addr, port };
}

function parseTimeout(buf: string | null, min: number, max: number): number {
  if (buf === null) return DEFAULT_PERSISTENT_TIMEOUT;
  const i = stringToNumber(buf, min, max);
  if (i === -1) fail(`invalid timeout value \`${buf}' specified`);
  return i;
}

function parseFwmark(buf: string): number {
  const ok = /^[ \t]*[+-]?\d+$/.test(buf);
  const l = ok ? Number(buf.trim()) : Number.NaN;
  if (!ok || !(l > 0) || l > 0xffffffff) fail(`invalid fwmark value \`${buf}' specified`);
  return l;
}

function parseSchedFlags(sched: string, arg: string): number {
  let flags = 0;
  const s = sched || DEFAULT_SCHEDULER;
  const list = arg.split(',').filter((x) => x !== '');
  if (list.length === 0) list.push(arg);
  for (const f of list) {
    if (f === 'flag-1') flags |= SvcFlag.SCHED1;
    else if (f === 'flag-2') flags |= SvcFlag.SCHED2;
    else if (f === 'flag-3') flags |= SvcFlag.SCHED3;
    else if (f === 'sh-fallback' || f === 'sh-port') {
      flags |= f === 'sh-fallback' ? SvcFlag.SCHED1 : SvcFlag.SCHED2;
      if (s !== 'sh') fail(`incompatible scheduler flag \`${f}'`);
    } else if (f === 'mh-fallback' || f === 'mh-port') {
      flags |= f === 'mh-fallback' ? SvcFlag.SCHED1 : SvcFlag.SCHED2;
      if (s !== 'mh') fail(`incompatible scheduler flag \`${f}'`);
    } else fail(`invalid scheduler flag \`${f}'`);
  }
  return flags;
}

interface Tok {
  def: OptDef;
  arg: string | null;
  raw: string;
}

const BY_LONG = new Map(OPTIONS.map((d) => [d.long, d]));
const BY_SHORT = new Map(OPTIONS.filter((d) => d.short).map((d) => [d.short as string, d]));

/** popt-like tokenizer: returns options in order and the leftover arguments. Throws popt errors. */
function tokenize(argv: string[]): { opts: Tok[]; rest: string[]; bad?: { opt: string; err: string; at: number } } {
  const opts: Tok[] = [];
  const rest: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const a = argv[i++];
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const def = BY_LONG.get(name);
      if (!def) return { opts, rest, bad: { opt: a, err: 'unknown option', at: opts.length } };
      let arg: string | null = null;
      if (def.arg !== 'none') {
        if (eq >= 0) arg = a.slice(eq + 1);
        else if (def.arg === 'required') {
          if (i >= argv.length) return { opts, rest, bad: { opt: a, err: 'missing argument', at: opts.length } };
          arg = argv[i++];
        } else if (i < argv.length && !argv[i].startsWith('-')) arg = argv[i++];
      }
      opts.push({ def, arg, raw: a });
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const ch = a[j];
        const def = BY_SHORT.get(ch);
        if (!def) return { opts, rest, bad: { opt: `-${ch}`, err: 'unknown option', at: opts.length } };
        if (def.arg === 'none') {
          opts.push({ def, arg: null, raw: `-${ch}` });
          continue;
        }
        const inline = a.slice(j + 1);
        let arg: string | null = null;
        if (inline !== '') arg = inline.startsWith('=') ? inline.slice(1) : inline;
        else if (def.arg === 'required') {
          if (i >= argv.length) return { opts, rest, bad: { opt: `-${ch}`, err: 'missing argument', at: opts.length } };
          arg = argv[i++];
        } else if (i < argv.length && !argv[i].startsWith('-')) arg = argv[i++];
        opts.push({ def, arg, raw: `-${ch}` });
        break;
      }
      continue;
    }
    rest.push(a);
  }
  return { opts, rest };
}

function emptyService(): Service {
  return { af: AF_INET, protocol: 0, addr: '0.0.0.0', port: 0, fwmark: 0, sched: '', flags: 0, timeout: 0, netmask: 0xffffffff, pe: '' };
}

const SAVE_SVC_OPT: Record<string, number> = { '-t': IPPROTO_TCP, '-u': IPPROTO_UDP, '--sctp-service': IPPROTO_SCTP };
const SAVE_FWD: Record<string, number> = { '-m': Fwd.MASQ, '-g': Fwd.DROUTE, '-i': Fwd.TUNNEL };
const WORD = /^[a-z]{1,15}$/;

/**
 * The two line shapes `ipvsadm -S` writes most (`-A -t A:P -s S` and
 * `-a -t A:P -r A:P -m|-g|-i -w N`), parsed without the general machinery.
 * Returns null for anything else; the result equals parseIpvsadmArgs's
 * (unit-tested against it).
 */
export function parseSavedLineFast(argv: string[]): IpvsadmCommand | null {
  const proto = SAVE_SVC_OPT[argv[1]];
  if (!proto) return null;
  const sa = parseServiceArg(argv[2], proto);
  if (sa.result !== 3 || sa.af !== AF_INET) return null;
  if (argv.length === 5 && argv[0] === '-A' && argv[3] === '-s' && WORD.test(argv[4]) && sa.port !== 0) {
    const ce = parseBase('add-service');
    ce.options.add(OPT.SERVICE).add(OPT.SCHEDULER);
    Object.assign(ce.svc, { protocol: proto, addr: sa.addr, port: sa.port, sched: argv[4] });
    return ce;
  }
  if (argv.length === 8 && argv[0] === '-a' && argv[3] === '-r' && SAVE_FWD[argv[5]] !== undefined && argv[6] === '-w') {
    const ra = parseServiceArg(argv[4], proto);
    const w = stringToNumber(argv[7], 0, 2147483647);
    if (ra.result !== 3 || ra.af !== AF_INET || w === -1 || !/^\d+$/.test(argv[7])) return null;
    const ce = parseBase('add-server');
    ce.options.add(OPT.SERVICE).add(OPT.SERVER).add(OPT.FORWARD).add(OPT.WEIGHT);
    Object.assign(ce.svc, { protocol: proto, addr: sa.addr, port: sa.port });
    const fwd = SAVE_FWD[argv[5]];
    Object.assign(ce.dest, { addr: ra.addr, port: fwd === Fwd.MASQ ? ra.port : sa.port, fwd, weight: w });
    return ce;
  }
  return null;
}

function parseBase(cmd: IpvsadmCmd): IpvsadmCommand {
  return {
    cmd,
    options: new Set<number>(),
    fmt: {},
    svc: emptyService(),
    dest: { af: AF_INET, addr: '0.0.0.0', port: 0, fwd: Fwd.DROUTE, weight: 1, uThresh: 0, lThresh: 0, tunType: 0, tunPort: 0, tunFlags: 0 },
    timeouts: { tcp: 0, tcpFin: 0, udp: 0 },
    daemon: { state: 0, ifname: '', syncId: 0 },
  };
}

/** Parse one ipvsadm command line (argv without the program name). */
export function parseIpvsadmArgs(argv: string[], popts: ParseOptions = {}): IpvsadmCommand {
  const ce: IpvsadmCommand = {
    cmd: 'list',
    options: new Set<number>(),
    fmt: {},
    svc: emptyService(),
    dest: { af: AF_INET, addr: '0.0.0.0', port: 0, fwd: Fwd.DROUTE, weight: 1, uThresh: 0, lThresh: 0, tunType: 0, tunPort: 0, tunFlags: 0 },
    timeouts: { tcp: 0, tcpFin: 0, udp: 0 },
    daemon: { state: 0, ifname: '', syncId: 0 },
  };
  const { opts, rest, bad } = tokenize(argv);
  if (opts.length === 0 || bad?.at === 0) throw new IpvsadmArgError('', 255, true);
  const first = opts[0];
  const cmdOf: Record<string, IpvsadmCmd> = {
    A: 'add-service',
    E: 'edit-service',
    D: 'delete-service',
    a: 'add-server',
    e: 'edit-server',
    d: 'delete-server',
    C: 'flush',
    L: 'list',
    Z: 'zero',
    set: 'set',
    R: 'restore',
    S: 'save',
    'start-daemon': 'start-daemon',
    'stop-daemon': 'stop-daemon',
    h: 'help',
    v: 'version',
  };
  const cmd = cmdOf[first.def.tag];
  if (!cmd) throw new IpvsadmArgError('', 255, true);
  ce.cmd = cmd;
  if (cmd === 'help' || cmd === 'version') return ce;
  if (cmd === 'start-daemon' || cmd === 'stop-daemon') {
    if (first.arg === 'master') ce.daemon.state = DaemonState.MASTER;
    else if (first.arg === 'backup') ce.daemon.state = DaemonState.BACKUP;
    else fail(cmd === 'start-daemon' ? 'illegal start-daemon parameter specified' : 'illegal start_daemon specified');
  }
  const set = (o: number) => {
    if (ce.options.has(o)) fail(`multiple '${OPT_NAMES[o]}' options specified`);
    ce.options.add(o);
  };
  let schedFlagsArg = '';
  const svc = ce.svc;
  const dest = ce.dest;
  for (let k = 1; k < opts.length; k++) {
    const { def, arg } = opts[k];
    const { tag } = def;
    const optarg = arg ?? '';
    // Every option first claims its commands_v_options column (a second use is an error).
    if (def.col) set(OPT[def.col]);
    switch (tag) {
      case 't':
      case 'u':
      case 'sctp': {
        svc.protocol = tag === 't' ? IPPROTO_TCP : tag === 'u' ? IPPROTO_UDP : IPPROTO_SCTP;
        const p = parseServiceArg(optarg, svc.protocol, popts);
        if (!(p.result & 1)) fail('illegal virtual server address[:port] specified');
        svc.af = p.af;
        svc.addr = p.addr;
        svc.port = p.port;
        if (p.af === AF_INET6) svc.netmask = 128;
        break;
      }
      case 'f':
        svc.af = AF_INET;
        svc.protocol = IPPROTO_TCP;
        svc.fwmark = parseFwmark(optarg);
        break;
      case 's':
        svc.sched = optarg.slice(0, 15);
        break;
      case 'p':
        svc.flags |= SvcFlag.PERSISTENT;
        svc.timeout = parseTimeout(arg, 1, MAX_TIMEOUT);
        break;
      case 'M':
        if (svc.af !== AF_INET6) {
          const m = ipBytes(optarg, 4, INET_ATON);
          if (!m) fail('illegal virtual server persistent mask specified');
          svc.netmask = m.readUInt32BE(0);
        } else {
          const n = Number.parseInt(optarg, 10);
          svc.netmask = Number.isNaN(n) ? 0 : n;
          if (svc.netmask < 1 || svc.netmask > 128) fail('illegal ipv6 netmask specified');
        }
        break;
      case 'r': {
        const p = parseServiceArg(optarg, svc.protocol, popts);
        if (!(p.result & 1)) fail('illegal real server address[:port] specified');
        dest.af = p.af;
        dest.addr = p.addr;
        dest.port = p.result === 1 ? svc.port : p.port;
        break;
      }
      case 'i':
        dest.fwd = Fwd.TUNNEL;
        break;
      case 'g':
        dest.fwd = Fwd.DROUTE;
        break;
      case 'm':
        dest.fwd = Fwd.MASQ;
        break;
      case 'w':
        // ipvsadm 1.31 takes any non-negative int (the kernel rejects negative weights).
        dest.weight = stringToNumber(optarg, 0, 2147483647);
        if (dest.weight === -1) fail('illegal weight specified');
        break;
      case 'x':
        dest.uThresh = stringToNumber(optarg, 0, 2147483647);
        if (dest.uThresh === -1) fail('illegal u_threshold specified');
        break;
      case 'y':
        dest.lThresh = stringToNumber(optarg, 0, 2147483647);
        if (dest.lThresh === -1) fail('illegal l_threshold specified');
        break;
      case 'c':
        break;
      case 'n':
        ce.fmt.numeric = true;
        break;
      case 'mcast-interface':
        ce.daemon.ifname = optarg.slice(0, 15);
        break;
      case 'syncid':
        ce.daemon.syncId = stringToNumber(optarg, 0, 255);
        if (ce.daemon.syncId === -1) fail('illegal syncid specified');
        break;
      case 'timeout':
        break;
      case 'daemon':
        break;
      case 'stats':
        ce.fmt.stats = true;
        break;
      case 'rate':
        ce.fmt.rate = true;
        break;
      case 'thresholds':
        ce.fmt.thresholds = true;
        break;
      case 'persistent-conn':
        ce.fmt.persistentConn = true;
        break;
      case 'nosort':
        ce.fmt.nosort = true;
        break;
      case 'sort':
        break;
      case 'X':
        ce.fmt.exact = true;
        break;
      case '6':
        if (svc.fwmark) {
          svc.af = AF_INET6;
          svc.netmask = 128;
        } else fail('-6 used before -f\n');
        break;
      case 'o':
        svc.flags |= SvcFlag.ONEPACKET;
        break;
      case 'pe':
        svc.pe = optarg.slice(0, 16);
        break;
      case 'b':
        schedFlagsArg = optarg.slice(0, 127);
        break;
      case 'mcast-group': {
        if (optarg.includes(':')) {
          const g = ipBytes(optarg, 6);
          if (g?.[0] !== 0xff) fail(`invalid IPv6 mcast-group \`${optarg}'`);
          ce.daemon.group = formatIpv6(g);
        } else {
          const g = /^\d+\.\d+\.\d+\.\d+$/.test(optarg) ? ipBytes(optarg, 4, INET_ATON) : null;
          if (!g || (g[0] & 0xf0) !== 0xe0) fail(`invalid IPv4 mcast-group \`${optarg}'`);
          ce.daemon.group = formatIpv4(g);
        }
        break;
      }
      case 'mcast-port': {
        const n = stringToNumber(optarg, 1, 65535);
        if (n === -1) fail('illegal mcast-port specified');
        ce.daemon.port = n;
        break;
      }
      case 'mcast-ttl': {
        const n = stringToNumber(optarg, 1, 255);
        if (n === -1) fail('illegal mcast-ttl specified');
        ce.daemon.ttl = n;
        break;
      }
      case 'sync-maxlen': {
        const n = stringToNumber(optarg, 1, 65535 - 20 - 8);
        if (n === -1) fail('illegal sync-maxlen specified');
        ce.daemon.maxLen = n;
        break;
      }
      case 'tun-info':
        ce.fmt.tunInfo = true;
        break;
      case 'tun-type': {
        const t = TUN_NAMES.indexOf(optarg);
        if (t < 0) fail('illegal tunnel type specified');
        dest.tunType = t;
        break;
      }
      case 'tun-port': {
        const n = stringToNumber(optarg, 1, 65535);
        if (n === -1) fail('illegal tunnel port specified');
        dest.tunPort = n;
        break;
      }
      case 'tun-nocsum':
        dest.tunFlags |= TunFlag.NOCSUM;
        break;
      case 'tun-csum':
        dest.tunFlags |= TunFlag.CSUM;
        break;
      case 'tun-remcsum':
        dest.tunFlags |= TunFlag.REMCSUM;
        break;
      default:
        // A second command word, or anything else unexpected here.
        fail(`invalid option \`${opts[k].raw}'`);
    }
  }
  if (bad) throw new IpvsadmArgError(`${bad.opt}: ${bad.err}`, 255, false);
  const args = [...rest];
  if (cmd === 'set') {
    if (args.length >= 3) {
      ce.timeouts.tcp = parseTimeout(args.shift()!, 0, MAX_TIMEOUT);
      ce.timeouts.tcpFin = parseTimeout(args.shift()!, 0, MAX_TIMEOUT);
      ce.timeouts.udp = parseTimeout(args.shift()!, 0, MAX_TIMEOUT);
    } else fail('--set option requires 3 timeout values');
  }
  if (args.length > 0) fail(`unexpected argument ${args[0]}`);
  if (schedFlagsArg) {
    svc.flags &= ~SVC_SCHED_FLAGS;
    svc.flags |= parseSchedFlags(svc.sched, schedFlagsArg);
  }
  if (cmd === 'restore' && popts.readingStdin) throw new IpvsadmArgError('', 255, true);
  genericOptCheck(cmd, ce.options);
  if (cmd === 'add-service' || cmd === 'edit-service') {
    if (!svc.fwmark && !svc.port && !(svc.flags & SvcFlag.PERSISTENT)) fail('Zero port specified for non-persistent service');
    if (svc.flags & SvcFlag.ONEPACKET && !svc.fwmark && svc.protocol !== IPPROTO_UDP) fail('One-Packet Scheduling is only for UDP virtual services');
    if (!svc.sched) svc.sched = DEFAULT_SCHEDULER;
  }
  if (cmd === 'start-daemon' && !ce.daemon.ifname) ce.daemon.ifname = 'eth0';
  const fwd = dest.fwd & FWD_MASK;
  if (cmd === 'add-server' || cmd === 'edit-server') {
    if (!svc.fwmark && (fwd === Fwd.TUNNEL || fwd === Fwd.DROUTE)) dest.port = svc.port;
    if (dest.af !== svc.af && fwd !== Fwd.TUNNEL) fail('Different address family is allowed only for tunneling servers');
    const tunOpts = [OPT.TUN_TYPE, OPT.TUN_PORT, OPT.TUN_NOCSUM, OPT.TUN_CSUM, OPT.TUN_REMCSUM].some((o) => ce.options.has(o));
    if (tunOpts && fwd !== Fwd.TUNNEL) fail('Tunnel options conflict with forward method');
    tunnelOptCheck(dest.tunType, ce.options);
  }
  if (cmd === 'list') {
    const o = ce.options;
    const a = o.has(OPT.CONNECTION) || o.has(OPT.TIMEOUT) || o.has(OPT.DAEMON);
    const b = o.has(OPT.STATS) || o.has(OPT.RATE) || o.has(OPT.THRESHOLDS);
    if ((a && b) || ((o.has(OPT.TIMEOUT) || o.has(OPT.DAEMON)) && o.has(OPT.PERSISTENTCONN))) fail('options conflicts in the list command');
  }
  return ce;
}

function genericOptCheck(cmd: IpvsadmCmd, options: Set<number>): void {
  const row = TABLE[cmd];
  if (!row) return;
  let last = 0;
  let count = 0;
  for (let j = 0; j < OPT_NAMES.length; j++) {
    const c = row[j];
    if (!options.has(j)) {
      if (c === '+') fail(`You need to supply the '${OPT_NAMES[j]}' option for the '${cmd}' command`);
    } else {
      if (c === 'x') fail(`Illegal '${OPT_NAMES[j]}' option with the '${cmd}' command`);
      if (c === '1') {
        count++;
        if (count === 1) {
          last = j;
          continue;
        }
        fail(`The option '${OPT_NAMES[j]}' conflicts with the '${OPT_NAMES[last]}' option in the '${cmd}' command`);
      }
    }
  }
}

function tunnelOptCheck(tunType: number, options: Set<number>): void {
  const row = TUN_TABLE[tunType];
  if (!row) return;
  let last = 0;
  let count = 0;
  for (let j = 0; j < TUN_OPTS.length; j++) {
    const k = TUN_OPTS[j];
    const c = row[j];
    if (!options.has(k)) {
      if (c === '+') fail(`You need to supply the '${OPT_NAMES[k]}' option for the '${TUN_NAMES[tunType]}' tunnel type`);
    } else {
      if (c === 'x') fail(`Illegal '${OPT_NAMES[k]}' option with the '${TUN_NAMES[tunType]}' tunnel type`);
      if (c === '1') {
        count++;
        if (count === 1) {
          last = k;
          continue;
        }
        fail(`The option '${OPT_NAMES[k]}' conflicts with the '${OPT_NAMES[last]}' option in the '${TUN_NAMES[tunType]}' tunnel type`);
      }
    }
  }
}
