import { Flags } from '@oclif/core';
import { HactlCommand } from '../../lib/cli/base';
import { painterFor } from '../../lib/cli/color';
import { HactlError } from '../../lib/cli/errors';
import { ConfRunError, runConfigChecks } from '../../lib/check/conf-run';
import { renderResult, resultJson } from '../../lib/check/render';

export default class CheckConfig extends HactlCommand {
  static override summary = 'Run the checkers keepalived.conf configures for one real server';
  static override description = `Reads keepalived.conf, finds the real_server (in every virtual_server, or only in --virtual-server), and runs each of its checkers once, concurrently, with the options keepalived would use (checker, real_server and virtual_server inheritance, keepalived 2.2.7 defaults; warmup is not applied). Answers "why is this real server down?". FILE_CHECK reads its track_file once and judges it as keepalived does at start; BFD_CHECK is listed, not run. The real server is up when every checker is up (as keepalived).

Exit status: 0 all up, 1 a checker is down, 2 bad usage or no such real server.`;
  static override examples = [
    '<%= config.bin %> check config --real-server 192.0.2.10:80',
    '<%= config.bin %> check config -f ./keepalived.conf --real-server 192.0.2.10:80 --virtual-server 198.51.100.1:80',
    '<%= config.bin %> check config --real-server 2001:db8::10 --virtual-server "fwmark 5" --json',
  ];
  static override flags = {
    config: Flags.string({ char: 'f', summary: 'keepalived.conf to read.', default: '/etc/keepalived/keepalived.conf' }),
    'real-server': Flags.string({ char: 'r', summary: 'Real server: ADDRESS[:PORT] or [IPv6]:PORT.', required: true }),
    'virtual-server': Flags.string({ summary: 'Only this virtual server: ADDRESS:PORT, "fwmark N" or "group NAME".' }),
    json: Flags.boolean({ summary: 'Print the results as JSON.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(CheckConfig);
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
      const p = painterFor(process.stdout);
      for (const s of report.servers) {
        const state = s.up ? p.green('UP') : p.red('DOWN');
        const w = s.weightNow !== undefined ? `, weight now ${s.weightNow}` : '';
        const n = s.checkers.length;
        process.stdout.write(`virtual_server ${s.vs} real_server ${s.rs}: ${state} (${n} checker${n === 1 ? '' : 's'}${w})\n`);
        if (n === 0) process.stdout.write('  no checker: keepalived considers this real server up\n');
        for (const c of s.checkers) {
          if (c.result) process.stdout.write(`  ${renderResult(c.result, p, `[${c.where}]`).replace(/\n(?=.)/g, '\n  ')}`);
          else process.stdout.write(`  [${c.where}] ${c.keyword}: not run - ${c.skipped}\n`);
        }
      }
    }
    process.exitCode = allUp ? 0 : 1;
  }
}
