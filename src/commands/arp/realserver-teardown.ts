import { runTeardown } from '../../lib/arp';
import { dryRunFlag, out, stateDirFlag, warn } from '../../lib/arp/flags';
import { HactlCommand } from '../../lib/cli/base';

export default class RealserverTeardown extends HactlCommand {
  static override description = `Undo realserver-setup: remove the VIPs and devices it added and restore the exact previous
sysctl values it recorded (and the --persist files). Nothing else is touched.`;

  static override examples = ['<%= config.bin %> arp realserver-teardown', '<%= config.bin %> arp realserver-teardown --dry-run'];

  static override flags = {
    'dry-run': dryRunFlag,
    'state-dir': stateDirFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(RealserverTeardown);
    process.exitCode = await runTeardown({ role: 'realserver', dryRun: flags['dry-run'], stateDir: flags['state-dir'], out, warn });
  }
}
