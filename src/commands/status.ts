import { Flags } from '@oclif/core';
import { controlSocketFlag } from '../flags/vrrp';
import { HandledCommand } from '../lib/cli/base';
import { OVERVIEW_EXIT_DEGRADED } from '../lib/vrrp/overview';

/** Handler: src/lib/vrrp/overview-cli.ts. */
export default class Status extends HandledCommand {
  static override summary = 'VRRP, LVS, checkers and BGP announcements of this node in one view';
  static override description = `Asks the running \`hactl vrrp run\` over its control socket (and its LVS half over <socket>-lvs.sock): per VRRP instance its state, priority, master and VIPs; per virtual server its real servers (alive, IPVS weight) and their checkers; the BGP announcements of \`vrrp run --bgp\` and why each is or is not announced. --json prints one object described by schemas/status.schema.json.

--watch asks again every --interval seconds and shows what changed: on a terminal it redraws the view when something changes; otherwise (a pipe, a file, or with --json) it prints one line per change ("TIME KEY: OLD -> NEW"; with --json one JSON object per poll that changed something). Counters and clocks are not changes. Colour only on a terminal and never with NO_COLOR.

Exit status (as \`vrrp status\`): 0 running, ${OVERVIEW_EXIT_DEGRADED} degraded (a supervised half is not up), 1 no daemon answers; with --watch, that of the last poll when stopped (Ctrl-C).`;

  static override examples = [
    '<%= config.bin %> status',
    '<%= config.bin %> status --json | jq .vrrp',
    '<%= config.bin %> status --watch',
    '<%= config.bin %> status --watch --interval 0.5 >> /var/log/hactl-changes.log',
  ];

  static override flags = {
    json: Flags.boolean({ description: 'print the view as JSON (schemas/status.schema.json)' }),
    watch: Flags.boolean({ char: 'w', description: 'keep watching: redraw on a terminal, one line per change otherwise' }),
    interval: Flags.string({ description: 'seconds between polls with --watch [default: 1]', helpValue: 'S' }),
    ...controlSocketFlag,
  };
}
