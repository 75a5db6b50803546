/**
 * bench/conf-lint: `hactl conf lint` against `keepalived -t` on one generated
 * config of 10,000 virtual_server x 4 real_server and 1,000 vrrp_instance, in
 * one run.
 *
 *   node dist/bench/conf-lint.js [--runs N] [--vs N] [--rs N] [--vi N] [--json] [--keep FILE]
 *
 * keepalived -t runs inside a throw-away network namespace that has the
 * interfaces the config names (eth0-eth4), as root; its time is reported both
 * raw and net of the namespace-entry cost (`ip netns exec ... unshare ... true`,
 * measured the same way). Without root or keepalived only hactl is timed.
 * The two tools are interleaved (1 warm-up round). Target (issue 2): hactl faster than keepalived.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeBigConfig } from './lib/gen';
import { KtNamespace } from './lib/ktns';
import { haveCommand, run, runNodeMeasured } from './lib/proc';
import { fmtMs, summarize, table } from './lib/stats';

const ROOT = path.resolve(__dirname, '..', '..');
const HACTL = path.join(ROOT, 'bin', 'hactl');

function num(argv: string[], flag: string, dflt: number): number {
  const i = argv.indexOf(flag);
  if (i < 0) return dflt;
  const v = Number(argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) {
    process.stderr.write(`bench/conf-lint: ${flag} needs a non-negative integer\n`);
    process.exit(1);
  }
  return v;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const runs = Math.max(1, num(argv, '--runs', 5));
  const vs = num(argv, '--vs', 10_000);
  const rs = num(argv, '--rs', 4);
  const vi = num(argv, '--vi', 1_000);
  const json = argv.includes('--json');
  const keepIdx = argv.indexOf('--keep');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-bench-conf-'));
  const file = path.join(dir, 'keepalived.conf');
  let ns: KtNamespace | undefined;
  try {
    const size = writeBigConfig(file, { virtualServers: vs, realServersPerVs: rs, vrrpInstances: vi });
    if (keepIdx >= 0 && argv[keepIdx + 1]) fs.copyFileSync(file, argv[keepIdx + 1]!);
    const notes: string[] = [];

    let ktReason: string | null = null;
    if (process.getuid?.() !== 0) ktReason = 'not root (keepalived -t needs a network namespace)';
    else if (!haveCommand('keepalived', ['--version'])) ktReason = 'keepalived is not installed';
    else {
      try {
        ns = new KtNamespace(['eth0', 'eth1', 'eth2', 'eth3', 'eth4'], 'bnch');
      } catch (e) {
        ktReason = `cannot create a network namespace: ${(e as Error).message}`;
      }
    }
    if (ktReason) notes.push(`keepalived -t not timed: ${ktReason}`);

    const env = { ...process.env, NO_COLOR: '1' };
    const hactlRun = () => run(process.execPath, [HACTL, 'conf', 'lint', '--format', 'json', 'keepalived.conf'], { cwd: dir, env, timeoutMs: 600_000 });
    const ktRun = () => ns!.exec(dir, 'keepalived', ['-t', '-f', 'keepalived.conf'], { env, timeoutMs: 600_000 });
    const nsTrue = () => ns!.exec(dir, 'true', [], { env, timeoutMs: 60_000 });

    const h: number[] = [];
    const k: number[] = [];
    const o: number[] = [];
    let hLast: Awaited<ReturnType<typeof hactlRun>> | undefined;
    let kLast: Awaited<ReturnType<typeof ktRun>> | undefined;
    for (let round = -1; round < runs; round++) {
      const hr = await hactlRun();
      hLast = hr;
      if (round >= 0) h.push(hr.ms);
      if (ns) {
        const kr = await ktRun();
        kLast = kr;
        const tr = await nsTrue();
        if (round >= 0) {
          k.push(kr.ms);
          o.push(tr.ms);
        }
      }
    }
    const rss = await runNodeMeasured(HACTL, ['conf', 'lint', '--format', 'json', 'keepalived.conf'], { cwd: dir, env, timeoutMs: 600_000 });

    let hactlVerdict = `exit ${hLast?.code}`;
    // The timing only counts when hactl really linted the file: JSON out, exit 0 (clean) or 5 (findings).
    let hactlLinted = hLast?.code === 0 || hLast?.code === 5;
    try {
      const j = JSON.parse(hLast?.stdout ?? '') as { diagnostics: unknown[] };
      hactlVerdict += `, ${j.diagnostics.length} diagnostics`;
    } catch {
      hactlLinted = false;
      hactlVerdict += `, output not JSON: ${(hLast?.stderr ?? '').trim().split('\n')[0]}`;
    }
    if (!hactlLinted) notes.push('hactl did not lint the file (see verdict): the ratio is meaningless');
    const hs = summarize(h);
    const ks = k.length ? summarize(k) : null;
    const os_ = o.length ? summarize(o) : null;
    const ktNet = ks && os_ ? ks.median - os_.median : null;
    const ratio = ks ? hs.median / ks.median : null;
    const ratioNet = ktNet ? hs.median / ktNet : null;
    const ktLines = (kLast ? kLast.stdout + kLast.stderr : '').split('\n').filter((l) => l.trim()).length;
    const result = {
      config: { virtualServers: vs, realServersPerVs: rs, vrrpInstances: vi, bytes: size },
      runs,
      hactl: { ...hs, verdict: hactlVerdict, maxRssMiB: rss.maxRssKiB === null ? null : rss.maxRssKiB / 1024 },
      keepalived: ks ? { ...ks, verdict: `exit ${kLast?.code}, ${ktLines} output lines`, namespaceEntryMedian: os_?.median ?? null, netMedian: ktNet } : null,
      ratio,
      ratioNet,
      targetMet: ratio === null || !hactlLinted ? null : ratio < 1,
      notes,
    };
    if (json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    process.stdout.write(
      `bench/conf-lint: ${vs} virtual_server x ${rs} real_server + ${vi} vrrp_instance (${(size / 1024 / 1024).toFixed(1)} MiB), ${runs} runs each, node ${process.version}\n\n`,
    );
    const rows = [['hactl conf lint --format json', fmtMs(hs.min), fmtMs(hs.median), fmtMs(hs.p90), hactlVerdict]];
    if (ks) rows.push(['keepalived -t (in namespace)', fmtMs(ks.min), fmtMs(ks.median), fmtMs(ks.p90), result.keepalived!.verdict]);
    if (os_) rows.push(['  namespace entry only (true)', fmtMs(os_.min), fmtMs(os_.median), fmtMs(os_.p90), '']);
    process.stdout.write(`${table(['command', 'min', 'median', 'p90', 'verdict'], rows)}\n\n`);
    if (result.hactl.maxRssMiB !== null) process.stdout.write(`hactl peak RSS: ${result.hactl.maxRssMiB.toFixed(0)} MiB\n`);
    if (ratio !== null) {
      process.stdout.write(
        `ratio hactl / keepalived (medians): ${ratio.toFixed(2)}x raw, ${ratioNet?.toFixed(2)}x net of namespace entry; target < 1: ${result.targetMet === null ? 'INVALID' : result.targetMet ? 'met' : 'MISSED'}\n`,
      );
    }
    for (const n of notes) process.stdout.write(`note: ${n}\n`);
  } finally {
    ns?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench/conf-lint: ${(e as Error).message}\n`);
  process.exit(1);
});
