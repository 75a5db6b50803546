import { IpvsCommand, syncDaemonFlags } from '../../../flags/ipvs';

export default class VsSyncStop extends IpvsCommand {
  static override description = 'Stop the kernel connection-sync daemon, master or backup (ipvsadm --stop-daemon)';
  static override examples = [
    '<%= config.bin %> vs sync stop master --mcast-interface eth1 --syncid 7',
    '<%= config.bin %> vs sync stop backup --mcast-interface eth1',
  ];
  static override flags = syncDaemonFlags;
  protected readonly verb = 'vs sync stop' as const;
}
