/**
 * Differential test: the real `keepalived -t` (Debian's 2.2.7) against
 * `hactl conf lint --format json` on the public keepalived samples
 * (../shared/corpus/keepalived-samples) and on the team's mutated configs
 * (test/fixtures/conf-mutants), inside a throw-away network namespace that has
 * the interfaces the configs name and hostname "kt-verdict" (as the recorded
 * VERDICTS.tsv were made by ../shared/corpus/tools/kt-verdicts.sh).
 *
 * Per file it checks:
 *  1. keepalived's live exit code equals the recorded one (VERDICTS.tsv);
 *  2. hactl's JSON output follows the contract and its exitCode field equals the exit status;
 *  3. `hactl conf lint --host` (inside the namespace) gives the same verdict:
 *     accept (0) / parser abort (2) / reject (4, 5) / script-security violation (6);
 *  4. every keepalived message naming a line ("(FILE: Line N)" / "(Line N)") has a
 *     hactl diagnostic on that line, in the default mode (--host) and in --keepalived --host;
 *  5. offline `hactl conf lint` (no --host) gives keepalived's verdict unless keepalived's
 *     output is host-dependent (interfaces, script programs, users);
 *  6. in a second namespace with NO interfaces (only lo), `hactl conf lint --host` gives
 *     keepalived's verdict there too (recorded in VERDICTS-noif.tsv): the --host interface checks.
 * Disagreements fail unless EXPLAINED below gives the reason; an explained verdict difference
 * that disappears fails too (a deliberate "beyond keepalived" rule stopped firing).
 *
 * HACTL_DIFF_REPORT=/path/report.json writes every result for inspection;
 * HACTL_DIFF_FORCE=1 runs even while `hactl conf lint` is a stub; HACTL_DIFF_BIN=script.js
 * judges another build with the same CLI.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KtNamespace } from '../../bench/lib/ktns';
import { type Captured, pool } from '../../bench/lib/proc';
import { HACTL, ROOT, SHARED } from '../helpers/cli';
import { netnsUnavailable } from '../helpers/netns';
import {
  type LintJson,
  type Verdict,
  hactlVerdict,
  hostDependentMessages,
  keepalivedLineRefs,
  keepalivedVerdict,
  lintStubReason,
  listConfigFiles,
  parseLintJson,
  readVerdicts,
  unmatchedRefs,
} from './conf-differential-lib';

const SAMPLES = path.join(SHARED, 'corpus', 'keepalived-samples');
const MUTANTS = path.join(ROOT, 'test', 'fixtures', 'conf-mutants');
const KT_TIMEOUT_MS = 30_000;
const HACTL_TIMEOUT_MS = 60_000;
const PARALLEL = 3;
/** The lint under test: bin/hactl, or HACTL_DIFF_BIN (a node script with the same CLI) to judge another build. */
const LINT_BIN = process.env.HACTL_DIFF_BIN ?? HACTL;

/** Why a disagreement is expected. Keys: "samples/FILE" or "mutants/FILE". */
interface Explanation {
  /** hactl --host verdict differs from keepalived's */
  verdict?: string;
  /** some keepalived line messages have no hactl diagnostic on that line */
  lines?: string;
  /** some keepalived line messages have no diagnostic on that line under --keepalived --host */
  exactLines?: string;
  /** offline hactl verdict differs from keepalived's */
  offline?: string;
  /** in the namespace without interfaces, the hactl --host verdict differs from keepalived's */
  noif?: string;
}

/**
 * hactl is stricter than keepalived -t on purpose (issue 2, "Beyond keepalived"), with and without --host.
 * (Without interfaces keepalived rejects these files too, so no `noif` reason is needed.)
 */
const beyond = (reason: string): Explanation => ({ verdict: reason, offline: reason });

/** hactl --host checks that notify/check programs exist; keepalived -t checks only track scripts. */
const HOST_SCRIPTS = 'with --host hactl checks that notify / MISC_CHECK programs exist (issue 2); keepalived -t checks only vrrp_script programs';

const EXPLAINED: Record<string, Explanation> = {
  // hactl is stricter than keepalived -t on purpose (issue 2, "Beyond keepalived")
  'mutants/empty.conf': beyond('hactl flags an empty config, which keepalived -t wrongly accepts'),
  'mutants/comments-only.conf': beyond('hactl flags a config without any statement (empty config), which keepalived -t accepts'),
  'mutants/dup-priority.conf': beyond('hactl flags a duplicated keyword (priority twice); keepalived silently keeps the last'),
  'mutants/dup-vip.conf': beyond('hactl flags a duplicate VIP; keepalived -t accepts it'),
  'samples/keepalived.conf.vrrp': beyond('hactl flags VIP 192.168.200.18 listed twice in VI_1 (lines 28 and 32, once with a label); keepalived -t accepts it'),
  'mutants/dup-vs.conf': beyond('hactl flags identical virtual_server blocks; keepalived -t accepts them'),
  'mutants/extra-words-priority.conf': beyond("hactl flags extra words after a value ('priority 100 200'); keepalived ignores them"),
  'mutants/extra-words-state.conf': beyond("hactl flags extra words after a value ('state BACKUP now'); keepalived ignores them"),
  'mutants/addr-unicast-peer-prefix.conf': beyond('hactl flags a unicast_peer with a prefix length; keepalived -t accepts it'),
  'mutants/include-dir.conf': beyond('hactl flags an include of a directory; keepalived -t prints "is a directory - skipping" and exits 0'),
  'mutants/include-glob-missing-dir.conf': beyond('hactl flags an include glob in a missing directory; keepalived -t prints "Config files missing" and exits 0'),
  'mutants/include-brace-some-missing.conf': beyond('hactl flags a brace include with a missing alternative; keepalived -t prints "Some config files missing" and exits 0'),
  'mutants/include-missing.conf': beyond('hactl flags a missing include file; keepalived -t only prints "Config files missing" and exits 0'),
  'mutants/include-glob-nomatch.conf': beyond('hactl flags an include glob that matches no file; keepalived -t ignores it silently'),
  'mutants/include-cycle.conf': beyond(
    'hactl reports the include cycle; keepalived -t runs out of file descriptors ("Too many open files") and still exits 0',
  ),
  'mutants/include-self.conf': {
    lines:
      'keepalived follows the self-include until "Too many open files" and so sees VI_1 (line 3) defined again; hactl stops at the cycle and reports it on line 2 (--keepalived also names line 3)',
  },
  'mutants/ref-vsg-undefined.conf': beyond('hactl flags a virtual_server group that is not defined; keepalived -t accepts it silently'),
  'mutants/lex-crlf.conf': beyond('hactl warns about CRLF line endings (issue 2: "CRLF (warn)"); keepalived -t accepts them silently'),
  'mutants/brace-global-defs-word.conf': {
    verdict:
      "both reject, with different codes: after `global_defs 0` (no '{') keepalived reports the missing brace yet still applies enable_script_security from the following lines (exit 5); hactl reads those lines as top level, so the script-security violation stands (exit 6)",
    offline:
      "both reject (keepalived 5, hactl 6): keepalived still applies enable_script_security after `global_defs 0` without '{'; hactl does not",
  },
  'mutants/notify-missing.conf': { verdict: HOST_SCRIPTS },
  'mutants/lex-escaped-quote.conf': { verdict: HOST_SCRIPTS },
  'samples/keepalived.conf.misc_check': { verdict: HOST_SCRIPTS },
  'samples/keepalived.conf.misc_check_arg': { verdict: HOST_SCRIPTS },
  'samples/keepalived.conf.quorum': { verdict: HOST_SCRIPTS },
  'samples/keepalived.conf.vrrp.scripts': { verdict: HOST_SCRIPTS },
  'samples/keepalived.conf.vrrp.sync': { verdict: HOST_SCRIPTS },
  // same problem, different line
  'mutants/lex-long-line.conf': {
    lines:
      "keepalived names the piece it reads after the first 1023 bytes as the next line (3) in its file:line form, and as the line itself (2) in its plain (Line N) form; hactl reports at the file's line (2) and says where keepalived splits it",
    exactLines:
      "keepalived names the piece it reads after the first 1023 bytes as the next line (3) in its file:line form; hactl reports at the file's line (2), also under --keepalived (line 3 of the file is another line)",
  },
};

interface CaseDef {
  id: string;
  dir: string;
  file: string;
  recordedExit: number | undefined;
  recordedNoifExit: number | undefined;
}

function casesIn(tag: string, dir: string): CaseDef[] {
  if (!fs.existsSync(dir)) return [];
  const tsv = path.join(dir, 'VERDICTS.tsv');
  const noifTsv = path.join(dir, 'VERDICTS-noif.tsv');
  const recorded = fs.existsSync(tsv) ? readVerdicts(fs.readFileSync(tsv, 'utf8')) : new Map();
  const recordedNoif = fs.existsSync(noifTsv) ? readVerdicts(fs.readFileSync(noifTsv, 'utf8')) : new Map();
  return listConfigFiles(dir).map((file) => ({
    id: `${tag}/${file}`,
    dir,
    file,
    recordedExit: recorded.get(file)?.exitCode,
    recordedNoifExit: recordedNoif.get(file)?.exitCode,
  }));
}

const CASES = [...casesIn('samples', SAMPLES), ...casesIn('mutants', MUTANTS)];

function skipReason(): string | null {
  const ns = netnsUnavailable();
  if (ns) return ns;
  if (spawnSync('keepalived', ['-v'], { stdio: 'ignore' }).error) return 'keepalived is not installed (apt-get install keepalived)';
  if (spawnSync('unshare', ['--version'], { stdio: 'ignore' }).error) return 'unshare (util-linux) is not installed';
  return lintStubReason(LINT_BIN, path.join(MUTANTS, 'ok-vrrp-minimal.conf'));
}

interface CaseResult {
  def: CaseDef;
  kt: Captured;
  host: Captured;
  offline: Captured;
  ktNoif: Captured;
  hostNoif: Captured;
  /** `--keepalived` runs: --host in each namespace, and offline */
  exactHost: Captured;
  exactOffline: Captured;
  exactHostNoif: Captured;
}

function lintArgs(file: string, host: boolean, exact = false): string[] {
  return [LINT_BIN, 'conf', 'lint', '--format', 'json', ...(host ? ['--host'] : []), ...(exact ? ['--keepalived'] : []), file];
}

/**
 * Run hactl in a namespace; a run that is not a lint verdict (crash, exit 1/3) is retried once so a
 * half-rebuilt dist/ in a shared working tree does not count, while a deterministic crash still shows.
 */
async function lintIn(space: KtNamespace, def: CaseDef, host: boolean, env: NodeJS.ProcessEnv, exact = false): Promise<Captured> {
  const once = () => space.exec(def.dir, process.execPath, lintArgs(def.file, host, exact), { timeoutMs: HACTL_TIMEOUT_MS, env });
  const first = await once();
  return hactlVerdict(first.code) === 'broken' && !first.timedOut && !(exact && first.code === 139) ? once() : first;
}

async function runCase(ns: KtNamespace, noif: KtNamespace, def: CaseDef): Promise<CaseResult> {
  const env = { ...process.env, NO_COLOR: '1' };
  const kt = await ns.exec(def.dir, 'keepalived', ['-t', '-f', def.file], { timeoutMs: KT_TIMEOUT_MS, env });
  const host = await lintIn(ns, def, true, env);
  const offline = await lintIn(ns, def, false, env);
  const ktNoif = await noif.exec(def.dir, 'keepalived', ['-t', '-f', def.file], { timeoutMs: KT_TIMEOUT_MS, env });
  const hostNoif = await lintIn(noif, def, true, env);
  const exactHost = await lintIn(ns, def, true, env, true);
  const exactOffline = await lintIn(ns, def, false, env, true);
  const exactHostNoif = await lintIn(noif, def, true, env, true);
  return { def, kt, host, offline, ktNoif, hostNoif, exactHost, exactOffline, exactHostNoif };
}

function describeRun(c: Captured): string {
  if (c.timedOut) return 'timed out';
  return c.code === null ? `killed by ${c.signal}` : `exit ${c.code}`;
}

interface Judged {
  id: string;
  ktExit: number | null;
  ktVerdict: Verdict;
  hostVerdict: Verdict;
  offlineVerdict: Verdict;
  verdictAgrees: boolean;
  offlineAgrees: boolean;
  offlineWaived: boolean;
  noifAgrees: boolean;
  /** --keepalived: exit code equal to keepalived's (--host, offline unless host-dependent, --host without interfaces) */
  exactHost: boolean;
  exactOffline: boolean;
  exactNoif: boolean;
  lineRefs: number;
  linesMatched: number;
  /** the same under --keepalived --host */
  exactLinesMatched: number;
  problems: string[];
  explainedProblems: string[];
  stale: string[];
}

function judge(r: CaseResult): Judged {
  const { def, kt, host, offline, ktNoif, hostNoif, exactHost, exactOffline, exactHostNoif } = r;
  const ex = EXPLAINED[def.id] ?? {};
  const problems: string[] = [];
  const explainedProblems: string[] = [];
  const stale: string[] = [];
  const note = (kind: keyof Explanation, msg: string) => {
    if (ex[kind]) explainedProblems.push(`${msg} [explained: ${ex[kind]}]`);
    else problems.push(msg);
  };
  const ktOut = kt.stdout + kt.stderr;

  // 1. environment: live keepalived agrees with the recorded verdict
  if (kt.timedOut) problems.push(`keepalived -t timed out after ${KT_TIMEOUT_MS} ms`);
  const ktExit = kt.code ?? (kt.signal === 'SIGSEGV' ? 139 : null);
  if (def.recordedExit !== undefined && ktExit !== def.recordedExit) {
    problems.push(`keepalived -t ${describeRun(kt)} but VERDICTS.tsv records ${def.recordedExit} (environment differs from the recording)`);
  }

  // 2. JSON contract, both modes
  const parsed: Record<'host' | 'offline', LintJson | null> = { host: null, offline: null };
  for (const [mode, c] of [
    ['host', host],
    ['offline', offline],
  ] as const) {
    const j = parseLintJson(c.stdout);
    if (typeof j === 'string') {
      problems.push(`hactl (${mode}) ${describeRun(c)}: ${j}; stderr: ${c.stderr.trim().slice(0, 300)}`);
    } else {
      parsed[mode] = j;
      if (j.exitCode !== c.code) problems.push(`hactl (${mode}) JSON exitCode ${j.exitCode} but the process ${describeRun(c)}`);
    }
  }

  // 3. verdict, --host mode inside the namespace
  const ktV = keepalivedVerdict(ktExit);
  const hostV = hactlVerdict(host.code);
  const offV = hactlVerdict(offline.code);
  const verdictAgrees = ktV === hostV;
  const diagSummary = (j: LintJson | null) =>
    j
      ? j.diagnostics
          .slice(0, 4)
          .map((d) => `${path.basename(d.file)}:${d.line}: ${d.message} [${d.rule}]`)
          .join(' | ') || 'no diagnostics'
      : 'no JSON';
  if (!verdictAgrees) {
    note(
      'verdict',
      `verdict: keepalived ${describeRun(kt)} (${ktV}) but hactl --host ${describeRun(host)} (${hostV}); keepalived says: ${
        ktOut.trim().split('\n')[0] ?? ''
      }; hactl says: ${diagSummary(parsed.host)}`,
    );
  } else if (ex.verdict) stale.push('verdict');

  // 4. every line keepalived names has a diagnostic
  const refs = keepalivedLineRefs(ktOut);
  const missing = parsed.host ? unmatchedRefs(refs, parsed.host.diagnostics) : refs;
  if (missing.length > 0) {
    note(
      'lines',
      `no hactl diagnostic on line(s) keepalived names: ${missing
        .map((m) => `${m.file ?? def.file}:${m.line} "${m.text.slice(0, 120)}"`)
        .join('; ')}; hactl says: ${diagSummary(parsed.host)}`,
    );
  } else if (ex.lines) stale.push('lines');
  // under --keepalived a keepalived message that does not count (keepalived -t prints it and exits 0:
  // missing includes, include cycles) is a hactl note, so notes count here
  const exactParsed = parseLintJson(exactHost.stdout);
  const exactAll = typeof exactParsed === 'string' ? null : (JSON.parse(exactHost.stdout) as LintJson).diagnostics;
  const exactMissing = exactAll ? unmatchedRefs(refs, exactAll) : refs;
  if (exactMissing.length > 0) {
    note(
      'exactLines',
      `--keepalived --host: no diagnostic on line(s) keepalived names: ${exactMissing.map((m) => `${m.file ?? def.file}:${m.line} "${m.text.slice(0, 120)}"`).join('; ')}`,
    );
  } else if (ex.exactLines) stale.push('exactLines');

  // 5. offline mode
  const hostDependent = hostDependentMessages(ktOut);
  const offlineWaived = hostDependent.length > 0;
  const offlineAgrees = offV === ktV;
  if (offV === 'broken') problems.push(`hactl (offline) ${describeRun(offline)}: not a lint verdict`);
  else if (!offlineAgrees && !offlineWaived) {
    note('offline', `offline verdict: keepalived ${ktV} but hactl (no --host) ${describeRun(offline)} (${offV}); hactl says: ${diagSummary(parsed.offline)}`);
  } else if (ex.offline && offlineAgrees) stale.push('offline');

  // 6. no interfaces at all: --host must see the missing interfaces as keepalived does
  const ktNoifExit = ktNoif.code ?? (ktNoif.signal === 'SIGSEGV' ? 139 : null);
  if (def.recordedNoifExit !== undefined && ktNoifExit !== def.recordedNoifExit) {
    problems.push(`keepalived -t without interfaces ${describeRun(ktNoif)} but VERDICTS-noif.tsv records ${def.recordedNoifExit}`);
  }
  const ktNoifV = keepalivedVerdict(ktNoifExit);
  const hostNoifV = hactlVerdict(hostNoif.code);
  const noifAgrees = ktNoifV === hostNoifV;
  if (!noifAgrees) {
    const reason = ex.noif ?? (ex.verdict && ktNoifV === ktV && hostNoifV === hostV ? ex.verdict : undefined);
    const msg = `without interfaces: keepalived ${describeRun(ktNoif)} (${ktNoifV}) but hactl --host ${describeRun(hostNoif)} (${hostNoifV}); keepalived says: ${
      (ktNoif.stdout + ktNoif.stderr).trim().split('\n')[0] ?? ''
    }; hactl says: ${diagSummary(typeof parseLintJson(hostNoif.stdout) === 'string' ? null : (parseLintJson(hostNoif.stdout) as LintJson))}`;
    if (reason) explainedProblems.push(`${msg} [explained: ${reason}]`);
    else problems.push(msg);
  } else if (ex.noif) stale.push('noif');

  // 7. --keepalived: keepalived's exit code itself, with no explanation allowed
  const exact = {
    host: exactHost.code === ktExit,
    offline: exactOffline.code === ktExit || offlineWaived,
    noif: exactHostNoif.code === ktNoifExit,
  };
  const exactJson = parseLintJson(exactHost.stdout);
  if (typeof exactJson === 'string') problems.push(`hactl --keepalived --host ${describeRun(exactHost)}: ${exactJson}`);
  if (!exact.host) problems.push(`--keepalived --host: keepalived ${describeRun(kt)} but hactl ${describeRun(exactHost)}; hactl says: ${diagSummary(typeof exactJson === 'string' ? null : exactJson)}`);
  if (!exact.offline) problems.push(`--keepalived (offline): keepalived ${describeRun(kt)} but hactl ${describeRun(exactOffline)}`);
  if (!exact.noif) problems.push(`--keepalived --host without interfaces: keepalived ${describeRun(ktNoif)} but hactl ${describeRun(exactHostNoif)}`);

  // An explained verdict difference that no longer happens means a deliberate hactl rule
  // (stricter than keepalived, or a --host check) stopped firing: fail, so the regression is seen.
  // A stale `lines` explanation (hactl now also reports keepalived's line) is only noted.
  for (const kind of stale.filter((k) => k !== 'lines' && k !== 'exactLines')) {
    problems.push(
      `explained ${kind} difference no longer happens (hactl now agrees with keepalived): the rule behind "${ex[kind as keyof Explanation]}" may have regressed; if the change is intended, remove the EXPLAINED entry`,
    );
  }

  return {
    id: def.id,
    ktExit,
    ktVerdict: ktV,
    hostVerdict: hostV,
    offlineVerdict: offV,
    verdictAgrees,
    offlineAgrees,
    offlineWaived,
    noifAgrees,
    exactHost: exact.host,
    exactOffline: exact.offline,
    exactNoif: exact.noif,
    lineRefs: refs.length,
    linesMatched: refs.length - missing.length,
    exactLinesMatched: refs.length - exactMissing.length,
    problems,
    explainedProblems,
    stale,
  };
}

const SKIP = skipReason();

describe('conf differential: keepalived -t vs hactl conf lint', { skip: SKIP ?? false }, () => {
  let ns: KtNamespace | undefined;
  let nsNoif: KtNamespace | undefined;
  const judged = new Map<string, Judged>();
  let raw: CaseResult[] = [];

  before(
    async () => {
      ns = new KtNamespace();
      nsNoif = new KtNamespace([], 'noif');
      const space = ns;
      const bare = nsNoif;
      raw = await pool(CASES, PARALLEL, (def) => runCase(space, bare, def));
      for (const r of raw) judged.set(r.def.id, judge(r));
    },
    { timeout: 12 * 60_000 },
  );

  after(() => {
    ns?.cleanup();
    nsNoif?.cleanup();
    const all = [...judged.values()];
    if (all.length === 0) return;
    const sum = (f: (j: Judged) => boolean) => all.filter(f).length;
    const lines = all.reduce((a, j) => a + j.lineRefs, 0);
    const matched = all.reduce((a, j) => a + j.linesMatched, 0);
    const exactMatched = all.reduce((a, j) => a + j.exactLinesMatched, 0);
    const forSet = (tag: string) => {
      const s = all.filter((j) => j.id.startsWith(`${tag}/`));
      return `${tag}: ${s.length} files, verdict agrees on ${s.filter((j) => j.verdictAgrees).length} (--host), ${
        s.filter((j) => j.offlineAgrees).length
      } (offline), ${s.filter((j) => j.noifAgrees).length} (--host, no interfaces)`;
    };
    console.log(
      [
        `# conf differential summary: ${all.length} files; verdict agrees on ${sum((j) => j.verdictAgrees)} with --host, ${sum(
          (j) => j.offlineAgrees,
        )} offline (${sum((j) => !j.offlineAgrees && j.offlineWaived)} more host-dependent, waived)`,
        `#   ${forSet('samples')}`,
        `#   ${forSet('mutants')}`,
        `#   without interfaces (--host): verdict agrees on ${sum((j) => j.noifAgrees)}`,
        `#   --keepalived: exit code equal to keepalived -t's on ${sum((j) => j.exactHost)}/${all.length} (--host), ${sum((j) => j.exactOffline)}/${all.length} (offline, host-dependent waived), ${sum((j) => j.exactNoif)}/${all.length} (--host, no interfaces)`,
        `#   keepalived line messages matched by a hactl diagnostic: ${matched}/${lines} (--host), ${exactMatched}/${lines} (--keepalived --host)`,
        `#   unexplained: ${sum((j) => j.problems.length > 0)} files; explained: ${sum((j) => j.explainedProblems.length > 0)} files`,
        ...all.filter((j) => j.stale.length > 0).map((j) => `#   stale explanation (now agrees): ${j.id} [${j.stale.join(', ')}]`),
      ].join('\n'),
    );
    const report = process.env.HACTL_DIFF_REPORT;
    if (report) {
      fs.writeFileSync(
        report,
        JSON.stringify(
          raw.map((r) => ({ ...judged.get(r.def.id), kt: r.kt, host: r.host, offline: r.offline, ktNoif: r.ktNoif, hostNoif: r.hostNoif })),
          null,
          1,
        ),
      );
    }
  });

  it('has configs to compare (samples and mutants)', (t) => {
    if (fs.existsSync(SAMPLES)) assert.ok(CASES.filter((c) => c.id.startsWith('samples/')).length >= 20, 'expected the 27 corpus samples');
    else t.diagnostic(`corpus not found at ${SAMPLES}: only the mutants are compared`);
    assert.ok(CASES.filter((c) => c.id.startsWith('mutants/')).length >= 60, 'expected at least 60 mutants');
  });

  it('include cycle: whichever include line keepalived fails on (it depends on the descriptors it inherited), hactl names it', async () => {
    const space = ns as KtNamespace;
    const env = { ...process.env, NO_COLOR: '1' };
    const lint = parseLintJson((await space.exec(MUTANTS, process.execPath, lintArgs('include-cycle.conf', false), { timeoutMs: HACTL_TIMEOUT_MS, env })).stdout);
    assert.ok(typeof lint !== 'string', `hactl JSON: ${lint}`);
    const seen = new Set<string>();
    // 0-3 extra inherited descriptors (dash takes one-digit fds): the failing include alternates every 2
    for (let extra = 0; extra <= 3; extra++) {
      const redirs = Array.from({ length: extra }, (_, i) => `${6 + i}</dev/null`).join(' ');
      const kt = await space.exec(MUTANTS, 'sh', ['-c', `${redirs ? `exec ${redirs}; ` : ''}exec keepalived -t -f include-cycle.conf`], {
        timeoutMs: KT_TIMEOUT_MS,
        env,
      });
      assert.equal(kt.code, 0, `keepalived -t with ${extra} extra descriptors: ${describeRun(kt)} ${kt.stderr}`);
      const refs = keepalivedLineRefs(kt.stdout + kt.stderr);
      assert.ok(refs.length > 0, `keepalived named no line with ${extra} extra descriptors: ${kt.stderr}`);
      const missing = unmatchedRefs(refs, lint.diagnostics);
      assert.deepEqual(missing, [], `with ${extra} extra descriptors keepalived names a line hactl does not: ${kt.stderr.trim()}`);
      seen.add(refs.map((r) => `${path.basename(r.file ?? '')}:${r.line}`).join(','));
    }
    assert.ok(seen.size >= 2, `expected keepalived to fail on both include lines across the runs, saw only ${[...seen].join(' / ')}`);
  });

  for (const def of CASES) {
    it(def.id, () => {
      const j = judged.get(def.id);
      assert.ok(j, `no result for ${def.id} (the batch run failed)`);
      if (j.problems.length > 0) assert.fail(`${def.id}:\n  - ${j.problems.join('\n  - ')}`);
    });
  }
});

describe('conf differential helpers (pure)', () => {
  it('reads line references from keepalived -t output, de-duplicated', () => {
    const out = [
      '(Line 15) number \'0\' outside range [0.000001, 4294.967295]',
      "(a.conf: Line 15) number '0' outside range",
      '(a.conf: Line 4) Unknown keyword \'VI_2\'',
      '(a.conf: Line 4) Unknown keyword \'VI_2\'',
      '(_inc/b.inc: Line 1) Configuration file open problem',
      '(Line 9) Extra \'}\' found',
      'SECURITY VIOLATION - scripts are being executed but script_security not enabled.',
    ].join('\n');
    assert.deepEqual(
      keepalivedLineRefs(out).map((r) => `${r.file}:${r.line}`),
      ['a.conf:15', 'a.conf:4', '_inc/b.inc:1', 'null:9'],
    );
  });

  it('classifies exit codes', () => {
    assert.deepEqual([0, 2, 4, 5, 6, 139, null].map(keepalivedVerdict), ['accept', 'abort', 'reject', 'reject', 'security', 'reject', 'reject']);
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, null].map(hactlVerdict), ['accept', 'broken', 'abort', 'broken', 'reject', 'reject', 'security', 'broken']);
  });

  it('matches diagnostics by line and file name', () => {
    const d = (file: string, line: number) => ({ file, line, col: 1, severity: 'error' as const, message: 'm', rule: 'r' });
    const refs = [
      { file: 'a.conf', line: 3, text: '' },
      { file: '_inc/b.inc', line: 1, text: '' },
      { file: null, line: 7, text: '' },
    ];
    assert.deepEqual(
      unmatchedRefs(refs, [d('/x/a.conf', 3), d('/x/a.conf', 1), d('/x/c.conf', 7)]).map((r) => r.line),
      [1],
    );
  });

  it('rejects lint output that breaks the JSON contract', () => {
    assert.equal(typeof parseLintJson('not json'), 'string');
    assert.equal(typeof parseLintJson('{"files":[],"diagnostics":[{"file":"a","line":"1"}],"exitCode":5}'), 'string');
    const ok = parseLintJson('{"files":["a"],"diagnostics":[{"file":"a","line":1,"col":2,"severity":"error","message":"m","rule":"r"}],"exitCode":5}');
    assert.equal(typeof ok, 'object');
  });

  it('knows host-dependent keepalived messages', () => {
    assert.equal(hostDependentMessages('WARNING - interface eth99 for vrrp_instance VI_1 doesn\'t exist').length, 1);
    assert.equal(hostDependentMessages('Virtual router VI_9 specified in sync group VG_1 doesn\'t exist - ignoring').length, 0);
  });

  it('every explanation names an existing config', () => {
    const ids = new Set(CASES.map((c) => c.id));
    for (const id of Object.keys(EXPLAINED)) assert.ok(ids.has(id) || !fs.existsSync(SAMPLES), `EXPLAINED names unknown config ${id}`);
  });
});
