import { Flags } from '@oclif/core';
import { destFlags, serviceFlags } from '../../flags/ipvs';
import { controlSocketFlag } from '../../flags/vrrp';
import { HandledCommand } from '../../lib/cli/base';

/** Handler: src/lib/lvs/drain-cli.ts. */
export default class RsUndrain extends HandledCommand {
  static override summary = 'Give a drained real server its weight back';
  static override description = `A real server of a running \`hactl vrrp run\` gets its configured weight back from the daemon (when its checkers say it is up). Any other destination gets the weight \`hactl rs drain\` recorded on this host, or the one given with -w.

Exit status: 0 done; 1 the daemon refused or no such destination; 2 bad usage, no IPVS, or no weight known (give -w).`;

  static override examples = [
    '<%= config.bin %> rs undrain -t 192.0.2.10:80 -r 198.51.100.11:80',
    '<%= config.bin %> rs undrain -t 192.0.2.10:80 -r 198.51.100.11 -w 3',
  ];

  static override flags = {
    ...serviceFlags,
    'real-server': destFlags['real-server'],
    weight: Flags.string({ char: 'w', description: 'the weight to set (a destination no daemon manages) [default: the one drain recorded]', helpValue: 'N' }),
    json: Flags.boolean({ description: 'print the result as JSON' }),
    ...controlSocketFlag,
  };
}
