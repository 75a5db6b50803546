/**
 * HTTP_GET/SSL_GET `url { regex ... }` end to end: the checker against local
 * servers (status, digest, then regex, as keepalived's http_handle_response),
 * the `hactl check http --regex` flags, `check config` reading regex blocks,
 * and `conf lint` diagnostics for regexes the checker could not run.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildOptions } from '../../src/lib/check/run-cli';
import { runCheck } from '../../src/lib/check/index';
import { hactl } from '../helpers/cli';
import { hactlAsync, rawHttpServer } from './check-helpers';

type Srv = Awaited<ReturnType<typeof rawHttpServer>>;
const BODY = `<html><body>${'x'.repeat(5000)}<p id="state">status: HEALTHY</p></body></html>\n`;
const HEAD = `HTTP/1.0 200 OK\r\nContent-Length: ${BODY.length}\r\n\r\n`;
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

describe('url regex in the HTTP checker', { timeout: 60_000 }, () => {
  let srv: Srv;
  let dir = '';
  before(async () => {
    // Sends the body in small pieces, so a match spans reads.
    srv = await rawHttpServer((s) => {
      // The header and the first piece in one write: keepalived's first read then holds both.
      s.write(HEAD + BODY.slice(0, 700));
      let i = 700;
      const next = () => {
        if (i >= BODY.length) return void s.end();
        s.write(BODY.slice(i, i + 700));
        i += 700;
        setImmediate(next);
      };
      next();
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-regex-'));
  });
  after(async () => {
    await srv.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const check = (flags: Record<string, unknown>) =>
    runCheck(buildOptions('http', `127.0.0.1:${srv.port}`, { path: '/', retry: '0', 'connect-timeout': '3', ...flags }));

  it('passes when the body matches, fails with "Regex match failed" when it does not', async () => {
    const up = await check({ regex: 'status: (HEALTHY|DEGRADED)' });
    assert.equal(up.up, true, up.reason);
    assert.match(up.reason, /Regex match success/);
    const down = await check({ regex: 'status: DOWN' });
    assert.equal(down.up, false);
    assert.match(down.reason, /Regex match failed \(\/status: DOWN\/: no match\)/);
  });
  it('regex_options caseless, regex_no_match', async () => {
    assert.equal((await check({ regex: 'status: healthy' })).up, false);
    assert.equal((await check({ regex: 'status: healthy', 'regex-options': 'caseless' })).up, true);
    assert.equal((await check({ regex: 'error', 'regex-no-match': true })).up, true);
    assert.equal((await check({ regex: 'HEALTHY', 'regex-no-match': true })).up, false);
  });
  it('regex_min_offset / regex_max_offset bound where the match may start', async () => {
    // Offsets count from the start of keepalived's first read buffer: the header is in it.
    const at = HEAD.length + BODY.indexOf('status:');
    assert.equal((await check({ regex: 'status:', 'regex-max-offset': String(at) })).up, true);
    const beyond = await check({ regex: 'status:', 'regex-max-offset': String(at - 1) });
    assert.equal(beyond.up, false);
    assert.match(beyond.reason, new RegExp(`first match at offset ${at}, beyond regex_max_offset ${at - 1}`));
    assert.equal((await check({ regex: 'status:', 'regex-min-offset': String(at + 1) })).up, false);
    assert.equal((await check({ regex: 'HTTP/1', 'regex-min-offset': '1' })).up, false);
  });
  it('the regex also sees the header, as keepalived matches its whole first read buffer', async () => {
    assert.equal((await check({ regex: '^HTTP/1.0 200' })).up, true);
    assert.equal((await check({ regex: '^<html>' })).up, false);
    assert.equal((await check({ regex: 'Content-Length: \\d+' })).up, true);
  });
  it('status and digest are checked before the regex', async () => {
    const wrongStatus = await check({ regex: 'HEALTHY', 'status-code': ['404'] });
    assert.match(wrongStatus.reason, /HTTP status code error/);
    const wrongDigest = await check({ regex: 'HEALTHY', digest: md5('other') });
    assert.match(wrongDigest.reason, /MD5 digest error/);
    assert.equal((await check({ regex: 'HEALTHY', digest: md5(BODY) })).up, true);
  });
  it('hactl check http --regex: exit 0 / 1, and 2 naming a pattern it cannot run', async () => {
    const base = ['check', 'http', `127.0.0.1:${srv.port}`, '--path', '/', '--retry', '0'];
    assert.equal((await hactlAsync([...base, '--regex', 'HEALTHY'])).status, 0);
    const down = await hactlAsync([...base, '--regex', 'SICK']);
    assert.equal(down.status, 1);
    assert.match(down.stdout, /Regex match failed/);
    const bad = await hactlAsync([...base, '--regex', 'a++']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /possessive quantifier at offset 1/);
    const stray = await hactlAsync([...base, '--regex-no-match']);
    assert.equal(stray.status, 2);
    assert.match(stray.stderr, /need --regex/);
  });
  it('check config runs the regex of the url block; conf lint flags what the checker cannot run', async () => {
    const conf = (regexLines: string) => `virtual_server 198.51.100.1 80 {
  delay_loop 5
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 127.0.0.1 ${srv.port} {
    HTTP_GET {
      url {
        path /
${regexLines}
      }
      connect_timeout 3
      retry 0
    }
  }
}
`;
    const ok = path.join(dir, 'ok.conf');
    fs.writeFileSync(ok, conf('        regex "status: (HEALTHY|OK)"\n        regex_options caseless'));
    const rOk = await hactlAsync(['check', '--config', ok, '--real-server', `127.0.0.1:${srv.port}`]);
    assert.equal(rOk.status, 0, rOk.stdout + rOk.stderr);
    const no = path.join(dir, 'no.conf');
    fs.writeFileSync(no, conf('        regex HEALTHY\n        regex_no_match'));
    const rNo = await hactlAsync(['check', '--config', no, '--real-server', `127.0.0.1:${srv.port}`]);
    assert.equal(rNo.status, 1, rNo.stdout + rNo.stderr);
    assert.match(rNo.stdout, /Regex match failed/);
    assert.equal(hactl(['conf', 'lint', ok]).status, 0);

    const bad = path.join(dir, 'bad.conf');
    fs.writeFileSync(bad, conf('        regex "a(?>b)"'));
    const lint = hactl(['conf', 'lint', bad]);
    assert.equal(lint.status, 5);
    assert.match(lint.stdout + lint.stderr, /bad\.conf:10:\d+: error: regex uses atomic groups .* \[regex\]/);
    const stray = path.join(dir, 'stray.conf');
    fs.writeFileSync(stray, conf('        regex_options caseless'));
    const lintStray = hactl(['conf', 'lint', stray]);
    // keepalived ignores them silently: a note, and the exit code stays 0 as keepalived -t's
    assert.match(lintStray.stdout + lintStray.stderr, /stray\.conf:10:\d+: note: regex parameters without a regex/);
    assert.equal(lintStray.status, 0);
  });
});
