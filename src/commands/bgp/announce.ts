import { Args, Flags } from '@oclif/core';
import { bgpFlags } from '../../flags/bgp';
import { HandledCommand } from '../../lib/cli/base';

/** Handler: src/lib/bgp/bgp-cli.ts. */
export default class BgpAnnounce extends HandledCommand {
  static override description = `Announce VIPs over BGP now: add their host routes to the table FRR imports (docs/bgp.md).

One-shot and unconditional (no quorum or VRRP check; \`hactl vrrp run\` decides by itself): for scripts and tests.
Each VIP must be declared in the settings file. FRR is checked first (vtysh answers, zebra imports the table,
bgpd redistributes it); when it is missing, stopped or not set up, nothing is added and the command exits 1.
An announced VIP is added again only if its MED changed (no flap).`;

  static override strict = false;
  static override args = { vip: Args.string({ description: 'VIP(s) from the settings file' }) };
  static override flags = {
    ...bgpFlags,
    all: Flags.boolean({ description: 'every VIP of the settings file' }),
  };
  static override examples = [
    '<%= config.bin %> bgp announce 203.0.113.10',
    '<%= config.bin %> bgp announce --all -c /etc/hactl/bgp.conf',
    '<%= config.bin %> bgp announce 203.0.113.10 --vty-socket /run/frr/lab1',
  ];
}
