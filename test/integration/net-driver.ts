/**
 * Test driver for the net adapters: run inside a namespace with
 * `ip netns exec NS node dist/test/integration/net-driver.js '<json>'`.
 * (A Node process cannot switch namespaces itself, so the tests drive the
 * library through this script.) Not a test file itself.
 *
 *   {"ops":[{"op":"addAddress", "dev":"eth0", ...spec}, ...]}  -> JSON array of results
 *   {"watch":true}        -> one JSON line per link event, until killed
 *   {"sniff":"eth0","proto":2054,"ms":1500} -> JSON array of frames (hex) received
 *     (with "count":N and "match":"hex": stops as soon as N frames containing that hex were
 *     received, "ms" then being only a deadline, so a loaded machine cannot cut the window short)
 *   {"arpProbe":"198.51.100.100","dev":"eth0"} -> sorted MACs that answered our who-has
 *   {"advertSender":"eth0","src":"198.51.100.1","intervalMs":20,"leaseMs":1000,"checkInMs":1500,"wedgeMs":2500}
 *     -> the native MASTER advert sender (VRRPv3, VRID 51, multicast): armed at once, checked in every
 *        100 ms for checkInMs, then the event loop is wedged (busy) for wedgeMs; prints
 *        {"armedAt","lastCheckIn","stats"} (epoch ms; stats after the wedge)
 */
import { buildArpRequest, buildGarp, ETH_P_ALL, ETH_P_ARP, parseArp } from '../../src/lib/net/arp';
import { parseIp } from '../../src/lib/addr';
import { parseMac } from '../../src/lib/net/mac';
import { announce } from '../../src/lib/net/announce';
import { PacketSocket } from '../../src/lib/net/packet';
import { Rtnl, watchLinks } from '../../src/lib/net/rtnl';
import { encodeIpv4Packet, VRRP_MCAST_V4 } from '../../src/lib/vrrp/packet';
import { rawChannels } from '../../src/lib/vrrp/transport';

type Op = Record<string, unknown> & { op: string; dev?: string };

async function main(): Promise<void> {
  const req = JSON.parse(process.argv[2] ?? '{}');
  if (req.watch) {
    const w = watchLinks((ev) => process.stdout.write(`${JSON.stringify(ev)}\n`));
    process.stdout.write('{"ready":true}\n');
    process.on('SIGTERM', () => {
      w.close();
      process.exit(0);
    });
    return;
  }
  if (req.advertSender) {
    const ch = rawChannels.open(req.advertSender, 4, () => {}, (e) => process.stderr.write(`${e.message}\n`));
    const sender = ch.advertSender?.();
    if (!sender) throw new Error('no native advert sender');
    const buf = encodeIpv4Packet({ version: 3, vrid: 51, priority: 150, intervalCs: Math.round(req.intervalMs / 10), addrs: ['198.51.100.100'] }, { src: req.src, dst: VRRP_MCAST_V4, id: 1 });
    const armedAt = Date.now();
    sender.arm({ packets: [{ buf, dst: VRRP_MCAST_V4 }], intervalMs: req.intervalMs, delayMs: 0, ipId: 1, leaseMs: req.leaseMs });
    let lastCheckIn = armedAt;
    const iv = setInterval(() => {
      if (Date.now() - armedAt >= req.checkInMs) return;
      sender.checkIn(req.leaseMs);
      lastCheckIn = Date.now();
    }, 100);
    setTimeout(() => {
      clearInterval(iv);
      const until = Date.now() + req.wedgeMs;
      while (Date.now() < until) {
        /* a wedged event loop: no check-in */
      }
      process.stdout.write(`${JSON.stringify({ armedAt, lastCheckIn, stats: sender.stats() })}\n`);
      sender.close();
      ch.close();
    }, req.checkInMs + 50);
    return;
  }
  if (req.arpProbe) {
    // send who-has for req.arpProbe from req.dev, report the MACs that answer
    const nl = Rtnl.open();
    const link = await nl.linkByName(req.dev ?? 'eth0');
    const addr = (await nl.listAddresses(4)).find((a) => a.index === link?.index);
    nl.close();
    if (!link || !addr) throw new Error('no interface/address to probe from');
    const s = new PacketSocket(link.index, ETH_P_ARP);
    const macs = new Set<string>();
    s.onFrame((f) => {
      const p = parseArp(f);
      if (p && p.op === 2 && p.senderIp === req.arpProbe) macs.add(p.senderMac);
    });
    const frame = buildArpRequest(parseMac(link.mac)!, parseIp(addr.address)!.bytes, parseIp(req.arpProbe)!.bytes);
    for (let i = 0; i < (req.count ?? 3); i++) setTimeout(() => s.send(frame), i * 100);
    setTimeout(() => {
      s.close();
      process.stdout.write(`${JSON.stringify([...macs].sort())}\n`);
    }, req.ms ?? 1000);
    return;
  }
  if (req.sniff) {
    const nl = Rtnl.open();
    const link = await nl.linkByName(req.sniff);
    nl.close();
    if (!link) throw new Error(`no ${req.sniff}`);
    const s = new PacketSocket(link.index, req.proto ?? ETH_P_ALL);
    const frames: { hex: string; pkttype: number }[] = [];
    let matched = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      s.close();
      process.stdout.write(`${JSON.stringify(frames)}\n`);
    };
    s.onFrame((f, t) => {
      const hex = f.toString('hex');
      frames.push({ hex, pkttype: t });
      if (req.count !== undefined && (req.match === undefined || hex.includes(req.match)) && ++matched >= req.count) setImmediate(finish);
    });
    const deadline = setTimeout(finish, req.ms ?? 1000);
    process.stdout.write('{"ready":true}\n');
    return;
  }
  const nl = Rtnl.open();
  const out: unknown[] = [];
  try {
    for (const o of req.ops as Op[]) {
      const { op, dev, ...spec } = o;
      const idx = dev ? (await nl.linkByName(dev))?.index : undefined;
      if (dev && idx === undefined) throw new Error(`no device ${dev}`);
      try {
        switch (op) {
          case 'listLinks':
            out.push(await nl.listLinks());
            break;
          case 'listAddresses':
            out.push(await nl.listAddresses());
            break;
          case 'addAddress':
            out.push(await nl.addAddress({ ...(spec as object), index: idx! } as never));
            break;
          case 'delAddress':
            out.push(await nl.delAddress({ ...(spec as object), index: idx! } as never));
            break;
          case 'createMacvlan':
            out.push(await nl.createMacvlan({ ...(spec as object), parent: idx! } as never));
            break;
          case 'deleteLink':
            out.push(await nl.deleteLink(idx!));
            break;
          case 'setLinkUp':
            out.push(await nl.setLinkUp(idx!, spec.up as boolean));
            break;
          case 'addRoute':
            out.push(await nl.addRoute({ ...(spec as object), index: idx } as never));
            break;
          case 'delRoute':
            out.push(await nl.delRoute({ ...(spec as object), index: idx } as never));
            break;
          case 'listRoutes':
            out.push(await nl.listRoutes(spec.family as 4 | 6, spec.table as number | undefined));
            break;
          case 'addRule':
            out.push(await nl.addRule(spec as never));
            break;
          case 'delRule':
            out.push(await nl.delRule(spec as never));
            break;
          case 'listRules':
            out.push(await nl.listRules(spec.family as 4 | 6));
            break;
          case 'benchAddr': {
            // add then delete N /32s on the device; returns elapsed ms
            const n = spec.n as number;
            const t0 = process.hrtime.bigint();
            for (let i = 0; i < n; i++) await nl.addAddress({ index: idx!, address: `203.0.113.${i + 1}/32` });
            for (let i = 0; i < n; i++) await nl.delAddress({ index: idx!, address: `203.0.113.${i + 1}/32` });
            out.push(Number(process.hrtime.bigint() - t0) / 1e6);
            break;
          }
          case 'benchGarp': {
            const link = (await nl.linkByIndex(idx!))!;
            const s = new PacketSocket(idx!, ETH_P_ARP);
            const frame = buildGarp(parseMac(link.mac)!, parseIp('198.51.100.250')!.bytes);
            const t0 = process.hrtime.bigint();
            for (let i = 0; i < (spec.n as number); i++) s.send(frame);
            out.push(Number(process.hrtime.bigint() - t0) / 1e6);
            s.close();
            break;
          }
          case 'announce': {
            const link = (await nl.linkByIndex(idx!))!;
            out.push(announce({ ifindex: idx!, mac: (spec.mac as string) ?? link.mac, addresses: spec.addresses as string[], repeat: spec.repeat as number }));
            break;
          }
          default:
            throw new Error(`unknown op ${op}`);
        }
      } catch (e) {
        out.push({ error: (e as Error).message, code: (e as { code?: string }).code });
      }
    }
  } finally {
    nl.close();
  }
  process.stdout.write(`${JSON.stringify(out ?? null)}\n`);
}

main().catch((e) => {
  process.stderr.write(`driver: ${(e as Error).stack}\n`);
  process.exit(1);
});
