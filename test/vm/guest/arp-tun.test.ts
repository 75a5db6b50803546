/**
 * Runs INSIDE the IPVS VM (a throwaway guest, so its root namespace is ours):
 * `hactl arp realserver-setup --mode tun` for real, with ipip/ip6_tunnel
 * insmod'ed from /work/dist/vm-modules (copied there on the host by
 * test/vm/vm-modules.ts before the VM boots). Checks tunl0/ip6tnl0 up with the
 * VIPs, rp_filter and ARP sysctls, status (ok, then a missing piece), an
 * idempotent second setup, and a teardown that restores the exact previous
 * values. Few hactl runs: Node starts slowly under emulation.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const HACTL = path.join(ROOT, 'bin', 'hactl');
const MOD_DIR = path.join(ROOT, 'dist', 'vm-modules');
const V4 = '192.0.2.10';
const V6 = '2001:db8::10';

function run(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '', out: `${r.stdout}${r.stderr}` };
}
const hactl = (...args: string[]) => run(process.execPath, [HACTL, 'arp', ...args]);
const sh = (cmd: string) => run('sh', ['-c', cmd]);

function sysctlFile(key: string): string {
  return path.join('/proc/sys', ...key.split('.'));
}
const readSysctl = (key: string) => fs.readFileSync(sysctlFile(key), 'utf8').trim();
const writeSysctl = (key: string, v: string) => fs.writeFileSync(sysctlFile(key), v);

function skipReason(): string | undefined {
  if (!fs.existsSync('/proc/net/ip_vs') || !process.env.HACTL_IN_VM) return 'not inside the IPVS VM (runs there via test/vm/run-vm.test.ts)';
  if (process.getuid?.() !== 0) return 'needs root';
  return undefined;
}

/** insmod the tunnel modules in load-order.txt; returns why not, or undefined when ipip and ip6_tunnel are loaded. */
function loadModules(): string | undefined {
  const order = path.join(MOD_DIR, 'load-order.txt');
  if (!fs.existsSync(order)) return `${order} is missing: the host did not copy the tunnel modules (test/vm/vm-modules.ts)`;
  for (const f of fs.readFileSync(order, 'utf8').split('\n')) {
    if (!f.trim() || f.startsWith('#')) continue;
    const name = f.replace(/\.ko$/, '');
    if (fs.existsSync(`/sys/module/${name}`)) continue;
    const r = run('insmod', [path.join(MOD_DIR, f)]);
    if (r.status !== 0) return `insmod ${f} failed: ${r.out.trim()}`;
  }
  for (const m of ['ipip', 'ip6_tunnel']) if (!fs.existsSync(`/sys/module/${m}`)) return `module ${m} did not load`;
  return undefined;
}

/** "ip -o addr" lines of a device (the address part only: "inet 192.0.2.10/32 ... tunl0:hactl"). */
function addrs(dev: string): string {
  const r = run('ip', ['-o', 'addr', 'show', 'dev', dev]);
  assert.equal(r.status, 0, r.out);
  return r.stdout;
}
function isUp(dev: string): boolean {
  const r = run('ip', ['-o', 'link', 'show', 'dev', dev]);
  assert.equal(r.status, 0, r.out);
  return /[<,]UP[,>]/.test(r.stdout);
}

const skip = skipReason();
const modSkip = skip ? undefined : loadModules();
if (!skip && modSkip) process.stdout.write(`# arp-tun: skipped: ${modSkip}\n`);

// Every key the planner touches (plan.ts wantedSysctls, realserver, tun, no --iface).
const KEYS = [
  'net.ipv4.conf.all.arp_ignore',
  'net.ipv4.conf.all.arp_announce',
  'net.ipv4.conf.lo.arp_ignore',
  'net.ipv4.conf.lo.arp_announce',
  'net.ipv4.conf.tunl0.rp_filter',
  'net.ipv4.conf.all.rp_filter',
];

describe('arp realserver-setup --mode tun (VM, real ipip/ip6tnl)', { skip: skip ?? modSkip }, () => {
  let stateDir = '';
  const previous: Record<string, string> = {};
  before(() => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-arp-tun-'));
    // Non-default starting values, so "restores the exact previous values" is visible.
    writeSysctl('net.ipv4.conf.all.rp_filter', '1');
    writeSysctl('net.ipv4.conf.tunl0.rp_filter', '2');
    writeSysctl('net.ipv4.conf.lo.arp_announce', '1');
    for (const k of KEYS) previous[k] = readSysctl(k);
    assert.equal(isUp('tunl0'), false, 'tunl0 starts down (fallback device of ipip)');
    assert.equal(isUp('ip6tnl0'), false, 'ip6tnl0 starts down (fallback device of ip6_tunnel)');
  });
  after(() => {
    if (fs.existsSync(path.join(stateDir, 'arp-realserver.json'))) hactl('realserver-teardown', '--state-dir', stateDir);
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('setup brings up tunl0/ip6tnl0 with the VIPs and sets rp_filter=0 and the ARP sysctls', { timeout: 180_000 }, () => {
    const r = hactl('realserver-setup', '--vip', V4, '--vip', V6, '--mode', 'tun', '--state-dir', stateDir);
    assert.equal(r.status, 0, r.out);
    assert.match(r.stdout, /applied \d+ change\(s\)/);
    assert.ok(isUp('tunl0'), 'tunl0 is up');
    assert.ok(isUp('ip6tnl0'), 'ip6tnl0 is up');
    assert.match(addrs('tunl0'), new RegExp(`inet ${V4.replace(/\./g, '\\.')}/32 .*tunl0:hactl`));
    assert.match(addrs('ip6tnl0'), new RegExp(`inet6 ${V6}/128 `));
    assert.doesNotMatch(addrs('lo'), new RegExp(`${V4.replace(/\./g, '\\.')}/|${V6}/`), 'the VIPs are not on lo in tun mode');
    for (const d of ['all', 'lo']) {
      assert.equal(readSysctl(`net.ipv4.conf.${d}.arp_ignore`), '1', `${d}.arp_ignore`);
      assert.equal(readSysctl(`net.ipv4.conf.${d}.arp_announce`), '2', `${d}.arp_announce`);
    }
    assert.equal(readSysctl('net.ipv4.conf.tunl0.rp_filter'), '0');
    assert.equal(readSysctl('net.ipv4.conf.all.rp_filter'), '0');
  });

  it('status --mode tun exits 0, and 1 naming the piece when tunl0 is down', { timeout: 180_000 }, () => {
    const ok = hactl('realserver-status', '--mode', 'tun', '--json', '--state-dir', stateDir);
    assert.equal(ok.status, 0, ok.out);
    const rep = JSON.parse(ok.stdout) as { ok: boolean; checks: { what: string; ok: boolean }[] };
    assert.equal(rep.ok, true);
    for (const w of ['tunl0 up', 'ip6tnl0 up', `VIP ${V4} on tunl0`, `VIP ${V6} on ip6tnl0`, 'net.ipv4.conf.tunl0.rp_filter']) {
      assert.ok(rep.checks.some((c) => c.what === w && c.ok), `check "${w}" present and ok`);
    }
    assert.equal(sh('ip link set dev tunl0 down').status, 0);
    try {
      const bad = hactl('realserver-status', '--mode', 'tun', '--json', '--state-dir', stateDir);
      assert.notEqual(bad.status, 0, bad.out);
      const failed = (JSON.parse(bad.stdout) as typeof rep).checks.filter((c) => !c.ok).map((c) => c.what);
      assert.deepEqual(failed, ['tunl0 up']);
    } finally {
      assert.equal(sh('ip link set dev tunl0 up').status, 0);
    }
  });

  it('a second setup changes nothing', { timeout: 180_000 }, () => {
    const before = { t: addrs('tunl0'), t6: addrs('ip6tnl0'), s: KEYS.map(readSysctl) };
    const r = hactl('realserver-setup', '--vip', V4, '--vip', V6, '--mode', 'tun', '--state-dir', stateDir);
    assert.equal(r.status, 0, r.out);
    assert.match(r.stdout, /nothing to do, already set up/);
    assert.deepEqual({ t: addrs('tunl0'), t6: addrs('ip6tnl0'), s: KEYS.map(readSysctl) }, before);
  });

  it('teardown removes the VIPs, leaves the tunnels down and restores the exact previous sysctls', { timeout: 180_000 }, () => {
    const r = hactl('realserver-teardown', '--state-dir', stateDir);
    assert.equal(r.status, 0, r.out);
    assert.doesNotMatch(addrs('tunl0'), new RegExp(V4.replace(/\./g, '\\.')));
    assert.doesNotMatch(addrs('ip6tnl0'), new RegExp(V6));
    assert.equal(isUp('tunl0'), false, 'tunl0 is down again');
    assert.equal(isUp('ip6tnl0'), false, 'ip6tnl0 is down again');
    assert.deepEqual(Object.fromEntries(KEYS.map((k) => [k, readSysctl(k)])), previous);
    assert.equal(fs.existsSync(path.join(stateDir, 'arp-realserver.json')), false, 'state file removed');
  });
});
