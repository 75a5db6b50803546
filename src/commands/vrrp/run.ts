import { HactlCommand } from '../../lib/cli/base';
import { HactlError } from '../../lib/cli/errors';

export default class Stub extends HactlCommand {
  static override description = 'Run the VRRP daemon for a keepalived.conf (not implemented yet: see issue #3)';
  static override strict = false;
  async run(): Promise<void> {
    throw new HactlError('`hactl vrrp run` is not implemented yet (issue #3)', { exitCode: 3 });
  }
}
