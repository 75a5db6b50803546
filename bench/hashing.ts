/**
 * bench/hashing: consistent hashing on the real kernel (issue 14), for the README's figures.
 *
 *   node dist/bench/hashing.js [--flows 1000] [--servers 5,10] [--json]
 *
 * On a host without IPVS it boots ../shared/ipvs-vm once (--copy) and re-runs itself inside with
 * --guest. There, per M in --servers: two directors (network namespaces, each its own IPVS table)
 * with the same virtual servers, --flows TCP flows (distinct source address/port pairs, fixed
 * PRNG) sent by a local process in each; the real server of each flow read from
 * /proc/net/ip_vs_conn (test/vm/guest/hashing-lab.ts). Reported per scheduler (mh with mh-port, sh
 * with sh-port, wlc): the fraction of flows whose real server differs between the two directors
 * (same table; same real servers added in the reverse order), and the fraction remapped when one of
 * the M real servers leaves, against the 1/M ideal. Not a timing: the figures do not depend on the
 * emulated CPU. test/vm/guest/lvs-hashing.test.ts asserts the same with 300 flows.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatFigures, measureHashing } from '../test/vm/guest/hashing-lab';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const ROOT = path.resolve(__dirname, '..', '..');

function guest(): void {
  const flows = Number(opt('--flows', '1000'));
  const out: Record<string, unknown>[] = [];
  for (const m of opt('--servers', '5,10').split(',').map(Number)) {
    const rows = measureHashing(flows, m);
    if (argv.includes('--json')) out.push({ servers: m, rows });
    else process.stdout.write(`\nM = ${m} real servers, ${flows} flows:\n\n${formatFigures(rows, m)}`);
  }
  if (argv.includes('--json')) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

function host(): void {
  const harness = path.resolve(ROOT, '..', 'shared', 'ipvs-vm', 'run-in-vm.sh');
  if (!fs.existsSync(harness)) {
    process.stdout.write(`bench/hashing: cannot run: ${harness} not found (needs a kernel with IPVS)\n`);
    return;
  }
  const r = spawnSync(harness, ['--copy', '-C', ROOT, '-t', '1500', '--', 'node', 'dist/bench/hashing.js', '--guest', ...argv], { stdio: 'inherit' });
  process.exitCode = r.status ?? 1;
}

if (argv.includes('--guest') || fs.existsSync('/proc/net/ip_vs')) {
  try {
    guest();
  } catch (e) {
    process.stderr.write(`bench/hashing: ${e instanceof Error ? e.message : e}\n`);
    process.exitCode = 1;
  }
} else host();
