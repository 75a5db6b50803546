/** DNS_CHECK I/O over a connected UDP socket; connect_timeout bounds the whole exchange. */
import { monoMs } from './types';
import { randomInt } from 'node:crypto';
import { encodeQuery, judgeReply, rcodeName } from './dns-codec';
import type { AttemptResult, DnsCheckOptions } from './types';
import { udpExchange } from './udp-link';

export async function dnsAttempt(o: DnsCheckOptions, id: number = randomInt(0, 0x10000)): Promise<AttemptResult> {
  let query: Buffer;
  try {
    query = encodeQuery(id, o.name, o.type);
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
  const t0 = monoMs();
  let close = () => {};
  try {
    return await new Promise<AttemptResult>((resolve) => {
      const timer = setTimeout(() => resolve({ ok: false, reason: 'read timeout from socket' }), o.connectTimeoutMs);
      const done = (r: AttemptResult) => {
        clearTimeout(timer);
        resolve(r);
      };
      close = udpExchange(o, query, {
        error: (code) => {
          if (code === 'ECONNREFUSED') done({ ok: false, reason: 'failed to read socket (port unreachable)' });
          else done({ ok: false, reason: `socket error (${code})` });
        },
        message: (msg) => {
          const v = judgeReply(msg, id);
          if (v.kind === 'ignore') return;
          const detail = { id, type: o.type, name: o.name, rcode: rcodeName(v.rcode), ms: monoMs() - t0 };
          if (v.kind === 'error') done({ ok: false, reason: `error occurred (rcode = ${v.rcode} ${rcodeName(v.rcode)})`, detail });
          else done({ ok: true, reason: `${o.type} ${o.name} answered NOERROR (${v.ancount} answers)`, detail });
        },
        connectError: (m) => done({ ok: false, reason: `connection error (${m})` }),
        sendError: () => done({ ok: false, reason: 'failed to write socket' }),
      });
    });
  } finally {
    close();
  }
}
