/**
 * Hostile input for `hactl conf lint`: huge files, deep nesting, include
 * cycles, binary data, a directory, an endless device, expansion bombs.
 * Each run is the real CLI in a child process with a hard time limit; its
 * peak RSS is read from process.resourceUsage() inside the child
 * (bench/lib/proc.ts RSS_WRAPPER). Requirements per input: finishes within
 * the bound, the expected exit class, a precise message (names the file, says
 * what is wrong), no stack trace / V8 crash, bounded memory.
 * Big inputs are generated into a temp dir at test time (never committed).
 * No root needed.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { virtualServersForSize, writeBigConfig, writeRepeated } from '../../bench/lib/gen';
import { type MeasuredRun, runNodeMeasured } from '../../bench/lib/proc';
import { HACTL, ROOT } from '../helpers/cli';
import { lintStubReason, parseLintJson } from './conf-differential-lib';

const MB = 1024 * 1024;
/** V8 heap cap for the child so a runaway run dies at ~3 GB instead of eating the CI machine. */
const HEAP_CAP_MB = 3072;

const SKIP = lintStubReason(HACTL, path.join(ROOT, 'test', 'fixtures', 'conf-mutants', 'ok-vrrp-minimal.conf'));

interface Expect {
  /** allowed exit codes */
  exit: number[];
  /** wall-time bound, ms (the child is killed at bound + 5 s) */
  maxMs: number;
  /** peak RSS bound, MiB */
  maxRssMiB: number;
  /** combined output must match (the precise error) */
  message?: RegExp;
  /** output must name this file (basename) */
  namesFile?: string;
}

const STACK_TRACE = /\n\s+at .+:\d+:\d+\)?\n|RangeError|Maximum call stack|FATAL ERROR|JavaScript heap out of memory|Segmentation fault/;

async function lint(args: string[], cwd: string, maxMs: number): Promise<MeasuredRun> {
  return runNodeMeasured(HACTL, ['conf', 'lint', ...args], {
    cwd,
    timeoutMs: maxMs + 5000,
    env: { ...process.env, NO_COLOR: '1' },
    nodeFlags: [`--max-old-space-size=${HEAP_CAP_MB}`],
    maxOutputBytes: 4 * MB,
  });
}

function check(name: string, r: MeasuredRun, e: Expect): void {
  const out = `${r.stdout}\n${r.stderr}`;
  const where = `${name}: exit ${r.code ?? r.signal}, ${r.ms.toFixed(0)} ms, RSS ${r.maxRssKiB === null ? '?' : `${(r.maxRssKiB / 1024).toFixed(0)} MiB`}`;
  console.log(`# hostile ${where}`);
  assert.ok(!r.timedOut, `${where}: did not finish within ${e.maxMs} ms`);
  assert.ok(r.ms <= e.maxMs, `${where}: took longer than ${e.maxMs} ms`);
  assert.doesNotMatch(out, STACK_TRACE, `${where}: crash or stack trace in output:\n${out.slice(0, 2000)}`);
  assert.ok(r.code !== null && e.exit.includes(r.code), `${where}: expected exit ${e.exit.join('|')}; output:\n${out.slice(0, 1500)}`);
  assert.ok(r.maxRssKiB !== null, `${where}: peak RSS not reported (child crashed?)`);
  assert.ok(r.maxRssKiB / 1024 <= e.maxRssMiB, `${where}: peak RSS above ${e.maxRssMiB} MiB`);
  if (e.message) assert.match(out, e.message, `${where}: message not precise enough:\n${out.slice(0, 1500)}`);
  if (e.namesFile) assert.ok(out.includes(e.namesFile), `${where}: output does not name ${e.namesFile}:\n${out.slice(0, 1500)}`);
}

describe('conf lint on hostile input', { skip: SKIP ?? false }, () => {
  let dir = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-hostile-'));
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  const file = (name: string, content: string | Buffer) => {
    const p = path.join(dir, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
    return p;
  };

  it('50 MB of real configuration (virtual servers) is linted clean in bounded time and memory', { timeout: 200_000 }, async () => {
    const n = virtualServersForSize(50 * MB);
    const size = writeBigConfig(path.join(dir, 'big50.conf'), { virtualServers: n, realServersPerVs: 4, vrrpInstances: 0 });
    assert.ok(size >= 50 * MB, `generated only ${size} bytes`);
    const r = await lint(['--format', 'json', 'big50.conf'], dir, 120_000);
    check('50 MB config', r, { exit: [0], maxMs: 120_000, maxRssMiB: 2048 });
    const j = parseLintJson(r.stdout);
    assert.equal(typeof j, 'object', `JSON output: ${String(j)}`);
  });

  it('one 50 MB line gives a precise error, not a hang', { timeout: 120_000 }, async () => {
    writeRepeated(path.join(dir, 'line50.conf'), 'x', 50 * MB);
    const r = await lint(['line50.conf'], dir, 60_000);
    check('50 MB single line', r, { exit: [4, 5], maxMs: 60_000, maxRssMiB: 1024, namesFile: 'line50.conf' });
    assert.ok(r.stdout.length + r.stderr.length < 64 * 1024, `output of ${r.stdout.length + r.stderr.length} bytes echoes the line`);
  });

  it('50 MB of comments before a small config is linted clean', { timeout: 120_000 }, async () => {
    const p = path.join(dir, 'comments50.conf');
    writeRepeated(p, '# a comment line that says nothing in particular ..........\n', 50 * MB);
    fs.appendFileSync(
      p,
      'vrrp_instance VI_1 {\n    state BACKUP\n    interface eth0\n    virtual_router_id 51\n    priority 100\n    virtual_ipaddress {\n        192.0.2.10/24\n    }\n}\n',
    );
    const r = await lint(['comments50.conf'], dir, 60_000);
    check('50 MB comments', r, { exit: [0], maxMs: 60_000, maxRssMiB: 1024 });
  });

  for (const depth of [10_000, 100_000]) {
    it(`${depth} nested braces: precise error, no stack overflow`, { timeout: 60_000 }, async () => {
      const name = `nest${depth}.conf`;
      file(name, `vrrp_instance VI_1 {\n${'    virtual_ipaddress {\n'.repeat(depth)}${'}\n'.repeat(depth + 1)}`);
      const r = await lint(['--format', 'json', name], dir, 30_000);
      check(`${depth} nested braces`, r, { exit: [4, 5], maxMs: 30_000, maxRssMiB: 1024 });
      const j = parseLintJson(r.stdout);
      assert.ok(typeof j === 'object' && j.diagnostics.length > 0, 'expected diagnostics');
    });
  }

  it('10,000 unclosed braces: precise error about the missing braces', { timeout: 60_000 }, async () => {
    file('open10k.conf', `vrrp_instance VI_1 {\n${'    garp_group {\n'.repeat(10_000)}`);
    const r = await lint(['open10k.conf'], dir, 30_000);
    check('10,000 unclosed braces', r, { exit: [4, 5], maxMs: 30_000, maxRssMiB: 1024, message: /brace|\}|unclosed|unterminated|end of file/i });
  });

  it('an include cycle (a -> b -> a) is reported as a cycle', { timeout: 60_000 }, async () => {
    file('cyc/a.conf', 'include b.conf\n');
    file('cyc/b.conf', 'include a.conf\n');
    const r = await lint(['cyc/a.conf'], dir, 20_000);
    check('include cycle', r, { exit: [4, 5], maxMs: 20_000, maxRssMiB: 512, message: /cycl|recurs|loop/i, namesFile: 'b.conf' });
  });

  it('a file including itself is reported as a cycle', { timeout: 60_000 }, async () => {
    file('self/self.conf', 'include self.conf\n');
    const r = await lint(['self/self.conf'], dir, 20_000);
    check('self include', r, { exit: [4, 5], maxMs: 20_000, maxRssMiB: 512, message: /cycl|recurs|loop/i, namesFile: 'self.conf' });
  });

  it('a glob include matching its own file is reported as a cycle', { timeout: 60_000 }, async () => {
    file('glob/main.conf', 'include *.conf\n');
    file('glob/other.conf', 'global_defs {\n    router_id X\n}\n');
    const r = await lint(['glob/main.conf'], dir, 20_000);
    check('glob self include', r, { exit: [4, 5], maxMs: 20_000, maxRssMiB: 512, message: /cycl|recurs|loop/i });
  });

  it('random binary data: a precise error, bounded output', { timeout: 60_000 }, async () => {
    // Deterministic pseudo-random bytes (xorshift), 1 MiB, with NULs.
    const b = Buffer.alloc(MB);
    let x = 0x9e3779b9;
    for (let i = 0; i < b.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      b[i] = x & 0xff;
    }
    file('random.bin', b);
    const r = await lint(['random.bin'], dir, 20_000);
    check('binary file', r, { exit: [4, 5], maxMs: 20_000, maxRssMiB: 512, namesFile: 'random.bin', message: /binary|NUL|not a text|invalid|encoding|UTF-8/i });
    assert.ok(r.stdout.length + r.stderr.length < 256 * 1024, `binary input produced ${r.stdout.length + r.stderr.length} bytes of output`);
  });

  it('an executable (ELF) given as config: a precise error', { timeout: 60_000 }, async () => {
    fs.copyFileSync('/bin/true', path.join(dir, 'true.elf'));
    const r = await lint(['true.elf'], dir, 20_000);
    check('ELF file', r, { exit: [4, 5], maxMs: 20_000, maxRssMiB: 512, namesFile: 'true.elf', message: /executable/i });
    assert.ok(r.stdout.length + r.stderr.length < 256 * 1024, 'ELF input produced too much output');
  });

  it('a directory as FILE: a precise error', { timeout: 60_000 }, async () => {
    fs.mkdirSync(path.join(dir, 'adir.conf'));
    const r = await lint(['adir.conf'], dir, 20_000);
    check('directory', r, { exit: [4, 5], maxMs: 20_000, maxRssMiB: 512, namesFile: 'adir.conf', message: /director/i });
  });

  // keepalived 2.2.7 decides by type before reading: "Configuration file 'X' is not a regular
  // non-executable file - skipping" (FIFOs, devices, executables; checked with keepalived -t).
  // hactl used to block forever on a FIFO and read /dev/zero to its size cap.
  it('a FIFO as FILE, or reached by an include: refused by type, never blocks', { timeout: 60_000 }, async () => {
    execFileSync('mkfifo', [path.join(dir, 'cfg.fifo')]);
    const r = await lint(['cfg.fifo'], dir, 20_000);
    check('FIFO', r, { exit: [4], maxMs: 20_000, maxRssMiB: 512, namesFile: 'cfg.fifo', message: /not a regular file \(a FIFO\); keepalived skips it/ });
    fs.writeFileSync(path.join(dir, 'inc-fifo.conf'), 'include cfg.fifo\nglobal_defs {\n  router_id x\n}\n');
    const i = await lint(['inc-fifo.conf'], dir, 20_000);
    check('include of a FIFO', i, { exit: [5], maxMs: 20_000, maxRssMiB: 512, namesFile: 'inc-fifo.conf:1:1', message: /warning: include cfg\.fifo: .*cfg\.fifo is not a regular file \(a FIFO\).*\[not-regular-file\]/ });
  });

  it('/dev/zero as FILE: refused by type (a character device), not read', { timeout: 60_000 }, async () => {
    const r = await lint(['/dev/zero'], dir, 20_000);
    check('/dev/zero', r, { exit: [4], maxMs: 20_000, maxRssMiB: 128, namesFile: '/dev/zero', message: /not a regular file \(a character device\)/ });
  });

  it('an executable config reached by an include is skipped, as keepalived does', { timeout: 60_000 }, async () => {
    fs.writeFileSync(path.join(dir, 'exe.conf'), 'vrrp_instance VI_9 {\n}\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'inc-exe.conf'), 'include exe.conf\nglobal_defs {\n  router_id x\n}\n');
    const r = await lint(['inc-exe.conf'], dir, 20_000);
    check('include of an executable', r, { exit: [5], maxMs: 20_000, maxRssMiB: 512, namesFile: 'inc-exe.conf:1:1', message: /exe\.conf is an executable file; keepalived skips it/ });
    assert.doesNotMatch(r.stdout + r.stderr, /VI_9/, 'the skipped file is not read');
  });

  it('a missing FILE exits 4 (fatal)', { timeout: 60_000 }, async () => {
    const r = await lint(['no-such-file.conf'], dir, 20_000);
    check('missing file', r, { exit: [4], maxMs: 20_000, maxRssMiB: 512, namesFile: 'no-such-file.conf', message: /not found|no such|does not exist|missing/i });
  });

  it('/dev/zero (endless input) is refused or bounded, never a hang', { timeout: 60_000 }, async () => {
    const r = await lint(['/dev/zero'], dir, 20_000);
    check('/dev/zero', r, { exit: [4, 5], maxMs: 20_000, maxRssMiB: 1024, namesFile: '/dev/zero' });
  });

  it('a $VAR expansion bomb (10^9 words) stops with an error in bounded memory', { timeout: 90_000 }, async () => {
    const defs = ['$A0=x x x x x x x x x x'];
    for (let i = 1; i <= 8; i++) defs.push(`$A${i}=${Array(10).fill(`$A${i - 1}`).join(' ')}`);
    file(
      'bomb.conf',
      `${defs.join('\n')}\nvrrp_instance VI_1 {\n    state BACKUP\n    interface eth0\n    virtual_router_id 51\n    priority 100\n    notify $A8\n    virtual_ipaddress {\n        192.0.2.10/24\n    }\n}\n`,
    );
    const r = await lint(['bomb.conf'], dir, 60_000);
    check('$VAR bomb', r, { exit: [4, 5], maxMs: 60_000, maxRssMiB: 1536, namesFile: 'bomb.conf' });
  });

  it('a ~SEQ bomb (10^10 lines) stops with an error instead of hanging like keepalived', { timeout: 90_000 }, async () => {
    file('seqbomb.conf', '$X=garp_master_delay 1\nvrrp_instance VI_1 {\n~SEQ(a,1,100000) ~SEQ(b,1,100000) $X\n}\n');
    const r = await lint(['seqbomb.conf'], dir, 60_000);
    check('~SEQ bomb', r, { exit: [4, 5], maxMs: 60_000, maxRssMiB: 1536, namesFile: 'seqbomb.conf' });
  });
});
