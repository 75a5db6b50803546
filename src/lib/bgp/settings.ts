/**
 * The BGP announcement settings file (docs/bgp.md): which VIPs hactl hands to FRR as host routes, in
 * which kernel table and with which route protocol number, in which mode, with which MED and
 * communities. Pure: text in, settings or `FILE:LINE: message` errors out; plus the FRR config that
 * matches the settings (renderFrrConfig).
 */
import { parseIp } from '../addr';

export type AnnounceMode = 'master-only' | 'active-active';
export const ANNOUNCE_MODES: readonly AnnounceMode[] = ['master-only', 'active-active'];

export interface VipAnnouncement {
  /** canonical IPv4 text */
  vip: string;
  mode: AnnounceMode;
  /** BGP MED, carried as the kernel route's metric */
  med?: number;
  /** AA:NN or a well-known name, in file order */
  communities: string[];
  /** announce while only a sorry server serves (quorum lost, sorry server up) */
  sorryServerAnnounces: boolean;
  /**
   * vrrp_scripts of keepalived.conf that must be up for the VIP to be announced (`track-script
   * NAME`, repeatable; absent when none). Without health checks (`--vrrp-only`) they stand in for
   * the virtual servers' quorum of an active-active VIP.
   */
  trackScripts?: string[];
  /** where it was declared */
  line: number;
}

export interface BgpSettings {
  file: string;
  table: number;
  protocol: number;
  /** FRR's vty socket directory for the daemon's vtysh reads (`vty-socket DIR`; default FRR's own) */
  vtySocket?: string;
  vips: VipAnnouncement[];
}

export const DEFAULT_TABLE = 100;
export const DEFAULT_PROTOCOL = 249;
export const DEFAULT_SETTINGS_FILE = '/etc/hactl/bgp.conf';

/** Route protocol numbers others own: the kernel's (0-4), FRR's (11 zebra, 186-197: FRR deletes them at start), bird, keepalived, babel, openr. */
const RESERVED_PROTOCOLS: ReadonlyMap<number, string> = new Map([
  [0, 'unspec'],
  [1, 'redirect'],
  [2, 'kernel'],
  [3, 'boot'],
  [4, 'static'],
  [11, 'zebra'],
  [12, 'bird'],
  [18, 'keepalived (and hactl virtual_routes)'],
  [42, 'babel'],
  [99, 'openr'],
  ...[186, 187, 188, 189, 190, 191, 192, 193, 194, 195, 196, 197].map((n) => [n, 'FRR'] as [number, string]),
]);

const WELL_KNOWN_COMMUNITIES = ['no-export', 'no-advertise', 'local-AS'];

export class SettingsError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
    this.name = 'SettingsError';
  }
}

/** "7" -> 7; anything but a plain decimal integer in [min, max] -> undefined. */
function intIn(s: string | undefined, min: number, max: number): number | undefined {
  if (s === undefined || !/^\d{1,10}$/.test(s)) return undefined;
  const n = Number(s);
  return n >= min && n <= max ? n : undefined;
}

function words(line: string): string[] {
  const hash = line.search(/[#!]/);
  return (hash >= 0 ? line.slice(0, hash) : line).split(/\s+/).filter(Boolean);
}

export function parseCommunity(s: string): string | undefined {
  const wk = WELL_KNOWN_COMMUNITIES.find((w) => w.toLowerCase() === s.toLowerCase());
  if (wk) return wk;
  const m = /^(\d{1,5}):(\d{1,5})$/.exec(s);
  if (!m || Number(m[1]) > 65535 || Number(m[2]) > 65535) return undefined;
  return `${Number(m[1])}:${Number(m[2])}`;
}

/**
 * Parse and validate a settings file. Throws SettingsError (the first error, with its line) on
 * anything it does not understand: an unknown keyword, a bad or repeated value, an IPv6 VIP.
 */
export function parseSettings(text: string, file: string): BgpSettings {
  let table: number | undefined;
  let protocol: number | undefined;
  let mode: AnnounceMode = 'active-active';
  let vtySocket: string | undefined;
  const vips: VipAnnouncement[] = [];
  const seen = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const ln = i + 1;
    const w = words(lines[i]);
    if (w.length === 0) continue;
    const fail = (reason: string): never => {
      throw new SettingsError(file, ln, reason);
    };
    const one = (what: string): string => {
      if (w.length < 2) fail(`${w[0]} needs ${what}`);
      if (w.length > 2) fail(`unexpected "${w[2]}" after ${w[0]} ${w[1]}`);
      return w[1];
    };
    switch (w[0]) {
      case 'table': {
        if (table !== undefined) fail('table given twice');
        const v = one('a routing table number (1-252)');
        table = intIn(v, 1, 252) ?? fail(`table must be 1-252 (FRR's ip import-table range; 253-255 are the kernel's default, main and local), got "${v}"`);
        break;
      }
      case 'protocol': {
        if (protocol !== undefined) fail('protocol given twice');
        const v = one('a route protocol number (1-255)');
        const n = intIn(v, 0, 255) ?? fail(`protocol must be a number 1-255, got "${v}"`);
        const owner = RESERVED_PROTOCOLS.get(n);
        if (owner) fail(`protocol ${n} belongs to ${owner}: choose a number nobody else uses (default ${DEFAULT_PROTOCOL})`);
        protocol = n;
        break;
      }
      case 'vty-socket': {
        if (vtySocket !== undefined) fail('vty-socket given twice');
        vtySocket = one("FRR's vty socket directory (vtysh --vty_socket)");
        if (!vtySocket.startsWith('/')) fail(`vty-socket must be an absolute directory, got "${vtySocket}"`);
        break;
      }
      case 'mode': {
        const v = one(`a mode (${ANNOUNCE_MODES.join(' | ')})`);
        if (!ANNOUNCE_MODES.includes(v as AnnounceMode)) fail(`mode must be ${ANNOUNCE_MODES.join(' or ')}, got "${v}"`);
        if (vips.length) fail('mode (the default for the vip lines) must come before the first vip line; give "mode" on the vip line instead');
        mode = v as AnnounceMode;
        break;
      }
      case 'vip': {
        if (w.length < 2) fail('vip needs an IPv4 address');
        const ip = parseIp(w[1]);
        if (!ip) fail(`"${w[1]}" is not an IP address (a VIP is announced as a host route: no prefix)`);
        if (ip?.family === 6) fail(`IPv6 VIP ${w[1]}: FRR 8.4's zebra imports only IPv4 tables (ip import-table); IPv6 is not supported yet`);
        const vip = ip?.text as string;
        const prev = seen.get(vip);
        if (prev !== undefined) fail(`vip ${vip} already declared at line ${prev}`);
        seen.set(vip, ln);
        const a: VipAnnouncement = { vip, mode, communities: [], sorryServerAnnounces: false, line: ln };
        const given = new Set<string>();
        for (let j = 2; j < w.length; j += 2) {
          const k = w[j];
          const v = w[j + 1];
          if (!['mode', 'med', 'community', 'sorry-server', 'track-script'].includes(k)) fail(`unknown vip option "${k}" (mode, med, community, sorry-server, track-script)`);
          if (v === undefined) fail(`vip ${vip}: ${k} needs a value`);
          if (k !== 'community' && k !== 'track-script' && given.has(k)) fail(`vip ${vip}: ${k} given twice`);
          given.add(k);
          if (k === 'mode') {
            if (!ANNOUNCE_MODES.includes(v as AnnounceMode)) fail(`vip ${vip}: mode must be ${ANNOUNCE_MODES.join(' or ')}, got "${v}"`);
            a.mode = v as AnnounceMode;
          } else if (k === 'med') a.med = intIn(v, 0, 0xffffffff) ?? fail(`vip ${vip}: med must be 0-4294967295, got "${v}"`);
          else if (k === 'community') {
            const c = parseCommunity(v) ?? fail(`vip ${vip}: community must be AA:NN (0-65535 each) or ${WELL_KNOWN_COMMUNITIES.join(', ')}, got "${v}"`);
            if (!a.communities.includes(c)) a.communities.push(c);
          } else if (k === 'track-script') {
            if (!/^[^\s{}]+$/.test(v)) fail(`vip ${vip}: track-script needs a vrrp_script name, got "${v}"`);
            a.trackScripts = [...new Set([...(a.trackScripts ?? []), v])];
          } else {
            if (v !== 'announce' && v !== 'withdraw') fail(`vip ${vip}: sorry-server must be announce or withdraw, got "${v}"`);
            a.sorryServerAnnounces = v === 'announce';
          }
        }
        vips.push(a);
        break;
      }
      default:
        fail(`unknown keyword "${w[0]}" (table, protocol, vty-socket, mode, vip)`);
    }
  }
  return { file, table: table ?? DEFAULT_TABLE, protocol: protocol ?? DEFAULT_PROTOCOL, ...(vtySocket ? { vtySocket } : {}), vips };
}

/** The announcement of `vip` (any spelling of the address), undefined when the file has none. */
export function findVip(s: BgpSettings, vip: string): VipAnnouncement | undefined {
  const ip = parseIp(vip);
  return ip ? s.vips.find((v) => v.vip === ip.text) : undefined;
}

/**
 * The FRR (8.4) configuration that announces exactly these settings' routes: zebra's import of the
 * table, the prefix-lists and route-map that set the communities, and the bgpd redistribution (to
 * be placed under `router bgp ASN`). MEDs need nothing here: they travel as the route metric.
 */
export function renderFrrConfig(s: BgpSettings, asn?: number): string {
  const out: string[] = [`! hactl bgp: ${s.file}`, `ip import-table ${s.table}`];
  const groups = new Map<string, string[]>();
  for (const v of s.vips) {
    if (!v.communities.length) continue;
    const key = v.communities.join(' ');
    groups.set(key, [...(groups.get(key) ?? []), v.vip]);
  }
  let n = 0;
  for (const [comms, vips] of groups) {
    n++;
    vips.forEach((vip, i) => {
      out.push(`ip prefix-list HACTL-VIPS-${n} seq ${i + 1} permit ${vip}/32`);
    });
    out.push(`route-map HACTL-VIPS permit ${n}`, ` match ip address prefix-list HACTL-VIPS-${n}`, ` set community ${comms} additive`, 'exit');
  }
  out.push('route-map HACTL-VIPS permit 1000', 'exit');
  out.push(`router bgp ${asn ?? 'ASN'}`, ' address-family ipv4 unicast', `  redistribute table ${s.table} route-map HACTL-VIPS`, ' exit-address-family', 'exit');
  return `${out.join('\n')}\n`;
}
