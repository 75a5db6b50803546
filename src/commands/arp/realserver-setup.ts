import { Flags } from '@oclif/core';
import { dryRunFlag, persistFlag, stateDirFlag, sysctlDirFlag, unitDirFlag, vipFlagRequired } from '../../flags/arp';
import { HandledCommand } from '../../lib/cli/base';

/** Handler: src/lib/arp/commands.ts. */
export default class RealserverSetup extends HandledCommand {
  static override description = `Set up an LVS-DR/TUN real server: ARP suppression, then the VIPs on lo (dr) or tunl0 (tun).

Order: net.ipv4.conf.{all,IF,lo}.arp_ignore=1 and arp_announce=2 first, then each VIP as /32 (/128, nodad)
on lo with label lo:hactl, so the server never answers ARP for a VIP. --mode tun brings up tunl0/ip6tnl0,
puts the VIPs there and sets rp_filter=0 so decapsulated packets are accepted. Idempotent: a second run
changes nothing. Previous values are recorded for realserver-teardown. Invalid input changes nothing;
a failure half-way rolls back what was applied.`;

  static override examples = [
    '<%= config.bin %> arp realserver-setup --vip 198.51.100.100 --iface eth0',
    '<%= config.bin %> arp realserver-setup --vip 198.51.100.100 --vip 2001:db8::100 --iface eth0 --dry-run',
    '<%= config.bin %> arp realserver-setup --vip 198.51.100.100 --mode tun --persist',
  ];

  static override flags = {
    vip: vipFlagRequired,
    iface: Flags.string({ char: 'i', description: 'interface facing the director/clients (also gets arp_ignore/arp_announce)', helpValue: 'IF' }),
    mode: Flags.string({ char: 'm', description: 'LVS forwarding method', options: ['dr', 'tun'], default: 'dr' }),
    'dry-run': dryRunFlag,
    persist: persistFlag,
    'state-dir': stateDirFlag,
    'sysctl-dir': sysctlDirFlag,
    'unit-dir': unitDirFlag,
  };
}
