import { Flags } from '@oclif/core';
import { HandledCommand } from '../../lib/cli/base';
import { commonFlags, outputFlags, retryFlags, targetArg } from '../../flags/check';

export default class CheckDns extends HandledCommand {
  static override summary = 'Run a DNS_CHECK once';
  static override description = `Send one DNS query over UDP (RD set, class IN); up when a reply with the same id and RCODE 0 arrives within connect_timeout. Port defaults to 53. Note keepalived defaults: retry 3, delay_before_retry = delay_loop (60 s).

Exit status: 0 up, 1 down, 2 bad usage.`;
  static override examples = ['<%= config.bin %> check dns 192.0.2.53 --type A --name www.example.com --retry 0'];
  static override args = targetArg;
  static override flags = {
    type: Flags.string({ summary: 'type: A, NS, CNAME, SOA (default), MX, TXT or AAAA.' }),
    name: Flags.string({ summary: 'name: the name to query (default ".").' }),
    ...commonFlags,
    ...retryFlags,
    ...outputFlags,
  };
}
