import { HactlCommand } from '../../lib/cli/base';
import { HactlError } from '../../lib/cli/errors';

export default class Stub extends HactlCommand {
  static override description = 'Run a TCP_CHECK once (not implemented yet: see issue #4)';
  static override strict = false;
  async run(): Promise<void> {
    throw new HactlError('`hactl check tcp` is not implemented yet (issue #4)', { exitCode: 3 });
  }
}
