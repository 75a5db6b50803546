import { Flags } from '@oclif/core';
import { dryRunFlag, persistFlag, stateDirFlag, sysctlDirFlag, unitDirFlag, vipFlagRequired } from '../../flags/arp';
import { HandledCommand } from '../../lib/cli/base';

/** Handler: src/lib/arp/commands.ts. */
export default class DirectorSetup extends HandledCommand {
  static override description = `Set up an LVS director: the VIPs on IF (default /32, or the prefix given) and, for --mode nat,
net.ipv4.ip_forward=1 (net.ipv6.conf.all.forwarding=1 for IPv6 VIPs); then a gratuitous ARP / unsolicited NA.

In HA setups the VRRP daemon owns the VIP: with --config FILE the command warns when a VIP is in a
virtual_ipaddress block. Idempotent, recorded for director-teardown, rolled back on failure.`;

  static override examples = [
    '<%= config.bin %> arp director-setup --vip 198.51.100.100 --iface eth0',
    '<%= config.bin %> arp director-setup --vip 198.51.100.100/24 --iface eth0 --mode nat --dry-run',
    '<%= config.bin %> arp director-setup --vip 198.51.100.100 --iface eth0 --config /etc/keepalived/keepalived.conf',
  ];

  static override flags = {
    vip: vipFlagRequired,
    iface: Flags.string({ char: 'i', description: 'interface that holds the VIPs', helpValue: 'IF', required: true }),
    mode: Flags.string({ char: 'm', description: 'LVS forwarding method', options: ['nat', 'dr', 'tun'], default: 'dr' }),
    config: Flags.string({ char: 'f', description: 'keepalived.conf to check for VRRP-owned VIPs', helpValue: 'FILE' }),
    'dry-run': dryRunFlag,
    persist: persistFlag,
    'state-dir': stateDirFlag,
    'sysctl-dir': sysctlDirFlag,
    'unit-dir': unitDirFlag,
  };
}
