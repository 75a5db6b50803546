import { Flags } from '@oclif/core';
import { HandledCommand } from '../../lib/cli/base';
import { commonFlags, outputFlags, retryFlags, targetArg } from '../../flags/check';

export default class CheckUdp extends HandledCommand {
  static override summary = 'Run a UDP_CHECK once';
  static override description = `Send the payload (random when none). An ICMP error fails the check. Without --require-reply, no error within connect_timeout means up; with it a reply must arrive, and with --reply-data it must match (X digits are wildcards) and its length lie within --min-reply-length..--max-reply-length.

Exit status: 0 up, 1 down, 2 bad usage.`;
  static override examples = ['<%= config.bin %> check udp 192.0.2.10:5060 --payload "4f 50 54" --reply-data "53 49 50" --retry 0'];
  static override args = targetArg;
  static override flags = {
    payload: Flags.string({ summary: 'payload: HEX_STR to send, e.g. "01 02 0a" (default random).' }),
    'require-reply': Flags.boolean({ summary: 'require_reply: a reply must be received.' }),
    'reply-data': Flags.string({ summary: 'require_reply HEX_STR: the reply must start like this (X = any nibble).' }),
    'min-reply-length': Flags.string({ summary: 'min_reply_length (default 0).' }),
    'max-reply-length': Flags.string({ summary: 'max_reply_length (default 255).' }),
    ...commonFlags,
    ...retryFlags,
    ...outputFlags,
  };
}
