import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { encodeName, encodeQuery, judgeReply, parseDnsType } from '../../src/lib/check/dns-codec';
import { parseHexStr, udpReplyMismatch } from '../../src/lib/check/hexstr';
import {
  buildHttpRequest,
  extractContentLength,
  extractStatusCode,
  HttpResponseReader,
  parseDigest,
  parseHttpProtocol,
  parseStatusCodes,
  statusAccepted,
} from '../../src/lib/check/http-proto';
import { buildEcho, inetChecksum, isEchoReply } from '../../src/lib/check/icmp';
import { judgeMiscExit } from '../../src/lib/check/misc-proto';
import { smtpScript, smtpStatus } from '../../src/lib/check/smtp-proto';

const md5 = (s: string | Buffer) => createHash('md5').update(s).digest('hex');
const B = (s: string) => Buffer.from(s, 'latin1');

describe('HTTP request (golden bytes from keepalived 2.2.7 genhash)', () => {
  it('HTTP/1.0 to an address', () => {
    assert.equal(
      buildHttpRequest({ path: '/x', protocol: '1.0', host: '127.0.0.1', port: 18080 }).toString('latin1'),
      'GET /x HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 127.0.0.1:18080\r\n\r\n',
    );
  });
  it('1.1 with a virtual host adds Connection: close and drops the port', () => {
    assert.equal(
      buildHttpRequest({ path: '/x', protocol: '1.1', host: '127.0.0.1', port: 18080, virtualhost: 'foo.example' }).toString('latin1'),
      'GET /x HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: foo.example\r\n\r\n',
    );
  });
  it('1.0C is 1.0 with Connection: close', () => {
    assert.equal(
      buildHttpRequest({ path: '/', protocol: '1.0C', host: '10.0.0.1', port: 80 }).toString('latin1'),
      'GET / HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: 10.0.0.1:80\r\n\r\n',
    );
  });
  it('IPv6 host is bracketed', () => {
    assert.match(buildHttpRequest({ path: '/', protocol: '1.0', host: '2001:db8::1', port: 80 }).toString(), /Host: \[2001:db8::1\]:80\r\n/);
  });
  it('protocol names', () => {
    assert.equal(parseHttpProtocol('1.0c'), '1.0C');
    assert.equal(parseHttpProtocol('1.0C'), '1.0C');
    assert.equal(parseHttpProtocol('1.1'), '1.1');
    assert.equal(parseHttpProtocol('2'), undefined);
  });
});

describe('HTTP response parsing (keepalived html.c rules)', () => {
  it('status code', () => {
    assert.equal(extractStatusCode(B('HTTP/1.1 302 Found\r\n\r\n')), 302);
    assert.equal(extractStatusCode(B('HTTP/1.1 200 \r\n\r\n')), 200);
    assert.equal(extractStatusCode(B('garbage\r\n\r\n')), 0);
  });
  it('status code: three characters then a space, as html.c (no reason phrase: 0)', () => {
    assert.equal(extractStatusCode(B('HTTP/1.0 200\r\n\r\n')), 0);
    assert.equal(extractStatusCode(B('HTTP/1.0  200 OK\r\n\r\n')), 0, 'two spaces');
    assert.equal(extractStatusCode(B('HTTP/1.0 2000 OK\r\n\r\n')), 0);
    assert.equal(extractStatusCode(B('HTTP/1.0 20 OK\r\n\r\n')), 0);
    assert.equal(extractStatusCode(B('HTTP/1.0\r\n 200 OK\r\n\r\n')), 0, 'CR before the first space');
    assert.equal(extractStatusCode(B('HTTP/1.0 200')), 0, 'no byte after the code');
  });
  it('Content-Length: case-sensitive substring, digits then CR/LF', () => {
    assert.equal(extractContentLength(B('HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\n')), 3);
    assert.equal(extractContentLength(B('HTTP/1.0 200 OK\r\nContent-Length:3\r\n\r\n')), 3);
    assert.equal(extractContentLength(B('HTTP/1.0 200 OK\r\nContent-Length:   3\r\n\r\n')), 3);
    assert.equal(extractContentLength(B('HTTP/1.0 200 OK\r\ncontent-length: 3\r\n\r\n')), undefined);
    assert.equal(extractContentLength(B('HTTP/1.0 200 OK\r\nContent-Length: 3 \r\n\r\n')), undefined);
    assert.equal(extractContentLength(B('HTTP/1.0 200 OK\r\nContent-Length: 3x\r\n\r\n')), undefined);
    assert.equal(extractContentLength(B('HTTP/1.0 200 OK\r\nContent-Length: -1\r\n\r\n')), undefined);
    assert.equal(extractContentLength(B('HTTP/1.0 200 OK\r\nX-Content-Length: 2\r\n\r\n')), 2);
    assert.equal(extractContentLength(B('HTTP/1.0 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n')), 2);
  });
  it('Content-Length: strtoul and strstr as keepalived uses them', () => {
    assert.equal(extractContentLength(B('HTTP/1.0 200 OK\r\nContent-Length:\r\n\r\nbody')), 0, 'no digits, then CR: 0');
    assert.equal(extractContentLength(B('HTTP/1.0 200 OK\r\nContent-Length: \r\nX: 1\r\n\r\n')), undefined, 'no digits, then a space');
    assert.equal(extractContentLength(B('HTTP/1.0 200 OK\r\nContent-Length: \r\n\r\n2\nabc')), 2, 'white space includes CR LF');
    assert.equal(extractContentLength(B('HTTP/1.0 200 OK\r\nContent-Length:\t\v+7\r\n\r\n')), 7);
    assert.equal(extractContentLength(B('HTTP/1.0 200 OK\r\nContent-Length: -0\r\n\r\n')), 0);
    assert.equal(extractContentLength(B('HTTP/1.0 200 OK\r\nContent-Length: -2\r\n\r\n')), 2 ** 64 - 2, 'wraps: no limit in practice');
    assert.equal(extractContentLength(B('HTTP/1.0 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n')), undefined, 'overflow: ULONG_MAX');
    assert.equal(extractContentLength(B('HTTP/1.0 200 OK\r\nX: \0\r\nContent-Length: 2\r\n\r\n')), undefined, 'strstr stops at NUL');
    assert.equal(extractContentLength(B('HTTP/1.0 200 OK\r\n\r\nContent-Length: 5')), 5, 'digits up to the end of the data');
  });
  it("header must end within keepalived's 4095-byte read buffer", () => {
    const hdr = (total: number) => `HTTP/1.0 200 OK\r\nX: ${'a'.repeat(total - 24)}\r\n\r\n`;
    assert.equal(hdr(4095).length, 4095);
    for (const [total, ok] of [
      [4095, true],
      [4096, false],
    ] as const) {
      for (const cut of [1, 100, 4000, 4094, 4095, 4096]) {
        const resp = B(`${hdr(total)}Content-Length: 2\r\nbody`);
        const r = new HttpResponseReader();
        r.push(resp.subarray(0, cut));
        r.push(resp.subarray(cut));
        assert.equal(r.header !== undefined, ok, `header of ${total} bytes, cut at ${cut}`);
        assert.equal(r.bufferFull, !ok);
        // The buffer holds just the header: the Content-Length in the body is never seen.
        if (ok) assert.equal(r.digest(), md5('Content-Length: 2\r\nbody'), `cut at ${cut}`);
      }
    }
  });
  it('Content-Length is searched in the buffer as it is when the header completes', () => {
    const r = new HttpResponseReader();
    r.push(B('HTTP/1.0 200 OK\r\n\r\nab'));
    r.push(B('Content-Length: 1\r\n'));
    assert.equal(r.header?.contentLength, undefined);
    const s = new HttpResponseReader();
    s.push(B('HTTP/1.0 200 OK\r\n\r\nabContent-Length: 1\r\n'));
    assert.equal(s.header?.contentLength, 1);
    assert.equal(s.digest(), md5('a'));
  });
  it('a full buffer without a header ignores anything after it', () => {
    const r = new HttpResponseReader();
    r.push(B('x'.repeat(5000)));
    assert.equal(r.bufferFull, true);
    r.push(B('\r\n\r\nbody'));
    assert.equal(r.header, undefined);
    assert.equal(r.digest(), undefined);
  });
  it('hashes the raw body, split anywhere', () => {
    const resp = B('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
    for (let cut = 1; cut < resp.length; cut += 7) {
      const r = new HttpResponseReader();
      r.push(resp.subarray(0, cut));
      r.push(resp.subarray(cut));
      assert.equal(r.digest(), md5('5\r\nhello\r\n0\r\n\r\n'), `cut at ${cut}`);
      assert.equal(r.header?.statusCode, 200);
    }
  });
  it('truncates at Content-Length', () => {
    const r = new HttpResponseReader();
    r.push(B('HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nhe'));
    r.push(B('llo'));
    assert.equal(r.digest(), md5('hel'));
    assert.equal(r.bodyBytes, 5);
    assert.equal(r.hashedBytes, 3);
  });
  it('no CRLFCRLF: no header, no digest', () => {
    const r = new HttpResponseReader();
    r.push(B('HTTP/1.0 200 OK\nX: y\n\nbody\n'));
    assert.equal(r.header, undefined);
    assert.equal(r.digest(), undefined);
    assert.equal(r.anyData, true);
  });
  it('empty body digest', () => {
    const r = new HttpResponseReader();
    r.push(B('HTTP/1.0 204 No Content\r\n\r\n'));
    assert.equal(r.digest(), 'd41d8cd98f00b204e9800998ecf8427e');
  });
  it('status_code sets', () => {
    const s = parseStatusCodes(['200', '300-302']);
    assert.ok(statusAccepted(200, s));
    assert.ok(statusAccepted(301, s));
    assert.ok(!statusAccepted(204, s));
    assert.ok(statusAccepted(204, undefined), 'default 200-299');
    assert.ok(!statusAccepted(302, undefined));
    assert.ok(!statusAccepted(0, undefined));
    assert.throws(() => parseStatusCodes(['99']), /invalid HTTP status code '99'/);
    assert.throws(() => parseStatusCodes(['300-200']), /invalid/);
    assert.throws(() => parseStatusCodes(['abc']), /invalid/);
  });
  it('digest validation', () => {
    assert.equal(parseDigest('9B3A0C85A887A256D6939DA88AABD8CD'), '9b3a0c85a887a256d6939da88aabd8cd');
    assert.throws(() => parseDigest('xyz'), /32 hexadecimal digits/);
  });
});

describe('DNS codec', () => {
  it('encodes names', () => {
    assert.deepEqual(encodeName('.'), Buffer.from([0]));
    assert.deepEqual(encodeName(''), Buffer.from([0]));
    assert.deepEqual(encodeName('a.bc'), Buffer.from([1, 0x61, 2, 0x62, 0x63, 0]));
    assert.deepEqual(encodeName('a.bc.'), encodeName('a.bc'));
    assert.throws(() => encodeName('a..b'), /empty label/);
    assert.throws(() => encodeName(`${'x'.repeat(64)}.com`), /longer than 63/);
  });
  it('golden query: id 0x1234, SOA .', () => {
    assert.equal(encodeQuery(0x1234, '.', 'SOA').toString('hex'), '123401000001000000000000' + '00' + '0006' + '0001');
  });
  it('A query for www.example.com', () => {
    const q = encodeQuery(1, 'www.example.com', 'A');
    assert.equal(q.subarray(12).toString('hex'), '03777777076578616d706c6503636f6d00' + '0001' + '0001');
  });
  it('types', () => {
    assert.equal(parseDnsType('aaaa'), 'AAAA');
    assert.equal(parseDnsType('SRV'), undefined);
  });
  it('judges replies like check_dns.c', () => {
    const reply = (id: number, flags: number) => {
      const b = Buffer.alloc(12);
      b.writeUInt16BE(id, 0);
      b.writeUInt16BE(flags, 2);
      return b;
    };
    assert.equal(judgeReply(Buffer.alloc(5), 7).kind, 'ignore');
    assert.equal(judgeReply(reply(8, 0x8180), 7).kind, 'ignore');
    assert.equal(judgeReply(reply(7, 0x0100), 7).kind, 'ignore');
    assert.deepEqual(judgeReply(reply(7, 0x8183), 7), { kind: 'error', rcode: 3 });
    assert.equal(judgeReply(reply(7, 0x8180), 7).kind, 'ok');
  });
});

describe('HEX_STR and UDP reply matching', () => {
  it('keepalived.conf(5) example', () => {
    assert.equal(parseHexStr('Ab12f 3 456 546443123', false).data.toString('hex'), 'ab120f03450654644312' + '03');
  });
  it('X nibbles are wildcards', () => {
    const h = parseHexStr('5x 0X', true);
    assert.equal(h.data.toString('hex'), '5000');
    assert.equal(h.mask?.toString('hex'), '0f0f');
    assert.equal(udpReplyMismatch(Buffer.from([0x57, 0x03]), h.data, h.mask, 0, 255), undefined);
    assert.match(udpReplyMismatch(Buffer.from([0x67, 0x03]), h.data, h.mask, 0, 255) ?? '', /mismatch at byte 0/);
  });
  it('compares only min(len, expected)', () => {
    assert.equal(udpReplyMismatch(Buffer.from([1]), Buffer.from([1, 2, 3]), undefined, 0, 255), undefined);
  });
  it('length bounds', () => {
    assert.match(udpReplyMismatch(Buffer.alloc(3), Buffer.alloc(1), undefined, 4, 10) ?? '', /outside 4\.\.10/);
    assert.match(udpReplyMismatch(Buffer.alloc(11), Buffer.alloc(1), undefined, 4, 10) ?? '', /outside/);
  });
  it('rejects junk and X without mask', () => {
    assert.throws(() => parseHexStr('zz', true), /invalid hex digit/);
    assert.throws(() => parseHexStr('5x', false), /invalid hex digit/);
    assert.throws(() => parseHexStr('   ', false), /empty/);
  });
});

describe('MISC_CHECK rules', () => {
  it('exit status rule', () => {
    assert.deepEqual(judgeMiscExit({ code: 0, signal: null, timedOut: false }, false).ok, true);
    assert.equal(judgeMiscExit({ code: 1, signal: null, timedOut: false }, true).ok, false);
    assert.equal(judgeMiscExit({ code: 7, signal: null, timedOut: false }, false).ok, false);
    const d = judgeMiscExit({ code: 7, signal: null, timedOut: false }, true);
    assert.equal(d.ok, true);
    assert.equal(d.weight, 5);
    assert.equal(judgeMiscExit({ code: 255, signal: null, timedOut: false }, true).weight, 253);
    assert.equal(judgeMiscExit({ code: 0, signal: null, timedOut: false }, true).weight, undefined);
    assert.equal(judgeMiscExit({ code: null, signal: 'SIGSEGV', timedOut: false }, true).ok, false);
    assert.equal(judgeMiscExit({ code: null, signal: 'SIGTERM', timedOut: true }, true).reason, 'timed out');
  });
});

describe('SMTP dialogue', () => {
  it('status parsing', () => {
    assert.equal(smtpStatus('220 mail ESMTP'), 220);
    assert.equal(smtpStatus('220-multi'), 220);
    assert.equal(smtpStatus('2x0'), -1);
  });
  it('script', () => {
    assert.deepEqual(
      smtpScript('lb.example').filter((s) => 'send' in s),
      [{ send: 'HELO lb.example\r\n' }, { send: 'QUIT\r\n' }],
    );
  });
});

describe('ICMP echo', () => {
  it('IPv4 echo has a valid checksum and matches its reply', () => {
    const e = buildEcho(false, 0x1234, 1, Buffer.from('abc'));
    assert.equal(inetChecksum(e), 0);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    const reply = Buffer.concat([ip, e]);
    reply[20] = 0;
    assert.ok(isEchoReply(false, reply, 0x1234, 1));
    assert.ok(!isEchoReply(false, reply, 0x1234, 2));
    assert.ok(!isEchoReply(false, Buffer.concat([ip, e]), 0x1234, 1), 'a request is not a reply');
  });
  it('IPv6 reply type 129', () => {
    const e = buildEcho(true, 5, 9, Buffer.alloc(0));
    assert.equal(e[0], 128);
    e[0] = 129;
    assert.ok(isEchoReply(true, e, 5, 9));
  });
});
