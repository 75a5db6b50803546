/**
 * UDP_CHECK I/O (check_udp.c): send the payload (random when none) over a
 * connected UDP socket. An ICMP error (port unreachable) fails the check.
 * Without require_reply, silence until connect_timeout counts as success; with
 * it, a reply must arrive, and when reply bytes are configured the reply must
 * match them and lie within [min_reply_length, max_reply_length].
 */
import { monoMs } from './types';
import { randomBytes } from 'node:crypto';
import { udpReplyMismatch } from './hexstr';
import type { AttemptResult, UdpCheckOptions } from './types';
import { udpExchange } from './udp-link';

export async function udpAttempt(o: UdpCheckOptions): Promise<AttemptResult> {
  const payload = o.payload ?? randomBytes(8);
  const t0 = monoMs();
  let close = () => {};
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
      close = udpExchange(o, payload, {
        error: (code) => {
          if (code === 'ECONNREFUSED') done({ ok: false, reason: 'ICMP port unreachable' });
          else if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') done({ ok: false, reason: `ICMP ${code}` });
          else done({ ok: false, reason: `socket error (${code})` });
        },
        message: (msg) => {
          const detail = { replyBytes: msg.length, replyHex: msg.subarray(0, 64).toString('hex'), ms: monoMs() - t0 };
          if (o.requireReply && o.replyData) {
            const bad = udpReplyMismatch(msg, o.replyData, o.replyMask, o.minReplyLength, o.maxReplyLength);
            if (bad) return done({ ok: false, reason: bad, detail });
          }
          done({ ok: true, reason: `reply received (${msg.length} bytes)`, detail });
        },
        connectError: (m) => done({ ok: false, reason: `connection error (${m})` }),
        sendError: (m) => done({ ok: false, reason: `send failed (${m})` }),
      });
    });
  } finally {
    close();
  }
}
