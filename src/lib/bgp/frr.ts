/**
 * FRR's side of the hand-over, read through `vtysh -c '... json'` (Debian's FRR has no gRPC):
 * whether zebra imports hactl's table and bgpd redistributes it, the BGP sessions, and which VIPs
 * bgpd has and advertises. Thin: one vtysh run per question, through src/lib/proc; the reading of
 * the JSON (parse* below) is pure and unit-tested. Every failure is one FrrError line.
 */
import { runScript } from '../proc/run';
import type { BgpSettings } from './settings';

export interface VtyshOptions {
  /** the vtysh program (default: HACTL_VTYSH, else `vtysh` on PATH) */
  vtysh?: string;
  /** FRR's vty socket directory (vtysh --vty_socket), for an FRR not in /var/run/frr */
  vtySocket?: string;
  /** FRR's pathspace (vtysh -N) */
  pathspace?: string;
  timeoutMs?: number;
}

export class FrrError extends Error {}

export interface BgpPeer {
  peer: string;
  remoteAs?: number;
  /** FRR's state: Established, Active, Connect, Idle... */
  state: string;
  prefixesSent?: number;
}

export interface FrrVipView {
  vip: string;
  /** bgpd has the prefix (redistributed from the table) */
  inBgp: boolean;
  /** peers it is advertised to */
  advertisedTo: string[];
}

/** "in BGP, advertised to A, B" / "not in BGP" / "FRR unknown" (no view). Pure; `bgp status` and `vrrp status` text. */
export function formatVipView(f: Pick<FrrVipView, 'inBgp' | 'advertisedTo'> | null | undefined): string {
  if (!f) return 'FRR unknown';
  return f.inBgp ? `in BGP, advertised to ${f.advertisedTo.join(', ') || 'no peer'}` : 'not in BGP';
}

/** "198.51.100.50 AS64500: Established, 1 prefixes sent". Pure. */
export function formatPeer(p: BgpPeer): string {
  return `${p.peer}${p.remoteAs ? ` AS${p.remoteAs}` : ''}: ${p.state}${p.prefixesSent !== undefined ? `, ${p.prefixesSent} prefixes sent` : ''}`;
}

export interface FrrView {
  peers: BgpPeer[];
  vips: FrrVipView[];
}

function where(o: VtyshOptions): string {
  return o.vtySocket ? ` (vty sockets in ${o.vtySocket})` : o.pathspace ? ` (pathspace ${o.pathspace})` : '';
}

/** One vtysh command for one daemon; its stdout. */
export async function vtysh(o: VtyshOptions, daemon: 'zebra' | 'bgpd', command: string): Promise<string> {
  const bin = o.vtysh ?? process.env.HACTL_VTYSH ?? 'vtysh';
  const argv = [bin];
  if (o.vtySocket) argv.push('--vty_socket', o.vtySocket);
  if (o.pathspace) argv.push('-N', o.pathspace);
  argv.push('-d', daemon, '-c', command);
  const r = await runScript({ argv, timeoutMs: o.timeoutMs ?? 5000, killGraceMs: 500, captureBytes: 8 << 20, killWithDaemon: true });
  const out = (r.output ?? '').trim();
  if (r.error) {
    if (/ENOENT/.test(r.error)) throw new FrrError(`cannot run ${bin}: not found; install FRR (apt install frr) or set HACTL_VTYSH`);
    throw new FrrError(`${r.error}`);
  }
  if (r.timedOut) throw new FrrError(`\`${bin} -d ${daemon} -c '${command}'\` did not answer within ${o.timeoutMs ?? 5000} ms${where(o)}`);
  if (r.code !== 0) {
    const last = out.split('\n').filter(Boolean).pop() ?? `exit ${r.code ?? r.signal}`;
    if (/failed to connect|is not running|Connection refused|No such file/i.test(out))
      throw new FrrError(`FRR's ${daemon} is not running${where(o)}: ${last}; start FRR (systemctl start frr, with ${daemon} enabled in /etc/frr/daemons)`);
    throw new FrrError(`\`${bin} -d ${daemon} -c '${command}'\` failed${where(o)}: ${last}`);
  }
  return out;
}

function json(text: string, what: string): Record<string, unknown> {
  const start = text.indexOf('{');
  try {
    return JSON.parse(start >= 0 ? text.slice(start) : text) as Record<string, unknown>;
  } catch {
    throw new FrrError(`${what}: vtysh did not print JSON: ${text.split('\n')[0].slice(0, 120)}`);
  }
}

/** What is missing in FRR's running config for these settings (empty: nothing). Pure. */
export function configProblems(zebraConf: string, bgpdConf: string, s: BgpSettings): string[] {
  const p: string[] = [];
  if (!new RegExp(`^\\s*ip import-table ${s.table}(\\s|$)`, 'm').test(zebraConf))
    p.push(`zebra does not import table ${s.table}: add \`ip import-table ${s.table}\` to FRR's config`);
  if (!/^router bgp /m.test(bgpdConf)) p.push('bgpd has no `router bgp`');
  else if (!new RegExp(`^\\s*redistribute table ${s.table}(\\s|$)`, 'm').test(bgpdConf))
    p.push(`bgpd does not redistribute table ${s.table}: add \`redistribute table ${s.table} route-map HACTL-VIPS\` under \`address-family ipv4 unicast\``);
  return p;
}

/** `show bgp ipv4 unicast summary json` -> peers. Pure. */
export function parseSummary(j: Record<string, unknown>): BgpPeer[] {
  const peers = ((j.ipv4Unicast ?? j) as { peers?: Record<string, Record<string, unknown>> }).peers ?? {};
  return Object.entries(peers).map(([peer, p]) => ({
    peer,
    remoteAs: typeof p.remoteAs === 'number' ? p.remoteAs : undefined,
    state: String(p.state ?? 'unknown'),
    prefixesSent: typeof p.pfxSnt === 'number' ? p.pfxSnt : undefined,
  }));
}

/** `show bgp ipv4 unicast VIP/32 json` -> in bgpd's table, advertised to whom. Pure. */
export function parsePrefix(vip: string, j: Record<string, unknown>): FrrVipView {
  const paths = Array.isArray(j.paths) ? j.paths : [];
  const adv = j.advertisedTo && typeof j.advertisedTo === 'object' ? Object.keys(j.advertisedTo) : [];
  return { vip, inBgp: paths.length > 0, advertisedTo: paths.length ? adv : [] };
}

/**
 * Check that FRR is there, running, and configured to announce the settings' table: throws
 * FrrError saying what to do otherwise (nothing is announced then).
 */
export async function checkFrr(o: VtyshOptions, s: BgpSettings): Promise<void> {
  const zebra = await vtysh(o, 'zebra', 'show running-config');
  const bgpd = await vtysh(o, 'bgpd', 'show running-config');
  const p = configProblems(zebra, bgpd, s);
  if (p.length) throw new FrrError(`FRR${where(o)} is not set up to announce ${s.file}'s routes: ${p.join('; ')} (see docs/bgp.md)`);
}

/** The sessions and, per VIP, bgpd's view. */
export async function frrView(o: VtyshOptions, vips: string[]): Promise<FrrView> {
  const peers = parseSummary(json(await vtysh(o, 'bgpd', 'show bgp ipv4 unicast summary json'), 'bgp summary'));
  const out: FrrVipView[] = [];
  for (const v of vips) out.push(parsePrefix(v, json(await vtysh(o, 'bgpd', `show bgp ipv4 unicast ${v}/32 json`), `bgp prefix ${v}`)));
  return { peers, vips: out };
}
