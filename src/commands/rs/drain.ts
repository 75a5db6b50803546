import { Flags } from '@oclif/core';
import { destFlags, serviceFlags } from '../../flags/ipvs';
import { controlSocketFlag } from '../../flags/vrrp';
import { HandledCommand } from '../../lib/cli/base';

/** Handler: src/lib/lvs/drain-cli.ts. */
export default class RsDrain extends HandledCommand {
  static override summary = 'Stop new connections to a real server (weight 0) and optionally wait for its connections to end';
  static override description = `Sets the destination's weight to 0: IPVS sends it no new connections, the open ones go on. When the virtual service belongs to a running \`hactl vrrp run\` (its LVS half, found next to --control-socket), the daemon is asked to do it, and it keeps the real server at weight 0 (through checker results, weight changes and reloads that keep the real server) until \`hactl rs undrain\`. Otherwise the weight is changed in IPVS here, and the old one kept in /run/hactl/drained.json (HACTL_DRAIN_STATE) for undrain.

--wait polls the kernel's counts every second until the destination has no active connection (ESTABLISHED ones; with --inactive, no inactive ones either: IPVS counts a closed TCP connection as inactive until its TIME_WAIT timeout, 2 min by default). On a terminal one progress line is redrawn; otherwise a line is printed per change.

Exit status: 0 drained (with --wait: the connections are gone, or the destination was removed meanwhile); 1 the daemon refused (not a real server of its configuration), no such destination, or --wait reached --timeout (the open connections are printed; the weight stays 0); 2 bad usage or no IPVS.`;

  static override examples = [
    '<%= config.bin %> rs drain -t 192.0.2.10:80 -r 198.51.100.11:80',
    '<%= config.bin %> rs drain -t 192.0.2.10:80 -r 198.51.100.11 --wait --timeout 600',
    '<%= config.bin %> rs drain -f 7 -r 203.0.113.5 --wait --inactive --json',
  ];

  static override flags = {
    ...serviceFlags,
    'real-server': destFlags['real-server'],
    wait: Flags.boolean({ description: 'wait until the active connections are gone (or --timeout)' }),
    timeout: Flags.string({ description: 'seconds --wait waits at most [default: 300]', helpValue: 'S' }),
    inactive: Flags.boolean({ description: 'with --wait, wait for the inactive connections too' }),
    json: Flags.boolean({ description: 'print the result as JSON' }),
    ...controlSocketFlag,
  };
}
