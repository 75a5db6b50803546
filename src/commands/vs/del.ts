import { IpvsCommand, serviceFlags, yesFlag } from '../../flags/ipvs';

export default class VsDel extends IpvsCommand {
  static override description = 'Delete a virtual service and its real servers (ipvsadm -D); asks first unless --yes';
  static override examples = ['<%= config.bin %> vs del -t 192.0.2.10:80 --yes'];
  static override flags = { ...serviceFlags, ...yesFlag };
  protected readonly verb = 'vs del' as const;
}
