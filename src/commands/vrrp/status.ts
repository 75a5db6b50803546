import { Flags } from '@oclif/core';
import { HactlCommand } from '../../lib/cli/base';
import { HactlError } from '../../lib/cli/errors';
import { degraded, STATUS_EXIT_DEGRADED } from '../../lib/daemon/supervisor';
import { lvsStatusForCli } from '../../lib/lvs/daemon';
import { DEFAULT_CONTROL_SOCKET, queryControl, renderStatus } from '../../lib/vrrp/control';

export default class VrrpStatus extends HactlCommand {
  static override description = `Show the state of a running \`hactl vrrp run\`: per VRRP instance state, priorities, master, counters; per virtual server its real servers, check state and last failure; the LVS half (up, starting, restarting, failed) and its restarts.

Exit status: 0 running, ${STATUS_EXIT_DEGRADED} degraded (the LVS half is not up: starting, restarting after a crash - the VRRP instances are FAULT then - or failed), 1 no daemon answers.`;

  static override examples = [
    '<%= config.bin %> vrrp status',
    '<%= config.bin %> vrrp status --json',
    '<%= config.bin %> vrrp status --control-socket /run/hactl/vrrp.sock',
  ];

  static override flags = {
    json: Flags.boolean({ description: 'print the status as JSON' }),
    'control-socket': Flags.string({ description: 'control socket of the daemon', default: DEFAULT_CONTROL_SOCKET }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(VrrpStatus);
    const sock = flags['control-socket'];
    let s: Awaited<ReturnType<typeof queryControl>> | undefined;
    try {
      s = await queryControl(sock);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ECONNREFUSED') throw new HactlError(`cannot query ${sock}: ${(e as Error).message}`);
    }
    // The LVS half answers on its own socket (<sock>-lvs.sock); with --lvs-only it is the only one.
    const lvs = await lvsStatusForCli(sock).catch(() => undefined);
    if (!s && !lvs)
      throw new HactlError(`no VRRP daemon answers on ${sock}`, { hint: 'start it with `hactl vrrp run -f FILE` or pass --control-socket' });
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ ...(s ?? {}), lvs: lvs?.json }, null, 2)}\n`);
    } else {
      process.stdout.write((s ? renderStatus(s) : '') + (lvs?.text ?? ''));
    }
    if (degraded(s?.halves)) process.exitCode = STATUS_EXIT_DEGRADED;
  }
}
