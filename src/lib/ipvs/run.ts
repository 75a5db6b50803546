/**
 * Executes parsed ipvsadm commands against the kernel with ipvsadm's output,
 * messages and exit statuses. Shared by `hactl ipvsadm`, the `vs`/`rs`
 * commands, `save` and `restore`. I/O goes through the IpvsClient and the
 * small Io interface (stdout/stderr writers, file reads).
 */
import * as fs from 'node:fs';
import { IpvsadmArgError, type IpvsadmCommand, parseIpvsadmArgs, type ParseOptions } from './argv';
import type { IpvsClient } from './client';
import { serviceKey } from './ids';
import { ipv4Scan, scanIpv4At } from '../addr';
import { ERRNO, IpvsError, IpvsUnavailableError, ipvsStrerror } from './errors';
import { Fwd, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP, SvcFlag } from './constants';
import { type Proc4, parseProcIpvs4, v4Key } from './procfs';
import {
  filesResolver,
  formatConnections,
  formatDaemons,
  formatOneService,
  formatServiceEntry,
  formatTable,
  formatTimeouts,
  type ListFormat,
  type NameResolver,
  noNames,
  sortServices,
  tableJson,
} from './format';
import type { Dest, Op, Service, ServiceWithDests } from './types';

export interface Io {
  out(s: string): void;
  err(s: string): void;
}


function readOr(path: string, dflt = ''): string {
  try {
    return fs.readFileSync(path, 'latin1');
  } catch {
    return dflt;
  }
}

let resolverCache: NameResolver | null = null;
/** /etc/hosts + /etc/services (glibc "files"), read once. */
export function systemResolver(): NameResolver {
  if (!resolverCache) resolverCache = filesResolver(readOr('/etc/hosts'), readOr('/etc/services'));
  return resolverCache;
}

/** Name lookups for parsing (named ports and hosts, from the files). */
export function systemParseOptions(): ParseOptions {
  const services = readOr('/etc/services');
  const hosts = readOr('/etc/hosts');
  return {
    serviceToPort: (name, proto) => {
      const re = new RegExp(`^(\\S+)\\s+(\\d+)/${proto}\\b(.*)$`);
      for (const raw of services.split('\n')) {
        const m = re.exec(raw.replace(/#.*/, '').trim());
        if (m && (m[1] === name || m[3].trim().split(/\s+/).includes(name))) return Number(m[2]);
      }
      return undefined;
    },
    hostToAddr: (name) => {
      for (const raw of hosts.split('\n')) {
        const f = raw.replace(/#.*/, '').trim().split(/\s+/);
        if (f.length > 1 && f.slice(1).includes(name) && /^\d+\.\d+\.\d+\.\d+$/.test(f[0])) return f[0];
      }
      return undefined;
    },
  };
}

/** The table operation an ipvsadm command performs (null for list/save/help...). */
export function commandToOp(ce: IpvsadmCommand): Op | null {
  const key = serviceKey(ce.svc);
  switch (ce.cmd) {
    case 'add-service':
      return { kind: 'add-service', svc: ce.svc };
    case 'edit-service':
      return { kind: 'edit-service', svc: ce.svc };
    case 'delete-service':
      return { kind: 'del-service', svc: key };
    case 'add-server':
      return { kind: 'add-dest', svc: key, dest: ce.dest };
    case 'edit-server':
      return { kind: 'edit-dest', svc: key, dest: ce.dest };
    case 'delete-server':
      return { kind: 'del-dest', svc: key, dest: ce.dest };
    case 'flush':
      return { kind: 'flush' };
    case 'zero':
      return ce.options.has(2) ? { kind: 'zero', svc: key } : { kind: 'zero' };
    case 'set':
      return { kind: 'set-timeout', timeouts: ce.timeouts };
    case 'start-daemon':
      return { kind: 'start-daemon', daemon: ce.daemon };
    case 'stop-daemon':
      return { kind: 'stop-daemon', daemon: ce.daemon };
    default:
      return null;
  }
}

/** Live table (services with their dests). */
export async function readTable(c: IpvsClient): Promise<ServiceWithDests[]> {
  return c.getTable();
}

export interface ListOutput {
  text: string;
  json: unknown;
}

/** ipvsadm -L / -S output (and a JSON view) for a parsed list/save command. Throws IpvsError. */
export async function listOutput(c: IpvsClient, ce: IpvsadmCommand, names?: NameResolver): Promise<ListOutput> {
  const fmt: ListFormat = { ...ce.fmt };
  const o = ce.options;
  const res = names ?? (fmt.numeric ? noNames : systemResolver());
  if (ce.cmd === 'save') {
    fmt.rule = true;
    if (fmt.numeric && !fmt.nosort) {
      const fast = await fastSave(c);
      if (fast) return fast;
    }
    const table = await c.getTableForSave();
    // The JSON view only when asked for (a big table's is costly).
    return {
      text: formatTable(table, null, fmt, res),
      get json() {
        return tableJson(table);
      },
    };
  }
  if (o.has(1)) {
    const text = readOr('/proc/net/ip_vs_conn', '');
    if (!text) throw new Error('cannot open file /proc/net/ip_vs_conn');
    return { text: formatConnections(text, fmt, res), json: text.split('\n').slice(1).filter(Boolean) };
  }
  if (o.has(2)) {
    const svc = await c.getService(serviceKey(ce.svc));
    const dests = await c.getDests(svc);
    const s = { ...svc, dests };
    return { text: formatOneService(s, fmt, res), json: tableJson([s], fmt.nosort)[0] };
  }
  if (o.has(12)) {
    const t = await c.getTimeouts();
    return { text: formatTimeouts(t), json: t };
  }
  if (o.has(13)) {
    const d = await c.getDaemons();
    return { text: formatDaemons(d), json: d.map((x) => ({ ...x, state: x.state === 1 ? 'master' : 'backup' })) };
  }
  const [info, table] = await Promise.all([c.getInfo(), c.getTable()]);
  return {
    text: formatTable(table, info, fmt, res),
    get json() {
      return { version: info.version, connTabSize: info.connTabSize, services: tableJson(table, fmt.nosort) };
    },
  };
}

const SIMPLE_FLAGS = SvcFlag.PERSISTENT | SvcFlag.ONEPACKET | SvcFlag.SCHED1 | SvcFlag.SCHED2 | SvcFlag.SCHED3;
const PROTO_OPT: Record<number, string> = { [IPPROTO_TCP]: '-t', [IPPROTO_UDP]: '-u', [IPPROTO_SCTP]: '--sctp-service' };

function v4Text(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** Dotted quad (as the codec formats it) to a number; -1 if not one. */
function v4Num(s: string): number {
  const v = scanIpv4At(s, 0, s.length);
  return ipv4Scan.end === s.length ? v : -1;
}

function procDest(p: Proc4, j: number): Dest {
  return {
    af: 2,
    addr: v4Text(p.addr[j]),
    port: p.port[j],
    fwd: p.fwd[j],
    weight: p.weight[j],
    uThresh: 0,
    lThresh: 0,
    tunType: 0,
    tunPort: 0,
    tunFlags: 0,
    activeConns: p.active[j],
    inactConns: p.inact[j],
  };
}

/** A whole /proc file as bytes (the kernel gives it a page per read). */
function readProcFile(path: string): Buffer {
  const fd = fs.openSync(path, 'r');
  try {
    let buf = Buffer.allocUnsafe(1 << 20);
    let len = 0;
    for (;;) {
      if (len === buf.length) {
        const nb = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(nb, 0, 0, len);
        buf = nb;
      }
      const n = fs.readSync(fd, buf, len, buf.length - len, null);
      if (n === 0) break;
      len += n;
    }
    return buf.subarray(0, len);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * `save -n` of a table of IPv4 TCP/UDP/SCTP services with IPv4 non-tunnel
 * destinations (the usual one): services from one netlink dump, destinations
 * from one read of /proc/net/ip_vs (parseProcIpvs4), printed straight from
 * numbers in ipvsadm's order (services by sortServices, destinations by
 * libipvs's wrapping address compare, then port). The output and the JSON
 * view are those of the general path; null (general path) for any other table.
 */
async function fastSave(c: IpvsClient): Promise<ListOutput | null> {
  const svcs = await c.getServices();
  let data: Buffer;
  try {
    data = readProcFile('/proc/net/ip_vs');
  } catch {
    return null;
  }
  return fastSaveFrom(svcs, data);
}

/** The pure part of fastSave: services (kernel order) and the contents of /proc/net/ip_vs. */
export function fastSaveFrom(svcs: Service[], data: Uint8Array | string): ListOutput | null {
  const proc = parseProcIpvs4(data);
  if (!proc || proc.svc.size !== svcs.length) return null;
  const at = new Int32Array(svcs.length);
  const idx = new Map<Service, number>();
  for (let i = 0; i < svcs.length; i++) {
    const s = svcs[i];
    const a = s.af === 2 && !s.fwmark ? v4Num(s.addr) : -1;
    const k = a >= 0 ? proc.svc.get(v4Key(s.protocol, a, s.port)) : undefined;
    if (k === undefined || PROTO_OPT[s.protocol] === undefined) return null;
    for (let j = proc.start[k]; j < proc.start[k + 1]; j++) if ((proc.fwd[j] & 7) === Fwd.TUNNEL) return null;
    at[i] = k;
    idx.set(s, i);
  }
  // The text is written as bytes into one buffer: no string per line.
  let out = Buffer.allocUnsafe(1 << 16);
  let o = 0;
  const room = (n: number) => {
    if (o + n <= out.length) return;
    const nb = Buffer.allocUnsafe(Math.max(out.length * 2, o + n));
    out.copy(nb, 0, 0, o);
    out = nb;
  };
  const str = (t: string) => {
    room(t.length);
    o += out.write(t, o, 'latin1');
  };
  const num = (v: number) => {
    if (v < 0) {
      out[o++] = 45;
      v = -v;
    }
    let d = 1;
    while (d * 10 <= v) d *= 10;
    for (; d >= 1; d /= 10) {
      const q = Math.floor(v / d);
      out[o++] = 48 + q;
      v -= q * d;
    }
  };
  const { addr, port, fwd, weight } = proc;
  const fmt: ListFormat = { rule: true, numeric: true };
  for (const s of sortServices(svcs)) {
    const k = at[idx.get(s) as number];
    const from = proc.start[k];
    const to = proc.start[k + 1];
    // Like sortDests: wrapping compare of the address, then the port, from file order.
    const order: number[] = [];
    for (let j = from; j < to; j++) order.push(j);
    if (order.length > 1) order.sort((x, y) => (addr[x] - addr[y]) | 0 || port[x] - port[y]);
    if (s.flags & SIMPLE_FLAGS || s.pe) {
      str(formatServiceEntry({ ...s, dests: order.map((j) => procDest(proc, j)) }, fmt, noNames));
      continue;
    }
    const name = `${PROTO_OPT[s.protocol]} ${s.addr}:${s.port}`;
    str(`-A ${name} -s ${s.sched}\n`);
    const head = `-a ${name} -r `;
    for (const j of order) {
      // head, a.b.c.d:port, " -m -w " / " -g -w ", weight, newline: at most 60 bytes more than head
      room(head.length + 64);
      o += out.write(head, o, 'latin1');
      const a = addr[j];
      num(a >>> 24);
      out[o++] = 46;
      num((a >>> 16) & 255);
      out[o++] = 46;
      num((a >>> 8) & 255);
      out[o++] = 46;
      num(a & 255);
      out[o++] = 58;
      num(port[j]);
      out[o++] = 32;
      out[o++] = 45;
      out[o++] = fwd[j] === Fwd.MASQ ? 109 : 103;
      out[o++] = 32;
      out[o++] = 45;
      out[o++] = 119;
      out[o++] = 32;
      num(weight[j]);
      out[o++] = 10;
    }
  }
  return {
    text: out.toString('latin1', 0, o),
    get json() {
      return tableJson(
        svcs.map((s, i) => {
          const dests: Dest[] = [];
          for (let j = proc.start[at[i]]; j < proc.start[at[i] + 1]; j++) dests.push(procDest(proc, j));
          return { ...s, dests };
        }),
      );
    },
  };
}

const VERSION = 'ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\n';

export function ipvsadmUsage(program = 'ipvsadm'): string {
  const p = program;
  return `${VERSION}Usage:
  ${p} -A|E virtual-service [-s scheduler] [-p [timeout]] [-M netmask] [--pe persistence_engine] [-b sched-flags]
  ${p} -D virtual-service
  ${p} -C
  ${p} -R
  ${p} -S [-n]
  ${p} -a|e virtual-service -r server-address [options]
  ${p} -d virtual-service -r server-address
  ${p} -L|l [virtual-service] [options]
  ${p} -Z [virtual-service]
  ${p} --set tcp tcpfin udp
  ${p} --start-daemon {master|backup} [daemon-options]
  ${p} --stop-daemon {master|backup}
  ${p} -h

Commands:
Either long or short options are allowed.
  --add-service     -A        add virtual service with options
  --edit-service    -E        edit virtual service with options
  --delete-service  -D        delete virtual service
  --clear           -C        clear the whole table
  --restore         -R        restore rules from stdin
  --save            -S        save rules to stdout
  --add-server      -a        add real server with options
  --edit-server     -e        edit real server with options
  --delete-server   -d        delete real server
  --list            -L|-l     list the table
  --zero            -Z        zero counters in a service or all services
  --set tcp tcpfin udp        set connection timeout values
  --start-daemon              start connection sync daemon
  --stop-daemon               stop connection sync daemon
  --help            -h        display this help message

virtual-service:
  --tcp-service|-t  service-address   service-address is host[:port]
  --udp-service|-u  service-address   service-address is host[:port]
  --sctp-service    service-address   service-address is host[:port]
  --fwmark-service|-f fwmark          fwmark is an integer greater than zero

Options:
  --ipv6         -6                   fwmark entry uses IPv6
  --scheduler    -s scheduler         one of rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh,
                                      the default scheduler is wlc.
  --pe            engine              alternate persistence engine may be sip,
                                      not set by default.
  --persistent   -p [timeout]         persistent service
  --netmask      -M netmask           persistent granularity mask
  --real-server  -r server-address    server-address is host (and port)
  --gatewaying   -g                   gatewaying (direct routing) (default)
  --ipip         -i                   ipip encapsulation (tunneling)
  --masquerading -m                   masquerading (NAT)
  --tun-type      type                one of ipip|gue|gre,
                                      the default tunnel type is ipip.
  --tun-port      port                tunnel destination port
  --tun-nocsum                        tunnel encapsulation without checksum
  --tun-csum                          tunnel encapsulation with checksum
  --tun-remcsum                       tunnel encapsulation with remote checksum
  --weight       -w weight            capacity of real server
  --u-threshold  -x uthreshold        upper threshold of connections
  --l-threshold  -y lthreshold        lower threshold of connections
  --connection   -c                   output of current IPVS connections
  --timeout                           output of timeout (tcp tcpfin udp)
  --daemon                            output of daemon information
  --stats                             output of statistics information
  --rate                              output of rate information
  --exact                             expand numbers (display exact values)
  --thresholds                        output of thresholds information
  --persistent-conn                   output of persistent connection info
  --tun-info                          output of tunnel information
  --nosort                            disable sorting output of service/server entries
  --sort                              does nothing, for backwards compatibility
  --ops          -o                   one-packet scheduling
  --numeric      -n                   numeric output of addresses and ports
  --sched-flags  -b flags             scheduler flags (comma-separated)
Daemon Options:
  --syncid sid                        syncid for connection sync (default=255)
  --sync-maxlen length                Max sync message length (default=1472)
  --mcast-interface interface         multicast interface for connection sync
  --mcast-group address               IPv4/IPv6 group (default=224.0.0.81)
  --mcast-port port                   UDP port (default=8848)
  --mcast-ttl ttl                     Multicast TTL (default=1)
`;
}

function opKindOf(op: Op): Op['kind'] {
  return op.kind;
}

/**
 * ipvsadm's process_options for one command line: returns the exit status
 * (0, 1 for list failures, 2 for bad usage, 255 for kernel errors).
 */
/** How a listing is produced; cli.ts passes one that resolves names through nsswitch (files, dns). */
export type ListFn = (c: IpvsClient, ce: IpvsadmCommand, io: Io) => Promise<ListOutput>;

export async function runIpvsadmArgs(
  c: IpvsClient,
  argv: string[],
  io: Io,
  opts: { readingStdin?: boolean; readStdin?: () => string; list?: ListFn } = {},
): Promise<number> {
  let ce: IpvsadmCommand;
  try {
    ce = parseIpvsadmArgs(argv, { ...systemParseOptions(), readingStdin: opts.readingStdin });
  } catch (e) {
    if (e instanceof IpvsadmArgError) {
      if (e.message) io.err(`${e.message}\n`);
      if (e.tryHelp) io.err("Try `ipvsadm -h' or 'ipvsadm --help' for more information.\n");
      if (e.exitCode === 2 && opts.readingStdin) throw new ExitRequest(2);
      return e.exitCode;
    }
    throw e;
  }
  if (ce.cmd === 'help') {
    io.out(ipvsadmUsage());
    return 0;
  }
  if (ce.cmd === 'version') {
    io.out(VERSION);
    return 0;
  }
  if (ce.cmd === 'list' || ce.cmd === 'save') {
    try {
      io.out((await (opts.list ? opts.list(c, ce, io) : listOutput(c, ce))).text);
      return 0;
    } catch (e) {
      if (e instanceof IpvsError) {
        io.err(`${e.message}\n`);
        return 1;
      }
      if (e instanceof Error && e.message.startsWith('cannot open')) {
        io.err(`${e.message}\n`);
        return 1;
      }
      throw e;
    }
  }
  if (ce.cmd === 'restore') {
    const text = opts.readStdin ? opts.readStdin() : '';
    const { ruleLines } = await import('./rules');
    let result = 0;
    for (const l of ruleLines(text)) {
      result = await runIpvsadmArgs(c, l.args, io, { readingStdin: true });
    }
    return result;
  }
  const op = commandToOp(ce);
  if (!op) return 0;
  try {
    await c.exec(op);
    return 0;
  } catch (e) {
    if (e instanceof IpvsError) {
      io.err(`${ipvsStrerror(opKindOf(op), e.errno)}\n`);
      return 255;
    }
    throw e;
  }
}

/** Thrown inside a -R stream when ipvsadm would exit() mid-stream. */
export class ExitRequest extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** ipvsadm's main(): initialise (exit 2 if IPVS is unusable), then run. */
export async function ipvsadmMain(argv: string[], io: Io, readStdin?: () => string, list?: ListFn): Promise<number> {
  const { ipvs } = await import('./client');
  let c: IpvsClient;
  try {
    c = await ipvs();
    await c.getInfo();
  } catch (e) {
    const why =
      e instanceof IpvsUnavailableError ? 'Protocol not available' : e instanceof IpvsError ? ipvsStrerror('get-info', e.errno) : e instanceof Error ? e.message : String(e);
    io.err(`Can't initialize ipvs: ${why}\nAre you sure that IP Virtual Server is built in the kernel or as module?\n`);
    return 2;
  }
  try {
    if (argv.length === 0) argv = ['-L'];
    return await runIpvsadmArgs(c, argv, io, { readStdin, list });
  } catch (e) {
    if (e instanceof ExitRequest) return e.code;
    throw e;
  } finally {
    c.close();
  }
}

export { ERRNO };
