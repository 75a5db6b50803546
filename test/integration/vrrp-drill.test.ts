/**
 * `hactl vrrp drill` in a namespace lab: hactl MASTER + keepalived 2.2.7 backup. The drill's
 * figures are checked against an independent tcpdump on the client, measured as bench/vrrp.md
 * measures a SIGTERM takeover (the backup's first advert - the master's priority-0 advert, both
 * tcpdump timestamps), within one advert interval; then the hold, the refusals and --return.
 * `hactl status` (--json against its schema, --watch's change lines on a pipe) rides along; the same
 * drill over IPv6 (link-local adverts, the VIP's unsolicited NA), and `vrrp drain` / `undrain`.
 */
import * as assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { HACTL, ROOT } from '../helpers/cli';
import { validateSchema } from '../helpers/schema';
import { keepalivedUnavailable, sleep, type Node, VrrpLab, vrrpConf, vrrpLabUnavailable } from './vrrp-lab';

const skip = vrrpLabUnavailable() ?? keepalivedUnavailable() ?? undefined;
const VIP = '198.51.100.100';
const ADVERT_MS = 200;

/** `hactl ARGS` inside the node's namespace (the drill captures on that eth0), without blocking the test's event loop. */
function hactlIn(n: Node, args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', n.host.ns, process.execPath, HACTL, ...args, '--control-socket', n.sock], { env: { ...process.env, NO_COLOR: '1' }, timeout: 30_000 }, (e, stdout, stderr) =>
      resolve({ status: e ? (typeof (e as { code?: unknown }).code === 'number' ? ((e as { code: number }).code) : -1) : 0, stdout, stderr }),
    );
  });
}

/** keepalived MASTER first, then hactl (higher priority) hears it and preempts; the capture runs from before that. */
async function hactlOverKeepalived(l: VrrpLab, conf: (prio: number) => string) {
  const [n1, n2] = l.nodes;
  l.startKeepalived(n2, conf(100));
  await l.waitState(n2, 'MASTER', 10_000);
  const cap = l.startCapture();
  await sleep(300);
  l.startHactl(n1, conf(150));
  await l.waitState(n1, 'MASTER', 10_000);
  await l.waitState(n2, 'BACKUP', 5_000);
  await sleep(4 * ADVERT_MS);
  return cap;
}

/**
 * `vrrp drill --json` on the first node: complete, the peer (advert source `peerSrc`) holds `vip`, and
 * its advert figure agrees within one advert interval with tcpdump on the client (the peer's first
 * advert - our priority-0 advert, as bench/vrrp.md measures a takeover).
 */
async function drillAgainstTcpdump(l: VrrpLab, cap: ReturnType<VrrpLab['startCapture']>, vip: string, selfSrc: string, peerSrc: string) {
  const [n1, n2] = l.nodes;
  const before = Date.now();
  const r = await hactlIn(n1, ['vrrp', 'drill', '--instance', 'VI_1', '--json']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const d = JSON.parse(r.stdout);
  assert.equal(d.complete, true);
  assert.equal(d.zeroSeen, true);
  assert.equal(d.peer.addr, peerSrc);
  assert.equal(d.peer.mac, l.mac(n2));
  assert.equal(d.vips[0].address, vip);
  assert.equal(d.vips[0].mac, l.mac(n2), 'the VIP answers from the peer');
  await sleep(500);
  // the independent measurement: tcpdump on the client
  const zero = cap.adverts.find((a) => a.src === selfSrc && a.prio === 0 && a.t >= before - 50);
  assert.ok(zero, 'tcpdump saw the priority-0 advert');
  const first = cap.firstAfter(peerSrc, zero.t, 51);
  assert.ok(first, 'tcpdump saw the backup take over');
  const wire = first.t - zero.t;
  assert.ok(Math.abs(d.advertMs - wire) <= ADVERT_MS, `drill ${d.advertMs} ms vs tcpdump ${wire.toFixed(1)} ms`);
  assert.ok(d.takeoverMs >= d.advertMs);
  return { d, zero, wire };
}

describe('vrrp drill: hactl MASTER, keepalived backup', { skip, timeout: 90_000 }, () => {
  it('refuses without a peer; measures the takeover as tcpdump does (within one advert interval); holds BACKUP; --return gives MASTER back', { timeout: 80_000 }, async () => {
    const l = new VrrpLab('drl', 2);
    try {
      const [n1, n2] = l.nodes;
      const conf = (prio: number) => vrrpConf({ prio, version: 3, advert: ADVERT_MS / 1000, vips: [`${VIP}/24`] });
      // alone: MASTER, but no other router was ever heard on the VRID
      l.startHactl(n1, conf(150));
      await l.waitState(n1, 'MASTER', 10_000);
      const alone = await hactlIn(n1, ['vrrp', 'drill', '--instance', 'VI_1']);
      assert.equal(alone.status, 1, alone.stdout + alone.stderr);
      assert.match(alone.stderr, /^hactl: error: VI_1: no peer known on VRID 51 .*\nhint: .*--force/);
      assert.equal(await l.state(n1), 'MASTER', 'a refused drill changes nothing');
      await l.stop(n1);

      // keepalived is MASTER first; hactl (higher priority) hears it and preempts
      const cap = await hactlOverKeepalived(l, conf);

      // hactl status --watch on a pipe: one line per change
      const watch = spawn('ip', ['netns', 'exec', n1.host.ns, process.execPath, HACTL, 'status', '--watch', '--interval', '0.1', '--control-socket', n1.sock], {
        env: { ...process.env, NO_COLOR: '1' },
      });
      let watched = '';
      watch.stdout.setEncoding('utf8');
      watch.stdout.on('data', (d: string) => {
        watched += d;
      });
      await sleep(1000);
      assert.match(watched, /^\S+Z VI_1 state: MASTER$/m, watched);

      const { d, zero, wire } = await drillAgainstTcpdump(l, cap, VIP, n1.addr, n2.addr);
      assert.equal(d.held, true);
      const garp = cap.arps.find((a) => a.t >= zero.t && a.line.includes(`tell ${VIP},`));
      assert.ok(garp, 'tcpdump saw the gratuitous ARP of the new master');
      process.stderr.write(`drill: advert ${d.advertMs} ms, VIP ${d.vips[0].ms} ms (${d.vips[0].how}); tcpdump: advert ${wire.toFixed(1)} ms, GARP ${(garp.t - zero.t).toFixed(1)} ms\n`);
      assert.ok(d.vips[0].ms <= garp.t - zero.t + ADVERT_MS, `VIP ${d.vips[0].ms} ms vs tcpdump GARP ${(garp.t - zero.t).toFixed(1)} ms`);

      // held: no preemption back over many Master_Down_Intervals, although hactl's priority is higher
      await sleep(10 * ADVERT_MS);
      const st = (await l.status(n1))?.instances[0];
      assert.equal(st?.state, 'BACKUP');
      assert.equal(st?.drillHold, true);
      assert.ok(l.hasAddr(n2, VIP) && !l.hasAddr(n1, VIP));
      const text = await hactlIn(n1, ['vrrp', 'status']);
      assert.match(text.stdout, /BACKUP\(drill hold\)/);
      const js = await hactlIn(n1, ['status', '--json']);
      assert.equal(js.status, 0, js.stderr);
      const ov = JSON.parse(js.stdout);
      const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', 'status.schema.json'), 'utf8'));
      assert.deepEqual(validateSchema(schema, ov), []);
      assert.equal(ov.vrrp[0].drillHold, true);
      assert.equal(ov.vrrp[0].master, n2.addr);
      const tbl = await hactlIn(n1, ['status']);
      assert.equal(tbl.status, 0);
      assert.match(tbl.stdout, /^VI_1 +eth0 +51 +BACKUP\(drill hold\) +150 +198\.51\.100\.2 +198\.51\.100\.100\/24$/m);
      assert.doesNotMatch(tbl.stdout, /\u001b/);
      const exited = new Promise((r) => watch.once('exit', r));
      watch.kill('SIGINT');
      await exited;
      assert.match(watched, /^\S+Z VI_1 state: MASTER -> BACKUP \(drill hold\)$/m, watched);
      assert.match(watched, /^\S+Z VI_1 master: - -> 198\.51\.100\.2$/m, watched);
      assert.doesNotMatch(watched, /\u001b/);
      const again = await hactlIn(n1, ['vrrp', 'drill', '--instance', 'VI_1']);
      assert.equal(again.status, 1);
      assert.match(again.stderr, /^hactl: error: VI_1 is BACKUP, not MASTER: a drill steps down a MASTER\nhint: an earlier drill holds it BACKUP: .*--return/);
      const none = await hactlIn(n1, ['vrrp', 'drill', '--instance', 'VI_9']);
      assert.equal(none.status, 1);
      assert.match(none.stderr, /no vrrp_instance VI_9 .*\nhint: its instances: VI_1/);

      // --return: the hold ends, hactl preempts after its Master_Down_Interval
      const back = await hactlIn(n1, ['vrrp', 'drill', '--instance', 'VI_1', '--return']);
      assert.equal(back.status, 0, back.stdout + back.stderr);
      assert.match(back.stdout, /^VI_1: hold released; MASTER again after \d+ ms\n$/);
      assert.equal(await l.state(n1), 'MASTER');
      await l.waitState(n2, 'BACKUP', 5_000);
      assert.ok(l.hasAddr(n1, VIP));
      await l.stop(n1);
      const absent = await hactlIn(n1, ['status']);
      assert.equal(absent.status, 1);
      assert.match(absent.stderr, /^hactl: error: no VRRP daemon answers on .*\nhint: /);
    } finally {
      l.cleanup();
    }
  });
  it('IPv6: the drill measures the takeover as tcpdump does (within one advert interval) and sees the VIP move to the peer (Neighbour Advertisement)', { timeout: 60_000 }, async () => {
    const l = new VrrpLab('dr6', 2, { v6: true });
    try {
      const [n1, n2] = l.nodes;
      await l.waitDad();
      const VIP6 = '2001:db8::100';
      const conf = (prio: number) => vrrpConf({ prio, version: 3, advert: ADVERT_MS / 1000, vips: [`${VIP6}/64`] });
      const cap = await hactlOverKeepalived(l, conf);
      const { d, wire } = await drillAgainstTcpdump(l, cap, VIP6, l.linkLocal(n1), l.linkLocal(n2));
      process.stderr.write(`drill (IPv6): advert ${d.advertMs} ms, VIP ${d.vips[0].ms} ms (${d.vips[0].how}); tcpdump: advert ${wire.toFixed(1)} ms\n`);
      assert.ok(l.hasAddr(n2, VIP6) && !l.hasAddr(n1, VIP6));
      const back = await hactlIn(n1, ['vrrp', 'drill', '--instance', 'VI_1', '--return']);
      assert.equal(back.status, 0, back.stdout + back.stderr);
      await l.waitState(n2, 'BACKUP', 5_000);
      assert.ok(l.hasAddr(n1, VIP6));
    } finally {
      l.cleanup();
    }
  });

  it('vrrp drain --all --wait hands the VIP to the keepalived peer (the drill step-down); undrain --wait takes it back', { timeout: 60_000 }, async () => {
    const l = new VrrpLab('drn', 2);
    try {
      const [n1, n2] = l.nodes;
      const conf = (prio: number) => vrrpConf({ prio, version: 3, advert: ADVERT_MS / 1000, vips: [`${VIP}/24`] });
      await hactlOverKeepalived(l, conf);
      const r = await hactlIn(n1, ['vrrp', 'drain', '--all', '--wait', '--timeout', '10', '--json']);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      const j = JSON.parse(r.stdout);
      assert.deepEqual(j.drained, ['VI_1']);
      assert.deepEqual(j.pending, []);
      assert.ok(l.hasAddr(n2, VIP) && !l.hasAddr(n1, VIP), 'the peer holds the VIP once drain --wait returns');
      assert.equal((await l.status(n1))?.instances[0].drillHold, true);
      const again = await hactlIn(n1, ['vrrp', 'drain', '--all']);
      assert.equal(again.status, 0, again.stderr);
      assert.match(again.stdout, /^VI_1: skipped, already drained \(held BACKUP\)$/m);
      const back = await hactlIn(n1, ['vrrp', 'undrain', '--all', '--wait', '--timeout', '10']);
      assert.equal(back.status, 0, back.stdout + back.stderr);
      assert.match(back.stdout, /MASTER again: VI_1/);
      await l.waitState(n2, 'BACKUP', 5_000);
      assert.ok(l.hasAddr(n1, VIP));
      const bad = await hactlIn(n1, ['vrrp', 'drain', '--instance', 'VI_9']);
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /^hactl: error: no vrrp_instance VI_9 /);
    } finally {
      l.cleanup();
    }
  });
});
