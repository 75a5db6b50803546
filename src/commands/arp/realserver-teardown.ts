import { dryRunFlag, stateDirFlag } from '../../flags/arp';
import { HandledCommand } from '../../lib/cli/base';

/** Handler: src/lib/arp/commands.ts. */
export default class RealserverTeardown extends HandledCommand {
  static override description = `Undo realserver-setup: remove the VIPs and devices it added and restore the exact previous
sysctl values it recorded (and the --persist files). Nothing else is touched.`;

  static override examples = ['<%= config.bin %> arp realserver-teardown', '<%= config.bin %> arp realserver-teardown --dry-run'];

  static override flags = {
    'dry-run': dryRunFlag,
    'state-dir': stateDirFlag,
  };
}
