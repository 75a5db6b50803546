import { HactlCommand } from '../../lib/cli/base';
import { HactlError } from '../../lib/cli/errors';

export default class Stub extends HactlCommand {
  static override description = 'List the IPVS table like ipvsadm -L (not implemented yet: see issue #7)';
  static override strict = false;
  async run(): Promise<void> {
    throw new HactlError('`hactl vs list` is not implemented yet (issue #7)', { exitCode: 3 });
  }
}
