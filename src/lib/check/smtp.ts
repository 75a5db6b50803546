/** SMTP_CHECK I/O: the dialogue of smtp-proto.ts, each read/write bounded by connect_timeout. */
import type * as net from 'node:net';
import { formatHostPort } from '../addr';
import { ConnectFailure, connectTcp } from './net';
import { smtpScript, smtpStatus } from './smtp-proto';
import type { AttemptResult, ConnOptions, SmtpCheckOptions } from './types';

const SMTP_LINE_MAX = 512;

function readLine(s: net.Socket, timeoutMs: number): Promise<{ line?: string; error?: string }> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    const cleanup = () => {
      clearTimeout(timer);
      s.removeListener('data', onData);
      s.removeListener('end', onEnd);
      s.removeListener('error', onErr);
    };
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const nl = buf.indexOf(0x0a);
      if (nl >= 0) {
        cleanup();
        s.pause();
        resolve({ line: buf.subarray(0, nl).toString('latin1').replace(/\r$/, '') });
      } else if (buf.length > SMTP_LINE_MAX) buf = Buffer.alloc(0);
    };
    const onEnd = () => {
      cleanup();
      resolve({ error: 'Read failure from server' });
    };
    const onErr = () => {
      cleanup();
      resolve({ error: 'Read failure from server' });
    };
    const timer = setTimeout(() => {
      cleanup();
      resolve({ error: 'Read timeout from server' });
    }, timeoutMs);
    s.on('data', onData);
    s.once('end', onEnd);
    s.once('error', onErr);
    s.resume();
  });
}

async function smtpHostAttempt(h: ConnOptions, helo: string): Promise<AttemptResult> {
  const target = formatHostPort(h.host, h.port);
  let s: net.Socket | undefined;
  try {
    try {
      s = await connectTcp(h);
    } catch (e) {
      const msg = e instanceof ConnectFailure ? e.message : String(e);
      return { ok: false, reason: `${msg} to server ${target}` };
    }
    s.pause();
    const transcript: string[] = [];
    for (const step of smtpScript(helo)) {
      if ('send' in step) {
        s.write(step.send);
        transcript.push(`> ${step.send.trimEnd()}`);
        continue;
      }
      const r = await readLine(s, h.connectTimeoutMs);
      if (r.error) return { ok: false, reason: `${r.error} ${target}`, detail: { transcript } };
      transcript.push(`< ${r.line}`);
      const st = smtpStatus(r.line ?? '');
      if (step.status !== null && st !== step.status) {
        const what = step.expect === 'banner' ? 'Bad greeting banner' : 'Bad HELO response';
        return { ok: false, reason: `${what} from server ${target} (${JSON.stringify(r.line)})`, detail: { transcript } };
      }
    }
    return { ok: true, reason: `SMTP dialogue with ${target} succeeded`, detail: { transcript } };
  } finally {
    s?.destroy();
  }
}

/** All hosts (deprecated host{} blocks, else the checker's address) must pass, in order. */
export async function smtpAttempt(o: SmtpCheckOptions): Promise<AttemptResult> {
  const hosts = o.hosts.length > 0 ? o.hosts : [o];
  let last: AttemptResult = { ok: false, reason: 'no host' };
  for (const h of hosts) {
    last = await smtpHostAttempt(h, o.heloName);
    if (!last.ok) return last;
  }
  return last;
}
