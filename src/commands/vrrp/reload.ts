import { Flags } from '@oclif/core';
import { HandledCommand } from '../../lib/cli/base';
import { DEFAULT_CONTROL_SOCKET } from '../../lib/vrrp/control';
import { PLAN_EXIT_DISRUPTIVE } from '../../lib/vrrp/plan';

/** Handler: src/lib/vrrp/plan-cli.ts. */
export default class VrrpReload extends HandledCommand {
  static override description = `Reload the running \`hactl vrrp run\` from its configuration file, through the same path as SIGHUP, and say how it went.

A file that does not load leaves the daemon (both halves) on its running configuration; the errors are printed as file:line:col. \`vrrp status\` shows the last reload attempt. With --if-plan-is-safe the daemon plans the reload first (as \`hactl vrrp plan\`) and applies it only when nothing in it is disruptive.

Exit status: 0 reloaded, ${PLAN_EXIT_DISRUPTIVE} refused by --if-plan-is-safe (the plan is printed), 1 refused (configuration errors), failed, or no daemon answers.`;

  static override examples = [
    '<%= config.bin %> vrrp reload',
    '<%= config.bin %> vrrp reload --if-plan-is-safe',
    '<%= config.bin %> vrrp reload --json --control-socket /run/hactl/vrrp.sock',
  ];

  static override flags = {
    'if-plan-is-safe': Flags.boolean({ description: 'apply only when the plan has nothing disruptive (exit 2 otherwise)' }),
    json: Flags.boolean({ description: 'print the reload record (and plan) as JSON' }),
    'control-socket': Flags.string({ description: 'control socket of the daemon', default: DEFAULT_CONTROL_SOCKET }),
  };
}
