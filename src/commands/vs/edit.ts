import { IpvsCommand, serviceFlags, svcOptionFlags } from '../../flags/ipvs';

export default class VsEdit extends IpvsCommand {
  static override description = 'Change a virtual service (ipvsadm -E)';
  static override examples = ['<%= config.bin %> vs edit -t 192.0.2.10:80 -s wrr -p 300'];
  static override flags = { ...serviceFlags, ...svcOptionFlags };
  protected readonly verb = 'vs edit' as const;
}
