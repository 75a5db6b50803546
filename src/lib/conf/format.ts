/**
 * Renderers for lint results: text (`file:line:col: severity: message [rule]`,
 * optionally coloured by the caller's painter), the JSON contract
 * `{files, diagnostics, exitCode}`, and SARIF 2.1.0. Pure.
 */
import type { Painter } from '../cli/color';
import type { Diagnostic } from './model';

export interface LintOutput {
  files: string[];
  diagnostics: Diagnostic[];
  exitCode: number;
}

/** One diagnostic as `file:line:col: severity: message [rule]` (just `file:` when it is about the whole file). */
export function formatDiagnostic(d: Diagnostic, p: Painter): string {
  const sev = d.severity === 'error' ? p.red('error') : d.severity === 'warning' ? p.yellow('warning') : p.cyan('note');
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.col}` : d.file;
  return `${p.bold(where)}: ${sev}: ${d.message} ${p.dim(`[${d.rule}]`)}\n`;
}

export function formatText(r: LintOutput, p: Painter): string {
  let s = '';
  for (const d of r.diagnostics) s += formatDiagnostic(d, p);
  return s;
}

export function formatJson(r: LintOutput): string {
  return `${JSON.stringify({
    files: r.files,
    diagnostics: r.diagnostics.map((d) => ({ file: d.file, line: d.line, col: d.col, severity: d.severity, message: d.message, rule: d.rule })),
    exitCode: r.exitCode,
  })}\n`;
}

export function formatSarif(r: LintOutput, version: string): string {
  const rules = [...new Set(r.diagnostics.map((d) => d.rule))].sort();
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'hactl conf lint',
            version,
            informationUri: 'https://github.com/acassen/keepalived',
            rules: rules.map((id) => ({ id, shortDescription: { text: id } })),
          },
        },
        artifacts: r.files.map((f) => ({ location: { uri: f } })),
        results: r.diagnostics.map((d) => ({
          ruleId: d.rule,
          ruleIndex: rules.indexOf(d.rule),
          level: d.severity,
          message: { text: d.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: d.file },
                region: { startLine: Math.max(1, d.line), startColumn: Math.max(1, d.col) },
              },
            },
          ],
        })),
        invocations: [{ executionSuccessful: r.exitCode === 0, exitCode: r.exitCode }],
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
