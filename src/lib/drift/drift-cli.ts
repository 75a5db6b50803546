/**
 * `hactl drift -f keepalived.conf` (src/fast.ts handler): reads the configuration, asks a running
 * hactl daemon (if any) which instances are MASTER and how healthy its real servers are, reads the
 * kernel (addresses, routes, rules over rtnetlink; the keepalived nftables sets with `nft`; IPVS over
 * generic netlink) and prints every difference (the decisions are in ./diff.ts).
 * Exit: 0 no drift, 1 drift, 2 usage, 3 the configuration or the kernel could not be read.
 */
import { spawnSync } from 'node:child_process';
import { HactlError } from '../cli/errors';
import type { Parsed } from '../cli/parse';
import type { ServiceWithDests } from '../ipvs/types';
import type { LvsStatus } from '../lvs/reconciler';
import type { KernelAddr, KernelRoute, KernelRule } from './diff';

export const DRIFT_EXIT = { CLEAN: 0, DRIFT: 1, USAGE: 2, ERROR: 3 } as const;

/** The keepalived nftables sets' elements (ip and ip6 `keepalived` tables, set `vips`), or why they could not be read. */
export function readNftVips(): { vips?: string[]; note?: string } {
  const out: string[] = [];
  for (const fam of ['ip', 'ip6']) {
    const r = spawnSync('nft', ['-j', 'list', 'set', fam, 'keepalived', 'vips'], { encoding: 'utf8' });
    if (r.error) return { note: `nftables: cannot run nft (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}): the no_accept set was not compared` };
    if (r.status !== 0) {
      // no such table or set: no element (keepalived and hactl create them only when needed)
      if (/No such file or directory/.test(r.stderr)) continue;
      return { note: `nftables: nft list set ${fam} keepalived vips failed (${r.stderr.trim().split('\n')[0]}): the no_accept set was not compared` };
    }
    try {
      const j = JSON.parse(r.stdout) as { nftables: { set?: { elem?: unknown[] } }[] };
      for (const o of j.nftables) for (const e of o.set?.elem ?? []) if (typeof e === 'string') out.push(e);
    } catch {
      return { note: `nftables: cannot read nft's JSON output: the no_accept set was not compared` };
    }
  }
  return { vips: out };
}

async function readKernel(): Promise<{ addrs: KernelAddr[]; routes: KernelRoute[]; rules: KernelRule[] }> {
  const { Rtnl } = require('../net/rtnl') as typeof import('../net/rtnl');
  let nl: import('../net/rtnl').Rtnl;
  try {
    nl = Rtnl.open();
  } catch (e) {
    throw new HactlError(`cannot open rtnetlink: ${(e as Error).message}`, { exitCode: DRIFT_EXIT.ERROR });
  }
  try {
    const links = new Map((await nl.listLinks()).map((l) => [l.index, l.name]));
    const addrs = (await nl.listAddresses()).map((a) => ({ dev: links.get(a.index) ?? `if${a.index}`, address: a.address, prefix: a.prefix }));
    const routes: KernelRoute[] = [];
    for (const f of [4, 6] as const)
      for (const r of await nl.listRoutes(f)) routes.push({ ...r, dev: r.index !== undefined ? links.get(r.index) : undefined });
    const rules: KernelRule[] = [];
    for (const f of [4, 6] as const) rules.push(...(await nl.listRules(f)));
    return { addrs, routes, rules };
  } catch (e) {
    throw new HactlError(`cannot read addresses, routes or rules: ${(e as Error).message}`, { exitCode: DRIFT_EXIT.ERROR });
  } finally {
    nl.close();
  }
}

async function readIpvs(): Promise<{ live?: ServiceWithDests[]; note?: string }> {
  const { IpvsClient } = require('../ipvs/client') as typeof import('../ipvs/client');
  let c: Awaited<ReturnType<typeof IpvsClient.open>> | undefined;
  try {
    c = await IpvsClient.open();
    return { live: await c.getTable() };
  } catch (e) {
    return { note: `IPVS: cannot read the table (${(e as Error).message}): services, destinations and weights were not compared` };
  } finally {
    c?.close();
  }
}

export async function driftHandler(p: Parsed): Promise<number> {
  const file = (p.flags.config as string | undefined) ?? '/etc/keepalived/keepalived.conf';
  const sock = p.flags['control-socket'] as string;
  const { loadDaemonConfig, queryControl } = require('../vrrp/control') as typeof import('../vrrp/control');
  const { loadLvsSpec, queryLvsStatus, lvsSocketFor } = require('../lvs/daemon') as typeof import('../lvs/daemon');
  const d = require('./diff') as typeof import('./diff');
  const vr = loadDaemonConfig(file, undefined, { allowNoInstances: true });
  if (!vr.config) throw new HactlError(`${file}: cannot be compared: ${vr.errors[0] ?? 'configuration could not be read'}${vr.errors.length > 1 ? ` (and ${vr.errors.length - 1} more)` : ''}`, { exitCode: DRIFT_EXIT.ERROR, hint: '`hactl conf lint` lists every error' });
  const lv = loadLvsSpec(file);
  const notes: string[] = [];
  // which instances are MASTER: the running daemon says; otherwise inferred from the VIPs found
  let states: Map<string, string> | undefined;
  try {
    const st = await queryControl(sock, 1500);
    states = new Map(st.instances.map((i) => [i.name, i.state]));
  } catch {
    notes.push(`no hactl daemon answers on ${sock}: an instance with one of its VIPs here is taken to be MASTER, one with none to be BACKUP`);
  }
  let health: LvsStatus | undefined;
  if (lv.spec?.virtualServers.length) {
    health = await queryLvsStatus(lvsSocketFor(sock), 1500);
    if (!health) notes.push('no LVS half answers: every real server is expected alive at its configured weight');
  }
  const kernel = await readKernel();
  const nft = readNftVips();
  if (nft.note) notes.push(nft.note);
  const hasVs = !!lv.spec?.virtualServers.length;
  // a configuration without virtual_server says nothing about IPVS (the table may be managed otherwise)
  const ipvs = hasVs
    ? await readIpvs()
    : {
        note: lv.spec
          ? `IPVS: ${file} has no virtual_server: the IPVS table was not compared`
          : `IPVS: the virtual servers of ${file} could not be read (${lv.errors[0] ?? 'unknown error'}): not compared`,
      };
  let ipvsInput: Parameters<typeof d.driftReport>[0]['ipvs'];
  if (ipvs.live && lv.spec) {
    const w = d.wantedIpvs(lv.spec, health);
    ipvsInput = { wanted: w.table, live: ipvs.live, owners: w.owners };
  } else if (ipvs.note) notes.push(ipvs.note);
  const report = d.driftReport({
    instances: d.driftInstances(vr.config, states),
    ...kernel,
    nftVips: nft.vips,
    ipvs: ipvsInput,
  });
  if (p.flags.json) process.stdout.write(`${JSON.stringify({ drift: report.differences.length > 0, ...report, notes }, null, 2)}\n`);
  else process.stdout.write(d.renderDrift(report, notes));
  return report.differences.length ? DRIFT_EXIT.DRIFT : DRIFT_EXIT.CLEAN;
}
