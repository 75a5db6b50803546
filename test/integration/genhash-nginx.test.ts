/**
 * Differential tests against Debian's nginx: hactl genhash and keepalived's
 * genhash fetch the same files (small, empty, 10 MB, rate-limited, chunked by
 * sub_filter over HTTP/1.1, redirect, 404) from an nginx this test starts on
 * 127.0.0.1 with name-based virtual hosts, over HTTP and HTTPS with SNI.
 */
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bigBody, hactlAsync, run, selfSignedCert, sleep, which } from './check-helpers';

const NGINX = which('nginx');
const GENHASH = which('genhash');
const skip = !NGINX ? 'nginx not installed (apt-get install nginx-light)' : !GENHASH ? 'keepalived genhash not installed' : !which('openssl') ? 'openssl missing' : false;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

describe('hactl genhash vs keepalived genhash on nginx', { skip, timeout: 180_000 }, () => {
  let dir = '';
  let nginx: ChildProcess | undefined;
  let port = 0;
  let sport = 0;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-nginx-'));
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    fs.mkdirSync(a);
    fs.mkdirSync(b);
    fs.mkdirSync(path.join(dir, 'tmp'));
    fs.writeFileSync(path.join(a, 'index.html'), '<html><body>site a</body></html>\n');
    fs.writeFileSync(path.join(b, 'index.html'), '<html><body>site b</body></html>\n');
    fs.writeFileSync(path.join(a, 'empty.html'), '');
    fs.writeFileSync(path.join(a, 'big.bin'), bigBody(10 * 1024 * 1024));
    fs.writeFileSync(path.join(a, 'sub.txt'), `${'hello world\n'.repeat(2000)}`);
    const c = selfSignedCert('a.example')!;
    fs.writeFileSync(path.join(dir, 'key.pem'), c.key);
    fs.writeFileSync(path.join(dir, 'cert.pem'), c.cert);
    fs.rmSync(c.dir, { recursive: true, force: true });
    port = await freePort();
    sport = await freePort();
    const site = (name: string, root: string, listen: string) => `
  server {
    listen ${listen};
    server_name ${name};
    root ${root};
    ssl_certificate ${dir}/cert.pem;
    ssl_certificate_key ${dir}/key.pem;
    location = /redirect { return 301 /index.html; }
    location = /sub.txt { sub_filter 'hello' 'HELLO'; sub_filter_once off; sub_filter_types *; }
    location = /slow.bin { alias ${root}/big.bin; limit_rate 8m; }
  }`;
    fs.writeFileSync(
      path.join(dir, 'nginx.conf'),
      `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 256; }
http {
  access_log off;
  default_type application/octet-stream;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
${site('a.example', a, `127.0.0.1:${port} default_server`)}
${site('b.example', b, `127.0.0.1:${port}`)}
${site('a.example', a, `127.0.0.1:${sport} ssl default_server`)}
${site('b.example', b, `127.0.0.1:${sport} ssl`)}
}
`,
    );
    nginx = spawn(NGINX!, ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    nginx.stderr?.on('data', (d) => {
      err += d;
    });
    for (let i = 0; i < 100; i++) {
      const ok = await new Promise<boolean>((r) => {
        const s = net.connect(port, '127.0.0.1', () => {
          s.destroy();
          r(true);
        });
        s.on('error', () => r(false));
      });
      if (ok) return;
      if (nginx.exitCode !== null) break;
      await sleep(100);
    }
    throw new Error(`nginx did not start: ${err}`);
  });
  after(() => {
    nginx?.kill('SIGKILL');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const cases: Array<[string, string[]]> = [
    ['index page', ['-u', '/index.html']],
    ['empty file', ['-u', '/empty.html']],
    ['10 MB file', ['-u', '/big.bin']],
    ['rate-limited 10 MB file (slow body)', ['-u', '/slow.bin']],
    ['redirect page', ['-u', '/redirect']],
    ['404 page', ['-u', '/missing']],
    ['sub_filter body, chunked over HTTP/1.1', ['-u', '/sub.txt', '-P', '1.1']],
    ['sub_filter body over HTTP/1.0', ['-u', '/sub.txt']],
    ['virtual host b', ['-u', '/index.html', '-V', 'b.example']],
    ['virtual host b, HTTP/1.0 + Connection: close', ['-u', '/index.html', '-V', 'b.example', '-P', '1.0c']],
  ];
  for (const [name, extra] of cases) {
    it(`same digest line over HTTP: ${name}`, async () => {
      const args = ['-s', '127.0.0.1', '-p', String(port), '-t', '5', ...extra];
      const k = await run(GENHASH!, args, 60_000);
      const h = await hactlAsync(['genhash', ...args], 60_000);
      assert.match(k.stdout, /^[0-9a-f]{32}\n$/, `keepalived: ${k.stdout}${k.stderr}`);
      assert.equal(h.stdout, k.stdout, h.stderr);
      assert.equal(h.status, 0);
    });
  }

  it('chunked response really is chunked (and hashed raw)', async () => {
    const h = await hactlAsync(['genhash', '-s', '127.0.0.1', '-p', String(port), '-u', '/sub.txt', '-P', '1.1', '--json']);
    const j = JSON.parse(h.stdout);
    assert.equal(j.headers['transfer-encoding'], 'chunked', JSON.stringify(j.headers));
  });

  const tls: Array<[string, string[]]> = [
    ['default site', ['-u', '/index.html']],
    ['SNI b.example', ['-u', '/index.html', '-I', '-V', 'b.example']],
    ['Host b.example without SNI', ['-u', '/index.html', '-V', 'b.example']],
    ['10 MB file', ['-u', '/big.bin']],
  ];
  for (const [name, extra] of tls) {
    it(`same digest line over HTTPS: ${name}`, async () => {
      const args = ['-S', '-s', '127.0.0.1', '-p', String(sport), '-t', '5', ...extra];
      const k = await run(GENHASH!, args, 60_000);
      const h = await hactlAsync(['genhash', ...args], 60_000);
      assert.match(k.stdout, /^[0-9a-f]{32}\n$/, `keepalived: ${k.stdout}${k.stderr}`);
      assert.equal(h.stdout, k.stdout, h.stderr);
    });
  }
});
