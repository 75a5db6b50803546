import { HactlCommand } from '../lib/cli/base';

export default class Ipvsadm extends HactlCommand {
  static override description = "ipvsadm's own command line: same output and exit codes (alias ipvsadm='hactl ipvsadm')";
  static override examples = ['<%= config.bin %> ipvsadm -Ln', '<%= config.bin %> ipvsadm -A -t 192.0.2.10:80 -s rr', '<%= config.bin %> ipvsadm -Sn'];
  static override strict = false;
  async run(): Promise<void> {
    const { ipvsadmFast } = await import('../lib/ipvs/ipvs-cli');
    process.exitCode = await ipvsadmFast(this.argv);
  }
}
