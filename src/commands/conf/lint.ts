import { HactlCommand } from '../../lib/cli/base';
import { HactlError } from '../../lib/cli/errors';

export default class Stub extends HactlCommand {
  static override description = 'Validate keepalived.conf files (not implemented yet: see issue #2)';
  static override strict = false;
  async run(): Promise<void> {
    throw new HactlError('`hactl conf lint` is not implemented yet (issue #2)', { exitCode: 3 });
  }
}
