import { IpvsCommand, serviceFlags, svcOptionFlags } from '../../flags/ipvs';

export default class VsAdd extends IpvsCommand {
  static override description = 'Add a virtual service (ipvsadm -A)';
  static override examples = [
    '<%= config.bin %> vs add -t 192.0.2.10:80 -s rr',
    '<%= config.bin %> vs add -u [2001:db8::10]:53 -s wlc -p 600',
    '<%= config.bin %> vs add -f 7 -6 -s sh -b sh-port',
  ];
  static override flags = { ...serviceFlags, ...svcOptionFlags };
  protected readonly verb = 'vs add' as const;
}
