/**
 * Checkers across network namespaces (documentation addresses only): a
 * client host checks a server host that answers, goes away (cable pulled)
 * and comes back; a silent address gives a connect timeout; PING_CHECK up
 * and down; genhash's "Timeout connecting" line compared with keepalived's.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { HACTL } from '../helpers/cli';
import { type Host, Lab, netnsUnavailable } from '../helpers/netns';
import { sleep, which } from './check-helpers';

const reason = netnsUnavailable();

function inNs(ns: string, cmd: string, args: string[], timeoutMs = 20_000) {
  const t0 = Date.now();
  const r = spawnSync('ip', ['netns', 'exec', ns, cmd, ...args], { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ms: Date.now() - t0 };
}
const hactlIn = (ns: string, args: string[]) => inNs(ns, process.execPath, [HACTL, ...args]);

describe('checkers between namespaces', { skip: reason ?? false, timeout: 120_000 }, () => {
  let lab: Lab;
  let client: Host;
  let server: Host;
  before(async () => {
    lab = new Lab('chk');
    client = lab.addHost('cli', ['192.0.2.1/24']);
    server = lab.addHost('srv', ['192.0.2.2/24']);
    lab.spawn(server.ns, process.execPath, [
      '-e',
      `require('net').createServer((c) => { c.on('error', () => {}); c.once('data', () => c.end('HTTP/1.0 200 OK\\r\\n\\r\\nfrom ns\\n')); }).listen(80, '192.0.2.2')`,
    ]);
    for (let i = 0; i < 50; i++) {
      if (hactlIn(client.ns, ['check', 'tcp', '192.0.2.2:80', '--retry', '0', '--connect-timeout', '1']).status === 0) break;
      await sleep(100);
    }
  });
  after(() => lab?.cleanup());

  it('server up: TCP_CHECK and HTTP_GET up', () => {
    assert.equal(hactlIn(client.ns, ['check', 'tcp', '192.0.2.2:80', '--retry', '0']).status, 0);
    const h = hactlIn(client.ns, ['check', 'http', '192.0.2.2', '--path', '/', '--retry', '0']);
    assert.equal(h.status, 0, h.stdout + h.stderr);
  });

  it('cable pulled: down after connect_timeout; cable back: up again', () => {
    lab.setCable(server, false);
    try {
      const d = hactlIn(client.ns, ['check', 'tcp', '192.0.2.2:80', '--retry', '1', '--delay-before-retry', '0.2', '--connect-timeout', '1', '--json']);
      assert.equal(d.status, 1, d.stdout + d.stderr);
      const j = JSON.parse(d.stdout);
      assert.equal(j.attempts.length, 2);
      for (const a of j.attempts) assert.ok(a.durationMs >= 950 && a.durationMs < 3000, `attempt took ${a.durationMs} ms`);
    } finally {
      lab.setCable(server, true);
    }
    const u = hactlIn(client.ns, ['check', 'tcp', '192.0.2.2:80', '--retry', '2', '--delay-before-retry', '0.5', '--connect-timeout', '2']);
    assert.equal(u.status, 0, u.stdout + u.stderr);
  });

  it('nobody at the address: Timeout connecting within connect_timeout', () => {
    const r = hactlIn(client.ns, ['check', 'tcp', '192.0.2.3:80', '--retry', '0', '--connect-timeout', '1']);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /Timeout connecting|unreachable/i);
    assert.ok(r.ms < 4000, `${r.ms} ms`);
  });

  it('PING_CHECK: up to the server, down to an empty address', () => {
    const u = hactlIn(client.ns, ['check', 'ping', '192.0.2.2', '--retry', '0', '--connect-timeout', '2']);
    assert.equal(u.status, 0, u.stdout + u.stderr);
    const d = hactlIn(client.ns, ['check', 'ping', '192.0.2.6', '--retry', '0', '--connect-timeout', '1']);
    assert.equal(d.status, 1, d.stdout + d.stderr);
    assert.match(d.stdout, /no echo reply/);
  });

  it('genhash across namespaces: same digest as keepalived; same line on a connect timeout', { skip: which('genhash') ? false : 'genhash missing' }, () => {
    const args = ['-s', '192.0.2.2', '-p', '80', '-u', '/', '-t', '2'];
    const k = inNs(client.ns, 'genhash', args);
    const h = hactlIn(client.ns, ['genhash', ...args]);
    assert.match(k.stdout, /^[0-9a-f]{32}\n$/);
    assert.equal(h.stdout, k.stdout);
    // Two different empty addresses, so each tool starts with a fresh (unresolved) neighbour.
    const k2 = inNs(client.ns, 'genhash', ['-s', '192.0.2.4', '-p', '80', '-u', '/', '-t', '1']);
    const h2 = hactlIn(client.ns, ['genhash', '-s', '192.0.2.5', '-p', '80', '-u', '/', '-t', '1']);
    assert.equal(h2.stdout, k2.stdout, `keepalived ${JSON.stringify(k2.stdout)}`);
    assert.equal(h2.status, 1);
  });
});
