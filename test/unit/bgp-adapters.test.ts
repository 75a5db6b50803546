import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configProblems, parsePrefix, parseSummary } from '../../src/lib/bgp/frr';
import { addVipRoute, delVipRoute } from '../../src/lib/bgp/routes';
import { parseSettings } from '../../src/lib/bgp/settings';
import type { RouteInfo, RouteSpec } from '../../src/lib/net/rtnl';

const S = parseSettings('table 100\nprotocol 249\nvip 203.0.113.10 med 10\nvip 203.0.113.11\n', 'bgp.conf');

/** An in-memory kernel table for the route adapter. */
function fakeRtnl(initial: RouteInfo[] = []) {
  const routes = [...initial];
  const calls: string[] = [];
  const key = (r: { dst: string; metric?: number; table: number }) => `${r.dst}|${r.metric ?? 0}|${r.table}`;
  return {
    routes,
    calls,
    async listRoutes(_f: 4 | 6 = 4, table?: number, protocol?: number) {
      return routes.filter((r) => (table === undefined || r.table === table) && (protocol === undefined || r.protocol === protocol));
    },
    async addRoute(s: RouteSpec) {
      calls.push(`add ${s.dst} metric ${s.metric ?? 0} ${s.type} proto ${s.protocol}`);
      routes.push({ family: 4, dst: s.dst.split('/')[0], dstLen: 32, table: s.table ?? 254, metric: s.metric, scope: 'global', type: s.type ?? 'unicast', protocol: s.protocol ?? 4 });
    },
    async delRoute(s: RouteSpec) {
      calls.push(`del ${s.dst} metric ${s.metric ?? 0}`);
      const i = routes.findIndex((r) => key(r) === key({ dst: s.dst.split('/')[0], metric: s.metric, table: s.table ?? 254 }));
      if (i >= 0) routes.splice(i, 1);
    },
  };
}
const route = (dst: string, protocol: number, metric?: number): RouteInfo => ({ family: 4, dst, dstLen: 32, table: 100, metric, scope: 'global', type: 'blackhole', protocol });

describe('bgp kernel routes', () => {
  it('announce adds one blackhole route with the MED as metric, then changes nothing (no flap)', async () => {
    const k = fakeRtnl();
    assert.equal(await addVipRoute(k, S, S.vips[0]), 'added');
    assert.equal(await addVipRoute(k, S, S.vips[0]), 'unchanged');
    assert.deepEqual(k.calls, ['add 203.0.113.10/32 metric 10 blackhole proto 249']);
  });

  it('a new MED: the new route is added before the old one goes', async () => {
    const k = fakeRtnl([route('203.0.113.10', 249, 5)]);
    assert.equal(await addVipRoute(k, S, S.vips[0]), 'updated');
    assert.deepEqual(k.calls, ['add 203.0.113.10/32 metric 10 blackhole proto 249', 'del 203.0.113.10/32 metric 5']);
  });

  it("refuses when someone else's route to the VIP is in the table", async () => {
    const k = fakeRtnl([route('203.0.113.10', 4)]);
    await assert.rejects(addVipRoute(k, S, S.vips[0]), {
      message: "table 100 already has a route to 203.0.113.10/32 with protocol 4, not hactl's 249: FRR would announce it too; remove it or choose another table in bgp.conf",
    });
    assert.deepEqual(k.calls, []);
  });

  it('withdraw deletes only our routes to the VIP', async () => {
    const k = fakeRtnl([route('203.0.113.10', 249, 10), route('203.0.113.11', 249), route('203.0.113.12', 4)]);
    assert.equal(await delVipRoute(k, S, '203.0.113.10'), true);
    assert.equal(await delVipRoute(k, S, '203.0.113.10'), false);
    assert.deepEqual(
      k.routes.map((r) => r.dst),
      ['203.0.113.11', '203.0.113.12'],
    );
  });
});

describe("FRR's view (vtysh json)", () => {
  it('says what is missing in the running config', () => {
    const zebra = 'frr version 8.4.4\nip import-table 100\n';
    const bgpd = 'router bgp 64501\n address-family ipv4 unicast\n  redistribute table 100 route-map HACTL-VIPS\n exit-address-family\n';
    assert.deepEqual(configProblems(zebra, bgpd, S), []);
    assert.deepEqual(configProblems('ip import-table 1000\n', 'router bgp 1\n  redistribute table 1000\n', S), [
      "zebra does not import table 100: add `ip import-table 100` to FRR's config",
      'bgpd does not redistribute table 100: add `redistribute table 100 route-map HACTL-VIPS` under `address-family ipv4 unicast`',
    ]);
    assert.deepEqual(configProblems(zebra, '', S), ['bgpd has no `router bgp`']);
  });

  it('reads sessions and a prefix as FRR 8.4 prints them', () => {
    const summary = { ipv4Unicast: { routerId: '198.51.100.11', peers: { '198.51.100.1': { remoteAs: 64500, state: 'Established', pfxSnt: 2 } } } };
    assert.deepEqual(parseSummary(summary), [{ peer: '198.51.100.1', remoteAs: 64500, state: 'Established', prefixesSent: 2 }]);
    assert.deepEqual(parseSummary({}), []);
    const prefix = { prefix: '203.0.113.10/32', advertisedTo: { '198.51.100.1': { hostname: 'r' } }, paths: [{ origin: 'incomplete', metric: 10 }] };
    assert.deepEqual(parsePrefix('203.0.113.10', prefix), { vip: '203.0.113.10', inBgp: true, advertisedTo: ['198.51.100.1'] });
    assert.deepEqual(parsePrefix('203.0.113.10', {}), { vip: '203.0.113.10', inBgp: false, advertisedTo: [] });
  });
});
