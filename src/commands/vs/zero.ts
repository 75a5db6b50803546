import { IpvsCommand, serviceFlags } from '../../flags/ipvs';

export default class VsZero extends IpvsCommand {
  static override description = 'Zero the counters of one service or of all (ipvsadm -Z)';
  static override examples = ['<%= config.bin %> vs zero', '<%= config.bin %> vs zero -t 192.0.2.10:80'];
  static override flags = { ...serviceFlags };
  protected readonly verb = 'vs zero' as const;
}
