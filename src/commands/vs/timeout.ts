import { Flags } from '@oclif/core';
import { IpvsCommand, timeoutFlags } from '../../flags/ipvs';

export default class VsTimeout extends IpvsCommand {
  static override description = 'Show, or with --set change, the tcp/tcpfin/udp connection timeouts (0 keeps a value)';
  static override examples = ['<%= config.bin %> vs timeout', '<%= config.bin %> vs timeout --set 900 120 300', '<%= config.bin %> vs timeout --json'];
  static override flags = {
    ...timeoutFlags,
    json: Flags.boolean({ description: 'print JSON' }),
  };
  protected readonly verb = 'vs timeout' as const;
}
