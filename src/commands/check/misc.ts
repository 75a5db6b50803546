import { Args, Flags } from '@oclif/core';
import { HandledCommand } from '../../lib/cli/base';
import { outputFlags, retryFlags } from '../../flags/check';

export default class CheckMisc extends HandledCommand {
  static override summary = 'Run a MISC_CHECK once';
  static override description = `Run misc_path (split like keepalived: quotes and backslashes) in its own process group, stdio to /dev/null. Exit 0 = up; with --misc-dynamic, exit 2-255 = up with weight (status - 2); anything else = down. After misc_timeout (default delay_loop, 60 s) the whole process group gets SIGTERM, then SIGKILL 2 s later. Default retry for MISC_CHECK is 0.

Exit status: 0 up, 1 down, 2 bad usage.`;
  static override examples = [
    '<%= config.bin %> check misc --misc-path "/usr/local/bin/check_app 192.0.2.10" --misc-timeout 5',
    '<%= config.bin %> check misc 192.0.2.10 --misc-path /etc/keepalived/weight.sh --misc-dynamic --json',
  ];
  static override args = {
    target: Args.string({ description: 'Real server address (informational; the script gets its own arguments)' }),
  };
  static override flags = {
    'misc-path': Flags.string({ summary: 'misc_path: the command line to run, read as keepalived reads it (quotes, backslash escapes; no shell).', required: true }),
    'misc-timeout': Flags.string({ summary: 'misc_timeout in seconds (default: delay_loop).' }),
    'misc-dynamic': Flags.boolean({ summary: 'misc_dynamic: exit status 2-255 sets the weight to status - 2.' }),
    user: Flags.string({ summary: 'user: run as USER[:GROUP] (needs root).' }),
    ...retryFlags,
    ...outputFlags,
  };
}
