import { Flags } from '@oclif/core';
import { IpvsCommand } from '../../../lib/ipvs/oclif';

export default class VsSyncStart extends IpvsCommand {
  static override description = 'Start the kernel connection-sync daemon, master or backup (ipvsadm --start-daemon)';
  static override examples = [
    '<%= config.bin %> vs sync start master --mcast-interface eth1 --syncid 7',
    '<%= config.bin %> vs sync start backup --mcast-interface eth1',
  ];
  static override flags = {
    'mcast-interface': Flags.string({ description: 'interface for the sync traffic (default eth0)' }),
    syncid: Flags.string({ description: 'sync id 0..255' }),
    'sync-maxlen': Flags.string({ description: 'max sync message length' }),
    'mcast-group': Flags.string({ description: 'multicast group (default 224.0.0.81)' }),
    'mcast-port': Flags.string({ description: 'UDP port (default 8848)' }),
    'mcast-ttl': Flags.string({ description: 'multicast TTL (default 1)' }),
  };
  protected readonly verb = 'vs sync start' as const;
}
