/**
 * Checkers against local servers on 127.0.0.1 that go up and down, stall,
 * reset connections, answer the wrong status or body; MISC_CHECK scripts that
 * hang past misc_timeout (the whole process group must be gone); a DNS
 * responder and an SMTP server of the test's own; UDP echo; ICMP echo.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildOptions } from '../../src/lib/check/run-cli';
import { runCheck } from '../../src/lib/check/index';
import type { CheckOptions } from '../../src/lib/check/types';
import { hactlAsync, rawHttpServer, sleep } from './check-helpers';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const opts = (kind: CheckOptions['kind'], target: string | undefined, flags: Record<string, unknown>) => buildOptions(kind, target, flags);

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

/** Running (a zombie waiting for a reaper that is not ours counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Open sockets of this process (fd count), to detect leaks. */
function socketFds(): number {
  return fs.readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:');
    } catch {
      return false;
    }
  }).length;
}

describe('TCP_CHECK', { timeout: 60_000 }, () => {
  it('up when listening, down when refused', async () => {
    const srv = await rawHttpServer(() => {});
    const up = await runCheck(opts('tcp', `127.0.0.1:${srv.port}`, { retry: '0' }));
    assert.equal(up.up, true, up.reason);
    await srv.close();
    const down = await runCheck(opts('tcp', `127.0.0.1:${srv.port}`, { retry: '0' }));
    assert.equal(down.up, false);
    assert.match(down.reason, /refused/);
  });

  it('a server that comes up between attempts: up on the retry, delay_before_retry honoured', async () => {
    const port = await freePort();
    let srv: net.Server | undefined;
    setTimeout(() => {
      srv = net.createServer((c) => c.destroy()).listen(port, '127.0.0.1');
    }, 300);
    const r = await runCheck(opts('tcp', `127.0.0.1:${port}`, { retry: '2', 'delay-before-retry': '0.6' }));
    srv?.close();
    assert.equal(r.up, true, r.reason);
    assert.equal(r.attempts.length, 2);
    assert.equal(r.attempts[0].ok, false);
    assert.ok(r.attempts[1].startMs >= 590, `retry after delay_before_retry (at ${r.attempts[1].startMs} ms)`);
  });

  it('retry N makes N+1 attempts, then down', async () => {
    const port = await freePort();
    const r = await runCheck(opts('tcp', `127.0.0.1:${port}`, { retry: '2', 'delay-before-retry': '0.1' }));
    assert.equal(r.up, false);
    assert.equal(r.attempts.length, 3);
    assert.match(r.reason, /after 2 retries/);
  });

  it('fwmark is applied on loopback too (root): a marked check reaches a live server, a closed port is refused', {
    skip: process.getuid?.() === 0 ? false : 'needs root (SO_MARK); check-fwmark.test.ts proves the mark in a namespace',
  }, async () => {
    const srv = net.createServer((c) => c.destroy());
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const port = (srv.address() as net.AddressInfo).port;
      const up = await runCheck(opts('tcp', `127.0.0.1:${port}`, { retry: '0', fwmark: '5' }));
      assert.equal(up.up, true, up.reason);
      const down = await runCheck(opts('tcp', '127.0.0.1:1', { retry: '0', fwmark: '5' }));
      assert.equal(down.up, false);
      assert.match(down.reason, /refused/i);
    } finally {
      srv.close();
    }
  });

  it('bindto / bind_port are used as the source', async () => {
    let seen = '';
    const srv = net.createServer((c) => {
      seen = `${c.remoteAddress}:${c.remotePort}`;
      c.destroy();
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    const bp = await freePort();
    const r = await runCheck(opts('tcp', `127.0.0.1:${port}`, { retry: '0', bindto: '127.0.0.2', 'bind-port': String(bp) }));
    await sleep(50);
    srv.close();
    assert.equal(r.up, true, r.reason);
    assert.equal(seen, `127.0.0.2:${bp}`);
  });
});

describe('HTTP_GET', { timeout: 60_000 }, () => {
  let srv: Awaited<ReturnType<typeof rawHttpServer>>;
  let flaky = 0;
  before(async () => {
    srv = await rawHttpServer((s, req) => {
      const p = req.toString('latin1').split(' ')[1];
      if (p === '/ok') s.end('HTTP/1.0 200 OK\r\n\r\nall good\n');
      else if (p === '/500') s.end('HTTP/1.0 500 Oops\r\n\r\nall good\n');
      else if (p === '/301') s.end('HTTP/1.0 301 Moved\r\nLocation: /ok\r\n\r\n');
      else if (p === '/changed') s.end('HTTP/1.0 200 OK\r\n\r\nsomething else\n');
      else if (p === '/reset') s.resetAndDestroy();
      else if (p === '/stall') s.write('HTTP/1.0 200 OK\r\n\r\npart');
      else if (p === '/silent') return;
      else if (p === '/flaky') {
        flaky++;
        if (flaky % 2 === 1) s.resetAndDestroy();
        else s.end('HTTP/1.0 200 OK\r\n\r\nrecovered\n');
      } else s.end('HTTP/1.0 404 Not Found\r\n\r\n');
    });
  });
  after(() => srv.close());
  const t = () => `127.0.0.1:${srv.port}`;

  it('status 200 and the right digest: up', async () => {
    const r = await runCheck(opts('http', t(), { path: '/ok', digest: md5('all good\n'), retry: '0' }));
    assert.equal(r.up, true, r.reason);
    assert.match(r.reason, /MD5 digest success/);
  });
  it('wrong status: down with the status in the reason', async () => {
    const r = await runCheck(opts('http', t(), { path: '/500', retry: '0' }));
    assert.equal(r.up, false);
    assert.match(r.reason, /HTTP status code error \(got 500, expected 200-299\)/);
  });
  it('status_code list accepts a redirect', async () => {
    const r = await runCheck(opts('http', t(), { path: '/301', 'status-code': ['301'], retry: '0' }));
    assert.equal(r.up, true, r.reason);
  });
  it('wrong body: MD5 digest error', async () => {
    const r = await runCheck(opts('http', t(), { path: '/changed', digest: md5('all good\n'), retry: '0' }));
    assert.equal(r.up, false);
    assert.match(r.reason, /MD5 digest error \(got [0-9a-f]{32}/);
  });
  it('connection reset: down', async () => {
    const r = await runCheck(opts('http', t(), { path: '/reset', retry: '0' }));
    assert.equal(r.up, false);
    assert.match(r.reason, /Read error|no data/);
  });
  it('stalled body: Timeout HTTP read after connect_timeout, not before', async () => {
    const r = await runCheck(opts('http', t(), { path: '/stall', retry: '0', 'connect-timeout': '0.5' }));
    assert.equal(r.up, false);
    assert.match(r.reason, /Timeout HTTP read/);
    assert.ok(r.totalMs >= 490 && r.totalMs < 2000, `${r.totalMs} ms`);
  });
  it('silent server: Timeout WEB read', async () => {
    const r = await runCheck(opts('http', t(), { path: '/silent', retry: '0', 'connect-timeout': '0.5' }));
    assert.match(r.reason, /Timeout WEB read/);
  });
  it('flaky server: the retry succeeds', async () => {
    flaky = 0;
    const r = await runCheck(opts('http', t(), { path: '/flaky', retry: '1', 'delay-before-retry': '0.1' }));
    assert.equal(r.up, true, r.reason);
    assert.equal(r.attempts.length, 2);
  });
  it('several urls: all must pass', async () => {
    const r = await runCheck(opts('http', t(), { url: ['path=/ok', 'path=/500'], retry: '0' }));
    assert.equal(r.up, false);
    assert.match(r.reason, /^\/500:/);
    const ok = await runCheck(opts('http', t(), { url: ['path=/ok', 'path=/301,status_code=301'], retry: '0' }));
    assert.equal(ok.up, true, ok.reason);
  });
  it('does not leak sockets', async () => {
    const before = socketFds();
    for (const p of ['/ok', '/reset', '/stall', '/silent', '/500']) {
      await runCheck(opts('http', t(), { path: p, retry: '0', 'connect-timeout': '0.2' }));
    }
    await sleep(100);
    assert.ok(socketFds() <= before, `sockets before ${before}, after ${socketFds()}`);
  });
});

describe('MISC_CHECK', { timeout: 60_000 }, () => {
  let dir = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-misc-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('exit 0 up, exit 1 down', async () => {
    assert.equal((await runCheck(opts('misc', undefined, { 'misc-path': '/bin/true' }))).up, true);
    const d = await runCheck(opts('misc', undefined, { 'misc-path': '/bin/sh -c "exit 1"' }));
    assert.equal(d.up, false);
    assert.match(d.reason, /exited with status 1/);
  });
  it('misc_dynamic: exit 12 sets weight 10', async () => {
    const r = await runCheck(opts('misc', undefined, { 'misc-path': "/bin/sh -c 'exit 12'", 'misc-dynamic': true }));
    assert.equal(r.up, true);
    assert.equal(r.weight, 10);
  });
  it('a script hanging past misc_timeout is killed with its whole process group', async () => {
    const pidfile = path.join(dir, 'pids');
    const script = path.join(dir, 'hang.sh');
    fs.writeFileSync(script, `#!/bin/sh\nsleep 60 &\necho $$ $! > ${pidfile}\nwait\n`, { mode: 0o755 });
    const r = await runCheck(opts('misc', undefined, { 'misc-path': script, 'misc-timeout': '0.5' }));
    assert.equal(r.up, false);
    assert.match(r.reason, /timed out/);
    assert.ok(r.totalMs < 3000, `${r.totalMs} ms`);
    const pids = fs.readFileSync(pidfile, 'utf8').trim().split(/\s+/).map(Number);
    await sleep(100);
    for (const p of pids) assert.equal(alive(p), false, `process ${p} still alive`);
  });
  it('a script ignoring SIGTERM gets SIGKILL 2 s later', async () => {
    const pidfile = path.join(dir, 'pid2');
    const script = path.join(dir, 'stubborn.sh');
    fs.writeFileSync(script, `#!/bin/sh\ntrap '' TERM\necho $$ > ${pidfile}\nwhile :; do sleep 0.1; done\n`, { mode: 0o755 });
    const r = await runCheck(opts('misc', undefined, { 'misc-path': script, 'misc-timeout': '0.3' }));
    assert.equal(r.up, false);
    assert.ok(r.totalMs >= 2200 && r.totalMs < 5000, `${r.totalMs} ms`);
    const pid = Number(fs.readFileSync(pidfile, 'utf8'));
    await sleep(100);
    assert.equal(alive(pid), false);
  });
  it('user: the script runs as that user', { skip: process.getuid?.() === 0 ? false : 'needs root' }, async () => {
    const r = await runCheck(opts('misc', undefined, { 'misc-path': `/bin/sh -c 'test "$(id -u)" = 65534'`, user: 'nobody' }));
    assert.equal(r.up, true, r.reason);
    const bad = await runCheck(opts('misc', undefined, { 'misc-path': '/bin/true', user: 'no-such-user-hactl' }));
    assert.equal(bad.up, false);
    assert.match(bad.reason, /unknown user 'no-such-user-hactl'/);
  });
  it('misc_path is read as keepalived reads a script line: escapes inside words, quotes in words', async () => {
    const out = path.join(dir, 'argv.out');
    const script = path.join(dir, 'argv.sh');
    fs.writeFileSync(script, `#!/bin/sh\nprintf '[%s]' "$@" > ${out}\n`, { mode: 0o755 });
    const r = await runCheck(opts('misc', undefined, { 'misc-path': String.raw`${script} a\tb \x41 'c d'e` }));
    assert.equal(r.up, true, r.reason);
    assert.equal(fs.readFileSync(out, 'utf8'), '[a\tb][A][c de]');
  });
  it('misc_path keepalived cannot read (a quote without its end): not run, one line', async () => {
    const r = await runCheck(opts('misc', undefined, { 'misc-path': "/bin/true 'x" }));
    assert.equal(r.up, false);
    assert.match(r.reason, /^misc_path: keepalived cannot read .*quote without its end.*; not run$/);
  });
  it('missing program: down with the reason', async () => {
    const r = await runCheck(opts('misc', undefined, { 'misc-path': '/nonexistent/check' }));
    assert.equal(r.up, false);
    assert.match(r.reason, /ENOENT/);
  });
});

describe('DNS_CHECK against a tiny DNS responder', { timeout: 60_000 }, () => {
  let sock: dgram.Socket;
  let port = 0;
  const seen: Buffer[] = [];
  before(async () => {
    sock = dgram.createSocket('udp4');
    sock.on('message', (q, rinfo) => {
      seen.push(q);
      // qname starts at 12: decode the first label
      const label = q.subarray(13, 13 + q[12]).toString();
      const reply = Buffer.from(q);
      reply.writeUInt16BE(0x8180, 2);
      if (label === 'nx') reply.writeUInt16BE(0x8183, 2);
      if (label === 'silent') return;
      if (label === 'wrongid') {
        const bad = Buffer.from(reply);
        bad.writeUInt16BE((q.readUInt16BE(0) + 1) & 0xffff, 0);
        sock.send(bad, rinfo.port, rinfo.address);
        setTimeout(() => sock.send(reply, rinfo.port, rinfo.address), 50);
        return;
      }
      sock.send(reply, rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    port = sock.address().port;
  });
  after(() => sock.close());

  it('NOERROR: up, and the query is keepalived-shaped (RD, IN, type)', async () => {
    const r = await runCheck(opts('dns', `127.0.0.1:${port}`, { type: 'A', name: 'ok.example', retry: '0' }));
    assert.equal(r.up, true, r.reason);
    const q = seen.at(-1)!;
    assert.equal(q.readUInt16BE(2), 0x0100);
    assert.equal(q.readUInt16BE(q.length - 4), 1);
    assert.equal(q.readUInt16BE(q.length - 2), 1);
  });
  it('NXDOMAIN: down with the rcode', async () => {
    const r = await runCheck(opts('dns', `127.0.0.1:${port}`, { name: 'nx.example', retry: '0' }));
    assert.equal(r.up, false);
    assert.match(r.reason, /rcode = 3/);
  });
  it('a reply with the wrong id is ignored, the right one counts', async () => {
    const r = await runCheck(opts('dns', `127.0.0.1:${port}`, { name: 'wrongid.example', retry: '0' }));
    assert.equal(r.up, true, r.reason);
  });
  it('no answer: timeout after connect_timeout; retries with the delay', async () => {
    const r = await runCheck(opts('dns', `127.0.0.1:${port}`, { name: 'silent.example', retry: '1', 'connect-timeout': '0.3', 'delay-before-retry': '0.2' }));
    assert.equal(r.up, false);
    assert.equal(r.attempts.length, 2);
    assert.match(r.reason, /read timeout/);
    assert.ok(r.totalMs >= 790, `${r.totalMs}`);
  });
  it('closed port: down (ICMP port unreachable)', async () => {
    const p = await freePort();
    const r = await runCheck(opts('dns', `127.0.0.1:${p}`, { retry: '0', 'connect-timeout': '1' }));
    assert.equal(r.up, false);
  });
});

describe('SMTP_CHECK against a fake SMTP server', { timeout: 60_000 }, () => {
  let srv: net.Server;
  let port = 0;
  let mode = 'good';
  const transcript: string[] = [];
  before(async () => {
    srv = net.createServer((c) => {
      c.on('error', () => {});
      if (mode === 'stall') return;
      c.write(mode === 'busy' ? '554 go away\r\n' : '220 fake ESMTP\r\n');
      let buf = '';
      c.on('data', (d) => {
        buf += d.toString();
        let i = buf.indexOf('\n');
        while (i >= 0) {
          const line = buf.slice(0, i + 1);
          buf = buf.slice(i + 1);
          transcript.push(line);
          if (line.startsWith('HELO')) c.write(mode === 'badhelo' ? '501 nope\r\n' : '250 hello\r\n');
          else if (line.startsWith('QUIT')) c.end('221 bye\r\n');
          i = buf.indexOf('\n');
        }
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    port = (srv.address() as net.AddressInfo).port;
  });
  after(() => srv.close());

  it('good dialogue: up, HELO with helo_name then QUIT', async () => {
    mode = 'good';
    transcript.length = 0;
    const r = await runCheck(opts('smtp', `127.0.0.1:${port}`, { 'helo-name': 'lb.example', retry: '0' }));
    assert.equal(r.up, true, r.reason);
    assert.deepEqual(transcript, ['HELO lb.example\r\n', 'QUIT\r\n']);
  });
  it('default helo name', async () => {
    transcript.length = 0;
    await runCheck(opts('smtp', `127.0.0.1:${port}`, { retry: '0' }));
    assert.equal(transcript[0], 'HELO smtpchecker.keepalived.org\r\n');
  });
  it('bad banner, bad HELO reply, stall: down', async () => {
    mode = 'busy';
    assert.match((await runCheck(opts('smtp', `127.0.0.1:${port}`, { retry: '0' }))).reason, /Bad greeting banner/);
    mode = 'badhelo';
    assert.match((await runCheck(opts('smtp', `127.0.0.1:${port}`, { retry: '0' }))).reason, /Bad HELO response/);
    mode = 'stall';
    const r = await runCheck(opts('smtp', `127.0.0.1:${port}`, { retry: '0', 'connect-timeout': '0.4' }));
    assert.match(r.reason, /Read timeout/);
  });
});

describe('UDP_CHECK', { timeout: 60_000 }, () => {
  let sock: dgram.Socket;
  let port = 0;
  before(async () => {
    sock = dgram.createSocket('udp4');
    sock.on('message', (m, r) => {
      if (m[0] === 0xee) return; // silent
      sock.send(Buffer.concat([Buffer.from([0x53, 0x49, 0x50]), m]), r.port, r.address);
    });
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    port = sock.address().port;
  });
  after(() => sock.close());

  it('reply matching require_reply: up', async () => {
    const r = await runCheck(opts('udp', `127.0.0.1:${port}`, { payload: '01', 'reply-data': '53 49 5x', retry: '0' }));
    assert.equal(r.up, true, r.reason);
  });
  it('reply not matching: down', async () => {
    const r = await runCheck(opts('udp', `127.0.0.1:${port}`, { payload: '01', 'reply-data': '00', retry: '0' }));
    assert.equal(r.up, false);
    assert.match(r.reason, /mismatch/);
  });
  it('reply too long for max_reply_length: down', async () => {
    const r = await runCheck(opts('udp', `127.0.0.1:${port}`, { payload: '01 02 03', 'reply-data': '53', 'max-reply-length': '4', retry: '0' }));
    assert.equal(r.up, false);
    assert.match(r.reason, /length 6 outside 0\.\.4/);
  });
  it('silence: up without require_reply, down with it', async () => {
    const a = await runCheck(opts('udp', `127.0.0.1:${port}`, { payload: 'ee', retry: '0', 'connect-timeout': '0.3' }));
    assert.equal(a.up, true, a.reason);
    const b = await runCheck(opts('udp', `127.0.0.1:${port}`, { payload: 'ee', 'require-reply': true, retry: '0', 'connect-timeout': '0.3' }));
    assert.equal(b.up, false);
  });
  it('closed port: ICMP port unreachable, down', async () => {
    const p = await freePort();
    const r = await runCheck(opts('udp', `127.0.0.1:${p}`, { retry: '0', 'connect-timeout': '1' }));
    assert.equal(r.up, false);
    assert.match(r.reason, /unreachable/);
  });
});

describe('PING_CHECK', { timeout: 30_000, skip: process.getuid?.() === 0 ? false : 'needs root (raw ICMP socket)' }, () => {
  it('127.0.0.1 answers', async () => {
    const r = await runCheck(opts('ping', '127.0.0.1', { retry: '0', 'connect-timeout': '2' }));
    assert.equal(r.up, true, r.reason);
  });
  it('::1 answers', async () => {
    const r = await runCheck(opts('ping', '::1', { retry: '0', 'connect-timeout': '2' }));
    assert.equal(r.up, true, r.reason);
  });
});

describe('hactl check CLI', { timeout: 60_000 }, () => {
  it('exit 0 up, 1 down, 2 usage; --json', async () => {
    const srv = await rawHttpServer((s) => s.end('HTTP/1.0 200 OK\r\n\r\nx'));
    try {
      const up = await hactlAsync(['check', 'http', `127.0.0.1:${srv.port}`, '--path', '/', '--retry', '0', '--json']);
      assert.equal(up.status, 0, up.stderr);
      const j = JSON.parse(up.stdout);
      assert.equal(j.up, true);
      assert.equal(j.checker, 'HTTP_GET');
      const down = await hactlAsync(['check', 'http', `127.0.0.1:${srv.port}`, '--path', '/', '--status-code', '404', '--retry', '0']);
      assert.equal(down.status, 1);
      assert.match(down.stdout, /HTTP_GET 127\.0\.0\.1:\d+: DOWN - \/: HTTP status code error/);
      const bad = await hactlAsync(['check', 'http', `127.0.0.1:${srv.port}`, '--digest', 'nothex']);
      assert.equal(bad.status, 2);
      assert.doesNotMatch(bad.stderr, /at .*\.js:\d+/);
    } finally {
      await srv.close();
    }
  });

  it('check config runs the checkers of a real server', async () => {
    const srv = await rawHttpServer((s) => s.end('HTTP/1.0 200 OK\r\n\r\nhello\n'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-conf-'));
    try {
      const conf = path.join(dir, 'keepalived.conf');
      fs.writeFileSync(
        conf,
        `virtual_server 198.51.100.1 80 {
  delay_loop 5
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 127.0.0.1 ${srv.port} {
    weight 2
    HTTP_GET {
      url {
        path /
        digest ${md5('hello\n')}
      }
      connect_timeout 5
      retry 0
    }
    TCP_CHECK {
      retry 0
    }
    MISC_CHECK {
      misc_path "/bin/sh -c 'exit 9'"
      misc_dynamic
    }
  }
}
`,
      );
      const r = await hactlAsync(['check', 'config', '-f', conf, '--real-server', `127.0.0.1:${srv.port}`, '--json']);
      const same = await hactlAsync(['check', '--config', conf, '--real-server', `127.0.0.1:${srv.port}`, '--json']);
      assert.equal(same.status, 0, `hactl check --config ... is the same command: ${same.stdout}${same.stderr}`);
      assert.equal(JSON.parse(same.stdout).servers[0].checkers.length, 3);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      const j = JSON.parse(r.stdout);
      assert.equal(j.servers[0].checkers.length, 3);
      assert.equal(j.servers[0].dynamicWeight, 7);
      await srv.close();
      const d = await hactlAsync(['check', 'config', '-f', conf, '--real-server', `127.0.0.1:${srv.port}`]);
      assert.equal(d.status, 1, d.stdout + d.stderr);
      assert.match(d.stdout, /DOWN/);
      const none = await hactlAsync(['check', 'config', '-f', conf, '--real-server', '127.0.0.9:1']);
      assert.equal(none.status, 2, none.stdout + none.stderr);
      assert.match(none.stderr, /no real_server 127\.0\.0\.9:1/);
    } finally {
      await srv.close().catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('check config reads FILE_CHECK track files as keepalived does at start (weight 0: down on non-zero; weighted: adds status x weight)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-fc-'));
    try {
      const conf = path.join(dir, 'keepalived.conf');
      const a = path.join(dir, 'a');
      const b = path.join(dir, 'b');
      fs.writeFileSync(
        conf,
        `track_file A {
  file ${a}
  weight 0
}
track_file B {
  file ${b}
  weight 2
}
virtual_server 198.51.100.1 80 {
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 127.0.0.1 80 {
    weight 10
    FILE_CHECK {
      track_file A
    }
    FILE_CHECK {
      track_file B
    }
    FILE_CHECK {
      track_file B
      weight 3 reverse
    }
  }
}
`,
      );
      const run = async () => {
        const r = await hactlAsync(['check', 'config', '-f', conf, '--real-server', '127.0.0.1:80', '--json']);
        const j = JSON.parse(r.stdout);
        return { status: r.status, up: j.servers[0].up, weight: j.servers[0].dynamicWeight, checkers: j.servers[0].checkers };
      };
      fs.writeFileSync(a, '0\n');
      fs.writeFileSync(b, '0x4\n');
      let r = await run();
      assert.equal(r.status, 0);
      assert.equal(r.checkers.length, 3);
      assert.ok(r.checkers.every((c: { checker: string; result: { checker: string } | null }) => c.result?.checker === 'FILE_CHECK'));
      assert.equal(r.weight, 10 + 4 * 2 - 4 * 3, 'configured weight plus each weighted FILE_CHECK status x weight (reverse negates)');
      fs.writeFileSync(a, '1\n');
      r = await run();
      assert.equal(r.status, 1, 'an unweighted FILE_CHECK is down on a non-zero status');
      assert.equal(r.up, false);
      fs.writeFileSync(a, '0\n');
      fs.rmSync(b);
      r = await run();
      assert.equal(r.status, 0);
      assert.equal(r.weight, 10, 'a missing track file is status 0');
      const text = await hactlAsync(['check', 'config', '-f', conf, '--real-server', '127.0.0.1:80']);
      assert.match(text.stdout, /FILE_CHECK .*\/b: UP - track_file B: missing or unreadable, status 0/);
      assert.match(text.stdout, /weight now 10/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
