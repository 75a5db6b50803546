import { Flags } from '@oclif/core';
import { IpvsCommand, listFlags } from '../flags/ipvs';

export default class Save extends IpvsCommand {
  static override description = 'Print the IPVS table as ipvsadm -S rules';
  static override examples = ['<%= config.bin %> save -n > /etc/ipvs.rules', '<%= config.bin %> save --json'];
  static override flags = {
    numeric: listFlags.numeric,
    json: Flags.boolean({ description: 'print JSON' }),
  };
  protected readonly verb = 'save' as const;
}
