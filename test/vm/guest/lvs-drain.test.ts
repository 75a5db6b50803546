/**
 * Runs INSIDE the IPVS VM: `hactl rs drain --wait` with real TCP connections through IPVS.
 * The VIP and the real servers' addresses are on a dummy interface of the guest, so IPVS
 * forwards to the local node (its connection counts are the kernel's, as for any DR real
 * server); the test process is both the client and the server.
 * 1. no daemon: the weight goes to 0, --wait returns only after the connections close,
 *    --timeout fails naming what is open, undrain gives the recorded weight back;
 * 2. `vrrp run --lvs-only`: the daemon drains it, and a reload that changes the real server's
 *    weight does not put a weight back while it is drained; undrain gives the new one.
 */
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { guestSkip, HACTL, hactl, ipvsadm, saveN } from './ipvs-guest-lib';

const VIP = '192.0.2.10';
const RS1 = '198.51.100.11';
const RS2 = '198.51.100.12';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms: number, step = 200): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(step);
  }
  return cond();
}

/** The weight and connection counts of one destination, from `ipvsadm -Ln` (a C program: polling it is cheap in the emulated VM). */
function dest(addr: string): { weight: number; active: number } | undefined {
  for (const l of ipvsadm('-Ln').stdout.split('\n')) {
    const m = /^\s+->\s+(\S+):\d+\s+\S+\s+(\d+)\s+(\d+)\s+(\d+)/.exec(l);
    if (m && m[1] === addr) return { weight: Number(m[2]), active: Number(m[3]) };
  }
  return undefined;
}

/** Open n connections to the VIP; resolves once the server side accepted them all. */
async function connect(n: number, accepted: net.Socket[]): Promise<net.Socket[]> {
  const start = accepted.length;
  const cs = await Promise.all(
    Array.from({ length: n }, () => new Promise<net.Socket>((res, rej) => {
      const c = net.connect(80, VIP, () => res(c));
      c.on('error', rej);
    })),
  );
  assert.ok(await until(() => accepted.length >= start + n, 10_000), 'the server accepted the connections');
  return cs;
}

interface Running {
  proc: ChildProcess;
  out: () => string;
  done: Promise<number>;
}

function start(args: string[], env: Record<string, string>): Running {
  let out = '';
  const proc = spawn(process.execPath, [HACTL, ...args], { env: { ...process.env, NO_COLOR: '1', HACTL_DRAIN_POLL_MS: '200', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout?.on('data', (b) => (out += b));
  proc.stderr?.on('data', (b) => (out += b));
  const done = new Promise<number>((r) => proc.on('exit', (c) => r(c ?? -1)));
  return { proc, out: () => out, done };
}

describe('hactl rs drain: real connections through IPVS (IPVS VM)', { skip: guestSkip() }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-drain-'));
  const env = { HACTL_DRAIN_STATE: path.join(dir, 'drained.json') };
  const accepted: net.Socket[] = [];
  const procs: ChildProcess[] = [];
  let server: net.Server;

  before(async () => {
    spawnSync('ip', ['link', 'del', 'drain0']);
    spawnSync('sh', ['-c', `ip link add drain0 type dummy && ip link set drain0 up && ip addr add ${VIP}/32 dev drain0 && ip addr add ${RS1}/32 dev drain0 && ip addr add ${RS2}/32 dev drain0`]);
    ipvsadm('-C');
    server = net.createServer((s) => {
      accepted.push(s);
      s.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(80, '0.0.0.0', () => r()));
  });
  after(() => {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
    for (const s of accepted) s.destroy();
    server?.close();
    ipvsadm('-C');
    spawnSync('ip', ['link', 'del', 'drain0']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const closeAll = (cs: net.Socket[]) => {
    for (const c of cs) c.end();
  };

  it('no daemon: weight 0 at once, --wait ends only when the connections close, --timeout fails, undrain gives the weight back', { timeout: 180_000 }, async () => {
    assert.equal(ipvsadm('-A', '-t', `${VIP}:80`, '-s', 'rr').status, 0);
    assert.equal(ipvsadm('-a', '-t', `${VIP}:80`, '-r', `${RS1}:80`, '-g', '-w', '3').status, 0);
    assert.equal(ipvsadm('-a', '-t', `${VIP}:80`, '-r', `${RS2}:80`, '-g', '-w', '1').status, 0);
    // rr: 4 connections, 2 to each
    const cs = await connect(4, accepted);
    assert.ok(await until(() => (dest(RS1)?.active ?? 0) === 2, 10_000), `IPVS counts the connections: ${saveN()} ${JSON.stringify(dest(RS1))}`);
    const w = start(['rs', 'drain', '-t', `${VIP}:80`, '-r', `${RS1}:80`, '--wait', '--timeout', '120'], env);
    procs.push(w.proc);
    assert.ok(await until(() => dest(RS1)?.weight === 0, 20_000), `weight 0: ${w.out()}`);
    await sleep(2000);
    assert.equal(w.proc.exitCode, null, `still waiting while 2 connections are open: ${w.out()}`);
    assert.match(w.out(), /198\.51\.100\.11:80: 2 active, 0 inactive connection\(s\)/);
    // new connections go to the other real server only
    const more = await connect(2, accepted);
    assert.equal(dest(RS2)?.active, 4);
    closeAll(cs.filter((_c, i) => i % 2 === 0).concat(cs.filter((_c, i) => i % 2 === 1)));
    const code = await Promise.race([w.done, sleep(60_000).then(() => -2)]);
    assert.equal(code, 0, w.out());
    assert.match(w.out(), /0 active, \d+ inactive connection\(s\) after/);
    closeAll(more);

    // timeout: one connection left open
    const one = await connect(1, accepted);
    const u0 = start(['rs', 'undrain', '-t', `${VIP}:80`, '-r', `${RS1}:80`], env);
    assert.equal(await u0.done, 0, `undrain (recorded weight): ${u0.out()}`);
    assert.equal(dest(RS1)?.weight, 3);
    const open = await connect(2, accepted);
    const t = start(['rs', 'drain', '-t', `${VIP}:80`, '-r', RS1, '--wait', '--timeout', '2'], env);
    procs.push(t.proc);
    assert.equal(await t.done, 1, t.out());
    assert.match(t.out(), /still 1 active, \d+ inactive connection\(s\) after 2 s/);
    assert.equal(dest(RS1)?.weight, 0);
    closeAll([...one, ...open]);
    const u = start(['rs', 'undrain', '-t', `${VIP}:80`, '-r', RS1], env);
    assert.equal(await u.done, 0, u.out());
    assert.equal(dest(RS1)?.weight, 3);
    // nothing recorded any more: undrain wants -w
    const again = start(['rs', 'undrain', '-t', `${VIP}:80`, '-r', RS1], env);
    assert.equal(await again.done, 2, again.out());
    assert.match(again.out(), /give the weight/);
    ipvsadm('-C');
  });

  it('daemon (vrrp run --lvs-only): drained through its socket, kept at 0 across a weight-changing reload until undrain', { timeout: 300_000 }, async () => {
    const conf = path.join(dir, 'keepalived.conf');
    const write = (w: number) =>
      fs.writeFileSync(
        conf,
        `virtual_server ${VIP} 80 {
  protocol TCP
  lb_algo rr
  lb_kind DR
  delay_loop 1
  real_server ${RS1} 80 {
    weight ${w}
    TCP_CHECK {
      connect_timeout 1
    }
  }
  real_server ${RS2} 80 {
    weight 1
  }
}
`,
      );
    write(3);
    ipvsadm('-C');
    const sock = path.join(dir, 'vrrp.sock');
    const d = start(['vrrp', 'run', '--lvs-only', '-f', conf, '--control-socket', sock, '--pid-file', path.join(dir, 'vrrp.pid'), '--checkers-pid', path.join(dir, 'lvs.pid')], {});
    procs.push(d.proc);
    assert.ok(await until(() => dest(RS1)?.weight === 3 && dest(RS2)?.weight === 1, 60_000, 500), `the daemon installed the service: ${saveN()}\n${d.out()}`);
    const cs = await connect(2, accepted);
    assert.ok(await until(() => (dest(RS1)?.active ?? 0) === 1, 10_000), `IPVS counts the connection: ${JSON.stringify(dest(RS1))}`);
    const w = start(['rs', 'drain', '-t', `${VIP}:80`, '-r', RS1, '--wait', '--timeout', '120', '--control-socket', sock], env);
    procs.push(w.proc);
    assert.ok(await until(() => dest(RS1)?.weight === 0, 30_000), `weight 0: ${w.out()}\n${d.out()}`);
    assert.ok(await until(() => /drained by the daemon/.test(w.out()), 20_000), w.out());
    // a reload that changes the weight (3 -> 5) while draining: the daemon keeps 0
    write(5);
    d.proc.kill('SIGHUP');
    assert.ok(await until(() => /reloaded/.test(d.out()), 30_000), d.out());
    for (let i = 0; i < 6; i++) {
      await sleep(500);
      assert.equal(dest(RS1)?.weight, 0, `the daemon put a weight back while draining:\n${d.out()}`);
    }
    assert.equal(w.proc.exitCode, null, `--wait still waiting: ${w.out()}`);
    const st = hactl(['status', '--json', '--control-socket', sock]);
    const o = JSON.parse(st.stdout) as { lvs: { realServers: { address: string; drained: boolean }[] }[] };
    assert.equal(o.lvs[0].realServers.find((r) => r.address === RS1)?.drained, true, st.stdout);
    closeAll(cs);
    assert.equal(await Promise.race([w.done, sleep(60_000).then(() => -2)]), 0, w.out());
    await sleep(2000);
    assert.equal(dest(RS1)?.weight, 0, 'still drained after --wait');
    const u = start(['rs', 'undrain', '-t', `${VIP}:80`, '-r', RS1, '--control-socket', sock], env);
    assert.equal(await u.done, 0, u.out());
    assert.ok(await until(() => dest(RS1)?.weight === 5, 20_000), `undrain gives the configured weight: ${saveN()}`);
    // a real server the configuration does not have: refused, one line
    const bad = start(['rs', 'drain', '-t', `${VIP}:80`, '-r', '198.51.100.99', '--control-socket', sock], env);
    assert.equal(await bad.done, 1, bad.out());
    assert.match(bad.out(), /no real server 198\.51\.100\.99 in the running configuration/);
    d.proc.kill('SIGTERM');
    await d.done;
  });
});
