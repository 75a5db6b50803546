/**
 * PING_CHECK: one ICMP echo request (raw socket, via the raw-socket addon,
 * needs root/CAP_NET_RAW); up when the matching echo reply arrives within
 * connect_timeout. fwmark is applied with SO_MARK through the addon.
 */
import { monoMs } from './types';
import { randomInt } from 'node:crypto';
import { isIpv6Host } from '../addr';
import { buildEcho, isEchoReply } from './icmp';
import type { AttemptResult, PingCheckOptions } from './types';

interface RawSocket {
  on(ev: 'message', cb: (buf: Buffer, addr: string) => void): void;
  on(ev: 'error', cb: (e: Error) => void): void;
  send(buf: Buffer, off: number, len: number, addr: string, before: (() => void) | null, after: (e: Error | null) => void): void;
  setOption(level: number, option: number, buf: Buffer | number, len?: number): void;
  close(): void;
}
interface RawModule {
  createSocket(o: { addressFamily: number; protocol: number }): RawSocket;
  AddressFamily: { IPv4: number; IPv6: number };
  Protocol: { ICMP: number; ICMPv6: number };
  SocketLevel: { SOL_SOCKET: number };
}

const SO_MARK = 36;

function loadRaw(): RawModule {
  return require('raw-socket') as RawModule;
}

export async function pingAttempt(o: PingCheckOptions, seq = 1): Promise<AttemptResult> {
  const v6 = isIpv6Host(o.host);
  if (o.bindto) {
    return { ok: false, reason: `bindto ${o.bindto} cannot be applied to PING_CHECK: the raw-socket addon has no bind(); run without bindto` };
  }
  let raw: RawModule;
  let sock: RawSocket;
  try {
    raw = loadRaw();
    sock = raw.createSocket({
      addressFamily: v6 ? raw.AddressFamily.IPv6 : raw.AddressFamily.IPv4,
      protocol: v6 ? raw.Protocol.ICMPv6 : raw.Protocol.ICMP,
    });
  } catch (e) {
    return { ok: false, reason: `cannot open an ICMP raw socket (${e instanceof Error ? e.message : e}); PING_CHECK needs root or CAP_NET_RAW` };
  }
  const id = randomInt(0, 0x10000);
  const t0 = monoMs();
  try {
    if (o.fwmark) {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(o.fwmark >>> 0);
      sock.setOption(raw.SocketLevel.SOL_SOCKET, SO_MARK, b, 4);
    }
    return await new Promise<AttemptResult>((resolve) => {
      const timer = setTimeout(() => resolve({ ok: false, reason: 'no echo reply before connect_timeout' }), o.connectTimeoutMs);
      const done = (r: AttemptResult) => {
        clearTimeout(timer);
        resolve(r);
      };
      sock.on('error', (e) => done({ ok: false, reason: `ICMP socket error (${e.message})` }));
      sock.on('message', (buf, addr) => {
        if (isEchoReply(v6, buf, id, seq)) {
          done({ ok: true, reason: `echo reply from ${addr}`, detail: { rttMs: monoMs() - t0 } });
        }
      });
      const pkt = buildEcho(v6, id, seq, Buffer.from('keepalived-hactl'));
      sock.send(pkt, 0, pkt.length, o.host, null, (e) => {
        if (e) done({ ok: false, reason: `cannot send echo request (${e.message})` });
      });
    });
  } catch (e) {
    return { ok: false, reason: `ICMP error (${e instanceof Error ? e.message : e})` };
  } finally {
    sock.close();
  }
}
