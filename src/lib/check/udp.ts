/**
 * UDP_CHECK I/O (check_udp.c): send the payload (random when none) over a
 * connected UDP socket. An ICMP error (port unreachable) fails the check.
 * Without require_reply, silence until connect_timeout counts as success; with
 * it, a reply must arrive, and when reply bytes are configured the reply must
 * match them and lie within [min_reply_length, max_reply_length].
 */
import { randomBytes } from 'node:crypto';
import * as dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { udpReplyMismatch } from './hexstr';
import { fwmarkUnsupported } from './net';
import type { AttemptResult, UdpCheckOptions } from './types';

export async function udpAttempt(o: UdpCheckOptions): Promise<AttemptResult> {
  const fw = fwmarkUnsupported(o.fwmark);
  if (fw) return { ok: false, reason: fw };
  const payload = o.payload ?? randomBytes(8);
  const sock = dgram.createSocket(isIPv6(o.host) ? 'udp6' : 'udp4');
  const t0 = performance.now();
  try {
    return await new Promise<AttemptResult>((resolve) => {
      const timer = setTimeout(() => {
        if (o.requireReply) resolve({ ok: false, reason: 'no reply before connect_timeout' });
        else resolve({ ok: true, reason: 'no ICMP error before connect_timeout' });
      }, o.connectTimeoutMs);
      const done = (r: AttemptResult) => {
        clearTimeout(timer);
        resolve(r);
      };
      sock.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'ECONNREFUSED') done({ ok: false, reason: 'ICMP port unreachable' });
        else if (e.code === 'EHOSTUNREACH' || e.code === 'ENETUNREACH') done({ ok: false, reason: `ICMP ${e.code}` });
        else done({ ok: false, reason: `socket error (${e.code ?? e.message})` });
      });
      sock.on('message', (msg) => {
        const detail = { replyBytes: msg.length, replyHex: msg.subarray(0, 64).toString('hex'), ms: performance.now() - t0 };
        if (o.requireReply && o.replyData) {
          const bad = udpReplyMismatch(msg, o.replyData, o.replyMask, o.minReplyLength, o.maxReplyLength);
          if (bad) return done({ ok: false, reason: bad, detail });
        }
        done({ ok: true, reason: `reply received (${msg.length} bytes)`, detail });
      });
      sock.bind({ address: o.bindto, port: o.bindPort ?? 0 }, () => {
        sock.connect(o.port, o.host, ((err?: Error) => {
          if (err) return done({ ok: false, reason: `connection error (${err.message})` });
          sock.send(payload, (e) => {
            if (e) done({ ok: false, reason: `send failed (${e.message})` });
          });
        }) as () => void);
      });
    });
  } finally {
    sock.close();
  }
}
