/** `hactl bgp announce|withdraw|status` (src/fast.ts handlers): settings file -> kernel routes, FRR's view. */
import * as fs from 'node:fs';
import { HactlError, UsageError } from '../cli/errors';
import type { Parsed } from '../cli/parse';
import { FrrError, type FrrView, type VtyshOptions } from './frr';
import { type BgpSettings, findVip, parseSettings, SettingsError, type VipAnnouncement } from './settings';

const out = (l: string) => process.stdout.write(`${l}\n`);

/** The settings file, read and validated; `flag` names the option that gives it (for the hint). */
export function loadSettings(file: string, flag = '-c FILE'): BgpSettings {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new HactlError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`, {
      hint: `write the announcement settings (docs/bgp.md) or pass ${flag}`,
    });
  }
  try {
    return parseSettings(text, file);
  } catch (e) {
    if (e instanceof SettingsError) throw new HactlError(e.message);
    throw e;
  }
}

function vtyOptions(p: Parsed): VtyshOptions {
  return { vtySocket: p.flags['vty-socket'] as string | undefined, pathspace: p.flags['frr-pathspace'] as string | undefined };
}

/** The VIPs a command names (arguments or --all), each declared in the settings. */
function checkUsage(p: Parsed, verb: string): void {
  const all = p.flags.all === true;
  if (all && p.argv.length) throw new UsageError(`give VIPs or --all, not both`, { hint: `see \`hactl bgp ${verb} --help\`` });
  if (!all && !p.argv.length) throw new UsageError('missing VIP (or --all)', { hint: `see \`hactl bgp ${verb} --help\`` });
}

function selected(p: Parsed, s: BgpSettings): VipAnnouncement[] {
  if (p.flags.all === true) return s.vips;
  return p.argv.map((v) => {
    const a = findVip(s, v);
    if (!a) throw new UsageError(`VIP ${v} is not declared in ${s.file}`, { hint: `add \`vip ${v}\` to ${s.file}` });
    return a;
  });
}

function wrapNet(e: unknown): never {
  if (e instanceof FrrError || (e as Error)?.name === 'NetError' || (e as Error)?.constructor?.name === 'RouteConflictError')
    throw new HactlError((e as Error).message);
  throw e;
}

export function bgpHandler(verb: 'announce' | 'withdraw' | 'status'): (p: Parsed) => Promise<number> {
  return async (p) => {
    if (verb !== 'status') checkUsage(p, verb);
    const asn = p.flags.asn as string | undefined;
    if (asn !== undefined && !(/^\d{1,10}$/.test(asn) && Number(asn) >= 1 && Number(asn) <= 0xffffffff))
      throw new UsageError(`--asn must be an AS number 1-4294967295 (got '${asn}')`, { hint: 'see `hactl bgp status --help`' });
    const s = loadSettings(p.flags.config as string);
    if (verb === 'status' && p.flags['frr-config']) {
      const { renderFrrConfig } = require('./settings') as typeof import('./settings');
      process.stdout.write(renderFrrConfig(s, asn === undefined ? undefined : Number(asn)));
      return 0;
    }
    const vips = verb === 'status' ? s.vips : selected(p, s);
    const { Rtnl } = require('../net/rtnl') as typeof import('../net/rtnl');
    const routes = require('./routes') as typeof import('./routes');
    const frr = require('./frr') as typeof import('./frr');
    if (verb === 'announce') {
      try {
        await frr.checkFrr(vtyOptions(p), s);
      } catch (e) {
        if (e instanceof FrrError) throw new HactlError(`nothing announced: ${e.message}`);
        throw e;
      }
    }
    const rtnl = Rtnl.open();
    try {
      if (verb === 'announce') {
        for (const a of vips) {
          const r = await routes.addVipRoute(rtnl, s, a).catch(wrapNet);
          out(`${a.vip}: ${r === 'unchanged' ? 'already announced' : r === 'updated' ? `announced (MED now ${a.med ?? 0})` : 'announced'} (table ${s.table})`);
        }
        return 0;
      }
      if (verb === 'withdraw') {
        if (p.flags.all === true) {
          const mine = await routes.announcedRoutes(rtnl, s).catch(wrapNet);
          for (const r of mine) await routes.delVipRoute(rtnl, s, r.dst).catch(wrapNet);
          out(mine.length ? `withdrawn: ${[...new Set(mine.map((r) => r.dst))].join(', ')}` : `nothing announced in table ${s.table}`);
          return 0;
        }
        for (const a of vips) out(`${a.vip}: ${(await routes.delVipRoute(rtnl, s, a.vip).catch(wrapNet)) ? 'withdrawn' : 'was not announced'}`);
        return 0;
      }
      // status
      const mine = await routes.announcedRoutes(rtnl, s).catch(wrapNet);
      let view: FrrView | undefined;
      let frrError: string | undefined;
      try {
        view = await frr.frrView(vtyOptions(p), s.vips.map((v) => v.vip));
      } catch (e) {
        if (!(e instanceof FrrError)) throw e;
        frrError = e.message;
      }
      const rows = s.vips.map((a) => {
        const r = mine.find((m) => m.dst === a.vip);
        const f = view?.vips.find((v) => v.vip === a.vip);
        return {
          vip: a.vip,
          mode: a.mode,
          med: a.med ?? null,
          communities: a.communities,
          kernelRoute: !!r,
          frr: f ? { inBgp: f.inBgp, advertisedTo: f.advertisedTo } : null,
        };
      });
      const undeclared = [...new Set(mine.map((m) => m.dst).filter((d) => !findVip(s, d)))];
      if (p.flags.json) {
        out(JSON.stringify({ file: s.file, table: s.table, protocol: s.protocol, vips: rows, undeclaredRoutes: undeclared, peers: view?.peers ?? null, frrError: frrError ?? null }, null, 2));
      } else {
        out(`settings ${s.file}: table ${s.table}, protocol ${s.protocol}`);
        for (const r of rows) {
          out(`  ${r.vip} (${r.mode}): ${r.kernelRoute ? 'route in kernel' : 'no route'}; ${frr.formatVipView(r.frr)}`);
        }
        for (const d of undeclared) out(`  ${d}: route in kernel but not declared in ${s.file} (hactl bgp withdraw --all removes it)`);
        if (view) for (const peer of view.peers) out(`  peer ${frr.formatPeer(peer)}`);
      }
      if (frrError) {
        process.stderr.write(`hactl: error: ${frrError}\n`);
        return 1;
      }
      return 0;
    } finally {
      rtnl.close();
    }
  };
}
