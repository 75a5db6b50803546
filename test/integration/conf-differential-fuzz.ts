/**
 * Differential fuzzing tool (not a test; run by hand, as root):
 *
 *   node dist/test/integration/conf-differential-fuzz.js [--seed N] [--n 300] [--keep DIR]
 *
 * Applies one random, seeded mutation (delete / duplicate a line, replace a
 * number with a boundary value, drop a character, drop the last word, add a
 * word, change a digit) to a clean config (the ok-* mutants and a few corpus
 * samples), then runs `keepalived -t` and `hactl conf lint --format json --host`
 * in the kt-verdict namespace (bench/lib/ktns.ts) and prints every verdict
 * disagreement that is not one of hactl's deliberate "beyond keepalived" rules.
 * Promising cases become hand-written mutants in test/fixtures/conf-mutants
 * (with recorded verdicts), where the differential test judges them for good.
 * Exit 0 always (it reports); 2 on bad usage or when it cannot run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, SHARED } from '../helpers/cli';
import { compareVerdicts } from './conf-verdict-runner';

const MUTANTS = path.join(ROOT, 'test', 'fixtures', 'conf-mutants');
const SAMPLES = path.join(SHARED, 'corpus', 'keepalived-samples');
const SAMPLE_SEEDS = [
  'keepalived.conf.vrrp',
  'keepalived.conf.sample',
  'keepalived.conf.HTTP_GET.port',
  'keepalived.conf.virtual_server_group',
  'keepalived.conf.IPv6',
  'keepalived.conf.SMTP_CHECK',
  'keepalived.conf.UDP_CHECK',
  'keepalived.conf.inhibit',
];
const NUMBERS = ['0', '-1', '256', '65536', '4294967296', '1.5', '0x10', '+5', '99999999999999999999', ''];

/** xorshift32: the same seed gives the same cases on every machine. */
function rng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

interface Mutation {
  text: string;
  line: number;
  what: string;
}

function mutate(text: string, rnd: (n: number) => number): Mutation {
  const lines = text.split('\n');
  const idx = lines.map((_, i) => i).filter((i) => /^\s*[^\s#!]/.test(lines[i]!));
  if (idx.length === 0) return { text, line: 0, what: 'none' };
  const i = idx[rnd(idx.length)]!;
  const indent = /^\s*/.exec(lines[i]!)![0];
  const toks = lines[i]!.trim().split(/\s+/);
  const set = (t: string[]) => {
    lines[i] = indent + t.join(' ');
  };
  let what: string;
  switch (rnd(7)) {
    case 0:
      lines.splice(i, 1);
      what = 'delete line';
      break;
    case 1:
      lines.splice(i, 0, lines[i]!);
      what = 'duplicate line';
      break;
    case 2:
      if (toks.length > 1) toks[1 + rnd(toks.length - 1)] = NUMBERS[rnd(NUMBERS.length)]!;
      set(toks);
      what = 'boundary number';
      break;
    case 3: {
      const k = rnd(toks.length);
      const t = toks[k]!;
      if (t.length > 3) {
        const p = 1 + rnd(t.length - 2);
        toks[k] = t.slice(0, p) + t.slice(p + 1);
      }
      set(toks);
      what = 'drop a character';
      break;
    }
    case 4:
      if (toks.length > 1) toks.pop();
      set(toks);
      what = 'drop last word';
      break;
    case 5:
      lines[i] = `${lines[i]} extra`;
      what = 'extra word';
      break;
    default: {
      const k = rnd(toks.length);
      toks[k] = toks[k]!.replace(/\d/, (d) => String((Number(d) + 1 + rnd(8)) % 10));
      set(toks);
      what = 'change a digit';
    }
  }
  return { text: lines.join('\n'), line: i + 1, what };
}

function arg(argv: string[], flag: string, dflt: number): number {
  const i = argv.indexOf(flag);
  if (i < 0) return dflt;
  const v = Number(argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) {
    process.stderr.write(`conf-differential-fuzz: ${flag} needs a positive integer\n`);
    process.exit(2);
  }
  return v;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const seed = arg(argv, '--seed', 12345);
  const n = arg(argv, '--n', 300);
  const keepIdx = argv.indexOf('--keep');
  if (process.getuid?.() !== 0) {
    process.stderr.write('conf-differential-fuzz: needs root (network namespace for keepalived -t)\n');
    process.exit(2);
  }
  const seeds = [
    ...fs
      .readdirSync(MUTANTS)
      .filter((f) => f.startsWith('ok-') && f.endsWith('.conf') && !f.includes('include'))
      .map((f) => path.join(MUTANTS, f)),
    ...SAMPLE_SEEDS.map((f) => path.join(SAMPLES, f)).filter((f) => fs.existsSync(f)),
  ];
  const rnd = rng(seed);
  const dir = keepIdx >= 0 && argv[keepIdx + 1] ? path.resolve(argv[keepIdx + 1]!) : fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-fuzz-'));
  fs.mkdirSync(dir, { recursive: true });
  const cases = Array.from({ length: n }, (_, k) => {
    const from = seeds[rnd(seeds.length)]!;
    const m = mutate(fs.readFileSync(from, 'utf8'), rnd);
    const file = `fuzz-${seed}-${String(k).padStart(4, '0')}.conf`;
    fs.writeFileSync(path.join(dir, file), m.text);
    return { file, from: path.basename(from), ...m };
  });
  try {
    const r = await compareVerdicts(dir, cases, 'fuzz', (c) => `${c.file} (${c.from} line ${c.line}: ${c.what})`);
    for (const d of r.differ) process.stdout.write(d.text);
    process.stdout.write(
      `\nseed ${seed}: ${n} cases, verdict agrees on ${r.agree}, ${r.beyond} more are hactl's deliberate stricter rules, ${n - r.agree - r.beyond} to look at` +
        (keepIdx >= 0 ? ` (cases kept in ${dir})` : '') +
        '\n',
    );
  } finally {
    if (keepIdx < 0) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`conf-differential-fuzz: ${(e as Error).message}\n`);
  process.exit(2);
});
