/**
 * fwmark (SO_MARK) on the checkers' sockets, proven by policy routing inside
 * namespaces (documentation addresses only): on the client, 198.51.100.10 (and
 * 2001:db8:1::10) is `unreachable` in the main table, while
 * `ip rule fwmark 0x2a lookup 100` routes marked packets through table 100 to
 * the server. A check therefore succeeds only if every packet of it carries
 * mark 42: TCP_CHECK, HTTP_GET, SSL_GET (SNI), SMTP_CHECK, UDP_CHECK, DNS_CHECK
 * and genhash -m; a wrong
 * mark or no mark fails. Without CAP_NET_ADMIN the error says so.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { HACTL } from '../helpers/cli';
import { type Host, Lab, netnsUnavailable } from '../helpers/netns';
import * as fs from 'node:fs';
import { selfSignedCert, sleep, which } from './check-helpers';

const reason = netnsUnavailable();
const BODY = 'reached through fwmark 42\n';
const VIP = '198.51.100.10';
const VIP6 = '2001:db8:1::10';

function inNs(ns: string, cmd: string, args: string[], timeoutMs = 20_000) {
  const r = spawnSync('ip', ['netns', 'exec', ns, cmd, ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, NO_COLOR: '1', HOME: '/tmp' },
  });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

// Servers of the test's own: HTTP on VIP:80 and [VIP6]:80, UDP echo on VIP:7, a DNS responder on VIP:53
// (answers any query with NOERROR and one A record).
const SERVER = `
const net = require('net'), dgram = require('dgram');
const h = (c) => { c.on('error', () => {}); c.once('data', () => c.end('HTTP/1.0 200 OK\\r\\nContent-Length: ${BODY.length}\\r\\n\\r\\n' + ${JSON.stringify(BODY)})); };
net.createServer(h).listen(80, '${VIP}');
net.createServer(h).listen(80, '${VIP6}');
const u = dgram.createSocket('udp4'); u.on('message', (m, r) => u.send(m, r.port, r.address)); u.bind(7, '${VIP}');
const d = dgram.createSocket('udp4');
d.on('message', (q, r) => {
  const a = Buffer.from(q); a[2] = 0x81; a[3] = 0x80; a.writeUInt16BE(1, 6);
  const rr = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 99]);
  d.send(Buffer.concat([a, rr]), r.port, r.address);
});
d.bind(53, '${VIP}');
net.createServer((c) => {
  c.on('error', () => {});
  c.write('220 mx.example.com ESMTP\\r\\n');
  c.on('data', (x) => { if (/^HELO/i.test(String(x))) c.write('250 hello\\r\\n'); else if (/^QUIT/i.test(String(x))) c.end('221 bye\\r\\n'); });
}).listen(25, '${VIP}');
if (process.env.FW_KEY) {
  const fs = require('fs');
  const opts = { key: fs.readFileSync(process.env.FW_KEY), cert: fs.readFileSync(process.env.FW_CERT) };
  require('tls').createServer(opts, (c) => { c.on('error', () => {}); c.once('data', () => c.end('HTTP/1.0 200 OK\\r\\n\\r\\n' + ${JSON.stringify(BODY)})); }).listen(443, '${VIP}');
}
`;

describe('fwmark: checker packets carry SO_MARK', { skip: reason ?? false, timeout: 120_000 }, () => {
  let lab: Lab;
  let client: Host;
  let server: Host;
  let cert: ReturnType<typeof selfSignedCert> = null;
  const hactl = (args: string[]) => inNs(client.ns, process.execPath, [HACTL, ...args]);

  before(async () => {
    lab = new Lab('fwm');
    client = lab.addHost('cli', ['192.0.2.1/24']);
    server = lab.addHost('srv', ['192.0.2.2/24']);
    lab.nsExec(client.ns, 'ip', ['-6', 'addr', 'add', '2001:db8::1/64', 'dev', 'eth0', 'nodad']);
    lab.nsExec(server.ns, 'ip', ['-6', 'addr', 'add', '2001:db8::2/64', 'dev', 'eth0', 'nodad']);
    lab.nsExec(server.ns, 'ip', ['addr', 'add', `${VIP}/32`, 'dev', 'lo']);
    lab.nsExec(server.ns, 'ip', ['-6', 'addr', 'add', `${VIP6}/128`, 'dev', 'lo', 'nodad']);
    // Client: unmarked traffic to the VIPs is unreachable; mark 0x2a uses table 100, which reaches the server.
    for (const [v, vip, gw] of [
      ['-4', VIP, '192.0.2.2'],
      ['-6', VIP6, '2001:db8::2'],
    ]) {
      lab.nsExec(client.ns, 'ip', [v, 'route', 'add', 'unreachable', vip]);
      lab.nsExec(client.ns, 'ip', [v, 'route', 'add', vip, 'via', gw, 'table', '100']);
      lab.nsExec(client.ns, 'ip', [v, 'rule', 'add', 'fwmark', '0x2a', 'lookup', '100', 'pref', '100']);
    }
    lab.nsExec(client.ns, 'sysctl', ['-qw', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.eth0.rp_filter=0']);
    cert = selfSignedCert('www.example.com');
    const env = cert ? { FW_KEY: `${cert.dir}/key.pem`, FW_CERT: `${cert.dir}/cert.pem` } : {};
    lab.spawn(server.ns, process.execPath, ['-e', SERVER], { env: { ...process.env, ...env } });
    for (let i = 0; i < 50; i++) {
      if (inNs(server.ns, process.execPath, [HACTL, 'check', 'tcp', `${VIP}:80`, '--retry', '0', '--connect-timeout', '1']).status === 0) break;
      await sleep(100);
    }
  });
  after(() => {
    lab?.cleanup();
    if (cert) fs.rmSync(cert.dir, { recursive: true, force: true });
  });

  it('TCP_CHECK: up with --fwmark 42, down without a mark or with another mark', () => {
    const marked = hactl(['check', 'tcp', `${VIP}:80`, '--fwmark', '42', '--retry', '0', '--connect-timeout', '2']);
    assert.equal(marked.status, 0, marked.stdout + marked.stderr);
    const plain = hactl(['check', 'tcp', `${VIP}:80`, '--retry', '0', '--connect-timeout', '2', '--json']);
    assert.equal(plain.status, 1, plain.stdout + plain.stderr);
    assert.match(JSON.parse(plain.stdout).reason, /EHOSTUNREACH|ENETUNREACH|unreachable/i);
    const wrong = hactl(['check', 'tcp', `${VIP}:80`, '--fwmark', '43', '--retry', '0', '--connect-timeout', '2']);
    assert.equal(wrong.status, 1, wrong.stdout + wrong.stderr);
  });

  it('TCP_CHECK over IPv6 with --fwmark 42', () => {
    const marked = hactl(['check', 'tcp', `[${VIP6}]:80`, '--fwmark', '42', '--retry', '0', '--connect-timeout', '2']);
    assert.equal(marked.status, 0, marked.stdout + marked.stderr);
    const plain = hactl(['check', 'tcp', `[${VIP6}]:80`, '--retry', '0', '--connect-timeout', '2']);
    assert.equal(plain.status, 1, plain.stdout + plain.stderr);
  });

  it('HTTP_GET with a digest: up only when marked; genhash -m 42 prints the digest', () => {
    const digest = createHash('md5').update(BODY).digest('hex');
    const args = ['check', 'http', `${VIP}:80`, '--path', '/', '--digest', digest, '--retry', '0', '--connect-timeout', '2'];
    const marked = hactl([...args, '--fwmark', '42']);
    assert.equal(marked.status, 0, marked.stdout + marked.stderr);
    assert.equal(hactl(args).status, 1);
    const g = hactl(['genhash', '-s', VIP, '-p', '80', '-u', '/', '-m', '42', '-t', '2']);
    assert.equal(g.status, 0, g.stdout + g.stderr);
    assert.equal(g.stdout.trim(), digest);
    const gPlain = hactl(['genhash', '-s', VIP, '-p', '80', '-u', '/', '-t', '2']);
    assert.equal(gPlain.status, 1, gPlain.stdout + gPlain.stderr);
  });

  it("keepalived's genhash -m 42 prints the same line as hactl genhash -m 42", (t) => {
    const ref = which('genhash');
    if (!ref) return t.skip('keepalived genhash not installed');
    const args = ['-s', VIP, '-p', '80', '-u', '/', '-m', '42', '-t', '2'];
    const k = inNs(client.ns, ref, args);
    const h = hactl(['genhash', ...args]);
    assert.equal(h.stdout, k.stdout, `hactl: ${h.stdout + h.stderr}\nkeepalived: ${k.stdout + k.stderr}`);
    assert.equal(h.stdout.trim(), createHash('md5').update(BODY).digest('hex'));
  });

  it('SSL_GET with SNI: up only when marked', (t) => {
    if (!cert) return t.skip('openssl not installed (no certificate)');
    const args = ['check', 'ssl', `${VIP}:443`, '--path', '/', '--virtualhost', 'www.example.com', '--enable-sni', '--retry', '0', '--connect-timeout', '2'];
    const marked = hactl([...args, '--fwmark', '42']);
    assert.equal(marked.status, 0, marked.stdout + marked.stderr);
    assert.equal(hactl(args).status, 1);
  });

  it('SMTP_CHECK: up only when marked', () => {
    const args = ['check', 'smtp', `${VIP}:25`, '--retry', '0', '--connect-timeout', '2'];
    const marked = hactl([...args, '--fwmark', '42']);
    assert.equal(marked.status, 0, marked.stdout + marked.stderr);
    assert.equal(hactl(args).status, 1);
  });

  it('UDP_CHECK with require_reply: the echo comes back only when marked', () => {
    const args = ['check', 'udp', `${VIP}:7`, '--require-reply', '--retry', '0', '--connect-timeout', '2', '--json'];
    const marked = hactl([...args, '--fwmark', '42']);
    assert.equal(marked.status, 0, marked.stdout + marked.stderr);
    assert.match(JSON.parse(marked.stdout).reason, /reply received/);
    const plain = hactl(args);
    assert.equal(plain.status, 1, plain.stdout + plain.stderr);
    const wrong = hactl([...args.slice(0, -1), '--fwmark', '43']);
    assert.equal(wrong.status, 1, wrong.stdout + wrong.stderr);
  });

  it('UDP_CHECK: an ICMP port unreachable on the marked path is reported', () => {
    const r = hactl(['check', 'udp', `${VIP}:9`, '--fwmark', '42', '--retry', '0', '--connect-timeout', '2', '--json']);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(JSON.parse(r.stdout).reason, /port unreachable/);
  });

  it('DNS_CHECK: answered only when marked', () => {
    const args = ['check', 'dns', VIP, '--name', 'www.example.com', '--retry', '0', '--connect-timeout', '2'];
    const marked = hactl([...args, '--fwmark', '42']);
    assert.equal(marked.status, 0, marked.stdout + marked.stderr);
    assert.equal(hactl(args).status, 1);
  });

  it('without CAP_NET_ADMIN: "fwmark needs root (CAP_NET_ADMIN)", nothing sent unmarked', () => {
    // Root without CAP_NET_ADMIN (and CAP_NET_RAW, which kernels >= 5.17 also accept for SO_MARK):
    // stays able to read the checkout wherever CI put it, unlike switching to nobody.
    const drop = ['--bounding-set', '-net_admin,-net_raw', '--inh-caps', '-net_admin,-net_raw'];
    const withoutCap = (args: string[]) => inNs(client.ns, 'setpriv', [...drop, process.execPath, HACTL, ...args]);
    for (const kind of [
      ['tcp', `${VIP}:80`],
      ['udp', `${VIP}:7`],
    ]) {
      const r = withoutCap(['check', ...kind, '--fwmark', '42', '--retry', '0', '--connect-timeout', '2', '--json']);
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(JSON.parse(r.stdout).reason, /fwmark needs root \(CAP_NET_ADMIN\)/);
    }
    const g = withoutCap(['genhash', '-s', VIP, '-p', '80', '-u', '/', '-m', '42', '-t', '2']);
    assert.equal(g.status, 1, g.stdout + g.stderr);
    assert.equal(g.stdout, '');
    assert.match(g.stderr, /fwmark needs root \(CAP_NET_ADMIN\)/);
  });
});
