// biome-ignore-all lint/suspicious/noExplicitAny: test code reading untyped JSON from vtysh and ip -j
/**
 * `hactl bgp announce|withdraw|status` against real FRR 8.4 in namespaces: a router (zebra + bgpd,
 * maximum-paths, dynamic neighbours) and directors running zebra + bgpd configured with the
 * settings' own `hactl bgp status --frr-config`. The router's RIB (vtysh json) must hold one ECMP
 * path per announcing director; a missing or stopped FRR is a precise error and announces nothing.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HACTL, ROOT } from '../helpers/cli';
import { type Host, Lab, netnsUnavailable, sh } from '../helpers/netns';
import { bgpPaths, FrrNode, frrUnavailable, routerConf, until } from './frr-lab';

const skip = netnsUnavailable() ?? frrUnavailable();
if (skip) console.log(`# skipping bgp-frr: ${skip}`);

const VIP = '203.0.113.10';
const ROUTER = '198.51.100.1';
const SETTINGS = `# lab\ntable 100\nprotocol 249\nvip ${VIP} med 20 community 64501:100\nvip 203.0.113.20\n`;

function run(ns: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, HACTL, ...args], {
    encoding: 'utf8',
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', ...env },
    timeout: 30_000,
  });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

describe('bgp: hactl hands VIPs to FRR, the router holds one ECMP path per director', { skip: skip ?? false, timeout: 120_000 }, () => {
  let lab: Lab;
  let tmp: string;
  let settings: string;
  let frrConfig: string;
  let router: FrrNode;
  const dirs: { host: Host; addr: string; frr?: FrrNode }[] = [];
  const nodes: FrrNode[] = [];

  function directorConf(addr: string): string {
    // zebra and bgpd each read this whole file and skip what is not theirs; an `exit` after a
    // block zebra does not know leaves its config mode, so zebra's lines (the rendered part) go first
    return [
      'frr defaults datacenter',
      `hostname d${addr.split('.')[3]}`,
      frrConfig,
      'router bgp 64501',
      ` bgp router-id ${addr}`,
      ' no bgp ebgp-requires-policy',
      ` neighbor ${ROUTER} remote-as 64500`,
      ` neighbor ${ROUTER} timers 1 3`,
      ` neighbor ${ROUTER} timers connect 1`,
      ` neighbor ${ROUTER} advertisement-interval 0`,
      'exit',
      '',
    ].join('\n');
  }

  function startDirector(i: number): FrrNode {
    const d = dirs[i];
    d.frr = new FrrNode(lab, d.host, directorConf(d.addr)).start();
    nodes.push(d.frr);
    return d.frr;
  }

  const routerPaths = (vip = VIP): string[] => bgpPaths(router, vip);

  const pathsBecome = (want: string[], why: string) =>
    until(
      why,
      20_000,
      () => (JSON.stringify(routerPaths()) === JSON.stringify(want) ? true : undefined),
      () => JSON.stringify(routerPaths()),
    );

  function established(n: number) {
    return until(
      `${n} sessions established on the router`,
      30_000,
      () => {
        const peers = router.json<any>('show bgp ipv4 unicast summary json').peers ?? {};
        return Object.values(peers).filter((p: any) => p.state === 'Established').length >= n ? true : undefined;
      },
      () => router.vtysh('show bgp ipv4 unicast summary'),
    );
  }

  /** hactl's routes in a namespace (any table: `show table 100` fails while the table does not exist). */
  const table100 = (ns: string) => sh('ip', ['-n', ns, 'route', 'show', 'table', 'all', 'proto', '249']).trim();

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-bgp-'));
    settings = path.join(tmp, 'bgp.conf');
    fs.writeFileSync(settings, SETTINGS);
    const r = spawnSync(process.execPath, [HACTL, 'bgp', 'status', '--frr-config', '--asn', '64501', '-c', settings], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    frrConfig = r.stdout;
    lab = new Lab('bgp');
    const rh = lab.addHost('r', [`${ROUTER}/24`]);
    for (const n of [11, 12, 13, 14]) dirs.push({ host: lab.addHost(`d${n}`, [`198.51.100.${n}/24`]), addr: `198.51.100.${n}` });
    router = new FrrNode(lab, rh, routerConf(ROUTER)).start();
    nodes.push(router);
  });

  after(() => {
    for (const n of nodes) n.cleanup();
    lab?.cleanup();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('two directors announce: two ECMP paths, with the MED and community of the settings', async () => {
    const [d1, d2] = [startDirector(0), startDirector(1)];
    await established(2);
    for (const d of [d1, d2]) {
      const r = run(d.host.ns, ['bgp', 'announce', VIP, '-c', settings, '--vty-socket', d.dir]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, `${VIP}: announced (table 100)\n`);
      assert.equal(table100(d.host.ns), `blackhole ${VIP} table 100 metric 20`);
    }
    await pathsBecome(['198.51.100.11', '198.51.100.12'], 'router holds both directors');
    const bgp = router.json<any>(`show bgp ipv4 unicast ${VIP}/32 json`);
    assert.equal(bgp.paths.length, 2);
    for (const p of bgp.paths) {
      assert.equal(p.metric, 20, 'MED from the route metric');
      assert.deepEqual(p.community?.list, ['64501:100']);
    }
    // 203.0.113.20 is declared but not announced: the router has nothing for it
    assert.deepEqual(routerPaths('203.0.113.20'), []);
  });

  it('announcing again changes nothing; status shows the route and FRR view', () => {
    const d1 = dirs[0].frr as FrrNode;
    const r = run(d1.host.ns, ['bgp', 'announce', VIP, '-c', settings, '--vty-socket', d1.dir]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${VIP}: already announced (table 100)\n`);
    const s = run(d1.host.ns, ['bgp', 'status', '--json', '-c', settings, '--vty-socket', d1.dir]);
    assert.equal(s.status, 0, s.stderr);
    const j = JSON.parse(s.stdout);
    assert.deepEqual(
      j.vips.map((v: any) => [v.vip, v.kernelRoute, v.frr]),
      [
        [VIP, true, { inBgp: true, advertisedTo: [ROUTER] }],
        ['203.0.113.20', false, { inBgp: false, advertisedTo: [] }],
      ],
    );
    assert.deepEqual(
      j.peers.map((p: any) => [p.peer, p.state]),
      [[ROUTER, 'Established']],
    );
    assert.equal(j.frrError, null);
  });

  it('withdraw in one director removes exactly its path', async () => {
    const d1 = dirs[0];
    const r = run(d1.host.ns, ['bgp', 'withdraw', VIP, '-c', settings]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${VIP}: withdrawn\n`);
    assert.equal(table100(d1.host.ns), '');
    await pathsBecome(['198.51.100.12'], 'router keeps only d12');
    const again = run(d1.host.ns, ['bgp', 'withdraw', VIP, '-c', settings]);
    assert.equal(again.stdout, `${VIP}: was not announced\n`);
  });

  it('a third director joining adds its path', async () => {
    const d3 = startDirector(2);
    await established(3);
    const r = run(d3.host.ns, ['bgp', 'announce', '--all', '-c', settings, '--vty-socket', d3.dir]);
    assert.equal(r.status, 0, r.stderr);
    await pathsBecome(['198.51.100.12', '198.51.100.13'], 'router holds d12 and d13');
    assert.deepEqual(routerPaths('203.0.113.20'), ['198.51.100.13']);
  });

  it('missing or stopped FRR: a precise error, nothing announced', async () => {
    const d4 = dirs[3].host; // no FRR at all in this namespace
    const empty = fs.mkdtempSync(path.join(tmp, 'novty-'));
    let r = run(d4.ns, ['bgp', 'announce', VIP, '-c', settings, '--vty-socket', empty]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`^hactl: error: nothing announced: FRR's zebra is not running \\(vty sockets in ${empty}\\): .*start FRR`));
    r = run(d4.ns, ['bgp', 'announce', VIP, '-c', settings], { HACTL_VTYSH: path.join(tmp, 'no-vtysh') });
    assert.equal(r.status, 1);
    assert.equal(r.stderr, `hactl: error: nothing announced: cannot run ${path.join(tmp, 'no-vtysh')}: not found; install FRR (apt install frr) or set HACTL_VTYSH\n`);
    assert.equal(table100(d4.ns), '');
    // d11's bgpd stopped (zebra still up): refused as well, its table stays empty
    const d1 = dirs[0].frr as FrrNode;
    d1.stop('bgpd');
    r = run(d1.host.ns, ['bgp', 'announce', VIP, '-c', settings, '--vty-socket', d1.dir]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^hactl: error: nothing announced: FRR's bgpd is not running/);
    assert.equal(table100(d1.host.ns), '');
    // status still shows the kernel side and exits 1 with FRR's error
    const s = run(d1.host.ns, ['bgp', 'status', '--json', '-c', settings, '--vty-socket', d1.dir]);
    assert.equal(s.status, 1);
    assert.match(JSON.parse(s.stdout).frrError, /bgpd is not running/);
    await pathsBecome(['198.51.100.12', '198.51.100.13'], 'router unchanged');
  });
});
