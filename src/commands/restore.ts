import { Args, Flags } from '@oclif/core';
import { HactlCommand } from '../lib/cli/base';

export default class Restore extends HactlCommand {
  static override description =
    'Load ipvsadm -S rules: change only what differs from the live table (never empty in between), in one batch; any failure rolls everything back';
  static override examples = [
    '<%= config.bin %> restore /etc/ipvs.rules',
    '<%= config.bin %> save -n | ssh peer hactl restore',
    '<%= config.bin %> restore --dry-run rules.txt',
    '<%= config.bin %> restore --append < more-rules.txt',
  ];
  static override strict = false;
  static override args = { file: Args.string({ description: 'rules file ("-" or absent: standard input)' }) };
  static override flags = {
    append: Flags.boolean({ description: 'run every line as a command, like ipvsadm -R (no diff)' }),
    'dry-run': Flags.boolean({ description: 'print the planned changes as ipvsadm commands, change nothing' }),
    json: Flags.boolean({ description: 'JSON result' }),
  };
  async run(): Promise<void> {
    const { restoreMain } = await import('../lib/ipvs/ipvs-cli');
    process.exitCode = await restoreMain(this.argv);
  }
}
