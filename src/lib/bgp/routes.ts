/**
 * The kernel half of the BGP hand-over (docs/bgp.md): hactl's VIP host routes, `blackhole VIP/32
 * table T proto P [metric MED]`, through the rtnetlink module. FRR's zebra imports table T.
 * Only routes with both T and P are ever changed; another route to a VIP in table T is an error.
 */
import { NetError, type RouteInfo, type Rtnl } from '../net/rtnl';
import type { BgpSettings, VipAnnouncement } from './settings';

export class RouteConflictError extends Error {}

/** hactl's host routes in the settings' table (any VIP, declared or not). */
export async function announcedRoutes(rtnl: Pick<Rtnl, 'listRoutes'>, s: BgpSettings): Promise<RouteInfo[]> {
  return (await rtnl.listRoutes(4, s.table, s.protocol)).filter((r) => r.dstLen === 32);
}

function spec(s: BgpSettings, vip: string, metric?: number) {
  return { dst: `${vip}/32`, table: s.table, protocol: s.protocol, type: 'blackhole' as const, metric };
}

/**
 * Announce: make hactl's route to the VIP exist with the VIP's MED. Idempotent: 'unchanged' when
 * it is there already (no delete/add, so FRR sees nothing and the path does not flap).
 */
export async function addVipRoute(rtnl: Pick<Rtnl, 'listRoutes' | 'addRoute' | 'delRoute'>, s: BgpSettings, a: VipAnnouncement): Promise<'added' | 'unchanged' | 'updated'> {
  const all = (await rtnl.listRoutes(4, s.table)).filter((r) => r.dst === a.vip && r.dstLen === 32);
  const foreign = all.find((r) => r.protocol !== s.protocol);
  if (foreign)
    throw new RouteConflictError(
      `table ${s.table} already has a route to ${a.vip}/32 with protocol ${foreign.protocol}, not hactl's ${s.protocol}: FRR would announce it too; remove it or choose another table in ${s.file}`,
    );
  const metric = a.med ?? 0;
  const ours = all.filter((r) => r.protocol === s.protocol);
  if (ours.length === 1 && (ours[0].metric ?? 0) === metric && ours[0].type === 'blackhole') return 'unchanged';
  // a new MED is another route (IPv4 routes are keyed by metric): add it first, then drop the old
  if (!ours.some((r) => (r.metric ?? 0) === metric)) await rtnl.addRoute({ ...spec(s, a.vip, a.med), replace: true });
  for (const r of ours) if ((r.metric ?? 0) !== metric || r.type !== 'blackhole') await delOne(rtnl, s, r);
  return ours.length ? 'updated' : 'added';
}

async function delOne(rtnl: Pick<Rtnl, 'delRoute'>, s: BgpSettings, r: RouteInfo): Promise<void> {
  try {
    await rtnl.delRoute({ ...spec(s, r.dst, r.metric), type: (r.type as 'blackhole') ?? 'blackhole' });
  } catch (e) {
    if (!(e instanceof NetError && (e.code === 'ESRCH' || e.code === 'ENOENT'))) throw e;
  }
}

/** Withdraw: delete hactl's routes to the VIP (every metric). false when there was none. */
export async function delVipRoute(rtnl: Pick<Rtnl, 'listRoutes' | 'delRoute'>, s: BgpSettings, vip: string): Promise<boolean> {
  const ours = (await announcedRoutes(rtnl, s)).filter((r) => r.dst === vip);
  for (const r of ours) await delOne(rtnl, s, r);
  return ours.length > 0;
}
