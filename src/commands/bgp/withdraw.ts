import { Args, Flags } from '@oclif/core';
import { bgpFlags } from '../../flags/bgp';
import { HandledCommand } from '../../lib/cli/base';

/** Handler: src/lib/bgp/bgp-cli.ts. */
export default class BgpWithdraw extends HandledCommand {
  static override description = `Withdraw VIPs from BGP now: delete hactl's host routes to them from the table FRR imports.

Works without FRR (the route goes from the kernel either way). --all deletes every route hactl owns in the
table (the settings' table and protocol), declared or not: use it in ExecStopPost.`;

  static override strict = false;
  static override args = { vip: Args.string({ description: 'VIP(s) from the settings file' }) };
  static override flags = {
    config: bgpFlags.config,
    all: Flags.boolean({ description: "every route of hactl's table and protocol" }),
  };
  static override examples = ['<%= config.bin %> bgp withdraw 203.0.113.10', '<%= config.bin %> bgp withdraw --all -c /etc/hactl/bgp.conf'];
}
