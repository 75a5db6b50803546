/**
 * Runs INSIDE the IPVS VM (../shared/ipvs-vm): FILE_CHECK / track_file parity.
 * The same keepalived.conf is run by `keepalived -C -n` and by
 * `hactl vrrp run --lvs-only`; for each phase of track file contents the
 * `ipvsadm -Sn` tables must be equal. Skips with the reason elsewhere.
 */
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { guestSkipWith, HACTL, sortedSaveN } from './ipvs-guest-lib';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function config(dir: string): string {
  const rs = (n: number, fc: string) => `  real_server 127.0.0.${n} 80 {\n    weight 10\n    FILE_CHECK {\n${fc}    }\n  }\n`;
  return `track_file F0 {
  file ${dir}/f0
  weight 0
}
track_file F1 {
  file ${dir}/f1
  weight 0 reverse
}
track_file F2 {
  file ${dir}/f2
  weight 2
}
virtual_server 192.0.2.30 80 {
  delay_loop 2
  lb_algo rr
  lb_kind NAT
  protocol TCP
${rs(1, '      track_file F0\n')}${rs(2, '      track_file F1\n')}${rs(3, '      track_file F2\n')}${rs(4, '      track_file F2\n      weight 3\n')}}
`;
}

/** Contents of f0, f1, f2 (undefined: file deleted). */
const PHASES: { name: string; files: (string | undefined)[] }[] = [
  { name: 'start: 0, 0, 1', files: ['0\n', '0\n', '1\n'] },
  { name: 'f0 1 (down), f1 4 (reverse up), f2 -2', files: ['1\n', '4\n', '-2\n'] },
  { name: 'f0 0, f1 0 (reverse down), f2 -100 (weights clamp at 0)', files: ['0\n', '0\n', '-100\n'] },
  { name: 'files deleted (status 0)', files: [undefined, undefined, undefined] },
];

describe('FILE_CHECK parity with keepalived -C (IPVS VM)', { skip: guestSkipWith('keepalived') }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-fcp-'));
  const conf = path.join(dir, 'keepalived.conf');
  let daemon: ChildProcess | undefined;
  let log = '';
  after(() => {
    if (daemon && daemon.exitCode === null) daemon.kill('SIGKILL');
    spawnSync('ipvsadm', ['-C']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const setFiles = (files: (string | undefined)[]) =>
    files.forEach((c, i) => {
      const p = path.join(dir, `f${i}`);
      if (c === undefined) fs.rmSync(p, { force: true });
      else fs.writeFileSync(p, c);
    });
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
    const t = setTimeout(() => ch.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(t);
  };

  it('gives the same table as keepalived for every phase', { timeout: 600_000 }, async () => {
    fs.writeFileSync(conf, config(dir));
    spawnSync('ipvsadm', ['-C']);
    const ref: string[] = [];
    setFiles(PHASES[0].files);
    daemon = start(['keepalived', '-C', '-n', '-l', '-f', conf, '-p', path.join(dir, 'ka.pid'), '-c', path.join(dir, 'kc.pid')]);
    for (const ph of PHASES) {
      setFiles(ph.files);
      await sleep(5000);
      ref.push(sortedSaveN());
    }
    await stop(daemon);
    assert.notEqual(ref[0], ref[1]);
    assert.notEqual(ref[1], ref[2]);

    setFiles(PHASES[0].files);
    daemon = start([process.execPath, HACTL, 'vrrp', 'run', '--lvs-only', '-f', conf, '--control-socket', path.join(dir, 'vrrp.sock'), '--pid-file', path.join(dir, 'vrrp.pid')]);
    for (const [i, ph] of PHASES.entries()) {
      setFiles(ph.files);
      const deadline = Date.now() + (i === 0 ? 180_000 : 30_000);
      let got = sortedSaveN();
      while (got !== ref[i] && Date.now() < deadline && daemon.exitCode === null) {
        await sleep(300);
        got = sortedSaveN();
      }
      assert.equal(got, ref[i], `phase ${i} (${ph.name}): hactl differs from keepalived\n--- hactl log:\n${log.slice(-3000)}`);
    }
    await stop(daemon);
    process.stdout.write(`# FILE_CHECK parity: ${PHASES.length} phases equal\n${ref.map((t, i) => `# phase ${i}:\n${t.replace(/^/gm, '#   ')}`).join('\n')}\n`);
  });
});
