import { IpvsCommand, destFlags, serviceFlags } from '../../flags/ipvs';

export default class RsAdd extends IpvsCommand {
  static override description = 'Add a real server to a virtual service (ipvsadm -a)';
  static override examples = [
    '<%= config.bin %> rs add -t 192.0.2.10:80 -r 198.51.100.11:8080 -m -w 3',
    '<%= config.bin %> rs add -f 7 -r 203.0.113.5 -i --tun-type gue --tun-port 6080 --tun-csum',
  ];
  static override flags = { ...serviceFlags, ...destFlags };
  protected readonly verb = 'rs add' as const;
}
