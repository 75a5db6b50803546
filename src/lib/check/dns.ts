/** DNS_CHECK I/O over a connected UDP socket; connect_timeout bounds the whole exchange. */
import { randomInt } from 'node:crypto';
import * as dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { encodeQuery, judgeReply, rcodeName } from './dns-codec';
import { fwmarkUnsupported } from './net';
import type { AttemptResult, DnsCheckOptions } from './types';

export async function dnsAttempt(o: DnsCheckOptions, id: number = randomInt(0, 0x10000)): Promise<AttemptResult> {
  const fw = fwmarkUnsupported(o.fwmark);
  if (fw) return { ok: false, reason: fw };
  let query: Buffer;
  try {
    query = encodeQuery(id, o.name, o.type);
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
  const sock = dgram.createSocket(isIPv6(o.host) ? 'udp6' : 'udp4');
  const t0 = performance.now();
  try {
    return await new Promise<AttemptResult>((resolve) => {
      const timer = setTimeout(() => resolve({ ok: false, reason: 'read timeout from socket' }), o.connectTimeoutMs);
      const done = (r: AttemptResult) => {
        clearTimeout(timer);
        resolve(r);
      };
      sock.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'ECONNREFUSED') done({ ok: false, reason: 'failed to read socket (port unreachable)' });
        else done({ ok: false, reason: `socket error (${e.code ?? e.message})` });
      });
      sock.on('message', (msg) => {
        const v = judgeReply(msg, id);
        if (v.kind === 'ignore') return;
        const detail = { id, type: o.type, name: o.name, rcode: rcodeName(v.rcode), ms: performance.now() - t0 };
        if (v.kind === 'error') done({ ok: false, reason: `error occurred (rcode = ${v.rcode} ${rcodeName(v.rcode)})`, detail });
        else done({ ok: true, reason: `${o.type} ${o.name} answered NOERROR (${v.ancount} answers)`, detail });
      });
      sock.bind({ address: o.bindto, port: o.bindPort ?? 0 }, () => {
        sock.connect(o.port, o.host, ((err?: Error) => {
          if (err) return done({ ok: false, reason: `connection error (${err.message})` });
          sock.send(query, (e) => {
            if (e) done({ ok: false, reason: 'failed to write socket' });
          });
        }) as () => void);
      });
    });
  } finally {
    sock.close();
  }
}
