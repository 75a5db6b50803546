/**
 * `hactl vrrp drill --instance NAME [--return]`: step a MASTER down through the running daemon's
 * control socket and time the peer's takeover on the wire (AF_PACKET capture on the instance's
 * interface, ARP / NS probes of the VIPs). The figures come from ./drill.ts. src/fast.ts handler.
 */
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ipBytes } from '../addr';
import { HactlError, UsageError } from '../cli/errors';
import type { Parsed } from '../cli/parse';
import { formatError } from '../cli/report-cli';
import { buildArpRequest, buildNeighborSolicit, ETH_P_ALL } from '../net/arp';
import { formatMac, parseMac, vrrpVirtualMac } from '../net/mac';
import type { DaemonStatus, InstanceStatus } from './daemon';
import { type DrillResult, DrillWatch, renderDrill } from './drill';

import { askDaemon } from './status-cli';

const ask = askDaemon;

async function instanceOf(sock: string, name: string): Promise<InstanceStatus> {
  const s = (await ask(sock, 'status')) as unknown as DaemonStatus & { error?: string };
  if (s.error) throw new HactlError(`the daemon on ${sock}: ${s.error}`);
  const i = s.instances.find((x) => x.name === name);
  if (!i) throw new HactlError(`no vrrp_instance ${name} in the daemon on ${sock}`, { hint: `its instances: ${s.instances.map((x) => x.name).join(', ') || 'none'}` });
  return i;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll the daemon until the instance is MASTER; ms waited, or null at the deadline. */
async function waitMaster(sock: string, name: string, timeoutMs: number): Promise<number | null> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    if ((await instanceOf(sock, name)).state === 'MASTER') return Math.round(performance.now() - t0);
    await sleep(20);
  }
  return null;
}

async function giveBack(sock: string, name: string, timeoutMs: number): Promise<number | null> {
  const a = await ask(sock, `drill-return ${name}`);
  if (a.error) throw new HactlError(`drill --return: ${String(a.error)}`);
  return waitMaster(sock, name, timeoutMs);
}

function sysfs(ifname: string, what: string): string {
  try {
    return fs.readFileSync(`/sys/class/net/${ifname}/${what}`, 'utf8').trim();
  } catch {
    throw new HactlError(`interface ${ifname}: cannot read /sys/class/net/${ifname}/${what}`, { hint: 'run the drill on the node (and in the network namespace) of the daemon' });
  }
}

export async function vrrpDrillHandler(p: Parsed): Promise<number> {
  const sock = p.flags['control-socket'] as string;
  const name = p.flags.instance as string;
  const json = !!p.flags.json;
  const ret = !!p.flags.return;
  if (/[\s]/.test(name)) throw new UsageError(`--instance: "${name}" is not an instance name`);
  let timeoutS: number | undefined;
  if (p.flags.timeout !== undefined) {
    timeoutS = Number(p.flags.timeout);
    if (!Number.isFinite(timeoutS) || timeoutS <= 0 || timeoutS > 3600) throw new UsageError(`--timeout: expected seconds (0 < S <= 3600), got "${p.flags.timeout}"`);
  }
  const i = await instanceOf(sock, name);
  const timeoutMs = timeoutS !== undefined ? timeoutS * 1000 : Math.max(3000, 10 * i.advertIntervalMs);
  if (i.state !== 'MASTER') {
    if (ret && i.drillHold) {
      const back = await giveBack(sock, name, timeoutMs);
      if (back === null) throw new HactlError(`${name}: hold released, but it is not MASTER after ${timeoutMs / 1000} s`, { hint: 'with nopreempt or a lower priority than the peer it stays BACKUP; `hactl vrrp status` shows it' });
      if (json) process.stdout.write(`${JSON.stringify({ instance: name, returned: { ms: back } }, null, 2)}\n`);
      else process.stdout.write(`${name}: hold released; MASTER again after ${back} ms\n`);
      return 0;
    }
    throw new HactlError(`${name} is ${i.state}, not MASTER: a drill steps down a MASTER`, {
      hint: i.drillHold ? `an earlier drill holds it BACKUP: \`hactl vrrp drill --instance ${name} --return\` gives MASTER back` : 'run the drill on the node where the instance is MASTER',
    });
  }
  if (!i.unicastPeers?.length && !i.lastPeer && !p.flags.force)
    throw new HactlError(`${name}: no peer known on VRID ${i.vrid} (no unicast_peer, no other router's advert heard since the daemon started)`, {
      hint: 'check the backup runs; --force steps down anyway (with no peer this node becomes MASTER again after its Master_Down_Interval)',
    });

  const { PacketSocket, packetUnavailable } = require('../net/packet') as typeof import('../net/packet');
  const why = packetUnavailable();
  if (why) throw new HactlError(`cannot capture on ${i.interface}: ${why}`);
  const ifindex = Number(sysfs(i.interface, 'ifindex'));
  const mac = sysfs(i.interface, 'address').toLowerCase();
  const vips = i.vips.map((v) => v.replace(/\/\d+$/, ''));
  const family = i.family === 6 ? 6 : 4;
  let cap: InstanceType<typeof PacketSocket>;
  try {
    cap = new PacketSocket(ifindex, ETH_P_ALL);
  } catch (e) {
    throw new HactlError(`cannot capture on ${i.interface}: ${(e as Error).message}`, { hint: 'the drill needs root (CAP_NET_RAW)' });
  }
  const src0 = i.masterAddr ?? '';
  const watch = new DrillWatch({
    instance: name,
    interface: i.interface,
    vrid: i.vrid,
    family,
    src: src0,
    ownMacs: [mac, formatMac(vrrpVirtualMac(i.vrid, family))],
    vips,
    advertIntervalMs: i.advertIntervalMs,
  });
  cap.onFrame((f, type, age) => watch.frame(f, type, performance.now() - (age !== undefined && age > 0 ? age : 0)));
  const wallAt = (mono: number) => Date.now() - (performance.now() - mono);
  const macBytes = parseMac(mac) ?? Buffer.alloc(6);
  const srcBytes = ipBytes(src0, family);
  let probes: NodeJS.Timeout | undefined;
  let result: DrillResult;
  try {
    const asked = performance.now();
    const a = await ask(sock, `drill ${name}`);
    if (a.error) throw new HactlError(`drill: ${String(a.error)}`);
    // probe the VIPs: whoever holds one answers (an ARP reply / NA to this host)
    const probeMs = Math.max(5, Math.min(20, i.advertIntervalMs / 10));
    probes = setInterval(() => {
      if (watch.zeroAt === null || !srcBytes) return;
      for (const v of vips) {
        if (watch.answers.has(v)) continue;
        const t = ipBytes(v, family);
        if (!t) continue;
        try {
          cap.send(family === 4 ? buildArpRequest(macBytes, srcBytes, t) : buildNeighborSolicit(macBytes, srcBytes, t));
        } catch {
          /* a probe that cannot be sent: the peer's own announcements still count */
        }
      }
    }, probeMs);
    const deadline = asked + timeoutMs;
    while (!watch.complete && performance.now() < deadline) await sleep(5);
    result = watch.result(asked, wallAt);
  } finally {
    if (probes) clearInterval(probes);
    cap.stopReceiving();
    cap.close();
  }
  const extra: string[] = [];
  let returned: { ms: number | null } | null = null;
  if (ret) {
    returned = { ms: await giveBack(sock, name, timeoutMs) };
    extra.push(returned.ms === null ? `--return: hold released, not MASTER after ${timeoutMs / 1000} s` : `--return: MASTER again after ${returned.ms} ms`);
  } else extra.push(`${name} stays BACKUP (held) until \`hactl vrrp drill --instance ${name} --return\``);
  const complete = result.takeoverMs !== null;
  if (json) process.stdout.write(`${JSON.stringify({ ...result, complete, held: !ret, returned }, null, 2)}\n`);
  else process.stdout.write(renderDrill(result, extra));
  if (!complete) {
    process.stderr.write(
      formatError(
        `${name}: the takeover was not complete within ${timeoutMs / 1000} s (${result.peer ? 'a VIP did not answer from another MAC' : 'no peer advert'})`,
        result.peer ? 'check the peer holds the VIPs (`ip addr` there) and answers ARP/NA' : 'no peer took over: this node becomes MASTER again after its Master_Down_Interval',
        !!process.stderr.isTTY,
      ),
    );
    return 1;
  }
  if (ret && returned?.ms === null) {
    process.stderr.write(formatError(`${name}: hold released, but it is not MASTER after ${timeoutMs / 1000} s`, 'with nopreempt or a lower priority than the peer it stays BACKUP', !!process.stderr.isTTY));
    return 1;
  }
  return 0;
}
