// biome-ignore-all lint/suspicious/noExplicitAny: test code reading untyped JSON from `ip -j` and the driver
/**
 * rtnetlink adapter, for real, in network namespaces: addresses, macvlan,
 * routes and rules (checked with `ip -j`), the link watcher seeing a cable pull.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Host, Lab, netnsUnavailable, sh } from '../helpers/netns';

const DRIVER = path.join(__dirname, 'net-driver.js');
const skip = netnsUnavailable();

function drive(ns: string, ops: object[]): unknown[] {
  const out = sh('ip', ['netns', 'exec', ns, process.execPath, DRIVER, JSON.stringify({ ops })]);
  return JSON.parse(out);
}

function ipj(ns: string, args: string[]): any[] {
  return JSON.parse(sh('ip', ['netns', 'exec', ns, 'ip', '-j', ...args]) || '[]');
}

describe('net: rtnetlink adapter in namespaces', { skip: skip ?? false, timeout: 60_000 }, () => {
  let lab: Lab;
  let a: Host;
  let b: Host;
  before(() => {
    lab = new Lab('nrt');
    a = lab.addHost('a', ['198.51.100.1/24']);
    b = lab.addHost('b', ['198.51.100.2/24']);
  });
  after(() => lab?.cleanup());

  it('lists links with index, name, mac, flags and mtu', () => {
    const [links] = drive(a.ns, [{ op: 'listLinks' }]) as any[][];
    const eth0 = links.find((l: any) => l.name === 'eth0');
    const ref = ipj(a.ns, ['link', 'show', 'eth0'])[0];
    assert.equal(eth0.index, ref.ifindex);
    assert.equal(eth0.mac, ref.address);
    assert.equal(eth0.mtu, ref.mtu);
    assert.equal(eth0.up, true);
    assert.equal(eth0.lowerUp, ref.flags.includes('LOWER_UP'));
    assert.equal(eth0.kind, 'veth');
    assert.equal(eth0.operstate, ref.operstate.toLowerCase());
  });

  it('adds and deletes IPv4 (label, brd, scope) and IPv6 (nodad) addresses', () => {
    const r = drive(a.ns, [
      { op: 'addAddress', dev: 'eth0', address: '198.51.100.100/24', label: 'eth0:vip', broadcast: '+' },
      { op: 'addAddress', dev: 'lo', address: '203.0.113.9/32', scope: 'host' },
      { op: 'addAddress', dev: 'eth0', address: '2001:db8::100/64', nodad: true },
      { op: 'addAddress', dev: 'eth0', address: '198.51.100.100/24' },
    ]);
    assert.deepEqual((r[3] as any).code, 'EEXIST');
    const info = ipj(a.ns, ['addr', 'show']);
    const eth0 = info.find((i: any) => i.ifname === 'eth0').addr_info;
    const v4 = eth0.find((x: any) => x.local === '198.51.100.100');
    assert.ok(v4, 'IPv4 VIP present');
    assert.equal(v4.prefixlen, 24);
    assert.equal(v4.label, 'eth0:vip');
    assert.equal(v4.broadcast, '198.51.100.255');
    const v6 = eth0.find((x: any) => x.local === '2001:db8::100');
    assert.ok(v6, 'IPv6 VIP present');
    assert.equal(v6.nodad, true);
    assert.notEqual(v6.tentative, true);
    const lo = info.find((i: any) => i.ifname === 'lo').addr_info.find((x: any) => x.local === '203.0.113.9');
    assert.equal(lo.scope, 'host');

    const listed = drive(a.ns, [{ op: 'listAddresses' }])[0] as any[];
    assert.ok(listed.some((x) => x.address === '2001:db8::100' && x.prefix === 64 && x.flags.includes('nodad')));

    const d = drive(a.ns, [
      { op: 'delAddress', dev: 'eth0', address: '198.51.100.100/24' },
      { op: 'delAddress', dev: 'eth0', address: '2001:db8::100/64' },
      { op: 'delAddress', dev: 'lo', address: '203.0.113.9/32' },
      { op: 'delAddress', dev: 'eth0', address: '2001:db8::100/64' },
    ]);
    assert.equal((d[3] as any).code, 'EADDRNOTAVAIL');
    const after = JSON.stringify(ipj(a.ns, ['addr', 'show']));
    assert.ok(!after.includes('198.51.100.100') && !after.includes('2001:db8::100') && !after.includes('203.0.113.9'));
    assert.ok(after.includes('198.51.100.1'), 'other addresses untouched');
  });

  it('creates a private macvlan with the VRRP virtual MAC, sets it up, deletes it', () => {
    const r = drive(a.ns, [
      { op: 'createMacvlan', dev: 'eth0', name: 'vrrp.51', mac: '00:00:5e:00:01:33', mode: 'private' },
      { op: 'setLinkUp', dev: 'vrrp.51', up: true },
    ]);
    const created = r[0] as any;
    assert.equal(created.name, 'vrrp.51');
    assert.equal(created.kind, 'macvlan');
    const d = ipj(a.ns, ['-d', 'link', 'show', 'vrrp.51'])[0];
    assert.equal(d.address, '00:00:5e:00:01:33');
    assert.equal(d.linkinfo.info_kind, 'macvlan');
    assert.equal(d.linkinfo.info_data.mode, 'private');
    assert.equal(d.link, 'eth0');
    assert.ok(d.flags.includes('UP'));
    const bridged = drive(a.ns, [{ op: 'createMacvlan', dev: 'eth0', name: 'mvb', mode: 'bridge' }])[0] as any;
    assert.equal(ipj(a.ns, ['-d', 'link', 'show', 'mvb'])[0].linkinfo.info_data.mode, 'bridge');
    assert.equal(bridged.parentIndex, ipj(a.ns, ['link', 'show', 'eth0'])[0].ifindex);
    drive(a.ns, [
      { op: 'deleteLink', dev: 'vrrp.51' },
      { op: 'deleteLink', dev: 'mvb' },
    ]);
    const names = ipj(a.ns, ['link', 'show']).map((l: any) => l.ifname);
    assert.ok(!names.includes('vrrp.51') && !names.includes('mvb'));
  });

  it('adds and deletes routes and rules (virtual_routes / virtual_rules)', () => {
    const r = drive(a.ns, [
      { op: 'addRoute', dst: '203.0.113.0/24', gw: '198.51.100.254', table: 100, metric: 7 },
      { op: 'addRoute', dst: '192.0.2.0/25', dev: 'eth0', scope: 'link', src: '198.51.100.1' },
      { op: 'addRoute', dst: '192.0.2.128/25', type: 'blackhole' },
      { op: 'addRoute', dst: 'default', gw: '198.51.100.254', table: 1000 },
      { op: 'addRule', from: '198.51.100.0/24', table: 100, priority: 100 },
      { op: 'addRule', to: '192.0.2.0/24', fwmark: 7, table: 1000, priority: 101 },
      { op: 'addRoute', dst: '203.0.113.0/24', gw: '203.0.113.77', table: 101 },
    ]);
    assert.equal((r[6] as any).code, 'ENETUNREACH');
    const t100 = ipj(a.ns, ['route', 'show', 'table', '100']);
    assert.deepEqual(
      t100.map((x: any) => [x.dst, x.gateway, x.dev, x.metric]),
      [['203.0.113.0/24', '198.51.100.254', 'eth0', 7]],
    );
    const main = ipj(a.ns, ['route', 'show']);
    const lnk = main.find((x: any) => x.dst === '192.0.2.0/25');
    assert.equal(lnk.scope, 'link');
    assert.equal(lnk.prefsrc, '198.51.100.1');
    assert.equal(main.find((x: any) => x.dst === '192.0.2.128/25').type, 'blackhole');
    assert.equal(ipj(a.ns, ['route', 'show', 'table', '1000'])[0].dst, 'default');
    const rules = ipj(a.ns, ['rule', 'show']);
    const r100 = rules.find((x: any) => x.priority === 100);
    assert.equal(r100.src, '198.51.100.0');
    assert.equal(r100.srclen, 24);
    assert.equal(r100.table, '100');
    const r101 = rules.find((x: any) => x.priority === 101);
    assert.equal(r101.dst, '192.0.2.0');
    assert.equal(r101.fwmark, '0x7');
    assert.equal(r101.table, '1000');
    const listed = drive(a.ns, [{ op: 'listRoutes', family: 4, table: 100 }])[0] as any[];
    assert.equal(listed[0].gw, '198.51.100.254');

    drive(a.ns, [
      { op: 'delRoute', dst: '203.0.113.0/24', gw: '198.51.100.254', table: 100, metric: 7 },
      { op: 'delRoute', dst: '192.0.2.0/25', dev: 'eth0' },
      { op: 'delRoute', dst: '192.0.2.128/25', type: 'blackhole' },
      { op: 'delRoute', dst: 'default', gw: '198.51.100.254', table: 1000 },
      { op: 'delRule', from: '198.51.100.0/24', table: 100, priority: 100 },
      { op: 'delRule', to: '192.0.2.0/24', fwmark: 7, table: 1000, priority: 101 },
    ]);
    assert.equal(ipj(a.ns, ['route', 'show', 'table', '100']).length, 0);
    assert.ok(!JSON.stringify(ipj(a.ns, ['route', 'show'])).includes('192.0.2.'));
    assert.ok(!ipj(a.ns, ['rule', 'show']).some((x: any) => x.priority === 100 || x.priority === 101));
  });

  it('measures: 100 address add+delete via rtnetlink vs 200 `ip addr` runs', () => {
    const n = 100;
    const ms = drive(a.ns, [{ op: 'benchAddr', dev: 'eth0', n }])[0] as number;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) lab.nsExec(a.ns, 'ip', ['addr', 'add', `203.0.113.${i + 1}/32`, 'dev', 'eth0']);
    for (let i = 0; i < n; i++) lab.nsExec(a.ns, 'ip', ['addr', 'del', `203.0.113.${i + 1}/32`, 'dev', 'eth0']);
    const ipMs = Number(process.hrtime.bigint() - t0) / 1e6;
    assert.ok(!JSON.stringify(ipj(a.ns, ['addr', 'show'])).includes('203.0.113.'), 'all removed');
    process.stdout.write(`# rtnetlink: ${n} add + ${n} del in ${ms.toFixed(1)} ms; ip(8): ${ipMs.toFixed(0)} ms (ratio ${(ipMs / ms).toFixed(1)}x)\n`);
  });

  it('IPv6 routes and rules', () => {
    drive(a.ns, [{ op: 'addAddress', dev: 'eth0', address: '2001:db8:1::1/64', nodad: true }]);
    const r = drive(a.ns, [
      { op: 'addRoute', dst: '2001:db8:2::/48', gw: '2001:db8:1::fe', table: 200, metric: 10 },
      { op: 'addRule', from: '2001:db8:1::/64', table: 200, priority: 300 },
    ]);
    assert.deepEqual(r, [null, null]);
    const rt = ipj(a.ns, ['-6', 'route', 'show', 'table', '200']);
    assert.deepEqual([rt[0].dst, rt[0].gateway, rt[0].metric], ['2001:db8:2::/48', '2001:db8:1::fe', 10]);
    const rule = ipj(a.ns, ['-6', 'rule', 'show']).find((x: any) => x.priority === 300);
    assert.equal(rule.src, '2001:db8:1::');
    assert.equal(rule.table, '200');
    drive(a.ns, [
      { op: 'delRoute', dst: '2001:db8:2::/48', gw: '2001:db8:1::fe', table: 200, metric: 10 },
      { op: 'delRule', from: '2001:db8:1::/64', table: 200, priority: 300 },
      { op: 'delAddress', dev: 'eth0', address: '2001:db8:1::1/64' },
    ]);
    assert.equal(ipj(a.ns, ['-6', 'route', 'show', 'table', '200']).length, 0);
    assert.ok(!ipj(a.ns, ['-6', 'rule', 'show']).some((x: any) => x.priority === 300));
  });

  it('the link watcher sees a cable pull and the reconnect', async () => {
    const child = spawn('ip', ['netns', 'exec', b.ns, process.execPath, DRIVER, JSON.stringify({ watch: true })], { stdio: ['ignore', 'pipe', 'pipe'] });
    const events: any[] = [];
    let buf = '';
    const waitFor = (pred: (e: any) => boolean, ms: number) =>
      new Promise<any>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timeout; events: ${JSON.stringify(events)}`)), ms);
        const check = () => {
          const e = events.find(pred);
          if (e) {
            clearTimeout(t);
            resolve(e);
          } else setTimeout(check, 20);
        };
        check();
      });
    child.stdout.on('data', (d) => {
      buf += d;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        events.push(JSON.parse(buf.slice(0, i)));
        buf = buf.slice(i + 1);
      }
    });
    try {
      await waitFor((e) => e.ready, 5000);
      const t0 = Date.now();
      lab.setCable(b, false);
      const down = await waitFor((e) => e.link?.name === 'eth0' && e.link.lowerUp === false, 5000);
      const downMs = Date.now() - t0;
      assert.equal(down.type, 'new');
      assert.equal(down.link.up, true, 'admin state stays up');
      assert.notEqual(down.link.operstate, 'up');
      lab.setCable(b, true);
      await waitFor((e) => e.link?.name === 'eth0' && e.link.lowerUp === true, 5000);
      process.stdout.write(`# link watcher: carrier loss seen after ${downMs} ms\n`);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
