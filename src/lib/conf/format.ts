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

/** The version of the `--format json` object, described by schemas/conf-lint.schema.json. */
export const LINT_JSON_SCHEMA_VERSION = 1;

export function formatJson(r: LintOutput, version: string): string {
  return `${JSON.stringify({
    schemaVersion: LINT_JSON_SCHEMA_VERSION,
    tool: { name: 'hactl conf lint', version },
    files: r.files,
    diagnostics: r.diagnostics.map((d) => ({ file: d.file, line: d.line, col: d.col, severity: d.severity, message: d.message, rule: d.rule })),
    rules: [...new Set(r.diagnostics.map((d) => d.rule))].sort(),
    exitCode: r.exitCode,
  })}\n`;
}

/**
 * A file name as a SARIF artifactLocation.uri: a URI reference (RFC 3986), so every path segment is
 * percent-encoded (a space, '#', '%', '?' or non-ASCII would otherwise make the log invalid); an
 * absolute path becomes a file:// URI, a relative one stays relative (to the working directory).
 */
export function sarifUri(file: string): string {
  const enc = file
    .split('/')
    .map((seg) => encodeURIComponent(seg).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
  // (':' is encoded too, so a relative name never reads as a scheme)
  return file.startsWith('/') ? `file://${enc}` : enc;
}

/** lint's exit codes that mean the files were read and checked (findings or not; 139: --keepalived's crash code); 4 and 1 mean it could not run. */
const RAN = new Set([0, 5, 6, 139]);

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
        artifacts: r.files.map((f) => ({ location: { uri: sarifUri(f) } })),
        results: r.diagnostics.map((d) => ({
          ruleId: d.rule,
          ruleIndex: rules.indexOf(d.rule),
          level: d.severity,
          message: { text: d.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: sarifUri(d.file) },
                region: { startLine: Math.max(1, d.line), startColumn: Math.max(1, d.col) },
              },
            },
          ],
        })),
        // executionSuccessful: the tool ran (SARIF 3.20.14), which findings do not change
        invocations: [{ executionSuccessful: RAN.has(r.exitCode), exitCode: r.exitCode }],
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
