/** Helpers of the checker/genhash integration tests: local servers on 127.0.0.1 and async CLI runs. */
import { execFile } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { HACTL, ROOT } from '../helpers/cli';

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Run a program without blocking the event loop (the servers live in this process). */
export function run(file: string, args: string[], timeoutMs = 30_000): Promise<Run> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { timeout: timeoutMs, encoding: 'utf8', maxBuffer: 64 << 20, cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } },
      (err, stdout, stderr) => {
        const e = err as (Error & { code?: number | string }) | null;
        const status = e ? (typeof e.code === 'number' ? e.code : -1) : 0;
        resolve({ status, stdout, stderr, ms: Date.now() - t0 });
      },
    );
  });
}

export function hactlAsync(args: string[], timeoutMs = 30_000): Promise<Run> {
  return run(process.execPath, [HACTL, ...args], timeoutMs);
}

export function which(bin: string): string | null {
  for (const d of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').concat(['/usr/sbin', '/usr/bin'])) {
    const p = path.join(d, bin);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

/** A raw TCP server whose handler gets each connection and the request bytes (up to CRLFCRLF). */
export async function rawHttpServer(
  handler: (sock: net.Socket, request: Buffer) => void,
  host = '127.0.0.1',
): Promise<{ port: number; close: () => Promise<void>; requests: Buffer[] }> {
  const requests: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((c) => {
    sockets.add(c);
    c.on('close', () => sockets.delete(c));
    c.on('error', () => {});
    let buf = Buffer.alloc(0);
    let done = false;
    c.on('data', (d) => {
      if (done) return;
      buf = Buffer.concat([buf, d]);
      if (buf.includes('\r\n\r\n')) {
        done = true;
        requests.push(buf);
        handler(c, buf);
      }
    });
  });
  await new Promise<void>((r) => srv.listen(0, host, r));
  const port = (srv.address() as net.AddressInfo).port;
  return {
    port,
    requests,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
}

/** Self-signed certificate made with openssl at test time. */
export function selfSignedCert(cn: string): { key: string; cert: string; dir: string } | null {
  if (!which('openssl')) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-cert-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${cn}`],
    { stdio: 'ignore' },
  );
  return { key: fs.readFileSync(key, 'utf8'), cert: fs.readFileSync(cert, 'utf8'), dir };
}

/** A deterministic body of n bytes. */
export function bigBody(n: number): Buffer {
  const b = Buffer.alloc(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    b[i] = x >> 16;
  }
  return b;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
