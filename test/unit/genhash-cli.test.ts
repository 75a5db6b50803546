/**
 * `hactl genhash` (src/lib/check/genhash-cli.ts): it runs without loading
 * oclif, and words errors and exit codes like every command.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HACTL, hactl } from '../helpers/cli';

describe('hactl genhash process', () => {
  let dir = '';
  let preload = '';
  let server: net.Server;
  let port = 0;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-genhash-cli-'));
    // Reports at exit whether @oclif/core was ever loaded into the process.
    preload = path.join(dir, 'probe.js');
    fs.writeFileSync(
      preload,
      `process.on('exit', () => { const l = Object.keys(require.cache).some((k) => k.includes('/@oclif/core/')); process.stderr.write('OCLIF_LOADED=' + l + '\\n'); });\n`,
    );
    server = net.createServer((c) => {
      c.once('data', () => c.end('HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  after(() => {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const run = (args: string[]) => hactl(['genhash', ...args], { env: { NODE_OPTIONS: `--require ${preload}` } });

  /** Asynchronous: the test server lives in this process and must keep answering. */
  const runAsync = (args: string[]) =>
    new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [HACTL, 'genhash', ...args],
        { timeout: 20_000, env: { ...process.env, NO_COLOR: '1', NODE_OPTIONS: `--require ${preload}` } },
        (err, stdout, stderr) => {
          const code = (err as { code?: unknown } | null)?.code;
          resolve({ status: err ? (typeof code === 'number' ? code : -1) : 0, stdout, stderr });
        },
      );
    });

  it('a valid command line runs without oclif and prints the digest (MD5 of the body)', async () => {
    const r = await runAsync(['-s', '127.0.0.1', '-p', String(port), '-u', '/', '-t', '5']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /5d41402abc4b2a76b9719d911017c592/); // md5("hello")
    assert.match(r.stderr, /OCLIF_LOADED=false/);
  });
  it('a bad value is a usage error (exit 2) with the same words, still without oclif', () => {
    const r = run(['-s', '127.0.0.1', '-p', '0', '-u', '/']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /hactl: error: invalid port number '0' \(expected 1-65535\)/);
    assert.match(r.stderr, /OCLIF_LOADED=false/);
    const sni = run(['-s', '127.0.0.1', '-p', '443', '-u', '/', '-I']);
    assert.equal(sni.status, 2);
    assert.match(sni.stderr, /-I\/--use-sni needs -V/);
  });
  it('a missing required flag is named with its dashes (exit 2), without oclif', () => {
    const r = run(['-s', '127.0.0.1', '-p', '80']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /hactl: error: missing required flag -u\/--url/);
    assert.match(r.stderr, /OCLIF_LOADED=false/);
  });
  it('--help shows the examples', () => {
    const r = hactl(['genhash', '--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /genhash -s 192\.0\.2\.10 -p 80 -u \/health/);
  });
});
