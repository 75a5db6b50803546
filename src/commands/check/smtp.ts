import { Flags } from '@oclif/core';
import { HandledCommand } from '../../lib/cli/base';
import { commonFlags, outputFlags, retryFlags, targetArg } from '../../flags/check';

export default class CheckSmtp extends HandledCommand {
  static override summary = 'Run an SMTP_CHECK once';
  static override description = `Connect, expect a 220 banner, send HELO (helo_name), expect 250, send QUIT. Port defaults to 25.

Exit status: 0 up, 1 down, 2 bad usage.`;
  static override examples = ['<%= config.bin %> check smtp 192.0.2.25', '<%= config.bin %> check smtp 192.0.2.25:2525 --helo-name lb1.example.com'];
  static override args = targetArg;
  static override flags = {
    'helo-name': Flags.string({ summary: 'helo_name (default smtpchecker.keepalived.org).' }),
    ...commonFlags,
    ...retryFlags,
    ...outputFlags,
  };
}
