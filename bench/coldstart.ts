/**
 * bench/coldstart: how long a restarted director takes to speak VRRP, hactl against keepalived
 * 2.2.7 in one run (issue 16, "the daemon's cold start", the host part: VRRP only).
 *
 *   sudo node dist/bench/coldstart.js [--runs N] [--json] [--baseline OTHER/bin/hactl]
 *
 * One node alone on a namespace bridge, a client capturing with tcpdump (the VRRP lab of the
 * integration tests). For each run, keepalived (`-P`, its VRRP process only) and `hactl vrrp run`
 * (a config with no virtual_server: no LVS half) are started alternately on the same config,
 * the daemon's process spawned at t0 (wall clock, as tcpdump's timestamps):
 * - `state MASTER`, priority 150, advert_int 1: t(first advert on the wire) - t0. keepalived
 *   and hactl both go MASTER at once for this config, so this is the start-up cost itself.
 * - `state BACKUP`, priority 100, advert_int 1, no peer: t(first advert) - t0, i.e. start-up +
 *   Master_Down_Interval (3.609 s); reported with the interval subtracted.
 * Medians per implementation and the ratio hactl / keepalived (goal: <= 1.5). --baseline also
 * starts another build's bin/hactl in the same rounds (before/after in one run).
 */
import * as path from 'node:path';
import { masterDownIntervalMs } from '../src/lib/vrrp/fsm';
import { keepalivedUnavailable, sleep, VrrpLab, vrrpConf, vrrpLabUnavailable } from '../test/integration/vrrp-lab';
import { median } from './lib/stats';

const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1]) || 5;
const JSON_OUT = args.includes('--json');
const BASELINE = args.includes('--baseline') ? path.resolve(args[args.indexOf('--baseline') + 1]) : undefined;
const out = (s: string) => {
  if (!JSON_OUT) process.stdout.write(s);
};

type Impl = 'keepalived' | 'hactl' | 'baseline';

async function once(l: VrrpLab, impl: Impl, master: boolean): Promise<number> {
  const node = l.nodes[0];
  const cap = l.capture!;
  const conf = vrrpConf({ prio: master ? 150 : 100, version: 3, advert: 1, state: master ? 'MASTER' : 'BACKUP' });
  const t0 = Date.now();
  if (impl === 'hactl') l.startHactl(node, conf);
  else if (impl === 'baseline') l.startHactl(node, conf, { bin: BASELINE });
  else l.startKeepalived(node, conf);
  const deadline = t0 + 15_000;
  let first: number | undefined;
  while (Date.now() < deadline) {
    first = cap.adverts.find((a) => a.src === node.addr && a.prio > 0 && a.t >= t0)?.t;
    if (first !== undefined) break;
    await sleep(20);
  }
  await l.stop(node);
  l.kill(node);
  await sleep(500);
  if (first === undefined) throw new Error(`${impl}: no advert within 15 s of the start`);
  return first - t0;
}

async function main(): Promise<void> {
  const why = vrrpLabUnavailable() ?? keepalivedUnavailable();
  if (why) {
    process.stderr.write(`bench/coldstart: cannot run: ${why}\n`);
    process.exit(2);
  }
  const l = new VrrpLab('bcs', 1);
  const results: Record<string, unknown>[] = [];
  try {
    l.startCapture();
    await sleep(500);
    const mdi = masterDownIntervalMs(3, 100, 100);
    out(`VRRP cold start: spawn -> first advert on the wire, ${RUNS} run(s) each, alternated (ms, median)\n`);
    out(`case                         keepalived      hactl    ratio${BASELINE ? '   baseline    ratio' : ''}\n`);
    for (const master of [true, false]) {
      const t: Record<Impl, number[]> = { keepalived: [], hactl: [], baseline: [] };
      const impls: Impl[] = BASELINE ? ['keepalived', 'hactl', 'baseline'] : ['keepalived', 'hactl'];
      for (let r = 0; r < RUNS; r++) for (const impl of impls) t[impl].push(await once(l, impl, master));
      const sub = master ? 0 : mdi;
      const k = median([...t.keepalived].sort((a, b) => a - b)) - sub;
      const h = median([...t.hactl].sort((a, b) => a - b)) - sub;
      const b = BASELINE ? median([...t.baseline].sort((x, y) => x - y)) - sub : Number.NaN;
      const name = master ? 'state MASTER (start-up)' : `state BACKUP - MDI ${mdi.toFixed(0)}`;
      const base = BASELINE ? `${b.toFixed(1).padStart(11)}${(b / k).toFixed(2).padStart(9)}` : '';
      out(`${name.padEnd(27)}${k.toFixed(1).padStart(12)}${h.toFixed(1).padStart(11)}${(h / k).toFixed(2).padStart(9)}${base}\n`);
      results.push({
        case: master ? 'master' : 'backup',
        subtractedMs: sub,
        keepalivedMs: t.keepalived,
        hactlMs: t.hactl,
        ratio: h / k,
        ...(BASELINE ? { baseline: BASELINE, baselineMs: t.baseline, baselineRatio: b / k } : {}),
      });
    }
  } finally {
    l.cleanup();
  }
  if (JSON_OUT) process.stdout.write(`${JSON.stringify({ results }, null, 2)}\n`);
}

main().catch((e) => {
  process.stderr.write(`bench/coldstart: ${(e as Error).message}\n`);
  process.exit(1);
});
