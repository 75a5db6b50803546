/**
 * Runs INSIDE the IPVS VM (../shared/ipvs-vm): keepalived's rules for what
 * its checker process sends IPVS, against `hactl vrrp run --lvs-only` on the
 * same keepalived.conf (issue 16). keepalived 2.2.7 (`keepalived -C -n`) is
 * the reference; each phase compares `ipvsadm -Sn`:
 * 0. start over a table that already has a matching virtual server (other
 *    scheduler, a foreign real server) and an unrelated one: both are kept,
 *    keepalived adds its own real servers; url regex `^HTTP/1.0 200` matches
 *    (the header is in the subject), `^ok` against the body `ok` does not;
 * 1. hand edits (`ipvsadm -e -w 5`, a hand-added real server, `-E -s wlc`),
 *    then one real server down in each pool: the hand edits stay;
 * 2. both back: still there (the returning one gets its configured weight);
 * 3. SIGHUP adding a virtual server: hand edits stay, its quorum_up runs;
 * 4. SIGTERM with `lvs_flush_on_stop`: the whole table is emptied.
 * Also: quorum_up ran for the virtual server that starts with quorum and for
 * the one the reload added, and both logs say "Gained quorum".
 * Needs root, IPVS and keepalived in the guest (IPVS_VM_EXTRA_BINS="keepalived").
 */
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { guestSkipWith, HACTL, ipvsadmLines, sortedSaveN } from './ipvs-guest-lib';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** name -> [address, port, kind]: TCP servers, and raw HTTP/1.0 servers answering the body "ok". */
const BACKENDS: Record<string, [string, number, 'tcp' | 'http']> = {
  a1: ['127.0.0.1', 8101, 'tcp'],
  a2: ['127.0.0.2', 8102, 'tcp'],
  b1: ['127.0.0.3', 8103, 'tcp'],
  b2: ['127.0.0.4', 8104, 'tcp'],
  h1: ['127.0.0.5', 8105, 'http'],
  h2: ['127.0.0.6', 8106, 'http'],
};

function config(dir: string, reloaded: boolean): string {
  const tcp = '    TCP_CHECK {\n      connect_timeout 2\n      retry 0\n    }\n';
  const http = (re: string) => `    HTTP_GET {\n      url {\n        path /\n        regex "${re}"\n      }\n      connect_timeout 2\n      retry 0\n    }\n`;
  const vs = (vip: string, body: string) => `virtual_server ${vip} 80 {\n  delay_loop 1\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n${body}}\n`;
  return `global_defs {
  script_user root
  lvs_flush_on_stop
}
${vs('192.0.2.30', `  quorum_up "${dir}/qup.sh 30"\n  real_server 127.0.0.1 8101 {\n    weight 2\n${tcp}  }\n  real_server 127.0.0.2 8102 {\n${tcp}  }\n`)}${vs(
    '192.0.2.31',
    `  real_server 127.0.0.3 8103 {\n${tcp}  }\n  real_server 127.0.0.4 8104 {\n${tcp}  }\n`,
  )}${vs('192.0.2.32', `  real_server 127.0.0.5 8105 {\n${http('^HTTP/1.0 200')}  }\n  real_server 127.0.0.6 8106 {\n${http('^ok')}  }\n`)}${
    reloaded ? vs('192.0.2.33', `  quorum_up "${dir}/qup.sh 33"\n  real_server 127.0.0.3 8103 {\n${tcp}  }\n`) : ''
  }`;
}

/** Already in the kernel when a daemon starts. */
const EXISTING = `
-A -t 192.0.2.31:80 -s wlc
-a -t 192.0.2.31:80 -r 127.0.0.99:8199 -m -w 1
-A -t 192.0.2.40:80 -s rr
`;

const HAND_EDITS = `
-e -t 192.0.2.30:80 -r 127.0.0.2:8102 -m -w 5
-a -t 192.0.2.30:80 -r 127.0.0.77:8177 -m -w 1
-E -t 192.0.2.30:80 -s wlc
`;

interface Phase {
  name: string;
  down: string[];
  /** before the backends change */
  before?: 'hand-edits' | 'reload' | 'stop';
}

const PHASES: Phase[] = [
  { name: 'start over an existing matching virtual server and a foreign one; url regex', down: [] },
  { name: 'hand edits, then a real server down in two pools', down: ['a1', 'b2'], before: 'hand-edits' },
  { name: 'both back', down: [] },
  { name: 'SIGHUP adding a virtual server', down: [], before: 'reload' },
  { name: 'SIGTERM with lvs_flush_on_stop', down: [], before: 'stop' },
];

describe('LVS: keepalived -C rules for existing entries, hand edits, flush on stop, quorum_up (IPVS VM)', { skip: guestSkipWith('keepalived') }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-lvsrules-'));
  const conf = path.join(dir, 'keepalived.conf');
  const qlog = path.join(dir, 'qup.log');
  const servers = new Map<string, net.Server>();
  const sockets = new Set<net.Socket>();
  let daemon: ChildProcess | undefined;
  let log = '';

  after(async () => {
    if (daemon && daemon.exitCode === null) daemon.kill('SIGKILL');
    for (const s of servers.values()) s.close();
    for (const s of sockets) s.destroy();
    spawnSync('ipvsadm', ['-C']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function setBackends(down: string[]): Promise<void> {
    for (const [n, [addr, port, kind]] of Object.entries(BACKENDS)) {
      const s = servers.get(n);
      if (down.includes(n) && s) {
        servers.delete(n);
        for (const c of sockets) c.destroy();
        await new Promise<void>((r) => s.close(() => r()));
      } else if (!down.includes(n) && !s) {
        const srv = net.createServer((c) => {
          sockets.add(c);
          c.on('close', () => sockets.delete(c));
          c.on('error', () => {});
          // one write: keepalived's first read holds the header and the body
          if (kind === 'http') c.once('data', () => c.end('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok'));
          else c.end();
        });
        await new Promise<void>((r, j) => srv.listen(port, addr, () => r()).once('error', j));
        servers.set(n, srv);
      }
    }
  }

  const start = (argv: string[]) => {
    log = '';
    const ch = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    ch.stdout?.on('data', (d) => (log += d));
    ch.stderr?.on('data', (d) => (log += d));
    return ch;
  };
  const stop = async (ch: ChildProcess) => {
    if (ch.exitCode !== null) return;
    const exited = new Promise<void>((r) => ch.once('exit', () => r()));
    ch.kill('SIGTERM');
    const t = setTimeout(() => ch.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(t);
  };
  /** The virtual servers whose quorum_up ran so far, sorted ("30,33"). */
  const qup = () => (fs.existsSync(qlog) ? fs.readFileSync(qlog, 'utf8') : '').split('\n').filter(Boolean).sort().join(',');

  /** Run the phases with one daemon; `settle` returns the table for phase i. */
  async function runPhases(ch: () => ChildProcess, settle: (i: number) => Promise<string>): Promise<{ tables: string[]; qups: string[] }> {
    spawnSync('ipvsadm', ['-C']);
    fs.rmSync(qlog, { force: true });
    fs.writeFileSync(conf, config(dir, false));
    ipvsadmLines(EXISTING);
    await setBackends([]);
    daemon = ch();
    const tables: string[] = [];
    const qups: string[] = [];
    for (const [i, ph] of PHASES.entries()) {
      if (ph.before === 'hand-edits') ipvsadmLines(HAND_EDITS);
      if (ph.before === 'reload') {
        fs.writeFileSync(conf, config(dir, true));
        daemon.kill('SIGHUP');
      }
      if (ph.before === 'stop') await stop(daemon);
      await setBackends(ph.down);
      tables.push(await settle(i));
      qups.push(qup());
    }
    return { tables, qups };
  }

  it('gives the same ipvsadm -Sn as keepalived in every phase', { timeout: 900_000 }, async () => {
    fs.writeFileSync(path.join(dir, 'qup.sh'), `#!/bin/sh\necho "$1" >> ${qlog}\n`);
    fs.chmodSync(path.join(dir, 'qup.sh'), 0o755);

    const ka = await runPhases(
      () => start(['keepalived', '-C', '-n', '-l', '-f', conf, '-p', path.join(dir, 'ka.pid'), '-c', path.join(dir, 'kc.pid')]),
      async () => {
        await sleep(5000);
        return sortedSaveN();
      },
    );
    const kaLog = log;
    const ref = ka.tables;
    // The reference shows what this test is about (so it can fail).
    assert.match(ref[0], /-A -t 192\.0\.2\.31:80 -s wlc/, `keepalived kept the existing scheduler\n${kaLog.slice(-3000)}`);
    assert.match(ref[0], /127\.0\.0\.99:8199/);
    assert.match(ref[0], /-a -t 192\.0\.2\.32:80 -r 127\.0\.0\.5:8105/);
    assert.doesNotMatch(ref[0], /127\.0\.0\.6:8106/);
    assert.match(ref[1], /127\.0\.0\.77:8177/);
    assert.match(ref[2], /-A -t 192\.0\.2\.30:80 -s wlc/);
    assert.match(ref[3], /127\.0\.0\.2:8102 -m -w 5/);
    assert.equal(ref[4], '');
    assert.deepEqual(ka.qups, ['30', '30', '30', '30,33', '30,33'], `quorum_up runs of keepalived\n${kaLog.slice(-3000)}`);
    assert.match(kaLog, /Gained quorum 1\+0=1 <= 3 for VS \[192\.0\.2\.30\]:tcp:80/);

    const hx = await runPhases(
      () => start([process.execPath, HACTL, 'vrrp', 'run', '--lvs-only', '-f', conf, '--control-socket', path.join(dir, 'vrrp.sock'), '--pid-file', path.join(dir, 'vrrp.pid')]),
      async (i) => {
        // Node under TCG starts slowly: a generous first deadline.
        const deadline = Date.now() + (i === 0 ? 180_000 : 40_000);
        let got = sortedSaveN();
        while (got !== ref[i] && Date.now() < deadline && (daemon?.exitCode === null || PHASES[i].before === 'stop')) {
          await sleep(300);
          got = sortedSaveN();
        }
        assert.equal(got, ref[i], `phase ${i} (${PHASES[i].name}): hactl differs from keepalived\n--- hactl log:\n${log.slice(-3000)}`);
        // and it stays there
        await sleep(2500);
        got = sortedSaveN();
        assert.equal(got, ref[i], `phase ${i} (${PHASES[i].name}): hactl's table did not stay equal\n--- hactl log:\n${log.slice(-3000)}`);
        return got;
      },
    );
    assert.deepEqual(hx.qups, ka.qups, 'quorum_up ran as keepalived runs it');
    assert.match(log, /Gained quorum 1\+0=1 <= 3 for VS \[192\.0\.2\.30\]:tcp:80/);
    process.stdout.write(`# keepalived rules: ${PHASES.length} phases equal\n${ref.map((t, i) => `# phase ${i}:\n${t.replace(/^/gm, '#   ')}`).join('\n')}\n`);
  });
});
