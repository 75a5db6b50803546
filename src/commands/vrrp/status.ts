import { Flags } from '@oclif/core';
import { HandledCommand } from '../../lib/cli/base';
import { STATUS_EXIT_DEGRADED } from '../../lib/daemon/supervisor';
import { DEFAULT_CONTROL_SOCKET } from '../../lib/vrrp/control';

/** Handler: src/lib/vrrp/status-cli.ts. */
export default class VrrpStatus extends HandledCommand {
  static override description = `Show the state of a running \`hactl vrrp run\`: per VRRP instance state, priorities, master, counters; per virtual server its real servers, check state and last failure; the LVS half (up, starting, restarting, failed) and its restarts; the last reload attempt (time, SIGHUP or \`hactl vrrp reload\`, result, errors).

Exit status: 0 running, ${STATUS_EXIT_DEGRADED} degraded (the LVS half is not up: starting, restarting after a crash - the VRRP instances are FAULT then - or failed), 1 no daemon answers.`;

  static override examples = [
    '<%= config.bin %> vrrp status',
    '<%= config.bin %> vrrp status --json',
    '<%= config.bin %> vrrp status --control-socket /run/hactl/vrrp.sock',
  ];

  static override flags = {
    json: Flags.boolean({ description: 'print the status as JSON' }),
    'control-socket': Flags.string({ description: 'control socket of the daemon', default: DEFAULT_CONTROL_SOCKET }),
  };
}
