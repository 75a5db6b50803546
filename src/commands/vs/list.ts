import { Flags } from '@oclif/core';
import { IpvsCommand, outputFlags, serviceFlags } from '../../flags/ipvs';

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
    numeric: Flags.boolean({ char: 'n', description: 'numeric addresses and ports' }),
    connection: Flags.boolean({ char: 'c', description: 'connections (/proc/net/ip_vs_conn)' }),
    stats: Flags.boolean({ description: 'counters' }),
    rate: Flags.boolean({ description: 'rates' }),
    exact: Flags.boolean({ char: 'X', description: 'exact numbers' }),
    thresholds: Flags.boolean({ description: 'thresholds' }),
    'persistent-conn': Flags.boolean({ description: 'persistent connections' }),
    'tun-info': Flags.boolean({ description: 'tunnel information' }),
    timeout: Flags.boolean({ description: 'tcp tcpfin udp timeouts' }),
    daemon: Flags.boolean({ description: 'sync daemon state' }),
    nosort: Flags.boolean({ description: 'kernel order' }),
    ...outputFlags,
  };
  protected readonly verb = 'vs list' as const;
}
