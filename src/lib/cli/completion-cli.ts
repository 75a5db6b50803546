/** `hactl completion bash|zsh`: prints the script ./completion generates from the command spec. */
import { bashCompletion, zshCompletion } from './completion';
import { UsageError } from './errors';
import type { Parsed } from './parse';

/** `hactl completion bash|zsh` (src/fast.ts). */
export function completionHandler(p: Parsed): number {
  const shell = p.args.shell;
  const { loadSpec } = require('./spec') as typeof import('./spec');
  const spec = loadSpec(require('node:path').join(__dirname, '..', '..', '..', '..'));
  if (shell === 'bash') process.stdout.write(bashCompletion(spec));
  else if (shell === 'zsh') process.stdout.write(zshCompletion(spec));
  else throw new UsageError(`unknown shell '${shell}' (expected bash or zsh)`, { hint: 'see `hactl completion --help`' });
  return 0;
}
