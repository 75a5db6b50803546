import { Flags } from '@oclif/core';
import { controlSocketFlag } from '../../flags/vrrp';
import { HandledCommand } from '../../lib/cli/base';

/** Handler: src/lib/vrrp/director-drain-cli.ts. */
export default class VrrpDrain extends HandledCommand {
  static override summary = 'Hand this director\'s VIPs to its peers (maintenance)';
  static override description = `Each selected MASTER instance steps down the way \`hactl vrrp drill\` does it (asked over the control socket): a priority-0 advert, its VIPs removed, notify BACKUP; it then stays BACKUP (still taking over if the peer goes silent) until \`hactl vrrp undrain\` or a restart. BGP announcements that follow the VRRP state (master-only) are withdrawn by the daemon as the instances leave MASTER. Instances that are not MASTER are skipped; sync group members are refused by the daemon.

--wait polls the daemon until every stepped-down instance is BACKUP behind a peer whose advert it accepted and none of its VIPs is announced over BGP any more.

Exit status: 0 done; 1 no daemon, an unknown instance, refused, or --wait reached --timeout (what is still pending is printed); 2 bad usage.`;

  static override examples = ['<%= config.bin %> vrrp drain --all --wait', '<%= config.bin %> vrrp drain --instance VI_1 --instance VI_2 --wait --timeout 30', '<%= config.bin %> vrrp undrain --all'];

  static override flags = {
    instance: Flags.string({ char: 'i', description: 'a vrrp_instance to step down (repeatable)', multiple: true, helpValue: 'NAME' }),
    all: Flags.boolean({ description: 'every MASTER instance' }),
    wait: Flags.boolean({ description: 'wait until peers hold the VIPs and nothing is announced' }),
    timeout: Flags.string({ description: 'seconds --wait waits at most [default: 60]', helpValue: 'S' }),
    json: Flags.boolean({ description: 'print the result as JSON' }),
    ...controlSocketFlag,
  };
}
