import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildOptions, parseUrlSpec } from '../../src/lib/check/run-cli';
import { checkersFor, matchesVs } from '../../src/lib/check/from-conf';
import { parseTarget, parseTimer } from '../../src/lib/check/target';
import { loadConfig, memoryReader } from '../../src/lib/conf/index';

describe('targets and timers', () => {
  it('parses targets', () => {
    assert.deepEqual(parseTarget('192.0.2.1:80'), { host: '192.0.2.1', port: 80 });
    assert.deepEqual(parseTarget('192.0.2.1'), { host: '192.0.2.1' });
    assert.deepEqual(parseTarget('[2001:db8::1]:443'), { host: '2001:db8::1', port: 443 });
    assert.deepEqual(parseTarget('2001:db8::1'), { host: '2001:db8::1' });
    assert.deepEqual(parseTarget('web1.example.com:8080'), { host: 'web1.example.com', port: 8080 });
    assert.throws(() => parseTarget('1.2.3.4:0'), /invalid port '0'/);
    assert.throws(() => parseTarget('1.2.3.4:99999'), /invalid port/);
    assert.throws(() => parseTarget('bad host:1'), /invalid target/);
  });
  it('timers are seconds with fractions', () => {
    assert.equal(parseTimer('3', 'x'), 3000);
    assert.equal(parseTimer('1.5', 'x'), 1500);
    assert.throws(() => parseTimer('-1', 'connect_timeout'), /invalid connect_timeout '-1'/);
    assert.throws(() => parseTimer('99999999999', '--connect-timeout'), /invalid --connect-timeout '99999999999' \(at most 2147483 seconds\)/);
  });
});

describe('command flags -> checker options (keepalived defaults)', () => {
  it('http defaults', () => {
    const o = buildOptions('http', '192.0.2.1', {});
    assert.equal(o.kind, 'http');
    if (o.kind !== 'http') return;
    assert.equal(o.port, 80);
    assert.equal(o.connectTimeoutMs, 5000);
    assert.equal(o.retry, 1);
    assert.equal(o.delayBeforeRetryMs, 3000);
    assert.equal(o.httpProtocol, '1.0');
    assert.deepEqual(o.urls, [{ path: '/' }]);
  });
  it('http url flags', () => {
    const o = buildOptions('http', '192.0.2.1:8080', {
      path: '/a',
      digest: 'D41D8CD98F00B204E9800998ECF8427E',
      'status-code': ['200', '301-302'],
      url: ['path=/b,status_code=404'],
      'nb-get-retry': '4',
      'connect-timeout': '2.5',
      'http-protocol': '1.0C',
    });
    if (o.kind !== 'http') throw new Error('kind');
    assert.equal(o.retry, 4);
    assert.equal(o.connectTimeoutMs, 2500);
    assert.equal(o.httpProtocol, '1.0C');
    assert.deepEqual(o.urls[0], { path: '/a', digest: 'd41d8cd98f00b204e9800998ecf8427e', statusCodes: [[200, 200], [301, 302]] });
    assert.deepEqual(o.urls[1], { path: '/b', statusCodes: [[404, 404]] });
  });
  it('precise errors', () => {
    assert.throws(() => buildOptions('tcp', '192.0.2.1', {}), /needs a port/);
    assert.throws(() => buildOptions('http', '192.0.2.1', { digest: 'abc' }), /apply to --path/);
    assert.throws(() => buildOptions('dns', '192.0.2.1', { type: 'SRV' }), /invalid --type 'SRV'/);
    assert.throws(() => buildOptions('udp', '192.0.2.1:1', { 'min-reply-length': '9', 'max-reply-length': '3' }), /always fail/);
    assert.throws(() => parseUrlSpec('digest=00'), /invalid digest|no path/);
    assert.throws(() => buildOptions('misc', undefined, {}), /--misc-path/);
    assert.throws(() => buildOptions('tcp', '192.0.2.1:80', { bindto: '300.1.1.1' }), /invalid --bindto '300.1.1.1'/);
    assert.throws(() => buildOptions('tcp', '192.0.2.1:80', { 'connect-timeout': '99999999999' }), /at most 2147483 seconds/);
    assert.throws(() => buildOptions('ping', '192.0.2.1:80', {}), /PING_CHECK has no port: give 192\.0\.2\.1 instead of 192\.0\.2\.1:80/);
    assert.equal((buildOptions('ping', '[2001:db8::1]', {}) as { host: string }).host, '2001:db8::1');
  });
  it('dns and misc defaults', () => {
    const d = buildOptions('dns', '192.0.2.53', {});
    if (d.kind !== 'dns') throw new Error('kind');
    assert.equal(d.port, 53);
    assert.equal(d.retry, 3);
    assert.equal(d.delayBeforeRetryMs, 60_000);
    assert.equal(d.type, 'SOA');
    assert.equal(d.name, '.');
    const m = buildOptions('misc', undefined, { 'misc-path': '/bin/true', 'delay-loop': '7' });
    if (m.kind !== 'misc') throw new Error('kind');
    assert.equal(m.retry, 0);
    assert.equal(m.miscTimeoutMs, 7000);
  });
  it('connect-ip and connect-port override the target', () => {
    const o = buildOptions('tcp', '192.0.2.1:80', { 'connect-ip': '192.0.2.2', 'connect-port': '81', bindto: '192.0.2.9', 'bind-port': '4000' });
    if (o.kind !== 'tcp') throw new Error('kind');
    assert.equal(o.host, '192.0.2.2');
    assert.equal(o.port, 81);
    assert.equal(o.bindto, '192.0.2.9');
    assert.equal(o.bindPort, 4000);
  });
});

const CONF = `
virtual_server 198.51.100.1 80 {
  delay_loop 20
  lb_algo rr
  lb_kind NAT
  protocol TCP
  virtualhost vs.example
  retry 4
  real_server 192.0.2.10 8080 {
    weight 3
    delay_before_retry 2
    HTTP_GET {
      url {
        path /health
        digest 9b3a0c85a887a256d6939da88aabd8cd
        status_code 200 301-302
      }
      url {
        path /b
        virtualhost b.example
      }
      connect_timeout 2
      http_protocol 1.1
    }
    TCP_CHECK {
      connect_port 8081
      retry 0
    }
    MISC_CHECK {
      misc_path "/usr/local/bin/probe --host 192.0.2.10"
      misc_dynamic
    }
    DNS_CHECK {
      type A
      name www.example.com
    }
  }
  real_server 192.0.2.11 8080 {
    TCP_CHECK {
    }
  }
}
virtual_server fwmark 5 {
  delay_loop 10
  lb_algo rr
  lb_kind DR
  real_server 192.0.2.10 8080 {
    SMTP_CHECK {
      helo_name lb.example
      connect_timeout 3
      host {
        connect_ip 192.0.2.20
        connect_port 25
      }
      host {
        connect_ip 192.0.2.21
        connect_port 2525
        connect_timeout 1
      }
    }
    UDP_CHECK {
      connect_port 5060
      payload 0102
      require_reply 0a0b
    }
    FILE_CHECK {
      track_file f
    }
  }
}
`;

describe('keepalived.conf model -> checkers of a real server', () => {
  const { model } = loadConfig('/etc/keepalived/keepalived.conf', { reader: memoryReader({ '/etc/keepalived/keepalived.conf': CONF }), env: {} });

  it('finds every checker of the real server in every virtual server', () => {
    const sel = checkersFor(model, '192.0.2.10:8080');
    assert.equal(sel.servers.length, 2);
    assert.deepEqual(
      sel.matches.map((m) => m.keyword),
      ['HTTP_GET', 'TCP_CHECK', 'MISC_CHECK', 'DNS_CHECK', 'SMTP_CHECK', 'UDP_CHECK', 'FILE_CHECK'],
    );
    // FILE_CHECK is not a network checker: conf-run reads its track file from the configured checker
    assert.equal(sel.matches.at(-1)?.options, undefined);
    assert.equal(sel.matches.at(-1)?.source.checker.kind, 'FILE_CHECK');
  });
  it('--virtual-server narrows', () => {
    assert.equal(checkersFor(model, '192.0.2.10:8080', '198.51.100.1:80').servers.length, 1);
    assert.equal(checkersFor(model, '192.0.2.10', 'fwmark 5').servers.length, 1);
    assert.equal(checkersFor(model, '192.0.2.10:9999').servers.length, 0);
    assert.ok(matchesVs(model.virtual_servers[1], 'fwmark 5'));
  });
  it('HTTP_GET inherits and keeps keepalived semantics', () => {
    const o = checkersFor(model, '192.0.2.10:8080', '198.51.100.1:80').matches[0].options;
    if (o?.kind !== 'http') throw new Error('kind');
    assert.equal(o.host, '192.0.2.10');
    assert.equal(o.port, 8080);
    assert.equal(o.connectTimeoutMs, 2000);
    assert.equal(o.retry, 4, 'from the virtual server');
    assert.equal(o.delayBeforeRetryMs, 2000, 'from the real server');
    assert.equal(o.httpProtocol, '1.1');
    assert.equal(o.virtualhost, 'vs.example');
    assert.deepEqual(o.urls[0].statusCodes, [[200, 200], [301, 302]]);
    assert.equal(o.urls[0].digest, '9b3a0c85a887a256d6939da88aabd8cd');
    assert.equal(o.urls[1].virtualhost, 'b.example');
  });
  it('TCP, MISC, DNS', () => {
    const m = checkersFor(model, '192.0.2.10:8080', '198.51.100.1:80').matches;
    const tcp = m[1].options;
    if (tcp?.kind !== 'tcp') throw new Error('kind');
    assert.equal(tcp.port, 8081);
    assert.equal(tcp.retry, 0);
    const misc = m[2].options;
    if (misc?.kind !== 'misc') throw new Error('kind');
    assert.equal(misc.miscPath, '/usr/local/bin/probe --host 192.0.2.10');
    assert.equal(misc.miscDynamic, true);
    assert.equal(misc.miscTimeoutMs, 20_000, 'misc_timeout defaults to delay_loop');
    const dns = m[3].options;
    if (dns?.kind !== 'dns') throw new Error('kind');
    assert.equal(dns.type, 'A');
    assert.equal(dns.name, 'www.example.com');
    assert.equal(dns.retry, 4);
  });
  it('SMTP host blocks and UDP', () => {
    const m = checkersFor(model, '192.0.2.10', 'fwmark 5').matches;
    const smtp = m[0].options;
    if (smtp?.kind !== 'smtp') throw new Error('kind');
    assert.equal(smtp.heloName, 'lb.example');
    assert.deepEqual(
      smtp.hosts.map((h) => [h.host, h.port, h.connectTimeoutMs]),
      [
        ['192.0.2.20', 25, 3000],
        ['192.0.2.21', 2525, 1000],
      ],
    );
    const udp = m[1].options;
    if (udp?.kind !== 'udp') throw new Error('kind');
    assert.equal(udp.port, 5060);
    assert.equal(udp.payload?.toString('hex'), '0102');
    assert.equal(udp.requireReply, true);
    assert.equal(udp.replyData?.toString('hex'), '0a0b');
  });
});
