import { runTeardown } from '../../lib/arp';
import { dryRunFlag, out, stateDirFlag, warn } from '../../lib/arp/flags';
import { HactlCommand } from '../../lib/cli/base';

export default class DirectorTeardown extends HactlCommand {
  static override description = `Undo director-setup: remove the VIPs and devices it added and restore the exact previous
sysctl values it recorded (and the --persist files). Nothing else is touched.`;

  static override examples = ['<%= config.bin %> arp director-teardown', '<%= config.bin %> arp director-teardown --dry-run'];

  static override flags = {
    'dry-run': dryRunFlag,
    'state-dir': stateDirFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(DirectorTeardown);
    process.exitCode = await runTeardown({ role: 'director', dryRun: flags['dry-run'], stateDir: flags['state-dir'], out, warn });
  }
}
