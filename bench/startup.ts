/**
 * bench/startup: start-up cost of hactl against a bare `node -e 0`, in one run.
 *
 *   node dist/bench/startup.js [--runs N] [--json] [--check] [--baseline OTHER/bin/hactl]
 *
 * Commands are interleaved round-robin (so machine noise hits all of them
 * alike), after 3 warm-up rounds. Reports min / median / p90 wall time and the
 * ratio of medians against `node -e 0`. Every command of oclif.manifest.json is
 * timed (issue 11): a real run where it needs no root, kernel IPVS or network
 * beyond loopback, else its --help; plus `hactl --help`. Targets: <= 1.2x for
 * every command (issue 11), <= 1.5x for `hactl --version` and `conf lint`
 * (issue 2). --baseline times another build's bin/hactl with the same command
 * lines in the same rounds (before/after in one run).
 * Reference one-shot tools (ipvsadm --version, keepalived --version) are timed
 * too when installed. --check exits 1 when a target is missed.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fmtMs, summarize, table } from './lib/stats';

const ROOT = path.resolve(__dirname, '..', '..');
const HACTL = path.join(ROOT, 'bin', 'hactl');
const EXAMPLE = path.join(ROOT, 'examples', 'keepalived.conf');
const TARGET = 1.5;
const TARGET_CMD = 1.2;

/** A real run per command where one is safe here (exit codes that count as having run); the others time --help. */
const RUNS: Record<string, { args: string[]; ok: number[] }> = {
  'check tcp': { args: ['127.0.0.1:1', '--retry', '0'], ok: [1] },
  'check http': { args: ['127.0.0.1:1', '--retry', '0'], ok: [1] },
  genhash: { args: ['-s', '127.0.0.1', '-p', '1', '-u', '/'], ok: [1] },
  'conf dump': { args: ['examples/keepalived.conf'], ok: [0] },
  'vs list': { args: ['-n'], ok: [0, 2] },
  save: { args: ['-n'], ok: [0, 2] },
  'vrrp status': { args: ['--control-socket', '/nonexistent/hactl.sock'], ok: [1] },
  'arp realserver-status': { args: ['--vip', '192.0.2.1', '--state-dir', '/nonexistent'], ok: [0, 1] },
  completion: { args: ['bash'], ok: [0] },
  help: { args: ['vs', 'list'], ok: [0] },
  ipvsadm: { args: ['-Ln'], ok: [0, 2] },
};

interface Cmd {
  name: string;
  cmd: string;
  args: string[];
  /** ratio target against node -e 0, if any */
  target?: number;
  /** exit codes that count as a successful run */
  okExit: number[];
  /** reference tool: dropped with a note (not fatal) when it cannot run here */
  optional?: boolean;
}

function parseArgs(argv: string[]): { runs: number; json: boolean; check: boolean; baseline?: string } {
  let runs = 40;
  const i = argv.indexOf('--runs');
  if (i >= 0) runs = Number(argv[i + 1]);
  if (!Number.isInteger(runs) || runs < 1) {
    process.stderr.write('bench/startup: --runs needs a positive integer\n');
    process.exit(1);
  }
  const b = argv.indexOf('--baseline');
  return { runs, json: argv.includes('--json'), check: argv.includes('--check'), baseline: b >= 0 ? path.resolve(argv[b + 1]) : undefined };
}

function available(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
  return !r.error;
}

function timeOnce(c: Cmd): { ms: number; status: number | null; stderr: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(c.cmd, c.args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, encoding: 'utf8', timeout: 30_000 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, status: r.status, stderr: r.stderr ?? '' };
}

function main(): void {
  const { runs, json, check, baseline } = parseArgs(process.argv.slice(2));
  const node = process.execPath;
  const cmds: Cmd[] = [
    { name: 'node -e 0', cmd: node, args: ['-e', '0'], okExit: [0] },
    { name: 'hactl --version', cmd: node, args: [HACTL, '--version'], target: TARGET, okExit: [0] },
  ];
  const notes: string[] = [];
  if (fs.existsSync(EXAMPLE)) {
    // 0 clean, 5 warnings: either way the lint ran to the end.
    cmds.push({ name: 'hactl conf lint examples/keepalived.conf', cmd: node, args: [HACTL, 'conf', 'lint', EXAMPLE], target: TARGET, okExit: [0, 5] });
  } else {
    notes.push(`skipped hactl conf lint: ${path.relative(ROOT, EXAMPLE)} does not exist`);
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, unknown> };
  const every: { words: string; args: string[]; ok: number[] }[] = [{ words: '--help', args: ['--help'], ok: [0] }];
  for (const id of Object.keys(manifest.commands).sort()) {
    const w = id.replace(/:/g, ' ');
    if (w === 'conf lint') continue; // timed above on the example
    const run = RUNS[w];
    every.push(run ? { words: `${w} ${run.args.join(' ')}`, args: [...w.split(' '), ...run.args], ok: run.ok } : { words: `${w} --help`, args: [...w.split(' '), '--help'], ok: [0] });
  }
  for (const e of every) cmds.push({ name: `hactl ${e.words}`, cmd: node, args: [HACTL, ...e.args], target: TARGET_CMD, okExit: e.ok });
  if (baseline) {
    for (const c of [...cmds]) {
      if (c.args[0] !== HACTL) continue;
      cmds.push({ name: `${c.name} (baseline)`, cmd: node, args: [baseline, ...c.args.slice(1)], okExit: [...c.okExit, 0, 1, 2], optional: true });
    }
  }
  if (available('ipvsadm', ['--version'])) cmds.push({ name: 'ipvsadm --version (reference)', cmd: 'ipvsadm', args: ['--version'], okExit: [0], optional: true });
  if (available('keepalived', ['--version'])) cmds.push({ name: 'keepalived --version (reference)', cmd: 'keepalived', args: ['--version'], okExit: [0], optional: true });

  // Sanity: every command must run successfully once before timing.
  for (const c of [...cmds]) {
    const r = timeOnce(c);
    if (r.status === null || !c.okExit.includes(r.status)) {
      const why = `\`${c.name}\` exited ${r.status}: ${r.stderr.trim().split('\n')[0] ?? ''}`;
      if (c.optional) {
        notes.push(`skipped ${why}`);
        cmds.splice(cmds.indexOf(c), 1);
        continue;
      }
      process.stderr.write(`bench/startup: \`${c.name}\` exited ${r.status}: ${r.stderr.trim().split('\n')[0] ?? ''}\n`);
      process.exit(1);
    }
  }
  const samples = new Map<string, number[]>(cmds.map((c) => [c.name, []]));
  for (let round = -3; round < runs; round++) {
    for (const c of cmds) {
      const { ms } = timeOnce(c);
      if (round >= 0) samples.get(c.name)!.push(ms);
    }
  }
  const base = summarize(samples.get('node -e 0')!);
  const results = cmds.map((c) => {
    const s = summarize(samples.get(c.name)!);
    const ratio = s.median / base.median;
    // min/min is less sensitive to load from other processes; the target is on medians.
    const ratioMin = s.min / base.min;
    return { name: c.name, ...s, ratio, ratioMin, target: c.target ?? null, met: c.target === undefined ? null : ratio <= c.target };
  });
  if (json) {
    process.stdout.write(`${JSON.stringify({ runs, node: process.version, results, notes }, null, 2)}\n`);
  } else {
    process.stdout.write(`bench/startup: ${runs} runs each (interleaved, 3 warm-up rounds), node ${process.version}\n\n`);
    process.stdout.write(
      `${table(
        ['command', 'min', 'median', 'p90', 'ratio (median / node -e 0)', 'ratio (min)', 'target'],
        results.map((r) => [
          r.name,
          fmtMs(r.min),
          fmtMs(r.median),
          fmtMs(r.p90),
          `${r.ratio.toFixed(2)}x`,
          `${r.ratioMin.toFixed(2)}x`,
          r.target === null ? '' : `<= ${r.target}x ${r.met ? 'met' : 'MISSED'}`,
        ]),
      )}\n`,
    );
    for (const n of notes) process.stdout.write(`note: ${n}\n`);
  }
  if (check && results.some((r) => r.met === false)) process.exit(1);
}

main();
