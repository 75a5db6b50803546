import { HandledCommand } from '../../lib/cli/base';
import { commonFlags, outputFlags, retryFlags, targetArg } from '../../flags/check';

export default class CheckTcp extends HandledCommand {
  static override summary = 'Run a TCP_CHECK once';
  static override description = `Up when a TCP connection to the real server completes within connect_timeout.

Exit status: 0 up, 1 down, 2 bad usage.`;
  static override examples = ['<%= config.bin %> check tcp 192.0.2.10:80', '<%= config.bin %> check tcp 192.0.2.10:3306 --connect-timeout 2 --retry 0 --json'];
  static override args = targetArg;
  static override flags = {

    ...commonFlags,
    ...retryFlags,
    ...outputFlags,
  };
}
