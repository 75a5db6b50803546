/**
 * Differential tests: hactl genhash against keepalived 2.2.7's genhash, on
 * servers this test starts on 127.0.0.1 (raw TCP so every byte is ours, and
 * Node's https for TLS/SNI). Same request bytes, same output line wherever
 * keepalived prints a digest; where it does not, the same failure line and
 * hactl exits 1.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import type * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { bigBody, hactlAsync, rawHttpServer, run, selfSignedCert, which } from './check-helpers';

const GENHASH = which('genhash');
const skip = GENHASH ? false : 'keepalived genhash not installed (apt-get install keepalived)';
const BIG = bigBody(10 * 1024 * 1024);
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

function respond(sock: net.Socket, req: Buffer): void {
  const line = req.toString('latin1').split('\r\n')[0];
  const p = line.split(' ')[1] ?? '/';
  const host = /\r\nHost: ([^\r]*)\r\n/.exec(req.toString('latin1'))?.[1] ?? '';
  const send = (s: string | Buffer): void => {
    sock.end(s);
  };
  switch (p) {
    case '/small':
      send('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nhello\n');
      return;
    case '/empty':
      send('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n');
      return;
    case '/noclen':
      send('HTTP/1.0 200 OK\r\n\r\nno content length here\n');
      return;
    case '/big': {
      sock.write(`HTTP/1.0 200 OK\r\nContent-Length: ${BIG.length}\r\n\r\n`);
      send(BIG);
      return;
    }
    case '/big-noclen': {
      sock.write('HTTP/1.0 200 OK\r\n\r\n');
      send(BIG);
      return;
    }
    case '/chunked':
      sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
      sock.write('5\r\nhello\r\n');
      setTimeout(() => send('6\r\n world\r\n0\r\n\r\n'), 50);
      return;
    case '/redirect':
      send('HTTP/1.0 302 Found\r\nLocation: /small\r\nContent-Length: 9\r\n\r\nmoved...\n');
      return;
    case '/short-clen':
      send('HTTP/1.0 200 OK\r\nContent-Length: 4\r\n\r\nhello world\n');
      return;
    case '/long-clen':
      send('HTTP/1.0 200 OK\r\nContent-Length: 400\r\n\r\nhello world\n');
      return;
    case '/error':
      send('HTTP/1.0 500 Internal Server Error\r\n\r\nboom\n');
      return;
    case '/slow': {
      // Body trickles in over ~1.2 s; each gap (300 ms) stays under the 2 s timeout.
      sock.write('HTTP/1.0 200 OK\r\n\r\n');
      let i = 0;
      const t = setInterval(() => {
        if (sock.destroyed) return clearInterval(t);
        if (i++ < 4) sock.write(`part ${i}\n`);
        else {
          clearInterval(t);
          send('end\n');
        }
      }, 300);
      return;
    }
    case '/stall':
      sock.write('HTTP/1.0 200 OK\r\n\r\npartial');
      return; // never ends
    case '/silent':
      return; // reads the request, never answers
    case '/lf-only':
      send('HTTP/1.0 200 OK\nX: y\n\nbody\n');
      return;
    case '/reset':
      sock.resetAndDestroy();
      return;
    case '/vhost':
      send(`HTTP/1.0 200 OK\r\n\r\nvirtual host is ${host}\n`);
      return;
    default:
      send('HTTP/1.0 404 Not Found\r\n\r\nnot found\n');
      return;
  }
}

describe('hactl genhash vs keepalived genhash', { skip, timeout: 240_000 }, () => {
  let srv: Awaited<ReturnType<typeof rawHttpServer>>;
  before(async () => {
    srv = await rawHttpServer(respond);
  });
  after(async () => {
    await srv?.close();
  });

  async function both(args: string[]) {
    const [k, h] = await Promise.all([run(GENHASH!, args, 20_000), hactlAsync(['genhash', ...args], 20_000)]);
    return { k, h };
  }

  const digestCases: Array<[string, string[], string | null]> = [
    ['small body', ['/small'], md5('hello\n')],
    ['empty body', ['/empty'], md5('')],
    ['body without Content-Length', ['/noclen'], md5('no content length here\n')],
    ['10 MB body', ['/big'], md5(BIG)],
    ['10 MB body without Content-Length', ['/big-noclen'], md5(BIG)],
    ['chunked body (hashed raw, not decoded)', ['/chunked'], md5('5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n')],
    ['redirect (not followed)', ['/redirect'], md5('moved...\n')],
    ['Content-Length shorter than the body', ['/short-clen'], md5('hell')],
    ['Content-Length longer than the body', ['/long-clen'], md5('hello world\n')],
    ['500 status (genhash ignores the status)', ['/error'], md5('boom\n')],
    ['slow trickling body', ['/slow'], md5('part 1\npart 2\npart 3\npart 4\nend\n')],
  ];
  for (const [name, [url], expected] of digestCases) {
    it(`same digest line: ${name}`, async () => {
      const { k, h } = await both(['-s', '127.0.0.1', '-p', String(srv.port), '-u', url, '-t', '2']);
      assert.equal(k.stdout, `${expected}\n`, `keepalived genhash printed ${JSON.stringify(k.stdout)}`);
      assert.equal(h.stdout, k.stdout, `hactl: ${h.stderr}`);
      assert.equal(h.status, 0);
    });
  }

  for (const proto of ['1.0', '1.0c', '1.1']) {
    for (const vhost of [undefined, 'www.example.com']) {
      it(`same request bytes: -P ${proto}${vhost ? ` -V ${vhost}` : ''}`, async () => {
        const args = ['-s', '127.0.0.1', '-p', String(srv.port), '-u', '/vhost', '-P', proto, '-t', '2'];
        if (vhost) args.push('-V', vhost);
        const n = srv.requests.length;
        const k = await run(GENHASH!, args);
        const h = await hactlAsync(['genhash', ...args]);
        const [rk, rh] = srv.requests.slice(n);
        assert.ok(rk && rh, 'both requests captured');
        assert.equal(rh.toString('latin1'), rk.toString('latin1'));
        assert.match(rk.toString('latin1'), /^GET \/vhost HTTP\/1\.[01]\r\nUser-Agent: KeepAliveClient\r\n/);
        assert.equal(h.stdout, k.stdout);
        assert.equal(h.status, 0);
      });
    }
  }

  const failCases: Array<[string, string, string]> = [
    ['stalled body', '/stall', 'Timeout HTTP read\n'],
    ['server that never answers', '/silent', 'Timeout WEB read\n'],
  ];
  for (const [name, url, line] of failCases) {
    it(`same failure line, hactl exits 1: ${name}`, async () => {
      const { k, h } = await both(['-s', '127.0.0.1', '-p', String(srv.port), '-u', url, '-t', '1']);
      assert.equal(k.stdout, line);
      assert.equal(k.status, 0, 'keepalived genhash exits 0 even without a digest');
      assert.equal(h.stdout, k.stdout);
      assert.equal(h.status, 1);
      assert.ok(h.ms < 5000, `bounded by -t (took ${h.ms} ms)`);
    });
  }

  it('response without CRLFCRLF: "no data received" on stderr, hactl exits 1', async () => {
    const { k, h } = await both(['-s', '127.0.0.1', '-p', String(srv.port), '-u', '/lf-only', '-t', '2']);
    assert.equal(k.stdout, '');
    assert.match(k.stderr, /no data received from remote webserver/);
    assert.equal(h.stdout, '');
    assert.match(h.stderr, /no data received from remote webserver/);
    assert.equal(h.status, 1);
  });

  it('connection refused: same line, hactl exits 1', async () => {
    const closed = await rawHttpServer(() => {});
    const port = closed.port;
    await closed.close();
    const { k, h } = await both(['-s', '127.0.0.1', '-p', String(port), '-u', '/', '-t', '2']);
    assert.equal(k.stdout, 'Connection failed\n');
    assert.equal(h.stdout, k.stdout);
    assert.equal(h.status, 1);
  });

  it('connection reset: no digest from either, hactl exits 1', async () => {
    const { k, h } = await both(['-s', '127.0.0.1', '-p', String(srv.port), '-u', '/reset', '-t', '2']);
    assert.doesNotMatch(k.stdout, /^[0-9a-f]{32}$/m);
    assert.equal(h.status, 1);
    assert.doesNotMatch(h.stdout, /^[0-9a-f]{32}$/m);
  });

  it('IPv6 server: same request bytes ([addr]:port Host) and digest', async (t) => {
    let v6: Awaited<ReturnType<typeof rawHttpServer>> | undefined;
    try {
      v6 = await rawHttpServer(respond, '::1');
    } catch {
      t.skip('no IPv6 loopback (::1) on this machine');
      return;
    }
    try {
      const args = ['-s', '::1', '-p', String(v6.port), '-u', '/vhost', '-t', '2'];
      const k = await run(GENHASH!, args);
      const h = await hactlAsync(['genhash', ...args]);
      const [rk, rh] = v6.requests;
      assert.match(rk.toString('latin1'), new RegExp(`Host: \\[::1\\]:${v6.port}\r\n`));
      assert.equal(rh.toString('latin1'), rk.toString('latin1'));
      assert.match(k.stdout, /^[0-9a-f]{32}\n$/);
      assert.equal(h.stdout, k.stdout);
    } finally {
      await v6.close();
    }
  });

  it('-s accepts a host name (keepalived genhash does not)', async () => {
    const k = await run(GENHASH!, ['-s', 'localhost', '-p', String(srv.port), '-u', '/small']);
    assert.match(k.stderr, /server should be an IP/);
    const h = await hactlAsync(['genhash', '-s', 'localhost', '-p', String(srv.port), '-u', '/small', '-t', '2']);
    assert.equal(h.stdout, `${md5('hello\n')}\n`, h.stderr);
  });

  it('--json reports status, headers, digest and time', async () => {
    const h = await hactlAsync(['genhash', '-s', '127.0.0.1', '-p', String(srv.port), '-u', '/small', '--json']);
    assert.equal(h.status, 0, h.stderr);
    const j = JSON.parse(h.stdout);
    assert.equal(j.status, 200);
    assert.equal(j.digest, md5('hello\n'));
    assert.equal(j.headers['content-type'], 'text/plain');
    assert.equal(typeof j.time.totalMs, 'number');
    assert.equal(j.error, null);
  });

  it('-v prints a readable dump ending with the digest line', async () => {
    const h = await hactlAsync(['genhash', '-v', '-s', '127.0.0.1', '-p', String(srv.port), '-u', '/small']);
    assert.equal(h.status, 0, h.stderr);
    assert.match(h.stdout, /> GET \/small HTTP\/1\.0/);
    assert.match(h.stdout, /< HTTP\/1\.0 200 OK/);
    assert.match(h.stdout, /< Content-Type: text\/plain/);
    assert.ok(h.stdout.endsWith(`${md5('hello\n')}\n`));
  });

  it('bad usage exits 2 with a precise message', async () => {
    const a = await hactlAsync(['genhash', '-s', '127.0.0.1', '-p', '70000', '-u', '/']);
    assert.equal(a.status, 2);
    assert.match(a.stderr, /invalid port number '70000'/);
    const b = await hactlAsync(['genhash', '-s', '127.0.0.1', '-p', '80', '-u', '/', '-P', '2.0']);
    assert.equal(b.status, 2);
    assert.match(b.stderr, /invalid HTTP protocol version '2.0'/);
    const c = await hactlAsync(['genhash', '-s', '127.0.0.1', '-p', '80']);
    assert.equal(c.status, 2);
  });
});

/**
 * keepalived's read rules (check_http.c http_read_thread / http_process_response, html.c), which its
 * genhash and its HTTP_GET checker share: the header must end (CRLFCRLF) within the first 4095 bytes
 * (MAX_BUFFER_LENGTH - 1; a full buffer reads 0 bytes, taken as EOF: "no data received", no digest,
 * at once); Content-Length is found by strstr() in that buffer (stops at a NUL byte) and read by
 * strtoul() (skips any white space, takes a sign, no digits before CR/LF/end = 0); the body is hashed
 * raw up to Content-Length; reads go on until EOF, an error (RST) or the read timeout.
 * Each step is bytes to write, a pause, 'rst' (reset) or 'open' (never close).
 */
type Step = string | Buffer | { pause: number } | 'rst' | 'open';
const HDR = (total: number, lf = '\r\n'): string => {
  const frame = `HTTP/1.0 200 OK${lf}X-Pad: ${lf}${lf}`;
  return `HTTP/1.0 200 OK${lf}X-Pad: ${'a'.repeat(total - frame.length)}${lf}${lf}`;
};
// [name, steps, what the code before this change did differently (none: a control case)]
const READ_CASES: Array<[string, Step[], string]> = [
  ['header ending at byte 4095', [HDR(4095), 'body\n'], 'none'],
  ['header ending at byte 4095, CRLFCRLF split across writes', [HDR(4095).slice(0, 4093), { pause: 100 }, HDR(4095).slice(4093), 'body\n'], 'none'],
  ['header ending at byte 4096', [HDR(4096), 'body\n'], 'hactl printed a digest'],
  ['header ending at byte 4096, connection left open', [HDR(4096), 'body\n', 'open'], 'hactl waited and printed "Timeout HTTP read"'],
  ['8 KiB header in two writes', [HDR(8192).slice(0, 3000), { pause: 100 }, HDR(8192).slice(3000), 'body\n'], 'hactl printed a digest'],
  ['LF-only line ends', ['HTTP/1.0 200 OK\nContent-Length: 5\n\nbody\n'], 'none'],
  ['LF-only line ends, 5000 bytes, connection left open', [HDR(5000, '\n'), 'body\n', 'open'], 'hactl printed "Timeout HTTP read"'],
  ['no header at all (plain text, then close)', ['hello\n'], 'none'],
  ['nothing at all, then close', [], 'none'],
  ['body longer than Content-Length, in the same write', ['HTTP/1.0 200 OK\r\nContent-Length: 4\r\n\r\nhello world\n'], 'none'],
  ['body longer than Content-Length, in a later write', ['HTTP/1.0 200 OK\r\nContent-Length: 4\r\n\r\n', { pause: 100 }, 'hello', { pause: 50 }, ' world\n'], 'none'],
  ['body shorter than Content-Length (early close)', ['HTTP/1.0 200 OK\r\nContent-Length: 400\r\n\r\nhello'], 'none'],
  ['body shorter than Content-Length, connection left open', ['HTTP/1.0 200 OK\r\nContent-Length: 400\r\n\r\nhello', 'open'], 'none'],
  ['whole body, connection left open (keep-alive)', ['HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody', 'open'], 'none'],
  ['Content-Length with no value (strtoul: 0)', ['HTTP/1.0 200 OK\r\nContent-Length:\r\n\r\nbody'], 'hactl hashed the whole body'],
  ['Content-Length +2 (strtoul takes a sign)', ['HTTP/1.0 200 OK\r\nContent-Length: +2\r\n\r\nbody'], 'hactl hashed the whole body'],
  ['Content-Length -0', ['HTTP/1.0 200 OK\r\nContent-Length: -0\r\n\r\nbody'], 'hactl hashed the whole body'],
  ['Content-Length value on the body line (strtoul skips CR LF)', ['HTTP/1.0 200 OK\r\nContent-Length: \r\n\r\n2\nabc'], 'hactl hashed the whole body'],
  ['Content-Length: in the body beyond byte 4095', [`HTTP/1.0 200 OK\r\n\r\n${'x'.repeat(5000)}Content-Length: 3\r\nzzz`], 'hactl truncated the body at 3 bytes'],
  ['Content-Length: in the body within byte 4095', [`HTTP/1.0 200 OK\r\n\r\n${'x'.repeat(50)}Content-Length: 3\r\nzzz`], 'none'],
  ['NUL byte in the header before Content-Length', ['HTTP/1.0 200 OK\r\nX: \0\r\nContent-Length: 2\r\n\r\nbody'], 'hactl truncated the body at 2 bytes'],
  ['lower-case content-length', ['HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\nbody'], 'none'],
  ['chunked body, chunks in separate writes', ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', '5\r\nhello\r\n', { pause: 50 }, '0\r\n\r\n'], 'none'],
  ['reset after the header and part of the body', ['HTTP/1.0 200 OK\r\nContent-Length: 100\r\n\r\nhalf', { pause: 100 }, 'rst'], 'none'],
  ['reset before any byte', ['rst'], 'none'],
  ['reset right after the whole response, in the same write', ['HTTP/1.0 200 OK\r\nContent-Length: 4\r\n\r\nbody', 'rst'], 'hactl printed a digest about every second run (libuv reports EOF)'],
];

async function playSteps(sock: net.Socket, steps: Step[]): Promise<void> {
  let open = false;
  for (const st of steps) {
    if (sock.destroyed) return;
    if (st === 'rst') {
      sock.resetAndDestroy();
      return;
    }
    if (st === 'open') open = true;
    else if (typeof st === 'object' && !Buffer.isBuffer(st)) await new Promise((r) => setTimeout(r, st.pause));
    else sock.write(typeof st === 'string' ? Buffer.from(st, 'latin1') : st);
  }
  if (!open) sock.end();
}

describe('read rules: hactl genhash and check http vs keepalived genhash', { skip, timeout: 240_000 }, () => {
  let srv: Awaited<ReturnType<typeof rawHttpServer>>;
  before(async () => {
    srv = await rawHttpServer((sock, req) => {
      const p = req.toString('latin1').split(' ')[1] ?? '';
      const c = READ_CASES[Number(p.slice(1))];
      if (c) void playSteps(sock, c[1]);
      else sock.end('HTTP/1.0 404 Not Found\r\n\r\n');
    });
  });
  after(async () => {
    await srv?.close();
  });

  READ_CASES.forEach(([name, , before], i) => {
    it(`same outcome: ${name}${before === 'none' ? '' : ` (before: ${before})`}`, async () => {
      // The reset that races the data is played several times (before the fix it failed at random).
      for (let round = 0; round < (name.startsWith('reset right after') ? 6 : 1); round++) await sameOutcome(i);
    });
  });

  async function sameOutcome(i: number): Promise<void> {
    {
      const args = ['-s', '127.0.0.1', '-p', String(srv.port), '-u', `/${i}`, '-t', '1'];
      const [k, h] = await Promise.all([run(GENHASH!, args, 20_000), hactlAsync(['genhash', ...args], 20_000)]);
      const kNoData = /no data received from remote webserver/.test(k.stderr);
      const kDigest = /^[0-9a-f]{32}\n$/.test(k.stdout);
      assert.equal(k.status, 0, `keepalived genhash: ${k.stderr}`);
      assert.ok(kDigest || kNoData || k.stdout !== '', `keepalived genhash said nothing: ${JSON.stringify(k)}`);
      assert.equal(h.stdout, k.stdout, `stdout (keepalived stderr ${JSON.stringify(k.stderr)}, hactl stderr ${JSON.stringify(h.stderr)})`);
      assert.equal(/no data received from remote webserver/.test(h.stderr), kNoData, `"no data received": hactl stderr ${JSON.stringify(h.stderr)}`);
      assert.equal(h.status, kDigest ? 0 : 1, 'hactl exits 0 exactly when it prints a digest');
      // keepalived's HTTP_GET checker reads with the same code as its genhash: hactl's checker must
      // accept the digest keepalived's genhash printed, and see "no data" where genhash did.
      const chk = await hactlAsync(['check', 'http', `127.0.0.1:${srv.port}`, '--path', `/${i}`, '--connect-timeout', '1', '--retry', '0', '--status-code', '100-599', ...(kDigest ? ['--digest', k.stdout.trim()] : [])]);
      if (kDigest) assert.equal(chk.status, 0, `check http with keepalived's digest: ${chk.stdout}${chk.stderr}`);
      else assert.equal(chk.status, 1, `check http: ${chk.stdout}${chk.stderr}`);
      if (kNoData) assert.match(chk.stdout, /no data received/, 'check http names the failure as keepalived does');
    }
  }
});

describe('hactl genhash vs keepalived genhash over TLS', { skip: skip || (which('openssl') ? false : 'openssl missing'), timeout: 120_000 }, () => {
  let server: https.Server;
  let port = 0;
  let certDir = '';
  before(async () => {
    const c = selfSignedCert('hactl-test.invalid')!;
    certDir = c.dir;
    server = https.createServer({ key: c.key, cert: c.cert }, (req, res) => {
      const sni = (req.socket as import('node:tls').TLSSocket).servername || 'none';
      if (req.url === '/stall') {
        res.writeHead(200);
        res.write('partial');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`sni=${sni} host=${req.headers.host}\n`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  after(() => {
    server?.closeAllConnections();
    server?.close();
    if (certDir) fs.rmSync(certDir, { recursive: true, force: true });
  });

  const cases: Array<[string, string[], string]> = [
    ['self-signed certificate', [], 'sni=none host=127.0.0.1:PORT\n'],
    ['SNI with a virtual host', ['-I', '-V', 'www.example.com'], 'sni=www.example.com host=www.example.com\n'],
    ['virtual host without SNI', ['-V', 'www.example.com'], 'sni=none host=www.example.com\n'],
  ];
  for (const [name, extra, body] of cases) {
    it(`same digest line: ${name}`, async () => {
      const args = ['-S', '-s', '127.0.0.1', '-p', String(port), '-u', '/', '-t', '3', ...extra];
      const [k, h] = await Promise.all([run(GENHASH!, args), hactlAsync(['genhash', ...args])]);
      const expected = md5(body.replace('PORT', String(port)));
      assert.equal(k.stdout, `${expected}\n`, `keepalived: ${k.stdout}${k.stderr}`);
      assert.equal(h.stdout, k.stdout, h.stderr);
      assert.equal(h.status, 0);
    });
  }

  it('hactl check ssl with enable_sni and the digest genhash printed: up', async () => {
    const args = ['-S', '-I', '-V', 'www.example.com', '-s', '127.0.0.1', '-p', String(port), '-u', '/', '-t', '3'];
    const k = await run(GENHASH!, args);
    const digest = k.stdout.trim();
    const up = await hactlAsync(['check', 'ssl', `127.0.0.1:${port}`, '--path', '/', '--digest', digest, '--virtualhost', 'www.example.com', '--enable-sni', '--retry', '0']);
    assert.equal(up.status, 0, up.stdout + up.stderr);
    const noSni = await hactlAsync(['check', 'ssl', `127.0.0.1:${port}`, '--path', '/', '--digest', digest, '--virtualhost', 'www.example.com', '--retry', '0']);
    assert.equal(noSni.status, 1, 'without SNI the body (and digest) differs');
    assert.match(noSni.stdout, /MD5 digest error/);
  });

  it('TLS to a plain-text port: no digest from either', async () => {
    // Answers plain HTTP to the first bytes it gets (the TLS ClientHello).
    const plainSrv = (await import('node:net')).createServer((c) => {
      c.on('error', () => {});
      c.once('data', () => c.end('HTTP/1.0 200 OK\r\n\r\nplain\n'));
    });
    await new Promise<void>((r) => plainSrv.listen(0, '127.0.0.1', r));
    const plain = { port: (plainSrv.address() as net.AddressInfo).port, close: () => new Promise<void>((r) => plainSrv.close(() => r())) };
    try {
      const args = ['-S', '-s', '127.0.0.1', '-p', String(plain.port), '-u', '/', '-t', '2'];
      const [k, h] = await Promise.all([run(GENHASH!, args), hactlAsync(['genhash', ...args])]);
      // keepalived prints either line for this peer, depending on timing.
      const lines = ['Connection failed\n', 'SSL handshake/communication error connecting to\n'];
      assert.ok(lines.includes(k.stdout), `keepalived: ${JSON.stringify(k.stdout)}`);
      assert.ok(lines.includes(h.stdout), `hactl: ${JSON.stringify(h.stdout)}`);
      assert.equal(h.status, 1);
    } finally {
      await plain.close();
    }
  });

  it('TLS port that never handshakes: same "Timeout connecting" line', async () => {
    const silent = await rawHttpServer(() => {});
    try {
      const args = ['-S', '-s', '127.0.0.1', '-p', String(silent.port), '-u', '/', '-t', '1'];
      const [k, h] = await Promise.all([run(GENHASH!, args), hactlAsync(['genhash', ...args])]);
      assert.equal(k.stdout, 'Timeout connecting\n');
      assert.equal(h.stdout, k.stdout);
      assert.equal(h.status, 1);
    } finally {
      await silent.close();
    }
  });

  // Over TLS keepalived reads with SSL_read into the same 4096-byte buffer; when it fills without
  // a header, SSL_read of 0 bytes does not end the read: it waits for the peer's close ("no data
  // received") or the read timeout ("Timeout SSL read").
  const tlsRead: Array<[string, (c: import('node:tls').TLSSocket) => void, string]> = [
    ['header ending at byte 4095', (c) => c.end(`${HDR(4095)}body`), 'none'],
    ['header ending at byte 4096, then close', (c) => c.end(`${HDR(4096)}body`), 'hactl printed a digest'],
    ['header ending at byte 4096, connection left open', (c) => c.write(`${HDR(4096)}body`), 'none'],
    ['Content-Length with no value', (c) => c.end('HTTP/1.0 200 OK\r\nContent-Length:\r\n\r\nbody'), 'hactl hashed the whole body'],
  ];
  for (const [name, answer] of tlsRead) {
    it(`same outcome over TLS: ${name}`, async () => {
      const c = selfSignedCert('hactl-test.invalid')!;
      const tls = await import('node:tls');
      const srv = tls.createServer({ key: c.key, cert: c.cert }, (sock) => {
        sock.on('error', () => {});
        sock.once('data', () => answer(sock));
      });
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      const conns = new Set<import('node:net').Socket>();
      srv.on('secureConnection', (s) => conns.add(s));
      try {
        const args = ['-S', '-s', '127.0.0.1', '-p', String((srv.address() as net.AddressInfo).port), '-u', '/', '-t', '1'];
        const [k, h] = await Promise.all([run(GENHASH!, args, 20_000), hactlAsync(['genhash', ...args], 20_000)]);
        const kDigest = /^[0-9a-f]{32}\n$/.test(k.stdout);
        assert.equal(h.stdout, k.stdout, `keepalived ${JSON.stringify(k)} hactl ${JSON.stringify(h)}`);
        assert.equal(/no data received/.test(h.stderr), /no data received/.test(k.stderr), `stderr: keepalived ${JSON.stringify(k.stderr)} hactl ${JSON.stringify(h.stderr)}`);
        assert.equal(h.status, kDigest ? 0 : 1);
      } finally {
        for (const s of conns) s.destroy();
        srv.close();
        fs.rmSync(c.dir, { recursive: true, force: true });
      }
    });
  }

  it('stalled TLS body: same line from both', async () => {
    const args = ['-S', '-s', '127.0.0.1', '-p', String(port), '-u', '/stall', '-t', '1'];
    const [k, h] = await Promise.all([run(GENHASH!, args), hactlAsync(['genhash', ...args])]);
    assert.equal(h.stdout, k.stdout, `keepalived ${JSON.stringify(k.stdout)} hactl ${JSON.stringify(h.stdout)} ${h.stderr}`);
  });
});
