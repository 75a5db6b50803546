/**
 * Corpus acceptance: `hactl conf lint` (offline, config id of the verdict
 * host) against keepalived 2.2.7's recorded verdicts for every file in
 * ../shared/corpus/keepalived-samples, plus: every keepalived message that
 * names a line has a hactl diagnostic on that line. Remaining differences are
 * listed with their reason in KNOWN_DIFFERENCES. Skips (with a printed reason)
 * when ../shared is absent.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { hactl, SHARED } from '../../helpers/cli';

const DIR = path.join(SHARED, 'corpus', 'keepalived-samples');
const SKIP = fs.existsSync(DIR) ? undefined : `${DIR} is absent (shared corpus not mounted)`;
if (SKIP) console.log(`# skipping corpus tests: ${SKIP}`);

/** Files where hactl deliberately differs from keepalived -t, and why. */
const KNOWN_DIFFERENCES: Record<string, { hactlExit: number; reason: string }> = {
  'keepalived.conf.vrrp': {
    hactlExit: 5,
    reason: 'duplicate-vip: 192.168.200.18 is listed twice in VI_1 (once with a label); keepalived accepts it silently, hactl warns',
  },
};

interface Verdict {
  exit: number;
}

function readVerdicts(file: string): Map<string, Verdict> {
  const m = new Map<string, Verdict>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
    if (!line.trim()) continue;
    const [f, code] = line.split('\t');
    m.set(f, { exit: Number(code) });
  }
  return m;
}

/** (line, text) of every keepalived message that names a line. */
function lineRefs(out: string): { line: number; text: string }[] {
  const refs = new Map<number, string>();
  for (const raw of out.split('\n')) {
    const m = /^\((?:.+?: )?Line (\d+)\) ?(.*)$/.exec(raw);
    if (m && !refs.has(Number(m[1]))) refs.set(Number(m[1]), m[2]);
  }
  return [...refs].map(([line, text]) => ({ line, text }));
}

describe('corpus: keepalived-samples verdicts', { skip: SKIP ?? false }, () => {
  if (SKIP) return;
  const verdicts = readVerdicts(path.join(DIR, 'VERDICTS.tsv'));
  const noif = readVerdicts(path.join(DIR, 'VERDICTS-noif.tsv'));
  const files = fs
    .readdirSync(DIR)
    .filter((f) => !f.endsWith('.txt') && !f.endsWith('.tsv'))
    .sort();
  let agree = 0;
  let exact = 0;

  it('has a verdict for every sample', () => {
    assert.ok(files.length >= 27, `only ${files.length} samples`);
    for (const f of files) assert.ok(verdicts.has(f), `no verdict for ${f}`);
  });

  for (const f of files) {
    it(`${f}: same verdict as keepalived -t, every line-numbered message matched`, () => {
      const want = verdicts.get(f)!.exit;
      const r = hactl(['conf', 'lint', '--format', 'json', '--config-id', 'kt-verdict', f], { cwd: DIR });
      const j = JSON.parse(r.stdout) as { diagnostics: { line: number; message: string; rule: string }[]; exitCode: number };
      assert.equal(j.exitCode, r.status, 'JSON exitCode equals the process exit code');
      const known = KNOWN_DIFFERENCES[f];
      const hostDependent = noif.get(f)?.exit !== want;
      if (known) {
        assert.equal(r.status, known.hactlExit, `${f}: known difference changed (${known.reason}); update the table`);
      } else {
        assert.equal(r.status === 0, want === 0, `${f}: keepalived exit ${want}, hactl exit ${r.status}${hostDependent ? ' (host-dependent verdict)' : ''}\n${r.stdout}`);
        if (want === 6) assert.equal(r.status, 6, `${f}: keepalived reports a script-security violation`);
        agree++;
        if (r.status === want) exact++;
      }
      const kt = fs.readFileSync(path.join(DIR, `${f}.keepalived-t.txt`), 'utf8');
      for (const ref of lineRefs(kt)) {
        assert.ok(
          j.diagnostics.some((d) => d.line === ref.line),
          `${f}: keepalived says "(Line ${ref.line}) ${ref.text}" but hactl has no diagnostic on line ${ref.line}`,
        );
      }
    });
  }

  let keepalivedExact = 0;
  for (const f of files) {
    it(`${f}: --keepalived gives keepalived -t's exit code (${verdicts.get(f)?.exit}), extra rules only as notes`, () => {
      const want = verdicts.get(f)!.exit;
      const r = hactl(['conf', 'lint', '--keepalived', '--format', 'json', '--config-id', 'kt-verdict', f], { cwd: DIR });
      const j = JSON.parse(r.stdout) as { diagnostics: { severity: string; rule: string }[]; exitCode: number };
      assert.equal(r.status, want, `${f}: keepalived exit ${want}, hactl --keepalived exit ${r.status}\n${r.stdout}`);
      assert.equal(j.exitCode, r.status);
      if (KNOWN_DIFFERENCES[f]) assert.ok(j.diagnostics.some((d) => d.severity === 'note'), `${f}: the default mode's extra finding is still shown, as a note`);
      keepalivedExact++;
    });
  }

  it('reports the agreement numbers', () => {
    console.log(`# corpus --keepalived: ${keepalivedExact}/${files.length} exit codes equal to keepalived -t's`);
    console.log(`# corpus: ${agree}/${files.length - Object.keys(KNOWN_DIFFERENCES).length} verdicts agree (accept/reject), ${exact} with the exact exit code; ${Object.keys(KNOWN_DIFFERENCES).length} known differences`);
    assert.ok(agree > 0);
  });
});
