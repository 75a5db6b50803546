/**
 * keepalived.conf model (src/lib/conf/model.ts) -> LvsSpec, with the
 * defaults and corrections keepalived 2.2.7 applies in its check_data
 * validation (default scheduler wlc, NAT, UDP when no protocol is given, weight 1, quorum clamped to the
 * total weight, hysteresis < quorum, real-server ports for DR/TUN, persistence
 * forced on zero-port services, ops only with UDP or fwmark). Pure.
 */
import { AF_INET, AF_INET6, Fwd, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP, SvcFlag } from '../ipvs/constants';
import { destTextId } from '../ipvs/ids';
import { familyOfName, formatIp, ipBytes } from '../addr';
import type * as M from '../conf/model';
import { fileCheckOptions } from '../check/from-conf';
import { scriptUserFor } from '../proc/user';
import {
  type CheckerSpec,
  type Af,
  fmtTrio,
  type LvsSpec,
  type LvsSyncDaemonSpec,
  type RealServerSpec,
  type ServiceKey,
  type FifoSetup,
  type ScriptSpec,
  type SorryServerSpec,
  type VirtualServerSpec,
} from './types';

/** What a CheckerSpec's `options` holds when built from the configuration. */
export interface ConfCheckerOptions {
  checker: M.Checker;
  rs: M.RealServer;
  vs: M.VirtualServer;
  /** Real server address/port as IPVS sees it (the default connect_ip/connect_port). */
  addr: string;
  port: number;
  /** The global `SSL { }` block, for SSL_GET. */
  ssl?: M.SslDefs;
  /** global_defs script_user: MISC_CHECK's user when it has no `user`. */
  scriptUser?: { user: string; group?: string };
}

export interface FromConfigResult {
  spec: LvsSpec;
  warnings: string[];
}

const KEEPALIVED_DEFAULT_DELAY_S = 60;
const IPVS_SVC_PERSISTENT_TIMEOUT = 360;

function famNum(f: M.FamilyName | undefined): Af {
  return f === 'inet6' ? AF_INET6 : AF_INET;
}

function fwdOf(kind: string | undefined): number | undefined {
  switch ((kind ?? '').toUpperCase()) {
    case 'NAT':
      return Fwd.MASQ;
    case 'DR':
      return Fwd.DROUTE;
    case 'TUN':
      return Fwd.TUNNEL;
    default:
      return undefined;
  }
}

/** keepalived 2.2.7 installs a service without `protocol` as UDP (checked against it in the IPVS VM). */
function protoNum(p: string | undefined): number {
  return p === 'TCP' ? IPPROTO_TCP : p === 'SCTP' ? IPPROTO_SCTP : IPPROTO_UDP;
}

function protoName(n: number): 'tcp' | 'udp' | 'sctp' | 'none' {
  return n === IPPROTO_TCP ? 'tcp' : n === IPPROTO_UDP ? 'udp' : n === IPPROTO_SCTP ? 'sctp' : 'none';
}

function schedFlags(flags: string[]): number {
  let f = 0;
  for (const raw of flags) {
    const x = raw.replace(/_/g, '-');
    if (x === 'flag-1' || x === 'sh-fallback' || x === 'mh-fallback') f |= SvcFlag.SCHED1;
    else if (x === 'flag-2' || x === 'sh-port' || x === 'mh-port') f |= SvcFlag.SCHED2;
    else if (x === 'flag-3') f |= SvcFlag.SCHED3;
  }
  return f;
}

/** IPv4 dotted mask -> host-order u32; a number for IPv4 is taken as a prefix length. */
function netmaskOf(g: M.IpAddress | number | undefined, af: Af): number | undefined {
  if (g === undefined) return undefined;
  if (typeof g === 'number') {
    if (af === AF_INET6) return g;
    return g <= 0 ? 0 : g >= 32 ? 0xffffffff : (0xffffffff << (32 - g)) >>> 0;
  }
  if (g.family === 'inet6' || af === AF_INET6) return g.prefix ?? 128;
  return ipBytes(g.address, 4)?.readUInt32BE(0);
}

/** Expand a last-octet (IPv4) or last-hextet (IPv6) range: 192.0.2.1-10. */
export function expandRange(address: string, family: M.FamilyName, rangeEnd: number | undefined): string[] {
  if (rangeEnd === undefined) return [address];
  const b = ipBytes(address, familyOfName(family));
  if (!b) return [address];
  // the last byte (IPv4) or the last 16-bit group (IPv6) runs up to rangeEnd
  const out: string[] = [];
  const v4 = b.length === 4;
  for (let i = v4 ? b[3] : b.readUInt16BE(14); i <= rangeEnd && i <= (v4 ? 255 : 0xffff); i++) {
    if (v4) b[3] = i;
    else b.writeUInt16BE(i, 14);
    out.push(formatIp(b));
  }
  return out;
}

function checkerSpecs(
  vs: M.VirtualServer,
  rs: M.RealServer,
  addr: string,
  port: number,
  warnings: string[],
  where: string,
  ssl?: M.SslDefs,
  trackFiles: readonly M.TrackFile[] = [],
  scriptUser?: { user: string; group?: string },
): CheckerSpec[] {
  const out: CheckerSpec[] = [];
  const counts = new Map<string, number>();
  for (const c of rs.checkers) {
    const n = counts.get(c.kind) ?? 0;
    counts.set(c.kind, n + 1);
    if (c.kind === 'FILE_CHECK') {
      const options = fileCheckOptions(c, rs, trackFiles);
      if (typeof options === 'string') {
        warnings.push(`${where}: ${options}; the checker is ignored`);
        continue;
      }
      const delayS = c.delay_loop ?? rs.delay_loop ?? vs.delay_loop ?? KEEPALIVED_DEFAULT_DELAY_S;
      // keepalived reads the file at start and only adds the real server when the status is good:
      // alpha (starts down) with an immediate first read. Later changes: fs.watch plus a poll every delay_loop.
      const spec: CheckerSpec & { warmupMs?: number } = {
        id: `${c.kind}#${n}`,
        type: c.kind,
        delayLoopMs: Math.round(delayS * 1000),
        alpha: true,
        options,
        warmupMs: 0,
      };
      out.push(spec);
      continue;
    }
    if (c.kind === 'BFD_CHECK') {
      warnings.push(`${where}: ${c.kind} is not supported by hactl; the checker is ignored`);
      continue;
    }
    const delayS = c.delay_loop ?? rs.delay_loop ?? vs.delay_loop ?? KEEPALIVED_DEFAULT_DELAY_S;
    const warmupS = c.warmup ?? rs.warmup ?? vs.warmup;
    const spec: CheckerSpec & { warmupMs?: number } = {
      id: `${c.kind}#${n}`,
      type: c.kind,
      delayLoopMs: Math.round(delayS * 1000),
      alpha: c.alpha ?? rs.alpha ?? vs.alpha ?? false,
      options: { checker: c, rs, vs, addr, port, ssl, scriptUser } satisfies ConfCheckerOptions,
    };
    if (warmupS !== undefined) spec.warmupMs = Math.round(warmupS * 1000);
    out.push(spec);
  }
  return out;
}

/** A notify script and who runs it: its own user/group, else global_defs script_user (keepalived notify_script_init). */
function scriptSpec(r: M.ScriptRef | undefined, cfg: M.KeepalivedConfig): ScriptSpec | undefined {
  if (!r?.command) return undefined;
  const s: ScriptSpec = { command: r.command };
  const u = scriptUserFor(r, cfg.global_defs.script_user);
  if (u?.user) s.user = u.user;
  if (u?.group) s.group = u.group;
  return s;
}

export function lvsSpecFromConfig(cfg: M.KeepalivedConfig): FromConfigResult {
  const warnings: string[] = [];
  const groups = new Map(cfg.virtual_server_groups.map((g) => [g.name, g]));
  const vss: VirtualServerSpec[] = [];
  const seen = new Set<string>();

  for (const vs of cfg.virtual_servers) {
    const where = `${vs.pos.file}:${vs.pos.line}`;
    let services: ServiceKey[] = [];
    let id: string;
    let proto = 0;
    const vips: string[] = [];
    const rsFamily = vs.real_servers[0]?.address.family ?? vs.sorry_server?.address.family;
    let af: Af = famNum(vs.ip_family ?? vs.address?.family ?? rsFamily);
    let vsPort = 0;
    let isFwmark = false;
    if (vs.group !== undefined) {
      const g = groups.get(vs.group);
      if (!g) {
        warnings.push(`${where}: virtual_server_group ${vs.group} does not exist; virtual server ignored`);
        continue;
      }
      id = `[${vs.group}]:0`;
      const addrEntries = g.entries.filter((e) => e.address);
      proto = addrEntries.length ? protoNum(vs.protocol) : 0;
      if (!vs.ip_family && addrEntries[0]?.address) af = famNum(addrEntries[0].address.family);
      for (const e of g.entries) {
        if (e.fwmark !== undefined) {
          services.push({ af, protocol: 0, addr: af === AF_INET6 ? '::' : '0.0.0.0', port: 0, fwmark: e.fwmark });
        } else if (e.address) {
          for (const a of expandRange(e.address.address, e.address.family, e.range_end)) {
            services.push({ af: famNum(e.address.family), protocol: proto, addr: a, port: e.port ?? 0, fwmark: 0 });
            vips.push(a);
          }
        }
      }
    } else if (vs.fwmark !== undefined) {
      isFwmark = true;
      id = `FWM ${vs.fwmark}`;
      services = [{ af, protocol: 0, addr: af === AF_INET6 ? '::' : '0.0.0.0', port: 0, fwmark: vs.fwmark }];
    } else if (vs.address) {
      proto = protoNum(vs.protocol);
      vsPort = vs.port ?? 0;
      id = fmtTrio(vs.address.address, protoName(proto), vsPort);
      services = [{ af, protocol: proto, addr: vs.address.address, port: vsPort, fwmark: 0 }];
      vips.push(vs.address.address);
    } else {
      warnings.push(`${where}: virtual_server without address, fwmark or group; ignored`);
      continue;
    }
    if (seen.has(id)) {
      warnings.push(`${where}: virtual server ${id} defined twice; the second is ignored`);
      continue;
    }
    seen.add(id);

    let persistenceTimeout = vs.persistence_timeout ?? 0;
    if (!persistenceTimeout && vs.group === undefined && !isFwmark && vsPort === 0) {
      warnings.push(`${where}: virtual server ${id}: zero port only valid for persistent services - setting`);
      persistenceTimeout = IPVS_SVC_PERSISTENT_TIMEOUT;
    }
    if (!persistenceTimeout && vs.group !== undefined && services.some((s) => !s.fwmark && s.port === 0)) persistenceTimeout = IPVS_SVC_PERSISTENT_TIMEOUT;

    let flags = schedFlags(vs.lb_flags);
    if (vs.ops) {
      const anyFwmark = services.some((s) => s.fwmark);
      if (proto === IPPROTO_UDP || anyFwmark) flags |= SvcFlag.ONEPACKET;
      else warnings.push(`${where}: virtual server ${id}: one packet scheduling requires UDP - resetting`);
    }
    const vsFwd = fwdOf(vs.lb_kind) ?? Fwd.MASQ;
    const allFwmark = services.every((s) => s.fwmark);

    const realServers: RealServerSpec[] = [];
    const rsSeen = new Set<string>();
    for (const rs of vs.real_servers) {
      const fwd = vsFwd;
      let port = rs.port ?? 0;
      if (fwd === Fwd.MASQ) {
        if (!allFwmark && port === 0 && vs.group === undefined) port = vsPort;
      } else if (allFwmark) port = 0;
      else if (vs.group === undefined) port = vsPort;
      const key = destTextId({ af: famNum(rs.address.family), addr: rs.address.address, port });
      if (rsSeen.has(key)) {
        warnings.push(`${where}: VS ${id}: real server ${fmtTrio(rs.address.address, protoName(proto), port)} is duplicated - removing second rs`);
        continue;
      }
      rsSeen.add(key);
      realServers.push({
        addr: rs.address.address,
        af: famNum(rs.address.family),
        port,
        weight: rs.weight ?? 1,
        fwd,
        uThresh: rs.uthreshold ?? 0,
        lThresh: rs.lthreshold ?? 0,
        tunType: 0,
        tunPort: 0,
        tunFlags: 0,
        inhibitOnFailure: rs.inhibit_on_failure || vs.inhibit_on_failure,
        notifyUp: scriptSpec(rs.notify_up, cfg),
        notifyDown: scriptSpec(rs.notify_down, cfg),
        checkers: checkerSpecs(vs, rs, rs.address.address, port, warnings, `${rs.pos.file}:${rs.pos.line}`, cfg.ssl, cfg.track_files, cfg.global_defs.script_user),
      });
    }

    let sorryServer: SorryServerSpec | undefined;
    if (vs.sorry_server) {
      const fwd = fwdOf(vs.sorry_server_lvs_method) ?? vsFwd;
      let port = vs.sorry_server.port ?? 0;
      if (fwd !== Fwd.MASQ) port = allFwmark ? 0 : vs.group === undefined ? vsPort : port;
      else if (port === 0 && !allFwmark && vs.group === undefined) port = vsPort;
      sorryServer = {
        addr: vs.sorry_server.address.address,
        af: famNum(vs.sorry_server.address.family),
        port,
        fwd,
        tunType: 0,
        tunPort: 0,
        tunFlags: 0,
        inhibit: vs.sorry_server_inhibit,
      };
      const dup = realServers.find((r) => r.addr === sorryServer!.addr && r.port === sorryServer!.port);
      if (dup) sorryServer.inhibit = dup.inhibitOnFailure;
    }

    const weightSum = realServers.reduce((s, r) => s + r.weight, 0);
    let quorum = vs.quorum ?? 1;
    if (quorum > weightSum) {
      warnings.push(`${where}: Warning - quorum ${quorum} for ${id} exceeds total weight of real servers ${weightSum}, reducing quorum to ${weightSum}`);
      quorum = weightSum;
    }
    let hysteresis = vs.hysteresis ?? 0;
    if (hysteresis >= quorum && hysteresis > 0) {
      const h = quorum > 0 ? quorum - 1 : 0;
      warnings.push(`${where}: Virtual server ${id}: hysteresis ${hysteresis} >= quorum ${quorum}; setting hysteresis to ${h}`);
      hysteresis = h;
    }

    vss.push({
      id,
      protocolName: protoName(proto),
      services,
      sched: vs.lb_algo ?? 'wlc',
      flags,
      persistenceTimeout,
      persistenceNetmask: persistenceTimeout ? netmaskOf(vs.persistence_granularity, af) : undefined,
      pe: vs.persistence_engine ?? '',
      quorum,
      hysteresis,
      quorumUp: scriptSpec(vs.quorum_up, cfg),
      quorumDown: scriptSpec(vs.quorum_down, cfg),
      alpha: vs.alpha,
      omega: vs.omega,
      haSuspend: vs.ha_suspend,
      vips,
      sorryServer,
      realServers,
    });
  }

  let syncDaemon: LvsSyncDaemonSpec | undefined;
  const sd = cfg.global_defs.lvs_sync_daemon;
  if (sd) {
    const inst = cfg.vrrp_instances.find((i) => i.name === sd.instance);
    syncDaemon = {
      interface: sd.interface,
      syncId: sd.id ?? inst?.virtual_router_id ?? 0,
      maxLen: sd.maxlen,
      port: sd.port,
      ttl: sd.ttl,
      group: sd.group?.address,
      instance: sd.instance,
    };
  }
  const g = cfg.global_defs;
  const fifos = [g.checker.notify_fifo, g.notify_fifo].filter((x): x is string => !!x);
  const fifoSetup: FifoSetup[] = [];
  if (g.checker.notify_fifo)
    fifoSetup.push({ path: g.checker.notify_fifo, what: 'lvs_notify_fifo', script: scriptSpec(g.checker.notify_fifo_script, cfg), owner: g.checker.notify_fifo_owner });
  if (g.notify_fifo && g.notify_fifo !== g.checker.notify_fifo)
    fifoSetup.push({ path: g.notify_fifo, what: 'notify_fifo', script: scriptSpec(g.notify_fifo_script, cfg), owner: g.notify_fifo_owner });
  const lt = cfg.global_defs.lvs_timeouts;
  const timeouts = lt ? { tcp: lt.tcp ?? 0, tcpFin: lt.tcpfin ?? 0, udp: lt.udp ?? 0 } : undefined;
  return {
    spec: { virtualServers: vss, syncDaemon, timeouts, flushOnStart: cfg.global_defs.lvs_flush || undefined, flushOnStop: cfg.global_defs.lvs_flush_on_stop === 'full' || undefined, notifyFifos: [...new Set(fifos)], notifyFifoSetup: fifoSetup.length ? fifoSetup : undefined },
    warnings,
  };
}
