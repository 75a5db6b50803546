// biome-ignore-all lint/suspicious/noExplicitAny: test code reading untyped JSON
/**
 * Issue 6 acceptance, in network namespaces: client, director and two real
 * servers on one bridge. hactl runs inside the namespaces
 * (`ip netns exec NS node bin/hactl ...`), so /proc/sys/net is per namespace
 * and the root namespace is never touched.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { packetUnavailable } from '../../src/lib/net/packet';
import { HACTL } from '../helpers/cli';
import { type Host, Lab, netnsUnavailable, sh } from '../helpers/netns';

const DRIVER = path.join(__dirname, 'net-driver.js');
const skip = netnsUnavailable() ?? packetUnavailable();
const VIP = '198.51.100.100';
const VIP6 = '2001:db8::100';
const SYSCTLS = ['all', 'eth0', 'lo'].flatMap((d) => [`net/ipv4/conf/${d}/arp_ignore`, `net/ipv4/conf/${d}/arp_announce`]);

let arping: boolean;
try {
  execFileSync('arping', ['-V'], { stdio: 'ignore' });
  arping = true;
} catch {
  arping = false;
}

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

describe('arp: LVS-DR real server / director setup (issue 6 acceptance)', { skip: skip ?? false, timeout: 120_000 }, () => {
  let lab: Lab;
  let client: Host;
  let director: Host;
  let rs1: Host;
  let rs2: Host;
  let tmp: string;
  const mac: Record<string, string> = {};
  let rs2Before: Record<string, string> = {};

  const hactl = (h: Host, args: string[], name = h.ns): Run => {
    const r = spawnSync('ip', ['netns', 'exec', h.ns, process.execPath, HACTL, ...args], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, NO_COLOR: '1', HACTL_STATE_DIR: path.join(tmp, name) },
    });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const readSys = (h: Host, rel: string) => lab.nsExec(h.ns, 'cat', [`/proc/sys/${rel}`]).trim();
  const sysSnapshot = (h: Host) => Object.fromEntries(SYSCTLS.map((k) => [k, readSys(h, k)]));
  const probe = (): string[] => JSON.parse(sh('ip', ['netns', 'exec', client.ns, process.execPath, DRIVER, JSON.stringify({ arpProbe: VIP, dev: 'eth0', ms: 800 })]));
  const arpingMacs = (): string[] => {
    const r = spawnSync('ip', ['netns', 'exec', client.ns, 'arping', '-c', '2', '-w', '3', '-I', 'eth0', VIP], { encoding: 'utf8', timeout: 10_000 });
    return [...new Set([...(r.stdout ?? '').matchAll(/reply from \S+ \[([0-9a-fA-F:]+)\]/g)].map((m) => m[1].toLowerCase()))].sort();
  };
  const loAddrs = (h: Host): string[] =>
    JSON.parse(lab.nsExec(h.ns, 'ip', ['-j', 'addr', 'show', 'dev', 'lo']))[0].addr_info.map((a: any) => `${a.local}/${a.prefixlen}`);

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-arp-'));
    lab = new Lab('arp');
    client = lab.addHost('cl', ['198.51.100.10/24']);
    director = lab.addHost('dir', ['198.51.100.1/24']);
    rs1 = lab.addHost('rs1', ['198.51.100.11/24']);
    rs2 = lab.addHost('rs2', ['198.51.100.12/24']);
    for (const h of [client, director, rs1, rs2]) mac[h.ns] = JSON.parse(lab.nsExec(h.ns, 'ip', ['-j', 'link', 'show', 'eth0']))[0].address;
  });
  after(() => {
    lab?.cleanup();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('without the setup, a real server holding the VIP answers the client`s ARP', () => {
    const r = hactl(director, ['arp', 'director-setup', '--vip', VIP, '--iface', 'eth0']);
    assert.equal(r.status, 0, r.stderr);
    lab.nsExec(rs1.ns, 'ip', ['addr', 'add', `${VIP}/32`, 'dev', 'lo']); // the classic mistake
    const macs = probe();
    assert.deepEqual(macs, [mac[director.ns], mac[rs1.ns]].sort(), 'director AND rs1 answer: the problem');
    if (arping) assert.ok(arpingMacs().includes(mac[rs1.ns]), 'arping sees the real server answer too');
  });

  it('realserver-setup: dry-run changes nothing, then the real servers stop answering ARP', () => {
    // unusual previous values on rs2, to prove teardown restores them exactly
    lab.nsExec(rs2.ns, 'sh', ['-c', 'echo 1 > /proc/sys/net/ipv4/conf/all/arp_announce; echo 8 > /proc/sys/net/ipv4/conf/eth0/arp_ignore']);
    const before2 = sysSnapshot(rs2);
    rs2Before = before2;

    const dry = hactl(rs2, ['arp', 'realserver-setup', '--vip', VIP, '--vip', VIP6, '--iface', 'eth0', '--dry-run']);
    assert.equal(dry.status, 0, dry.stderr);
    const lines = dry.stdout.split('\n').filter((l) => /^\s+\d+\. /.test(l));
    assert.equal(lines.length, 8, dry.stdout);
    // order: every ARP sysctl before any address
    const firstAddr = lines.findIndex((l) => l.includes(' add '));
    assert.ok(lines.slice(0, firstAddr).every((l) => l.includes('sysctl')) && firstAddr === 6, dry.stdout);
    assert.match(lines[0], /net\.ipv4\.conf\.all\.arp_ignore: 0 -> 1/);
    assert.match(lines[6], new RegExp(`add ${VIP}/32 on lo label lo:hactl`));
    assert.match(lines[7], new RegExp(`add ${VIP6}/128 on lo nodad`));
    assert.deepEqual(sysSnapshot(rs2), before2, 'dry-run changed nothing');
    assert.ok(!loAddrs(rs2).includes(`${VIP}/32`));

    for (const h of [rs1, rs2]) {
      const r = hactl(h, ['arp', 'realserver-setup', '--vip', VIP, '--vip', VIP6, '--iface', 'eth0']);
      assert.equal(r.status, 0, r.stderr);
    }
    assert.ok(loAddrs(rs2).includes(`${VIP}/32`) && loAddrs(rs2).includes(`${VIP6}/128`));
    const label = JSON.parse(lab.nsExec(rs2.ns, 'ip', ['-j', 'addr', 'show', 'dev', 'lo']))[0].addr_info.find((a: any) => a.local === VIP).label;
    assert.equal(label, 'lo:hactl');
    assert.deepEqual(probe(), [mac[director.ns]], 'only the director answers');
    if (arping) assert.deepEqual(arpingMacs(), [mac[director.ns]], 'arping: only the director answers');
  });

  it('a second run changes nothing and says so', () => {
    const r = hactl(rs2, ['arp', 'realserver-setup', '--vip', VIP, '--vip', VIP6, '--iface', 'eth0']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /nothing to do, already set up/);
  });

  it('the real server still accepts packets to the VIP sent to its MAC', () => {
    lab.nsExec(client.ns, 'ip', ['neigh', 'replace', VIP, 'lladdr', mac[rs1.ns], 'dev', 'eth0', 'nud', 'permanent']);
    const echos = () => Number(/Icmp: \d+ \d+ \d+ \d+ \d+ \d+ \d+ \d+ (\d+)/.exec(lab.nsExec(rs1.ns, 'cat', ['/proc/net/snmp']).replace(/Icmp: [A-Za-z].*\n/, ''))?.[1]);
    const inBefore = echos();
    const out = lab.nsExec(client.ns, 'ping', ['-c', '2', '-W', '2', '-i', '0.2', VIP]);
    assert.match(out, /2 received/);
    assert.ok(echos() >= inBefore + 2, 'rs1 received the echo requests');
    lab.nsExec(client.ns, 'ip', ['neigh', 'del', VIP, 'dev', 'eth0']);
  });

  it('IPv6: the VIP on lo is not advertised by neighbour discovery, yet accepted when sent to the RS MAC', () => {
    lab.nsExec(client.ns, 'ip', ['addr', 'add', '2001:db8::10/64', 'dev', 'eth0', 'nodad']);
    for (const h of [rs1, rs2]) lab.nsExec(h.ns, 'ip', ['addr', 'add', `2001:db8::${h === rs1 ? '11' : '12'}/64`, 'dev', 'eth0', 'nodad']);
    const unresolved = spawnSync('ip', ['netns', 'exec', client.ns, 'ping', '-6', '-c', '1', '-W', '2', VIP6], { encoding: 'utf8', timeout: 10_000 });
    assert.notEqual(unresolved.status, 0, 'nobody answers neighbour solicitations for the VIP');
    const n = JSON.parse(lab.nsExec(client.ns, 'ip', ['-j', '-6', 'neigh', 'show', VIP6]));
    assert.ok(n.length === 0 || !n[0].lladdr, `no neighbour entry resolved: ${JSON.stringify(n)}`);
    lab.nsExec(client.ns, 'ip', ['-6', 'neigh', 'replace', VIP6, 'lladdr', mac[rs2.ns], 'dev', 'eth0', 'nud', 'permanent']);
    assert.match(lab.nsExec(client.ns, 'ping', ['-6', '-c', '1', '-W', '2', VIP6]), /1 received/);
    lab.nsExec(client.ns, 'ip', ['-6', 'neigh', 'del', VIP6, 'dev', 'eth0']);
  });

  it('status: ok when complete (text and --json), and detects each missing piece', () => {
    const ok = hactl(rs2, ['arp', 'realserver-status']);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    const js = hactl(rs2, ['arp', 'realserver-status', '--json']);
    const rep = JSON.parse(js.stdout);
    assert.equal(rep.ok, true);
    assert.equal(rep.checks.length, 8);
    for (const rel of SYSCTLS) {
      const prev = readSys(rs2, rel);
      lab.nsExec(rs2.ns, 'sh', ['-c', `echo 0 > /proc/sys/${rel}`]);
      const r = hactl(rs2, ['arp', 'realserver-status']);
      lab.nsExec(rs2.ns, 'sh', ['-c', `echo ${prev} > /proc/sys/${rel}`]);
      assert.equal(r.status, 1, `status must fail when ${rel} is 0`);
      const key = rel.replace(/\//g, '.');
      assert.match(r.stdout, new RegExp(`MISSING\\s+${key.replace(/\./g, '\\.')}: 0 \\(want [12]\\)`));
    }
    lab.nsExec(rs2.ns, 'ip', ['addr', 'del', `${VIP6}/128`, 'dev', 'lo']);
    const r = hactl(rs2, ['arp', 'realserver-status', '--json']);
    assert.equal(r.status, 1);
    const bad = JSON.parse(r.stdout).checks.filter((c: any) => !c.ok);
    assert.deepEqual(
      bad.map((c: any) => c.what),
      [`VIP ${VIP6} on lo`],
    );
    // setup repairs exactly that piece
    const fix = hactl(rs2, ['arp', 'realserver-setup', '--vip', VIP, '--vip', VIP6, '--iface', 'eth0']);
    assert.match(fix.stdout, /applied 1 change\(s\)/);
    assert.equal(hactl(rs2, ['arp', 'realserver-status']).status, 0);
  });

  it('bad input: clear error, no partial change', () => {
    const cases: [string[], RegExp, number][] = [
      [['--vip', '198.51.100.101', '--vip', '198.51.100.300'], /invalid VIP "198\.51\.100\.300"/, 2],
      [['--vip', '2001:db8::7', '--vip', '2001:DB8:0::7'], /duplicate VIP/, 2],
      [['--vip', '198.51.100.101', '--iface', 'eth9'], /interface "eth9" does not exist/, 1],
      [['--vip', '198.51.100.101/24'], /\/32 only/, 2],
    ];
    const fresh = lab.addHost('rs3', ['198.51.100.13/24']);
    const snap = sysSnapshot(fresh);
    // not root: refused before anything (status and --dry-run work unprivileged)
    const asNobody = (args: string[]) =>
      spawnSync('ip', ['netns', 'exec', fresh.ns, 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, HACTL, ...args], {
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, NO_COLOR: '1', HOME: '/tmp', HACTL_STATE_DIR: '/nonexistent/hactl-state' },
      });
    const nr = asNobody(['arp', 'realserver-setup', '--vip', '198.51.100.101', '--iface', 'eth0']);
    assert.equal(nr.status, 4, nr.stderr);
    assert.match(nr.stderr, /must run as root/);
    assert.equal(asNobody(['arp', 'realserver-setup', '--vip', '198.51.100.101', '--iface', 'eth0', '--dry-run']).status, 0);
    const ns = asNobody(['arp', 'realserver-status', '--vip', '198.51.100.101', '--iface', 'eth0']);
    assert.equal(ns.status, 1, ns.stderr);
    assert.match(ns.stdout, /MISSING/);
    for (const [args, re, code] of cases) {
      const r = hactl(fresh, ['arp', 'realserver-setup', ...args]);
      assert.equal(r.status, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
    const blocked = path.join(tmp, 'blocked');
    fs.writeFileSync(blocked, '');
    const nd = hactl(fresh, ['arp', 'realserver-setup', '--vip', '198.51.100.101', '--iface', 'eth0', '--state-dir', path.join(blocked, 'sub')]);
    assert.equal(nd.status, 1);
    assert.match(nd.stderr, /cannot read the state file .*ENOTDIR/);
    assert.deepEqual(sysSnapshot(fresh), snap);
    // a kernel refusal after changes were applied rolls them back: IPv6 disabled on lo
    lab.nsExec(fresh.ns, 'sh', ['-c', 'echo 1 > /proc/sys/net/ipv6/conf/lo/disable_ipv6']);
    const r = hactl(fresh, ['arp', 'realserver-setup', '--vip', '198.51.100.101', '--vip', '2001:db8::101', '--iface', 'eth0']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /add 2001:db8::101\/128 on lo nodad failed: .*; rolled back the 7 change\(s\) already applied/);
    assert.deepEqual(sysSnapshot(fresh), snap, 'sysctls rolled back');
    assert.ok(!loAddrs(fresh).includes('198.51.100.101/32'), 'VIP rolled back');
  });

  it('tun mode: tunl0 up with the VIP and rp_filter 0, or a clear error and full rollback without ipip', () => {
    const fresh = lab.addHost('rs4', ['198.51.100.14/24']);
    const snap = sysSnapshot(fresh);
    const r = hactl(fresh, ['arp', 'realserver-setup', '--vip', '198.51.100.102', '--iface', 'eth0', '--mode', 'tun']);
    const hasIpip = JSON.parse(lab.nsExec(fresh.ns, 'ip', ['-j', 'link', 'show'])).some((l: any) => l.ifname === 'tunl0');
    if (r.status === 0) {
      assert.ok(hasIpip);
      assert.equal(readSys(fresh, 'net/ipv4/conf/tunl0/rp_filter'), '0');
      assert.equal(readSys(fresh, 'net/ipv4/conf/all/rp_filter'), '0');
      const t = JSON.parse(lab.nsExec(fresh.ns, 'ip', ['-j', 'addr', 'show', 'dev', 'tunl0']))[0];
      assert.ok(t.flags.includes('UP'));
      assert.ok(t.addr_info.some((a: any) => a.local === '198.51.100.102' && a.prefixlen === 32));
      assert.equal(hactl(fresh, ['arp', 'realserver-status']).status, 0);
      assert.equal(hactl(fresh, ['arp', 'realserver-teardown']).status, 0);
      assert.deepEqual(sysSnapshot(fresh), snap);
    } else {
      assert.match(r.stderr, /cannot create ipip devices .*modprobe ipip.*rolled back the \d+ change/);
      assert.deepEqual(sysSnapshot(fresh), snap, 'nothing left half-applied');
      assert.equal(hactl(fresh, ['arp', 'realserver-status', '--vip', '198.51.100.102', '--mode', 'tun']).status, 1);
    }
  });

  it('--persist writes a sysctl.d file and an enabled oneshot unit; teardown removes them', () => {
    const sysctlDir = path.join(tmp, 'sysctl.d');
    const unitDir = path.join(tmp, 'units');
    const r = hactl(rs1, ['arp', 'realserver-setup', '--vip', VIP, '--iface', 'eth0', '--persist', '--sysctl-dir', sysctlDir, '--unit-dir', unitDir]);
    assert.equal(r.status, 0, r.stderr);
    const conf = fs.readFileSync(path.join(sysctlDir, '90-hactl-arp-realserver.conf'), 'utf8');
    assert.match(conf, /^net\.ipv4\.conf\.all\.arp_ignore = 1$/m);
    assert.match(conf, /^net\.ipv4\.conf\.lo\.arp_announce = 2$/m);
    const unit = fs.readFileSync(path.join(unitDir, 'hactl-arp-realserver.service'), 'utf8');
    assert.match(unit, /^Type=oneshot$/m);
    assert.match(unit, /^ExecStart=.*bin\/hactl arp realserver-setup --vip 198\.51\.100\.100 .*--iface eth0/m);
    assert.equal(fs.readlinkSync(path.join(unitDir, 'multi-user.target.wants', 'hactl-arp-realserver.service')), path.join(unitDir, 'hactl-arp-realserver.service'));
    const td = hactl(rs1, ['arp', 'realserver-teardown']);
    assert.equal(td.status, 0, td.stderr);
    assert.ok(!fs.existsSync(path.join(sysctlDir, '90-hactl-arp-realserver.conf')));
    assert.ok(!fs.existsSync(path.join(unitDir, 'hactl-arp-realserver.service')));
    assert.ok(!fs.existsSync(path.join(unitDir, 'multi-user.target.wants', 'hactl-arp-realserver.service')));
    // rs1 held the VIP before hactl: teardown removes only what it added
    assert.ok(loAddrs(rs1).includes(`${VIP}/32`), 'pre-existing VIP left alone');
  });

  it('teardown restores the exact previous sysctl values and removes only its VIPs', () => {
    const td = hactl(rs2, ['arp', 'realserver-teardown']);
    assert.equal(td.status, 0, td.stderr);
    assert.deepEqual(sysSnapshot(rs2), rs2Before);
    assert.equal(readSys(rs2, 'net/ipv4/conf/eth0/arp_ignore'), '8');
    assert.ok(!loAddrs(rs2).includes(`${VIP}/32`) && !loAddrs(rs2).includes(`${VIP6}/128`));
    assert.match(hactl(rs2, ['arp', 'realserver-teardown']).stdout, /nothing to tear down/);
    assert.equal(hactl(rs2, ['arp', 'realserver-status', '--vip', VIP]).status, 1);
  });

  it('director: status, --config warning for VRRP-owned VIPs, nat ip_forward, teardown', () => {
    assert.equal(hactl(director, ['arp', 'director-status']).status, 0);
    const conf = path.join(tmp, 'keepalived.conf');
    fs.writeFileSync(conf, `vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  virtual_ipaddress {\n    198.51.100.200/24 dev eth0 label eth0:1\n  }\n}\n`);
    const w = hactl(director, ['arp', 'director-setup', '--vip', '198.51.100.200', '--iface', 'eth0', '--mode', 'nat', '--config', conf, '--dry-run']);
    assert.equal(w.status, 0, w.stderr);
    assert.match(w.stderr, /VIP 198\.51\.100\.200 is in a virtual_ipaddress block of vrrp_instance VI_1 \(.*keepalived\.conf:5\).*VRRP daemon/);
    assert.match(w.stdout, /sysctl net\.ipv4\.ip_forward: 0 -> 1/);
    const missing = hactl(director, ['arp', 'director-setup', '--vip', '198.51.100.201', '--iface', 'eth0', '--config', path.join(tmp, 'nope.conf')]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /cannot read --config .*nope\.conf/);
    const n = hactl(director, ['arp', 'director-setup', '--vip', '198.51.100.201', '--iface', 'eth0', '--mode', 'nat', '--config', conf]);
    assert.equal(n.status, 0, n.stderr);
    assert.equal(n.stderr, '', 'no warning for a VIP not in the config');
    assert.equal(readSys(director, 'net/ipv4/ip_forward'), '1');
    const td = hactl(director, ['arp', 'director-teardown']);
    assert.equal(td.status, 0, td.stderr);
    assert.equal(readSys(director, 'net/ipv4/ip_forward'), '0');
    const addrs = JSON.stringify(JSON.parse(lab.nsExec(director.ns, 'ip', ['-j', 'addr', 'show', 'dev', 'eth0'])));
    assert.ok(!addrs.includes(VIP) && !addrs.includes('198.51.100.201') && addrs.includes('198.51.100.1'));
    assert.equal(hactl(director, ['arp', 'director-status', '--vip', VIP, '--iface', 'eth0']).status, 1);
  });
});
