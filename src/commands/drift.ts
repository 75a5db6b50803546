import { Flags } from '@oclif/core';
import { HandledCommand } from '../lib/cli/base';
import { DEFAULT_CONTROL_SOCKET } from '../lib/vrrp/control';

/** Handler: src/lib/drift/drift-cli.ts. */
export default class Drift extends HandledCommand {
  static override summary = 'Compare what keepalived.conf says with what the kernel has now';
  static override description = `Lists every difference between keepalived.conf and this host's kernel: VIPs on their interfaces, virtual_routes and virtual_rules, the no_accept nftables set, and IPVS services, destinations and weights.

Which VRRP instances should hold their VIPs here: with a running \`hactl vrrp run\` (on --control-socket), the MASTER ones (the daemon says); the others must hold none. Without a daemon (a keepalived host, a stopped daemon), an instance with at least one of its VIPs here is taken to be MASTER and one with none not to be; the output says so. The wanted IPVS table follows the LVS half's real-server health, or without one every real server alive at its configured weight. What cannot be read (no IPVS in the kernel, no nft) is named in a note and the rest is compared.

Exit status: 0 no drift, 1 drift, 2 bad usage, 3 the configuration or the kernel could not be read.`;
  static override examples = [
    '<%= config.bin %> drift',
    '<%= config.bin %> drift -f ./keepalived.conf --json',
    '<%= config.bin %> drift -f /etc/keepalived/keepalived.conf --control-socket /run/hactl/vrrp.sock',
  ];
  static override flags = {
    config: Flags.string({ char: 'f', summary: 'keepalived.conf to compare with.', default: '/etc/keepalived/keepalived.conf' }),
    json: Flags.boolean({ summary: 'Print the differences as JSON.' }),
    'control-socket': Flags.string({ summary: 'Control socket of a running hactl daemon (asked which instances are MASTER).', default: DEFAULT_CONTROL_SOCKET }),
  };
}
