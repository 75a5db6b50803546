/** hactl drift's decisions (src/lib/drift/diff.ts) with fixed inputs. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DriftInput, type DriftInstance, driftReport, ipvsDrift, renderDrift, wantedIpvs } from '../../src/lib/drift/diff';
import type { ServiceWithDests } from '../../src/lib/ipvs/types';
import type { LvsStatus } from '../../src/lib/lvs/reconciler';
import { rs, vs } from './lvs-helpers';

const VI = (over: Partial<DriftInstance> = {}): DriftInstance => ({
  name: 'VI_1',
  vips: [
    { address: '198.51.100.100', prefix: 24, dev: 'eth0' },
    { address: '198.51.100.101', prefix: 24, dev: 'eth0' },
  ],
  routes: [{ dst: '203.0.113.0/24', dev: 'eth0' }],
  rules: [{ family: 4, from: '198.51.100.100', table: 100 }],
  noAccept: true,
  ...over,
});
const addr = (address: string, dev = 'eth0', prefix = 24) => ({ dev, address, prefix });
const route = { family: 4 as const, dst: '203.0.113.0', dstLen: 24, dev: 'eth0', table: 254, type: 'unicast', protocol: 18 };
const rule = { family: 4 as const, from: '198.51.100.100/32', table: 100, protocol: 18 };
const held: Omit<DriftInput, 'instances'> = {
  addrs: [addr('198.51.100.1'), addr('198.51.100.100'), addr('198.51.100.101')],
  routes: [route],
  rules: [rule],
  nftVips: ['198.51.100.100', '198.51.100.101'],
};
const kinds = (i: DriftInput) => driftReport(i).differences.map((d) => `${d.kind} ${d.what}`);

describe('drift: VRRP addresses, routes, rules, no_accept set', () => {
  it('a MASTER (the daemon says) holding everything: no drift', () => {
    assert.deepEqual(kinds({ instances: [VI({ state: 'MASTER' })], ...held }), []);
  });
  it('a MASTER with a removed VIP, route, rule and set element: each one listed', () => {
    const d = kinds({ instances: [VI({ state: 'MASTER' })], addrs: [addr('198.51.100.1'), addr('198.51.100.100')], routes: [], rules: [], nftVips: ['198.51.100.100'] });
    assert.deepEqual(d, [
      'vip-missing 198.51.100.101/24 on eth0',
      'route-missing 203.0.113.0/24 dev eth0',
      'rule-missing from 198.51.100.100 table 100',
      'nft-missing 198.51.100.101 in the no_accept set',
    ]);
  });
  it('a BACKUP (the daemon says) holding a VIP by hand: the VIP, its route, rule and set element are listed', () => {
    const d = kinds({ instances: [VI({ state: 'BACKUP' })], ...held });
    assert.deepEqual(d, [
      'vip-unexpected 198.51.100.100/24 on eth0',
      'vip-unexpected 198.51.100.101/24 on eth0',
      'route-unexpected 203.0.113.0/24 dev eth0 table 254',
      'rule-unexpected from 198.51.100.100/32 table 100',
      'nft-unexpected 198.51.100.100 in the no_accept set',
      'nft-unexpected 198.51.100.101 in the no_accept set',
    ]);
  });
  it('a clean BACKUP: no drift', () => {
    assert.deepEqual(kinds({ instances: [VI({ state: 'BACKUP' })], addrs: [addr('198.51.100.1')], routes: [], rules: [], nftVips: [] }), []);
  });
  it('a VIP on another interface than configured', () => {
    const d = driftReport({ instances: [VI({ state: 'MASTER', vips: [{ address: '198.51.100.100', prefix: 24, dev: 'eth0' }] })], ...held, addrs: [addr('198.51.100.100', 'eth1')] });
    assert.equal(d.differences[0].kind, 'vip-wrong-interface');
    assert.equal(d.differences[0].actual, '198.51.100.100/24 on eth1');
  });
  it('without a daemon: one VIP present makes the instance MASTER here (the other is missing); none present, not MASTER (clean)', () => {
    const one = driftReport({ instances: [VI({ routes: [], rules: [], noAccept: false })], addrs: [addr('198.51.100.100')], routes: [], rules: [], nftVips: [] });
    assert.deepEqual(one.differences.map((x) => x.kind), ['vip-missing']);
    assert.deepEqual(one.instances[0], { name: 'VI_1', source: 'inferred', state: 'MASTER (inferred)', holds: true, vipsPresent: 1, vipsTotal: 2 });
    const none = driftReport({ instances: [VI()], addrs: [], routes: [], rules: [], nftVips: [] });
    assert.deepEqual(none.differences, []);
    assert.equal(none.instances[0].state, 'not MASTER (inferred)');
  });
  it('IPv6 spellings and the default route compare canonically', () => {
    const i = VI({ state: 'MASTER', vips: [{ address: '2001:DB8:0::100', prefix: 64, dev: 'eth0' }], routes: [{ dst: 'default', gw: '2001:db8::1' }], rules: [], noAccept: false });
    const r = driftReport({
      instances: [i],
      addrs: [addr('2001:db8::100', 'eth0', 64)],
      routes: [{ family: 6, dst: '::', dstLen: 0, gw: '2001:db8::1', table: 254, type: 'unicast', protocol: 18 }],
      rules: [],
    });
    assert.deepEqual(r.differences, []);
  });
  it('a route configured with host bits set matches the network the kernel keeps', () => {
    assert.deepEqual(kinds({ instances: [VI({ state: 'MASTER', routes: [{ dst: '203.0.113.7/24', dev: 'eth0' }] })], ...held }), []);
  });
  it('a keepalived-protocol route or rule nobody configures is listed; other routes are not', () => {
    const d = kinds({
      instances: [],
      addrs: [],
      routes: [{ ...route, dst: '192.0.2.0' }, { ...route, protocol: 2 }],
      rules: [{ ...rule, table: 7 }],
    });
    assert.deepEqual(d, ['route-unexpected 192.0.2.0/24 dev eth0 table 254 proto keepalived', 'rule-unexpected from 198.51.100.100/32 table 7 proto keepalived']);
  });
  it('an unreadable nftables set is not compared', () => {
    assert.deepEqual(kinds({ instances: [VI({ state: 'MASTER' })], ...held, nftVips: undefined }), []);
  });
  it('the text report names each difference and ends with the count', () => {
    const t = renderDrift(driftReport({ instances: [VI({ state: 'BACKUP', routes: [], rules: [] })], ...held, nftVips: [] }), ['a note']);
    assert.match(t, /^instance VI_1: BACKUP \(daemon\), 2\/2 VIPs present$/m);
    assert.match(t, /^DRIFT VI_1: VIP present but should not be: 198\.51\.100\.100\/24 on eth0 \(expected absent \(VI_1 is BACKUP\), found present\)$/m);
    assert.match(t, /^note: a note$/m);
    assert.match(t, /^4 difference\(s\)$/m);
    assert.match(renderDrift(driftReport({ instances: [], addrs: [], routes: [], rules: [] }), []), /^no drift$/m);
  });
});

describe('drift: IPVS', () => {
  const spec = { virtualServers: [vs('192.0.2.10', 80, [rs('198.51.100.11', 80, { weight: 3 }), rs('198.51.100.12', 80, { weight: 1 })])] };
  const clone = (t: ServiceWithDests[]) => JSON.parse(JSON.stringify(t)) as ServiceWithDests[];
  it('without an LVS half every real server is wanted at its configured weight', () => {
    const w = wantedIpvs(spec);
    assert.equal(w.table.length, 1);
    assert.deepEqual(
      w.table[0].dests.map((d) => `${d.addr}:${d.weight}`),
      ['198.51.100.11:3', '198.51.100.12:1'],
    );
    assert.deepEqual([...w.owners.values()], ['[192.0.2.10]:tcp:80']);
  });
  it("with the LVS half's health: a dead real server is not wanted, an effective weight is", () => {
    const h = {
      virtualServers: [
        {
          id: '[192.0.2.10]:tcp:80',
          quorumUp: true,
          realServers: [
            { addr: '198.51.100.11', port: 80, alive: true, effectiveWeight: 5 },
            { addr: '198.51.100.12', port: 80, alive: false, effectiveWeight: 1 },
          ],
        },
      ],
    } as unknown as LvsStatus;
    assert.deepEqual(
      wantedIpvs(spec, h).table[0].dests.map((d) => `${d.addr}:${d.weight}`),
      ['198.51.100.11:5'],
    );
  });
  it('a real server drained by the LVS half (hactl rs drain) is wanted at weight 0', () => {
    const h = {
      virtualServers: [
        {
          id: '[192.0.2.10]:tcp:80',
          quorumUp: true,
          realServers: [
            { addr: '198.51.100.11', port: 80, alive: true, effectiveWeight: 3, drained: true },
            { addr: '198.51.100.12', port: 80, alive: true, effectiveWeight: 1 },
          ],
        },
      ],
    } as unknown as LvsStatus;
    assert.deepEqual(
      wantedIpvs(spec, h).table[0].dests.map((d) => `${d.addr}:${d.weight}`),
      ['198.51.100.11:0', '198.51.100.12:1'],
    );
  });
  it('a clean table: nothing', () => {
    const w = wantedIpvs(spec).table;
    assert.deepEqual(ipvsDrift(w, clone(w)), []);
  });
  it('a hand-added destination, a changed weight, a missing destination, a foreign service', () => {
    const w = wantedIpvs(spec);
    const live = clone(w.table);
    live[0].dests[0].weight = 7;
    live[0].dests.splice(1, 1);
    live[0].dests.push({ ...live[0].dests[0], addr: '198.51.100.99', weight: 1 });
    live.push({ ...live[0], addr: '203.0.113.5', dests: [] });
    const d = ipvsDrift(w.table, live, w.owners).map((x) => `${x.kind} ${x.owner} ${x.what} ${x.expected} ${x.actual}`);
    assert.deepEqual(d, [
      'ipvs-dest-weight [192.0.2.10]:tcp:80 198.51.100.11:80 in TCP 192.0.2.10:80 weight 3 weight 7',
      'ipvs-dest-missing [192.0.2.10]:tcp:80 198.51.100.12:80 in TCP 192.0.2.10:80 masq weight 1 absent',
      'ipvs-dest-unexpected [192.0.2.10]:tcp:80 198.51.100.99:80 in TCP 192.0.2.10:80 absent masq weight 1',
      'ipvs-service-unexpected  TCP 203.0.113.5:80 absent (no virtual_server) scheduler wlc flags 0x0',
    ]);
  });
  it('a missing service and a changed scheduler', () => {
    const w = wantedIpvs(spec).table;
    assert.deepEqual(ipvsDrift(w, []).map((x) => x.kind), ['ipvs-service-missing']);
    const live = clone(w);
    live[0].sched = 'rr';
    assert.deepEqual(ipvsDrift(w, live).map((x) => `${x.kind} ${x.expected} ${x.actual}`), ['ipvs-service-changed scheduler wlc flags 0x0 scheduler rr flags 0x0']);
  });
});
