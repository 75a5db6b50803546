import { Flags } from '@oclif/core';
import { bgpFlags } from '../../flags/bgp';
import { HandledCommand } from '../../lib/cli/base';

/** Handler: src/lib/bgp/bgp-cli.ts. */
export default class BgpStatus extends HandledCommand {
  static override description = `Show each VIP of the settings file: its host route in the kernel table, and FRR's view (in bgpd's table,
advertised to which peers), plus the BGP sessions.

Exit status: 0, or 1 when FRR cannot be asked (the kernel part is still printed, FRR's error on stderr).`;

  static override flags = {
    ...bgpFlags,
    json: Flags.boolean({ description: 'print the status as JSON' }),
    'frr-config': Flags.boolean({ description: 'print the FRR configuration that announces these settings, and nothing else' }),
    asn: Flags.string({ description: 'AS number for --frr-config', helpValue: 'ASN' }),
  };
  static override examples = [
    '<%= config.bin %> bgp status',
    '<%= config.bin %> bgp status --json',
    '<%= config.bin %> bgp status --frr-config --asn 64501 >> /etc/frr/frr.conf',
  ];
}
