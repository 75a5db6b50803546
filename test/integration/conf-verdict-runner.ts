/**
 * Shared by the by-hand differential tools (conf-differential-fuzz, conf-keyword-sweep): run
 * `keepalived -t` and `hactl conf lint --format json --host` on each case file inside the
 * kt-verdict namespace and return the disagreements that are not hactl's deliberate stricter rules.
 */
import { KtNamespace } from '../../bench/lib/ktns';
import { pool } from '../../bench/lib/proc';
import { HACTL } from '../helpers/cli';
import { hactlVerdict, keepalivedVerdict, parseLintJson } from './conf-differential-lib';

/** hactl rules that are stricter than keepalived on purpose (issue 2): not reported when keepalived accepts. */
export const BEYOND = new Set(['duplicate-keyword', 'extra-words', 'extra-args', 'extra-argument', 'empty-config', 'duplicate-vip', 'duplicate-virtual-server', 'summary']);

/** With --host hactl also checks notify / MISC_CHECK programs (keepalived -t only vrrp_script ones). */
const beyond = (d: { rule: string; message: string }) => BEYOND.has(d.rule) || (d.rule === 'script-not-found' && !d.message.includes('track script'));

export interface VerdictRun<C> {
  agree: number;
  beyond: number;
  /** One text block per disagreement. */
  differ: { c: C; text: string }[];
}

export async function compareVerdicts<C extends { file: string }>(dir: string, cases: C[], tag: string, label: (c: C) => string): Promise<VerdictRun<C>> {
  const ns = new KtNamespace(undefined, tag);
  const env = { ...process.env, NO_COLOR: '1' };
  const out: VerdictRun<C> = { agree: 0, beyond: 0, differ: [] };
  try {
    const results = await pool(cases, 3, async (c) => {
      const kt = await ns.exec(dir, 'keepalived', ['-t', '-f', c.file], { timeoutMs: 20_000, env });
      const h = await ns.exec(dir, process.execPath, [HACTL, 'conf', 'lint', '--format', 'json', '--host', c.file], { timeoutMs: 60_000, env });
      return { c, kt, h };
    });
    for (const { c, kt, h } of results) {
      const ktExit = kt.code ?? 139;
      if (keepalivedVerdict(ktExit) === hactlVerdict(h.code)) {
        out.agree++;
        continue;
      }
      const j = parseLintJson(h.stdout);
      const diags = typeof j === 'string' ? [] : j.diagnostics;
      if (keepalivedVerdict(ktExit) === 'accept' && diags.length > 0 && diags.every(beyond)) {
        out.beyond++;
        continue;
      }
      const hactl = typeof j === 'string' ? j : diags.map((d) => `${d.line}: ${d.message} [${d.rule}]`).join(' | ');
      out.differ.push({
        c,
        text:
          `${label(c)}: keepalived exit ${ktExit}, hactl exit ${h.code}\n` +
          `  keepalived: ${(kt.stdout + kt.stderr).trim().split('\n').slice(0, 2).join(' | ').slice(0, 240)}\n` +
          `  hactl: ${hactl.slice(0, 240)}\n`,
      });
    }
  } finally {
    ns.cleanup();
  }
  return out;
}
