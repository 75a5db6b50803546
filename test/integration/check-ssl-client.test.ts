/**
 * SSL_GET with keepalived's global `SSL { certificate key password ca }` block:
 * a local TLS server that demands a client certificate signed by its CA. The
 * certificates are made by openssl(1) for the test.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tls from 'node:tls';
import { hactlAsync, which } from './check-helpers';

const OPENSSL = which('openssl');

describe('SSL_GET client certificate (SSL { } block)', { timeout: 90_000, skip: OPENSSL ? false : 'openssl(1) not installed' }, () => {
  let dir = '';
  let server: tls.Server;
  let port = 0;
  const f = (name: string) => path.join(dir, name);
  const ssl = (args: string[]) => execFileSync(OPENSSL!, args, { cwd: dir, stdio: 'pipe' });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-sslc-'));
    ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=hactl test CA']);
    for (const who of ['server', 'client']) {
      ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who}`]);
      ssl(['x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.pem`, '-days', '2']);
    }
    // The same client key, encrypted with a pass phrase.
    ssl(['pkey', '-in', 'client.key', '-aes256', '-passout', 'pass:s3cret', '-out', 'client-enc.key']);
    server = tls.createServer(
      { key: fs.readFileSync(f('server.key')), cert: fs.readFileSync(f('server.pem')), ca: fs.readFileSync(f('ca.pem')), requestCert: true, rejectUnauthorized: true },
      (s) => {
        s.once('data', () => s.end(`HTTP/1.0 200 OK\r\n\r\nhello ${s.getPeerCertificate().subject?.CN}\n`));
        s.on('error', () => {});
      },
    );
    server.on('tlsClientError', () => {});
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as import('node:net').AddressInfo).port;
  });
  after(() => {
    server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const base = () => ['check', 'ssl', `127.0.0.1:${port}`, '--path', '/', '--retry', '0', '--connect-timeout', '3'];

  it('without a client certificate the server refuses: DOWN', async () => {
    const r = await hactlAsync(base());
    assert.equal(r.status, 1, r.stdout + r.stderr);
  });
  it('--certificate/--key present the client certificate: UP (the server saw CN=client)', async () => {
    const r = await hactlAsync([...base(), '--certificate', f('client.pem'), '--key', f('client.key'), '--regex', 'hello client']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
  it('an encrypted key needs --password; a wrong or missing one is a usage error naming the problem', async () => {
    const ok = await hactlAsync([...base(), '--certificate', f('client.pem'), '--key', f('client-enc.key'), '--password', 's3cret']);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    const wrong = await hactlAsync([...base(), '--certificate', f('client.pem'), '--key', f('client-enc.key'), '--password', 'nope']);
    assert.equal(wrong.status, 2, wrong.stdout + wrong.stderr);
    assert.match(wrong.stderr, /cannot use the certificate\/key/);
    assert.doesNotMatch(wrong.stderr, /at .*\.js:\d+/);
  });
  it('a missing file is named', async () => {
    const r = await hactlAsync([...base(), '--certificate', f('nope.pem')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /cannot load certificate file .*nope\.pem \(ENOENT\)/);
  });
  it('check config uses the global SSL { } block for SSL_GET', async () => {
    const conf = (sslBlock: string) => `${sslBlock}
virtual_server 198.51.100.1 443 {
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 127.0.0.1 ${port} {
    SSL_GET {
      url {
        path /
      }
      connect_timeout 3
      retry 0
    }
  }
}
`;
    const withSsl = f('with.conf');
    fs.writeFileSync(withSsl, conf(`SSL {\n  certificate ${f('client.pem')}\n  key ${f('client-enc.key')}\n  password s3cret\n  ca ${f('ca.pem')}\n}`));
    const up = await hactlAsync(['check', '--config', withSsl, '--real-server', `127.0.0.1:${port}`]);
    assert.equal(up.status, 0, up.stdout + up.stderr);
    const without = f('without.conf');
    fs.writeFileSync(without, conf(''));
    const down = await hactlAsync(['check', '--config', without, '--real-server', `127.0.0.1:${port}`]);
    assert.equal(down.status, 1, down.stdout + down.stderr);
  });
});
