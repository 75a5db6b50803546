/**
 * docs/lint-rules.md is generated from the lint's own source, so it cannot go stale: every
 * diagnostic the config engine (src/lib/conf) can give is a call with a severity literal and a
 * rule id literal (`push(diags, pos, 'error', msg, 'rule')`, `bu.d(pos, 'warning', msg, 'rule')`,
 * `diag(at, sev, msg, 'rule')`, `{ ..., severity: 'error', message, rule: 'rule' }`). The test reads
 * those call sites with the TypeScript parser, joins them with keepalived-mode.ts (which findings
 * are hactl's extra rules, which crash keepalived) and compares the table with the file.
 * Regenerate: HACTL_WRITE_RULES_DOC=1 node --test dist/test/unit/lint-rules-doc.test.js
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as ts from 'typescript';
import { HACTL_ONLY_RULES } from '../../src/lib/conf/keepalived-mode';
import { lint } from '../../src/lib/conf/lint';
import { nodeReader } from '../../src/lib/conf/node-reader';
import { ROOT } from '../helpers/cli';
import { keepalivedLineRefs, listConfigFiles } from '../integration/conf-differential-lib';

const CONF = path.join(ROOT, 'src', 'lib', 'conf');
const DOC = path.join(ROOT, 'docs', 'lint-rules.md');
const MUTANTS = path.join(ROOT, 'test', 'fixtures', 'conf-mutants');

/**
 * What keepalived 2.2.7 -t itself printed on the line of a finding of each rule, taken from the
 * recorded runs of the mutants (FILE.keepalived-t.txt, made by kt-verdicts.sh) and `conf lint
 * --keepalived` on the same files: rule -> [mutant, keepalived's message] (first mutant by name).
 */
export function recordedKeepalived(): Map<string, [string, string]> {
  const out = new Map<string, [string, string]>();
  const reader = { ...nodeReader, cwd: () => MUTANTS };
  for (const f of listConfigFiles(MUTANTS)) {
    const rec = path.join(MUTANTS, `${f}.keepalived-t.txt`);
    if (!fs.existsSync(rec)) continue;
    const refs = keepalivedLineRefs(fs.readFileSync(rec, 'utf8'));
    if (refs.length === 0) continue;
    const r = lint({ files: [f], reader, configId: 'kt-verdict', env: {}, keepalived: true });
    for (const d of r.diagnostics) {
      if (d.severity === 'note' || out.has(d.rule)) continue;
      const ref = refs.find((x) => x.line === d.line && (x.file === null ? path.basename(d.file) === f : path.basename(x.file) === path.basename(d.file)));
      if (ref?.text) out.set(d.rule, [f, ref.text]);
    }
  }
  return out;
}

interface Site {
  rule: string;
  severity: string;
  message: string;
  file: string;
}

const SEVERITIES = new Set(['error', 'warning', 'note']);

/** Rule ids a rule argument can be: a literal, or a condition between literals. */
function ruleIds(n: ts.Node): string[] | undefined {
  if (ts.isStringLiteral(n)) return [n.text];
  if (ts.isConditionalExpression(n)) {
    const a = ruleIds(n.whenTrue);
    const b = ruleIds(n.whenFalse);
    return a && b ? [...new Set([...a, ...b])] : undefined;
  }
  return undefined;
}

/** The text of a message argument: a literal, or a template with its ${...} parts shown as `…`. */
function messageText(n: ts.Node, src: ts.SourceFile): string {
  if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) return n.text;
  if (ts.isTemplateExpression(n)) return n.head.text + n.templateSpans.map((s) => `…${s.literal.text}`).join('');
  return `(${n.getText(src).replace(/\s+/g, ' ').slice(0, 60)})`;
}

function severityOf(n: ts.Node, src: ts.SourceFile): string | undefined {
  if (ts.isStringLiteral(n) && SEVERITIES.has(n.text)) return n.text;
  // `sev` computed from a condition: error or warning
  if (ts.isIdentifier(n) && /^sev/.test(n.text)) return 'error/warning';
  if (ts.isConditionalExpression(n)) {
    const a = severityOf(n.whenTrue, src);
    const b = severityOf(n.whenFalse, src);
    if (a && b) return a === b ? a : `${a}/${b}`;
  }
  return undefined;
}

export function ruleSites(): Site[] {
  const out: Site[] = [];
  for (const f of fs.readdirSync(CONF).filter((x) => x.endsWith('.ts')).sort()) {
    const text = fs.readFileSync(path.join(CONF, f), 'utf8');
    const src = ts.createSourceFile(f, text, ts.ScriptTarget.ES2022, true);
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n) && n.arguments.length >= 3) {
        const args = n.arguments;
        const last = args[args.length - 1];
        const sevAt = args.findIndex((a) => severityOf(a, src) !== undefined);
        const ids = ruleIds(last);
        // cluster.ts: d(pos, message, rule, severity = 'error')
        if (f === 'cluster.ts' && ts.isIdentifier(n.expression) && n.expression.text === 'd') {
          const rid = ruleIds(args[2]);
          if (rid) for (const rule of rid) out.push({ rule, severity: args[3] ? (severityOf(args[3], src) ?? 'error') : 'error', message: messageText(args[1], src), file: f });
        } else if (sevAt >= 0 && sevAt + 2 === args.length - 1) {
          if (!ids) throw new Error(`${f}:${src.getLineAndCharacterOfPosition(n.getStart()).line + 1}: a diagnostic whose rule id is not a literal (the rule table cannot see it)`);
          for (const rule of ids) out.push({ rule, severity: severityOf(args[sevAt], src)!, message: messageText(args[sevAt + 1], src), file: f });
        }
      }
      if (ts.isObjectLiteralExpression(n)) {
        const prop = (k: string) => n.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText(src) === k)?.initializer;
        const rule = prop('rule');
        const sev = prop('severity');
        const msg = prop('message');
        const ids = rule && ruleIds(rule);
        if (ids && sev && msg && severityOf(sev, src)) for (const r of ids) out.push({ rule: r, severity: severityOf(sev, src)!, message: messageText(msg, src), file: f });
      }
      ts.forEachChild(n, visit);
    };
    visit(src);
  }
  return out;
}

/** Exit status a finding of this rule leads to under `conf lint --keepalived` (keepalived -t's). */
function keepalivedExit(rule: string, severities: Set<string>): string {
  const only = HACTL_ONLY_RULES[rule];
  if (rule === 'parser-abort') return '2 (keepalived stops reading)';
  if (rule === 'script-security') return '6';
  if (rule === 'file-unreadable') return '4 (main file); an include: 5';
  if (rule === 'checker-incomplete') return '5; 139 for an HTTP_GET / SSL_GET left without urls (keepalived 2.2.7 crashes)';
  if (only === true) return '0 (shown as a note)';
  if ([...severities].every((s) => s === 'note')) return '0 (note)';
  if (only) return `0 (note) when the message matches \`${only.source}\`, else 5`;
  return '5';
}

function keepalivedColumn(rule: string, sites: Site[]): string {
  const only = HACTL_ONLY_RULES[rule];
  if (only === true) return 'hactl-only';
  if (rule.startsWith('cluster-') || rule === 'bgp-settings') return 'hactl-only';
  const msgs = [...new Set(sites.map((s) => s.message))];
  const shown = msgs.slice(0, 3).map(cell);
  return `${only ? `partly hactl-only (\`${only.source}\`); ` : ''}${shown.join('<br>')}${msgs.length > 3 ? `<br>(+${msgs.length - 3} more)` : ''}`;
}

const cell = (m: string) => `\`${m.replace(/\|/g, '\\|').replace(/`/g, "'")}\``;

export function renderRulesDoc(sites: Site[], recorded: ReadonlyMap<string, [string, string]>): string {
  const byRule = new Map<string, Site[]>();
  for (const s of sites) byRule.set(s.rule, [...(byRule.get(s.rule) ?? []), s]);
  const rows = [...byRule.keys()].sort().map((rule) => {
    const list = byRule.get(rule)!;
    const sev = new Set(list.flatMap((s) => s.severity.split('/')));
    const files = [...new Set(list.map((s) => s.file))].join(', ');
    const kt = recorded.get(rule);
    return `| \`${rule}\` | ${[...sev].sort().join(', ')} | ${keepalivedColumn(rule, list)} | ${kt ? `${cell(kt[1].slice(0, 160))} (${kt[0]})` : ''} | ${keepalivedExit(rule, sev)} | ${files} |`;
  });
  return [
    '# conf lint rules',
    '',
    'Generated from the source by `test/unit/lint-rules-doc.test.ts` (which fails when this file differs);',
    'regenerate with `HACTL_WRITE_RULES_DOC=1 node --test dist/test/unit/lint-rules-doc.test.js`.',
    '',
    'Columns: the rule id hactl prints in `[...]` and in JSON/SARIF; the severities it gives; its messages',
    "(keepalived 2.2.7's own wording where keepalived -t reports the same thing; `…` stands for a value;",
    '"hactl-only": keepalived -t says nothing, or says it and still exits 0, see',
    '`src/lib/conf/keepalived-mode.ts` HACTL_ONLY_RULES); what keepalived -t printed on the same line in a',
    'recorded mutant (test/fixtures/conf-mutants/FILE.keepalived-t.txt; empty: no mutant shows one, often',
    'because keepalived names no line for it); the exit status a finding leads to under',
    '`hactl conf lint --keepalived` (keepalived -t semantics: 0 accepted, 2 parser abort, 4 cannot read the',
    'main file, 5 configuration errors or warnings, 6 script-security violation). In the default mode every',
    'error or warning gives 5 (`--warnings-ok`: errors only), hactl-only rules included; notes never count.',
    '',
    '| rule | severity | hactl message | keepalived -t on that line (mutant) | exit under --keepalived | source |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

describe('docs/lint-rules.md', () => {
  const sites = ruleSites();
  it('finds the rule call sites of the config engine', () => {
    assert.ok(sites.length > 200, `only ${sites.length} call sites found`);
    for (const r of ['unknown-keyword', 'parser-abort', 'script-security', 'track-interface-twice', 'vips-per-advert', 'lvs-sync-daemon-twice']) {
      assert.ok(
        sites.some((s) => s.rule === r),
        `rule ${r} not found`,
      );
    }
  });
  it('every hactl-only rule of keepalived-mode.ts is a rule the engine gives', () => {
    const rules = new Set(sites.map((s) => s.rule));
    for (const r of Object.keys(HACTL_ONLY_RULES)) assert.ok(rules.has(r), `HACTL_ONLY_RULES names ${r}, which no diagnostic uses`);
  });
  it('is up to date', () => {
    const want = renderRulesDoc(sites, recordedKeepalived());
    if (process.env.HACTL_WRITE_RULES_DOC === '1') fs.writeFileSync(DOC, want);
    const have = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : '';
    assert.equal(have, want, 'docs/lint-rules.md is stale: regenerate it (HACTL_WRITE_RULES_DOC=1 node --test dist/test/unit/lint-rules-doc.test.js)');
  });
});
