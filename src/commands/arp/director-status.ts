import { Flags } from '@oclif/core';
import { jsonFlag, stateDirFlag, vipFlag } from '../../flags/arp';
import { HandledCommand } from '../../lib/cli/base';

/** Handler: src/lib/arp/commands.ts. */
export default class DirectorStatus extends HandledCommand {
  static override description = `Check the LVS director setup: every sysctl, device and VIP it needs, against what is set.

Exits 0 when everything is in place and 1 when something is missing (usable as a monitoring check).
Without --vip it checks what director-setup recorded.`;

  static override examples = [
    '<%= config.bin %> arp director-status',
    '<%= config.bin %> arp director-status --vip 198.51.100.100 --iface eth0 --json',
  ];

  static override flags = {
    vip: vipFlag,
    iface: Flags.string({ char: 'i', description: 'interface (default: the recorded one)', helpValue: 'IF' }),
    mode: Flags.string({ char: 'm', description: 'LVS forwarding method (default: the recorded one, else dr)', options: ['nat', 'dr', 'tun'] }),
    json: jsonFlag,
    'state-dir': stateDirFlag,
  };
}
