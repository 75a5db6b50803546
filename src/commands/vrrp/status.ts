import { Flags } from '@oclif/core';
import { HactlCommand } from '../../lib/cli/base';
import { HactlError } from '../../lib/cli/errors';
import { DEFAULT_CONTROL_SOCKET, queryControl, renderStatus } from '../../lib/vrrp/control';

export default class VrrpStatus extends HactlCommand {
  static override description = 'Show the state of a running `hactl vrrp run` (per instance: state, priorities, master, counters)';

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
    let s: Awaited<ReturnType<typeof queryControl>>;
    try {
      s = await queryControl(sock);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ECONNREFUSED')
        throw new HactlError(`no VRRP daemon answers on ${sock}`, { hint: 'start it with `hactl vrrp run -f FILE` or pass --control-socket' });
      throw new HactlError(`cannot query ${sock}: ${(e as Error).message}`);
    }
    process.stdout.write(flags.json ? `${JSON.stringify(s, null, 2)}\n` : renderStatus(s));
  }
}
