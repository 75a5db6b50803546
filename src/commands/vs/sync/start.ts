import { IpvsCommand, syncDaemonFlags } from '../../../flags/ipvs';

export default class VsSyncStart extends IpvsCommand {
  static override description = 'Start the kernel connection-sync daemon, master or backup (ipvsadm --start-daemon)';
  static override examples = [
    '<%= config.bin %> vs sync start master --mcast-interface eth1 --syncid 7',
    '<%= config.bin %> vs sync start backup --mcast-interface eth1',
  ];
  static override flags = syncDaemonFlags;
  protected readonly verb = 'vs sync start' as const;
}
