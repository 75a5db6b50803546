/**
 * A short real-socket burst of hostile VRRP packets (raw IP_HDRINCL from the
 * client namespace) at running hactl nodes: they count and drop, keep their
 * roles, and do not crash.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../helpers/cli';
import { sleep, VrrpLab, vrrpConf, vrrpLabUnavailable } from './vrrp-lab';

const skip = vrrpLabUnavailable() ?? undefined;

const SENDER = `
const raw = require(${JSON.stringify(path.join(ROOT, 'node_modules/raw-socket'))});
const { encodeIpv4Packet } = require(${JSON.stringify(path.join(ROOT, 'dist/src/lib/vrrp/packet.js'))});
const N = Number(process.argv[2]);
let x = 0x1234567;
const rnd = (n) => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x % n; };
const s = raw.createSocket({ protocol: 112 });
s.setOption(0, 3, 1); // IP_HDRINCL
const dev = Buffer.from('eth0\\0'); s.setOption(1, 25, dev, dev.length);
let sent = 0, i = 0;
function one() {
  const adv = { version: rnd(2) ? 2 : 3, vrid: rnd(3) === 0 ? 51 : 1 + rnd(255), priority: 1 + rnd(254), intervalCs: 20, addrs: ['198.51.100.100'] };
  if (adv.version === 2) adv.intervalCs = 100;
  let b = encodeIpv4Packet(adv, { src: '198.51.100.' + (60 + rnd(100)), dst: '224.0.0.18', id: rnd(65536) });
  switch (rnd(5)) {
    case 0: b[8] = rnd(255); break;                         // TTL != 255
    case 1: b[20 + 6] ^= 0xff; break;                       // VRRP checksum
    case 2: b = b.subarray(0, 20 + rnd(b.length - 20)); break; // truncated
    case 3: b[20] = (rnd(16) << 4) | rnd(16); if ((b[20] >> 4) === 3 || (b[20] >> 4) === 2) b[20] = 0x41; break;
    default: b[23] = 9; break;                              // count > length
  }
  return b;
}
function pump() {
  let inflight = 0;
  while (i < N && inflight < 64) {
    const b = one(); i++; inflight++;
    s.send(b, 0, b.length, '224.0.0.18', (err) => { inflight--; if (!err) sent++; if (i >= N && inflight === 0) { console.log(JSON.stringify({ sent })); process.exit(0); } else if (inflight === 0) setImmediate(pump); });
  }
}
pump();
`;

describe('vrrp fuzz on real sockets', { skip, timeout: 120_000 }, () => {
  it('20,000 hostile packets on the wire: counted, dropped, no role change, no crash', { timeout: 90_000 }, async () => {
    const l = new VrrpLab('fuz', 2);
    try {
      const [n1, n2] = l.nodes;
      l.startHactl(n1, vrrpConf({ prio: 150, version: 3, advert: 0.2 }));
      l.startHactl(n2, vrrpConf({ prio: 100, version: 3, advert: 0.2 }));
      await l.waitState(n1, 'MASTER', 15_000);
      await l.waitState(n2, 'BACKUP', 10_000);
      const script = path.join(l.dir, 'sender.js');
      fs.writeFileSync(script, SENDER);
      const p = l.lab.spawn(l.client.ns, process.execPath, [script, '20000']);
      let out = '';
      p.stdout?.on('data', (d) => {
        out += d;
      });
      const code = await new Promise<number | null>((r) => p.once('exit', (c) => r(c)));
      assert.equal(code, 0, 'sender ran');
      const sent = JSON.parse(out.trim()).sent as number;
      assert.ok(sent >= 15_000, `sent ${sent}`);
      await sleep(1000);
      for (const n of [n1, n2]) {
        assert.equal(n.proc?.exitCode, null, `${n.name} still running`);
        const s = (await l.status(n))!;
        const global = Object.values(s.drops).reduce((a: number, b) => a + (b ?? 0), 0);
        const inst = Object.values(s.instances[0].counters.drops).reduce((a: number, b) => a + (b ?? 0), 0);
        // the kernel may drop part of a flood at the socket buffer; everything that arrives is counted
        assert.ok(global + inst >= sent * 0.5, `${n.name}: ${global + inst} drops counted for ${sent} hostile packets`);
        process.stderr.write(`# ${n.name}: ${global + inst} of ${sent} hostile packets counted as dropped\n`);
      }
      assert.equal(await l.state(n1), 'MASTER');
      assert.equal(await l.state(n2), 'BACKUP');
    } finally {
      l.cleanup();
    }
  });
});
