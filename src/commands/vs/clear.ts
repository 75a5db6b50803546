import { IpvsCommand, yesFlag } from '../../flags/ipvs';

export default class VsClear extends IpvsCommand {
  static override description = 'Delete every virtual service (ipvsadm -C); asks first unless --yes';
  static override examples = ['<%= config.bin %> vs clear --yes'];
  static override flags = { ...yesFlag };
  protected readonly verb = 'vs clear' as const;
}
