import { Flags } from '@oclif/core';
import { controlSocketFlag } from '../../flags/vrrp';
import { HandledCommand } from '../../lib/cli/base';

/** Handler: src/lib/vrrp/drill-cli.ts. */
export default class VrrpDrill extends HandledCommand {
  static override summary = 'Fail over on purpose and measure the takeover on the wire';
  static override description = `For a lab or a maintenance window. The instance, which must be MASTER here, steps down the daemon's normal way (asked over the control socket): a priority-0 advert, its VIPs removed, notify BACKUP. It then stays BACKUP behind the peer that takes over (as with nopreempt; if that peer goes silent it still takes over). Meanwhile this command captures on the instance's interface and probes the VIPs (ARP who-has / Neighbour Solicitation), and reports in milliseconds, counted from the priority-0 advert on the wire: the peer's first advert, and for each VIP the first ARP / Neighbour Advertisement that gives it the peer's MAC.

MASTER is given back only when asked: --return, after the measurement (or alone, on an instance an earlier drill holds BACKUP), ends the hold; with preempt (keepalived's default) and a higher priority than the peer, the instance then takes MASTER back when its Master_Down_Interval passes without an advert it accepts (about 3 advert intervals), and the command waits for that. With nopreempt it stays BACKUP. A restart of the daemon ends it too.

Refused: an instance that is not MASTER, one in a sync group, and one with no peer known (no unicast_peer and no other router's advert heard on its VRID since the daemon started; --force steps down anyway: with no peer, this node becomes MASTER again after its Master_Down_Interval).

Exit status: 0 the peer took over (the figures are printed), 1 refused, no daemon answers, or the takeover was not complete within --timeout (what was seen is printed).`;

  static override examples = [
    '<%= config.bin %> vrrp drill --instance VI_1',
    '<%= config.bin %> vrrp drill --instance VI_1 --json',
    '<%= config.bin %> vrrp drill --instance VI_1 --return',
    '<%= config.bin %> vrrp drill --instance VI_1 --timeout 10 --control-socket /run/hactl/vrrp.sock',
  ];

  static override flags = {
    instance: Flags.string({ char: 'i', description: 'the vrrp_instance to step down (MASTER here)', required: true, helpValue: 'NAME' }),
    return: Flags.boolean({ description: 'after the measurement, end the hold and wait until the instance is MASTER again (alone: end an earlier drill\'s hold)' }),
    timeout: Flags.string({ description: 'seconds to wait for the takeover (and for --return) [default: 10 advert intervals, at least 3]', helpValue: 'S' }),
    force: Flags.boolean({ description: 'step down even when no peer is known' }),
    json: Flags.boolean({ description: 'print the figures as JSON' }),
    ...controlSocketFlag,
  };
}
