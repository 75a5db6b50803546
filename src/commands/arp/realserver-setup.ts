import { HactlCommand } from '../../lib/cli/base';
import { HactlError } from '../../lib/cli/errors';

export default class Stub extends HactlCommand {
  static override description = 'Set up an LVS-DR/TUN real server (not implemented yet: see issue #6)';
  static override strict = false;
  async run(): Promise<void> {
    throw new HactlError('`hactl arp realserver-setup` is not implemented yet (issue #6)', { exitCode: 3 });
  }
}
