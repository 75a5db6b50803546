import { IpvsCommand, listFlags, outputFlags, serviceFlags } from '../../flags/ipvs';

export default class VsList extends IpvsCommand {
  static override description = 'List the IPVS table exactly like ipvsadm -L (or as JSON / a table)';
  static override examples = [
    '<%= config.bin %> vs list -n',
    '<%= config.bin %> vs list -n --stats --exact',
    '<%= config.bin %> vs list -n -t 192.0.2.10:80 --thresholds',
    '<%= config.bin %> vs list -c -n',
    '<%= config.bin %> vs list --json',
  ];
  static override flags = {
    ...serviceFlags,
    ...listFlags,
    ...outputFlags,
  };
  protected readonly verb = 'vs list' as const;
}
