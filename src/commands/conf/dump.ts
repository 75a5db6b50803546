/** `hactl conf dump`: print the expanded, typed model of a keepalived.conf. */
import { Args, Flags } from '@oclif/core';
import { HandledCommand } from '../../lib/cli/base';

export default class ConfDump extends HandledCommand {
  static override description = 'Print the expanded, typed model of a keepalived.conf (includes, @id lines, $VAR and ~SEQ applied).';
  static override args = { file: Args.string({ description: 'config file', required: true }) };
  static override flags = {
    json: Flags.boolean({ description: 'the full typed model as JSON' }),
    'config-id': Flags.string({ description: 'config id for @id lines (default: hostname up to the first dot)' }),
  };
  static override examples = ['<%= config.bin %> conf dump /etc/keepalived/keepalived.conf', '<%= config.bin %> conf dump --json keepalived.conf | jq .vrrp_instances'];
}
