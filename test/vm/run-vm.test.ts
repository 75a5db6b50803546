/**
 * Host side of the IPVS acceptance suite: boots ../shared/ipvs-vm ONCE and
 * runs every guest test (dist/test/vm/guest/*.test.js) inside it with plain
 * node, streaming the output. Skips with the reason when the harness or QEMU
 * is missing. The guest files skip themselves outside the VM.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, SHARED } from '../helpers/cli';
import { prepareVmModules } from './vm-modules';

const HARNESS = path.join(SHARED, 'ipvs-vm', 'run-in-vm.sh');

function skipReason(): string | undefined {
  if (fs.existsSync('/proc/net/ip_vs')) return 'already inside an IPVS kernel: the guest tests run directly';
  if (!fs.existsSync(HARNESS)) return `IPVS VM harness not found (${HARNESS})`;
  if (spawnSync('sh', ['-c', 'command -v qemu-system-x86_64'], { encoding: 'utf8' }).status !== 0) return 'qemu-system-x86_64 is not installed';
  if (process.getuid?.() !== 0) return 'the IPVS VM harness needs root';
  if (!fs.existsSync(path.join(ROOT, 'dist', 'test', 'vm', 'guest'))) return 'guest tests are not built (run the build first)';
  return undefined;
}

describe('IPVS acceptance tests in the VM', { skip: skipReason() }, () => {
  it('every guest test passes inside ../shared/ipvs-vm', { timeout: 1_700_000 }, async () => {
    const started = Date.now();
    // ipip/ip6_tunnel .ko files for guest/arp-tun.test.ts (ROOT/dist/vm-modules, in the guest through --copy).
    const mods = prepareVmModules(ROOT);
    if (mods.skip) process.stderr.write(`tunnel modules not copied (arp-tun skips): ${mods.skip}\n`);
    // `script` (util-linux) gives guest/ipvs-interactive.test.ts its pseudo-terminals.
    // --copy: the checkout goes into the initramfs. Over 9p every module load is
    // a slow round trip under TCG (oclif took 46 s to load there, 5 s copied).
    const args = ['--copy', '-C', ROOT, '-e', 'HACTL_IN_VM=1', '-t', '1500', '--', 'node', '--test', '--test-reporter=spec', '--test-concurrency=1', 'dist/test/vm/guest/'];
    const child = spawn(HARNESS, args, {
      cwd: ROOT,
      env: { ...process.env, IPVS_VM_EXTRA_BINS: [process.env.IPVS_VM_EXTRA_BINS, 'keepalived', 'script'].filter(Boolean).join(' '), IPVS_VM_TIMING: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const keep = (b: string) => {
      process.stderr.write(b);
      tail = (tail + b).slice(-6000);
    };
    // decoded per stream (a Buffer's toString() per chunk broke a multi-byte 'ℹ' split between two
    // chunks, and the summary check below then failed although the guest passed)
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    process.stderr.write(`ipvs vm suite: exit ${code} after ${Math.round((Date.now() - started) / 1000)} s\n`);
    assert.equal(code, 0, `guest tests failed (exit ${code}); see the output above`);
    // spec reporter summary lines ("ℹ pass 16"), or TAP ("# pass 16").
    assert.ok(/(#|ℹ) pass [1-9]/.test(tail), 'the guest really ran tests');
    assert.ok(/(#|ℹ) fail 0/.test(tail), 'no guest test failed');
  });
});
