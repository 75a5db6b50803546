import { Flags } from '@oclif/core';
import { controlSocketFlag } from '../../flags/vrrp';
import { HandledCommand } from '../../lib/cli/base';

/** Handler: src/lib/vrrp/director-drain-cli.ts. */
export default class VrrpUndrain extends HandledCommand {
  static override summary = 'End a vrrp drain: the instances preempt back as configured';
  static override description = `Releases the hold of each selected instance that \`hactl vrrp drain\` (or a drill) stepped down; with preempt and a higher priority than the peer it becomes MASTER again after its Master_Down_Interval. --wait waits for that.

Exit status: 0 done; 1 no daemon, an unknown instance, or --wait reached --timeout; 2 bad usage.`;

  static override examples = ['<%= config.bin %> vrrp undrain --all', '<%= config.bin %> vrrp undrain --instance VI_1 --wait'];

  static override flags = {
    instance: Flags.string({ char: 'i', description: 'a vrrp_instance to give back (repeatable)', multiple: true, helpValue: 'NAME' }),
    all: Flags.boolean({ description: 'every drained instance' }),
    wait: Flags.boolean({ description: 'wait until the instances are MASTER again' }),
    timeout: Flags.string({ description: 'seconds --wait waits at most [default: 60]', helpValue: 'S' }),
    json: Flags.boolean({ description: 'print the result as JSON' }),
    ...controlSocketFlag,
  };
}
