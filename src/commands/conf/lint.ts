/** `hactl conf lint`: thin oclif wrapper around lib/conf/lint-cli (same core as the fast path). */
import { Args, Flags } from '@oclif/core';
import { HandledCommand } from '../../lib/cli/base';

export default class ConfLint extends HandledCommand {
  static override description =
    'Validate keepalived.conf files like `keepalived -t`, plus extra rules (duplicates, references, cluster consistency). Exit: 0 clean, 2 parser abort (a keyword missing its value: keepalived -t stops there), 4 fatal, 5 errors/warnings, 6 script-security violation, 1 bad usage (with --keepalived also 139 where keepalived 2.2.7 -t crashes); notes (what keepalived does silently) never change it.';
  static override strict = false;
  static override args = { file: Args.string({ description: 'config file(s); - reads standard input', required: true }) };
  static override flags = {
    format: Flags.string({ char: 'f', description: 'output format', options: ['text', 'json', 'sarif'], default: 'text' }),
    'warnings-ok': Flags.boolean({ description: 'exit 0 when there are only warnings' }),
    host: Flags.boolean({ description: 'also check this host: interfaces, script programs, users and groups, CPU ids exist' }),
    'config-id': Flags.string({ char: 'i', description: 'config id for @id lines (default: hostname up to the first dot)' }),
    cluster: Flags.boolean({ description: 'the FILEs are the nodes of one cluster: check them against each other' }),
    bgp: Flags.string({ description: 'also check this BGP announcement file (docs/bgp.md) against the FILEs (with --cluster: on every node)', helpValue: 'FILE' }),
    keepalived: Flags.boolean({
      description:
        "exactly keepalived -t's verdict and exit code (offline; interfaces, programs and users only with --host): hactl's extra rules are shown as notes",
    }),
  };
  static override examples = [
    '<%= config.bin %> conf lint /etc/keepalived/keepalived.conf',
    '<%= config.bin %> conf lint --format json keepalived.conf',
    '<%= config.bin %> conf lint --host --config-id lb1 keepalived.conf',
    '<%= config.bin %> conf lint --cluster lb1.conf lb2.conf',
    '<%= config.bin %> conf lint --cluster --bgp /etc/hactl/bgp.conf lb1.conf lb2.conf',
    '<%= config.bin %> conf lint --keepalived --host /etc/keepalived/keepalived.conf',
    'cat keepalived.conf | <%= config.bin %> conf lint -',
  ];
}
