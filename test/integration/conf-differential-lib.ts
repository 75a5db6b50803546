/**
 * Pure helpers of the keepalived-vs-hactl differential test: reading
 * keepalived -t output, classifying verdicts, matching line-numbered messages
 * against hactl diagnostics. No I/O except listConfigFiles/readVerdicts.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** abort: keepalived's parser abort (exit 2: a keyword without its value, nothing after it checked). */
export type Verdict = 'accept' | 'reject' | 'security' | 'abort' | 'broken';

/** keepalived -t: 0 accept, 6 script-security violation, 2 parser abort, anything else (incl. crash/timeout) reject. */
export function keepalivedVerdict(code: number | null): Verdict {
  if (code === 0) return 'accept';
  if (code === 6) return 'security';
  if (code === 2) return 'abort';
  return 'reject';
}

/** hactl conf lint: 0 accept, 6 security, 2 parser abort, 4/5 reject, anything else (usage, crash, stub) is broken. */
export function hactlVerdict(code: number | null): Verdict {
  if (code === 0) return 'accept';
  if (code === 6) return 'security';
  if (code === 2) return 'abort';
  if (code === 4 || code === 5) return 'reject';
  return 'broken';
}

export interface KtLineRef {
  /** file named in the prefix, null for the parent's `(Line N)` form */
  file: string | null;
  line: number;
  text: string;
}

const LINE_PREFIX = /^\((?:(.+?): )?Line (\d+)\) ?(.*)$/;

/** Every distinct (file, line) named by a keepalived -t message, in order of appearance. */
export function keepalivedLineRefs(output: string): KtLineRef[] {
  const seen = new Set<string>();
  const refs: KtLineRef[] = [];
  for (const raw of output.split('\n')) {
    const m = LINE_PREFIX.exec(raw.replace(/\r$/, ''));
    if (!m) continue;
    const file = m[1] ?? null;
    const line = Number(m[2]);
    const key = `${file === null ? '' : path.basename(file)}\0${line}`;
    if (seen.has(key)) continue;
    seen.add(key);
    refs.push({ file, line, text: m[3]!.trim() });
  }
  // The parent's "(Line N)" and a subsystem's "(FILE: Line N)" for the same problem are one ref.
  return refs.filter((r) => r.file !== null || !refs.some((o) => o.file !== null && o.line === r.line));
}

export interface LintDiagnostic {
  file: string;
  line: number;
  col: number;
  severity: 'error' | 'warning';
  message: string;
  rule: string;
}

export interface LintJson {
  files: string[];
  diagnostics: LintDiagnostic[];
  exitCode: number;
}

/** Parse `hactl conf lint --format json` output; returns an error string when it breaks the contract. */
export function parseLintJson(stdout: string): LintJson | string {
  let v: unknown;
  try {
    v = JSON.parse(stdout);
  } catch (e) {
    return `stdout is not JSON (${(e as Error).message}): ${JSON.stringify(stdout.slice(0, 200))}`;
  }
  if (!v || typeof v !== 'object') return 'JSON is not an object';
  const o = v as Record<string, unknown>;
  if (!Array.isArray(o.files)) return 'JSON lacks files[]';
  if (!Array.isArray(o.diagnostics)) return 'JSON lacks diagnostics[]';
  if (typeof o.exitCode !== 'number') return 'JSON lacks exitCode';
  for (const d of o.diagnostics as unknown[]) {
    const x = d as Record<string, unknown>;
    if (typeof x.file !== 'string' || typeof x.line !== 'number' || typeof x.col !== 'number') return `bad diagnostic ${JSON.stringify(d)}`;
    if (x.severity !== 'error' && x.severity !== 'warning' && x.severity !== 'note') return `bad severity in ${JSON.stringify(d)}`;
    if (typeof x.message !== 'string' || typeof x.rule !== 'string') return `bad diagnostic ${JSON.stringify(d)}`;
  }
  // notes are hactl's own information (keepalived -t is silent there): they never stand for a keepalived message
  const j = o as unknown as LintJson;
  return { ...j, diagnostics: j.diagnostics.filter((d) => (d.severity as string) !== 'note') };
}

/** keepalived line refs with no hactl diagnostic on the same line (of the same file when keepalived names one). */
export function unmatchedRefs(refs: readonly KtLineRef[], diags: readonly LintDiagnostic[]): KtLineRef[] {
  return refs.filter(
    (r) => !diags.some((d) => d.line === r.line && (r.file === null || path.basename(d.file) === path.basename(r.file))),
  );
}

/**
 * keepalived messages that depend on the machine rather than the file:
 * interfaces, script programs, users. Offline hactl cannot know these.
 */
const HOST_DEPENDENT = [
  /interface \S+ for vrrp_instance \S+ doesn't exist/,
  /Non-existent interface specified/,
  /tracked interface \S+ doesn't exist/,
  /Unknown interface!/,
  /since not found\/accessible/,
  /SECURITY VIOLATION/,
  /Unable to set default user/,
  /Error setting global script uid\/gid/,
  /Failed to set uid\/gid for misc checker script/,
];

export function hostDependentMessages(output: string): string[] {
  return output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && HOST_DEPENDENT.some((re) => re.test(l)));
}

/** Config files directly inside dir, with the same exclusions as kt-verdicts.sh. */
export function listConfigFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .filter((f) => !/\.keepalived-t.*\.txt$|\.tsv$|\.tmp$|\.md$|\.sh$|^\./.test(f))
    .sort();
}

export interface RecordedVerdict {
  file: string;
  exitCode: number;
  firstMessage: string;
}

/** Read a VERDICTS.tsv written by kt-verdicts.sh. */
export function readVerdicts(tsv: string): Map<string, RecordedVerdict> {
  const m = new Map<string, RecordedVerdict>();
  for (const line of tsv.split('\n').slice(1)) {
    if (!line.trim()) continue;
    const [file, code, , , first] = line.split('\t');
    m.set(file!, { file: file!, exitCode: Number(code), firstMessage: first ?? '' });
  }
  return m;
}

/** Why `hactl conf lint` cannot be judged yet (still the exit-3 stub), or null. HACTL_DIFF_FORCE=1 ignores the stub. */
export function lintStubReason(hactlBin: string, sample: string): string | null {
  const probe = spawnSync(process.execPath, [hactlBin, 'conf', 'lint', '--format', 'json', sample], { encoding: 'utf8', timeout: 60_000 });
  if (probe.status === 3 && /not implemented/i.test(probe.stderr + probe.stdout) && !process.env.HACTL_DIFF_FORCE) {
    return '`hactl conf lint` is still a stub (exit 3)';
  }
  return null;
}
