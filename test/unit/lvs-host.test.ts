/**
 * The LVS half with its real parts except the kernel: keepalived.conf read by
 * the conf engine, the real checkers against TCP servers of the test on
 * loopback, real timers, notify scripts and lvs_notify_fifo; IPVS is the
 * in-memory fake. (The kernel side runs in test/vm/guest/lvs-parity.test.ts.)
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig, memoryReader } from '../../src/lib/conf/index';
import { realCheckers } from '../../src/lib/lvs/checkers';
import { LvsHost, lvsSocketFor } from '../../src/lib/lvs/daemon';
import { lvsSpecFromConfig } from '../../src/lib/lvs/from-config';
import { formatLvsStatus } from '../../src/lib/lvs/reconciler';
import { hactl } from '../helpers/cli';
import { FakeIpvs } from './lvs-fakes';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(50);
  }
  return cond();
}

describe('LvsHost with real checkers and a fake IPVS', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-lvs-host-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('adds, removes and re-adds a real server as its TCP port opens and closes; notifies; reloads; releases', { timeout: 30_000 }, async () => {
    const srv = net.createServer((c) => c.end());
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as net.AddressInfo).port;
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const deadPort = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const fifo = path.join(dir, 'lvs.fifo');
    const marker = path.join(dir, 'down-ran');
    const conf = path.join(dir, 'keepalived.conf');
    const text = (weight: number) => `global_defs {
  lvs_notify_fifo ${fifo}
}
virtual_server 192.0.2.10 80 {
  protocol TCP
  lb_algo rr
  delay_loop 0.2
  real_server 127.0.0.1 ${port} {
    weight ${weight}
    notify_down "/bin/sh -c 'touch ${marker}'"
    TCP_CHECK {
      connect_port ${port}
      connect_timeout 1
      retry 0
    }
  }
  real_server 127.0.0.1 ${deadPort} {
    TCP_CHECK {
      connect_port ${deadPort}
      connect_timeout 1
      retry 0
    }
  }
}
`;
    fs.writeFileSync(conf, text(3));
    const ipvs = new FakeIpvs();
    const logs: string[] = [];
    const host = new LvsHost({ file: conf, ipvs, log: (l, m) => logs.push(`${l} ${m}`) });
    const key = `6|192.0.2.10|80`;
    try {
      await host.start();
      // Start-up: both in (no alpha); the dead one goes after its first check (1 s bootstrap + warmup <= delay_loop).
      assert.equal(Object.keys(ipvs.weights(key)).length, 2);
      assert.ok(await until(() => Object.keys(ipvs.weights(key)).length === 1, 5000), `dead server removed; ${logs.join('\n')}`);
      assert.deepEqual(ipvs.weights(key), { [`127.0.0.1|${port}`]: 3 });
      // The FIFO got the RS DOWN line in keepalived's format.
      const fd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      const buf = Buffer.alloc(4096);
      const n = fs.readSync(fd, buf);
      fs.closeSync(fd);
      assert.match(buf.subarray(0, n).toString(), new RegExp(`^RS \\[127\\.0\\.0\\.1\\]:tcp:${deadPort} \\[192\\.0\\.2\\.10\\]:tcp:80 DOWN\\n`, 'm'));
      // The live server goes down: removed, notify_down runs.
      await new Promise<void>((r) => srv.close(() => r()));
      assert.ok(await until(() => Object.keys(ipvs.weights(key)).length === 0, 5000), 'removed when its port closed');
      assert.ok(await until(() => fs.existsSync(marker), 3000), 'notify_down ran');
      const st = host.status()!;
      assert.match(st.virtualServers[0].realServers[0].checkers[0].lastFailure?.reason ?? '', /refused|ECONNREFUSED/i);
      assert.match(formatLvsStatus(st), /TCP_CHECK down/);
      // Back up.
      await new Promise<void>((r) => srv.listen(port, '127.0.0.1', () => r()));
      assert.ok(await until(() => Object.keys(ipvs.weights(key)).length === 1, 5000), 're-added');
      // Reload with a new weight: one edit, nothing else.
      const before = ipvs.log.length;
      fs.writeFileSync(conf, text(7));
      await host.reload();
      assert.ok(await until(() => ipvs.weights(key)[`127.0.0.1|${port}`] === 7, 3000));
      assert.deepEqual(
        ipvs.log.slice(before).map((o) => o.kind),
        ['edit-dest'],
      );
      // A broken file is refused and the running configuration kept.
      fs.writeFileSync(conf, 'virtual_server 192.0.2.10 80 {\n  real_server 127.0.0.1 80 {\n');
      await host.reload();
      assert.ok(logs.some((l) => /LVS reload refused/.test(l)));
      assert.equal(ipvs.services.size, 1);
    } finally {
      await host.stop();
      srv.close();
    }
    assert.equal(ipvs.services.size, 0, 'released on stop');
  });

  it('misc_dynamic: exit 2..255 sets weight status - 2, exit 0 restores the configured weight, exit 1 is down', async () => {
    const code = path.join(dir, 'code');
    const text = `virtual_server 192.0.2.10 80 {\n  protocol TCP\n  real_server 127.0.0.1 80 {\n    weight 4\n    MISC_CHECK {\n      misc_path "/bin/sh -c 'exit $(cat ${code})'"\n      misc_dynamic\n    }\n  }\n}\n`;
    const r = loadConfig('/k.conf', { reader: memoryReader({ '/k.conf': text }), configId: 'x' });
    const vs = lvsSpecFromConfig(r.model).spec.virtualServers[0];
    const run = async (c: number) => {
      fs.writeFileSync(code, String(c));
      return realCheckers.run(vs.realServers[0].checkers[0], vs.realServers[0], vs, new AbortController().signal);
    };
    assert.deepEqual(
      [await run(7), await run(0), await run(1)].map((o) => [o.up, o.weight]),
      [
        [true, 5],
        [true, 4],
        [false, undefined],
      ],
    );
  });

  it('lvs control socket path follows the VRRP one', () => {
    assert.equal(lvsSocketFor('/run/hactl/vrrp.sock'), '/run/hactl/vrrp-lvs.sock');
    assert.equal(lvsSocketFor(undefined), '/run/hactl/lvs.sock');
  });

  it('hactl vrrp run: --lvs-only and --vrrp-only exclude each other; no IPVS gives one clear sentence', () => {
    const conf = path.join(dir, 'one.conf');
    fs.writeFileSync(conf, 'virtual_server 192.0.2.10 80 {\n  protocol TCP\n  real_server 127.0.0.1 80 {\n  }\n}\n');
    const both = hactl(['vrrp', 'run', '--lvs-only', '--vrrp-only', '-f', conf]);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /--lvs-only and --vrrp-only exclude each other/);
    if (fs.existsSync('/proc/net/ip_vs')) return; // a kernel with IPVS would start for real
    const r = hactl(['vrrp', 'run', '--lvs-only', '-f', conf, '--control-socket', path.join(dir, 'v.sock'), '--pid-file', path.join(dir, 'v.pid')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /IPVS/);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
    // nothing left behind: neither pid file (main, LVS) nor the LVS control socket
    for (const f of ['v.pid', 'v-lvs.pid', 'v-lvs.sock']) assert.equal(fs.existsSync(path.join(dir, f)), false, f);
    // JSON logs: the LVS half's error is a JSON record too
    const j = hactl(['vrrp', 'run', '--lvs-only', '-f', conf, '--log-format', 'json', '--control-socket', path.join(dir, 'v.sock'), '--pid-file', path.join(dir, 'v.pid')]);
    assert.equal(j.status, 1);
    for (const l of j.stderr.trimEnd().split('\n')) assert.doesNotThrow(() => JSON.parse(l), `not JSON: ${l}`);
    assert.match(j.stderr, /IPVS/);
  });
});
