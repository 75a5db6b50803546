import { Flags } from '@oclif/core';
import { HandledCommand } from '../../lib/cli/base';
import { DEFAULT_CONTROL_SOCKET } from '../../lib/vrrp/control';
import { PLAN_EXIT_DISRUPTIVE } from '../../lib/vrrp/plan';

/** Handler: src/lib/vrrp/plan-cli.ts. */
export default class VrrpPlan extends HandledCommand {
  static override description = `Show what a reload of the running \`hactl vrrp run\` to a new keepalived.conf would do, without doing it.

Asks the daemon over its control socket (it knows its running configuration and state): VRRP instances added, removed or changed, and whether a MASTER gives up its VIPs or sends priority 0; VIPs, virtual_routes and virtual_rules added or removed; virtual servers and real servers added, removed or re-weighted; checkers and scripts that start, stop or restart. Each change is disruptive or not: removing a VIP, route or rule from a MASTER, removing a virtual or real server, deleting a MASTER instance (or changing its VRID, interface or family), a tracked object that makes a MASTER FAULT, a lower priority on a MASTER (a backup may preempt), a higher one that makes a BACKUP preempt, and adverts a peer on the old configuration would drop (VIP list, version, v2 authentication or advert_int).

Exit status: 0 nothing disruptive, ${PLAN_EXIT_DISRUPTIVE} disruptive changes, 1 error (no daemon answers, the new file does not load: its errors are printed as file:line:col).`;

  static override examples = [
    '<%= config.bin %> vrrp plan -f /etc/keepalived/keepalived.conf.new',
    '<%= config.bin %> vrrp plan -f ka.conf --json',
    '<%= config.bin %> vrrp plan -f ka.conf && <%= config.bin %> vrrp reload',
  ];

  static override flags = {
    file: Flags.string({ char: 'f', description: 'the new keepalived.conf', required: true }),
    json: Flags.boolean({ description: 'print the plan as JSON' }),
    'control-socket': Flags.string({ description: 'control socket of the daemon', default: DEFAULT_CONTROL_SOCKET }),
  };
}
