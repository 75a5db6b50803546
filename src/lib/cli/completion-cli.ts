/** `hactl completion bash|zsh`: prints the script ./completion generates from the command spec. */
import { writeStdout } from './stdio-cli';
import { bashCompletion, zshCompletion } from './completion';
import { UsageError } from './errors';
import type { Parsed } from './parse';

/** `hactl completion bash|zsh` (src/fast.ts). */
export function completionHandler(p: Parsed): number {
  const shell = p.args.shell;
  const { loadSpec } = require('./spec') as typeof import('./spec');
  const spec = loadSpec(require('node:path').join(__dirname, '..', '..', '..', '..'));
  if (shell === 'bash') writeStdout(bashCompletion(spec));
  else if (shell === 'zsh') writeStdout(zshCompletion(spec));
  else throw new UsageError(`unknown shell '${shell}' (expected bash or zsh)`, { hint: 'see `hactl completion --help`' });
  return 0;
}
