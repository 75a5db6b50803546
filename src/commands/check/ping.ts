import { HandledCommand } from '../../lib/cli/base';
import { commonFlags, outputFlags, retryFlags, targetArg } from '../../flags/check';

export default class CheckPing extends HandledCommand {
  static override summary = 'Run a PING_CHECK once';
  static override description = `Send one ICMP (or ICMPv6) echo request; up when the reply arrives within connect_timeout. Needs root (raw socket). --fwmark is applied (SO_MARK).

Exit status: 0 up, 1 down, 2 bad usage.`;
  static override examples = ['<%= config.bin %> check ping 192.0.2.10', '<%= config.bin %> check ping 2001:db8::10 --connect-timeout 1 --retry 0'];
  static override args = targetArg;
  static override flags = {

    ...commonFlags,
    ...retryFlags,
    ...outputFlags,
  };
}
