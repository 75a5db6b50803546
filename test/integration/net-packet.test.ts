// biome-ignore-all lint/suspicious/noExplicitAny: test code reading untyped JSON from `ip -j` and the driver
/**
 * AF_PACKET addon for real: a GARP / unsolicited NA sent from one namespace
 * is captured by tcpdump (independent decoder, checksum check) and by our own
 * receive path in another, and updates the peer's neighbour table.
 */
import * as assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseArp, parseNa } from '../../src/lib/net/arp';
import { packetUnavailable } from '../../src/lib/net/packet';
import { type Host, Lab, netnsUnavailable, sh } from '../helpers/netns';

const DRIVER = path.join(__dirname, 'net-driver.js');
const skip = netnsUnavailable() ?? packetUnavailable();
let tcpdump: string | null = null;
try {
  execFileSync('tcpdump', ['--version'], { stdio: 'ignore' });
  tcpdump = 'tcpdump';
} catch {
  /* optional */
}

function drive(ns: string, req: object): any {
  return JSON.parse(sh('ip', ['netns', 'exec', ns, process.execPath, DRIVER, JSON.stringify(req)]));
}

/** Start a process and resolve once its stdout/stderr contains `marker`. */
function startAndWait(lab: Lab, ns: string, cmd: string, args: string[], marker: RegExp, streams: 'stdout' | 'stderr'): Promise<{ child: ChildProcess; out: () => string }> {
  const child = lab.spawn(ns, cmd, args);
  let text = '';
  let err = '';
  child.stdout?.on('data', (d) => (text += d));
  child.stderr?.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${cmd} did not start: ${err}`)), 30_000);
    const poll = () => {
      if (marker.test(streams === 'stdout' ? text : err)) {
        clearTimeout(t);
        resolve({ child, out: () => text });
      } else setTimeout(poll, 20);
    };
    poll();
  });
}

function exited(child: ChildProcess, ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, ms);
    child.on('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

describe('net: AF_PACKET sending and receiving in namespaces', { skip: skip ?? false, timeout: 180_000 }, () => {
  let lab: Lab;
  let a: Host;
  let b: Host;
  let aMac: string;
  before(() => {
    lab = new Lab('npk');
    a = lab.addHost('a', ['198.51.100.1/24']);
    b = lab.addHost('b', ['198.51.100.2/24']);
    lab.nsExec(a.ns, 'ip', ['addr', 'add', '2001:db8::1/64', 'dev', 'eth0', 'nodad']);
    lab.nsExec(b.ns, 'ip', ['addr', 'add', '2001:db8::2/64', 'dev', 'eth0', 'nodad']);
    aMac = JSON.parse(lab.nsExec(a.ns, 'ip', ['-j', 'link', 'show', 'eth0']))[0].address;
  });
  after(() => lab?.cleanup());

  it('a GARP from A updates B`s existing neighbour entry and is decoded by our receiver and tcpdump', async () => {
    // B has a stale entry for the VIP pointing elsewhere (as after a failover).
    lab.nsExec(b.ns, 'ip', ['neigh', 'replace', '198.51.100.100', 'lladdr', '02:00:00:00:00:99', 'dev', 'eth0', 'nud', 'stale']);
    const sniff = await startAndWait(lab, b.ns, process.execPath, [DRIVER, JSON.stringify({ sniff: 'eth0', proto: 0x0806, ms: 30_000, count: 3, match: 'c6336464' })], /ready/, 'stdout');
    const td = tcpdump ? await startAndWait(lab, b.ns, 'tcpdump', ['-l', '-n', '-e', '-vv', '-c', '3', '-i', 'eth0', 'arp'], /listening/, 'stderr') : null;
    const sent = drive(a.ns, { ops: [{ op: 'announce', dev: 'eth0', addresses: ['198.51.100.100'], repeat: 3 }] })[0];
    assert.equal(sent, 3);
    await exited(sniff.child, 35_000);
    const frames = JSON.parse(sniff.out().trim().split('\n').pop()!) as { hex: string }[];
    const garps = frames.map((f) => parseArp(Buffer.from(f.hex, 'hex'))).filter((p) => p?.senderIp === '198.51.100.100');
    assert.equal(garps.length, 3, 'three GARPs received');
    assert.equal(garps[0]!.senderMac, aMac);
    assert.equal(garps[0]!.targetMac, 'ff:ff:ff:ff:ff:ff');
    const neigh = JSON.parse(lab.nsExec(b.ns, 'ip', ['-j', 'neigh', 'show', '198.51.100.100']));
    assert.equal(neigh[0].lladdr, aMac, 'neighbour entry moved to A');
    if (td) {
      await exited(td.child, 35_000);
      assert.match(td.out(), new RegExp(`${aMac} > ff:ff:ff:ff:ff:ff, ethertype ARP .*Request who-has 198\\.51\\.100\\.100 \\(ff:ff:ff:ff:ff:ff\\) tell 198\\.51\\.100\\.100`));
    }
  });

  it('an unsolicited NA from A (checksum verified by tcpdump) updates B`s IPv6 neighbour entry', async () => {
    lab.nsExec(b.ns, 'ip', ['neigh', 'replace', '2001:db8::100', 'lladdr', '02:00:00:00:00:98', 'dev', 'eth0', 'nud', 'stale']);
    const sniff = await startAndWait(lab, b.ns, process.execPath, [DRIVER, JSON.stringify({ sniff: 'eth0', proto: 0x86dd, ms: 30_000, count: 1, match: '20010db8000000000000000000000100' })], /ready/, 'stdout');
    const td = tcpdump ? await startAndWait(lab, b.ns, 'tcpdump', ['-l', '-n', '-vv', '-c', '1', '-i', 'eth0', 'icmp6 and ip6[40] == 136'], /listening/, 'stderr') : null;
    const sent = drive(a.ns, { ops: [{ op: 'announce', dev: 'eth0', addresses: ['2001:db8::100'] }] })[0];
    assert.equal(sent, 1);
    await exited(sniff.child, 35_000);
    const frames = JSON.parse(sniff.out().trim().split('\n').pop()!) as { hex: string }[];
    const nas = frames.map((f) => parseNa(Buffer.from(f.hex, 'hex'))).filter((p) => p?.target === '2001:db8::100');
    assert.equal(nas.length, 1);
    assert.equal(nas[0]!.checksumOk, true);
    assert.equal(nas[0]!.override, true);
    assert.equal(nas[0]!.targetMac, aMac);
    const neigh = JSON.parse(lab.nsExec(b.ns, 'ip', ['-j', '-6', 'neigh', 'show', '2001:db8::100']));
    assert.equal(neigh[0].lladdr, aMac, 'IPv6 neighbour entry moved to A');
    if (td) {
      await exited(td.child, 35_000);
      assert.match(td.out(), /neighbor advertisement, length 32, tgt is 2001:db8::100, Flags \[override\]/);
      assert.doesNotMatch(td.out(), /bad icmp6 cksum/);
      assert.match(td.out(), /icmp6 sum ok/);
    }
  });

  it('measures GARP send rate on a veth', () => {
    const n = 2000;
    const ms = drive(a.ns, { ops: [{ op: 'benchGarp', dev: 'eth0', n }] })[0] as number;
    assert.ok(ms > 0);
    process.stdout.write(`# packet addon: ${n} GARPs sent in ${ms.toFixed(1)} ms (${Math.round((n / ms) * 1000)} frames/s)\n`);
  });

  it('bad input fails before anything is sent', () => {
    const r = drive(a.ns, { ops: [{ op: 'announce', dev: 'eth0', addresses: ['198.51.100.100', 'nope'] }] })[0];
    assert.match(r.error, /invalid address "nope"/);
  });

  it('socket lifecycle: send after close is EBADF, double close is harmless, unref lets the process exit', () => {
    const mod = JSON.stringify(path.join(__dirname, '../../src/lib/net/packet.js'));
    const script = `
      const {PacketSocket}=require(${mod});
      const s=new PacketSocket(1, 0x0806);
      s.onFrame(()=>{});
      s.close(); s.close();
      try { s.send(Buffer.alloc(42)); console.log('sent?'); } catch (e) { console.log(e.code); }
      const t=new PacketSocket(1, 0x0806);
      t.onFrame(()=>{});
      t.unref();
      try { t.send(Buffer.alloc(10)); } catch (e) { console.log(e.message); }
      for (let i=0;i<200;i++) new PacketSocket(1, 0x0806); // finalizers close these
      if (global.gc) global.gc();
    `;
    const r = spawnSync('ip', ['netns', 'exec', a.ns, process.execPath, '--expose-gc', '-e', script], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.signal, null, 'exited by itself (unref), not killed by the timeout');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), ['EBADF', 'frame shorter than an Ethernet header']);
  });

  it('opening a packet socket on a missing ifindex reports ENODEV', () => {
    const out = sh('ip', [
      'netns',
      'exec',
      a.ns,
      process.execPath,
      '-e',
      `const {PacketSocket}=require(${JSON.stringify(path.join(__dirname, '../../src/lib/net/packet.js'))});try{new PacketSocket(999999,0x0806)}catch(e){console.log(e.code)}`,
    ]);
    assert.equal(out.trim(), 'ENODEV');
  });
  it('the native advert sender keeps its cadence while checked in, and stops by itself when the event loop is wedged', async (t) => {
    if (!tcpdump) return t.skip('tcpdump not installed');
    const td = await startAndWait(lab, b.ns, 'tcpdump', ['-l', '-n', '-tt', '-i', 'eth0', 'ip proto 112'], /listening/, 'stderr');
    const lease = 1000;
    const checkInMs = 1500;
    const r = drive(a.ns, { advertSender: 'eth0', src: '198.51.100.1', intervalMs: 20, leaseMs: lease, checkInMs, wedgeMs: 2500 });
    await new Promise((res) => setTimeout(res, 300));
    td.child.kill('SIGINT');
    await exited(td.child, 3000);
    const ts = td
      .out()
      .split('\n')
      .filter((l) => / 198\.51\.100\.1 > 224\.0\.0\.18: VRRP/.test(l))
      .map((l) => Number(l.split(' ')[0]) * 1000);
    assert.ok(ts.length > 0, 'adverts on the wire');
    // check-ins extend the lease past the arming's own: adverts continue after armedAt + lease
    assert.ok(ts[ts.length - 1] > r.armedAt + lease + 200, `adverts until ${ts[ts.length - 1] - r.armedAt} ms after arming (lease ${lease} ms, check-ins until ${r.lastCheckIn - r.armedAt} ms)`);
    // ...and stop within one interval (plus scheduling) of the lease after the last check-in, while the loop is still wedged
    const after = ts[ts.length - 1] - r.lastCheckIn;
    assert.ok(after <= lease + 150, `last advert ${after} ms after the last check-in (lease ${lease} ms)`);
    assert.equal(r.stats.expired, true, 'the sender says it stopped for want of a check-in');
    assert.equal(r.stats.sent, ts.length, 'every send counted, nothing sent that the wire did not see');
    assert.equal(typeof r.stats.late, 'number');
  });
});
