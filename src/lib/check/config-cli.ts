/**
 * `hactl check config` (and bare `hactl check --real-server ...`): run the
 * checkers keepalived.conf configures for one real server. src/fast.ts handler.
 */
import { painterFor } from '../cli/color';
import { HactlError, UsageError } from '../cli/errors';
import type { Parsed } from '../cli/parse';

export function checkConfigHandler(bare: boolean): (p: Parsed) => Promise<number> {
  return async (p) => {
    const flags = p.flags as { config: string; 'real-server'?: string; 'virtual-server'?: string; json?: boolean };
    if (bare && flags['real-server'] === undefined) {
      throw new UsageError('give a checker type (hactl check tcp|http|ssl|smtp|misc|dns|udp|ping TARGET) or --real-server ADDR:PORT [--config FILE]', {
        hint: 'see `hactl check --help`',
      });
    }
    if (flags['real-server'] === undefined) throw new UsageError('missing required flag -r/--real-server', { hint: 'see `hactl check config --help`' });
    const { ConfRunError, runConfigChecks } = require('./conf-run') as typeof import('./conf-run');
    const { renderResult, resultJson } = require('./render') as typeof import('./render');
    let report: Awaited<ReturnType<typeof runConfigChecks>>;
    try {
      report = await runConfigChecks(flags.config, flags['real-server'], flags['virtual-server']);
    } catch (e) {
      if (e instanceof ConfRunError) throw new HactlError(e.message, { exitCode: 2, hint: e.hint });
      throw e;
    }
    for (const err of report.errors.slice(0, 5)) process.stderr.write(`warning: config: ${err}\n`);
    const allUp = report.servers.every((s) => s.up);
    if (flags.json) {
      const j = report.servers.map((s) => ({
        virtualServer: s.vs,
        realServer: s.rs,
        up: s.up,
        weight: s.weight,
        dynamicWeight: s.weightNow ?? null,
        checkers: s.checkers.map((c) => ({
          checker: c.keyword,
          where: c.where,
          skipped: c.skipped ?? null,
          result: c.result ? resultJson(c.result) : null,
        })),
      }));
      process.stdout.write(`${JSON.stringify({ config: report.config, up: allUp, servers: j }, null, 2)}\n`);
    } else {
      const paint = painterFor(process.stdout);
      for (const s of report.servers) {
        const state = s.up ? paint.green('UP') : paint.red('DOWN');
        const w = s.weightNow !== undefined ? `, weight now ${s.weightNow}` : '';
        const n = s.checkers.length;
        process.stdout.write(`virtual_server ${s.vs} real_server ${s.rs}: ${state} (${n} checker${n === 1 ? '' : 's'}${w})\n`);
        if (n === 0) process.stdout.write('  no checker: keepalived considers this real server up\n');
        for (const c of s.checkers) {
          if (c.result) process.stdout.write(`  ${renderResult(c.result, paint, `[${c.where}]`).replace(/\n(?=.)/g, '\n  ')}`);
          else process.stdout.write(`  [${c.where}] ${c.keyword}: not run - ${c.skipped}\n`);
        }
      }
    }
    return allUp ? 0 : 1;
  };
}
