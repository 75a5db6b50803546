import { Args } from '@oclif/core';
import { HandledCommand } from '../lib/cli/base';

/** Handler: src/lib/cli/completion.ts. */
export default class Completion extends HandledCommand {
  static override summary = 'Print a shell completion script (bash or zsh)';
  static override description = `Generated from the same command and flag spec as the help: commands, topics, flags and the values of flags with a fixed set.

bash: hactl completion bash > /etc/bash_completion.d/hactl (or: source <(hactl completion bash)).
zsh: hactl completion zsh > "\${fpath[1]}/_hactl", then restart zsh (or: source <(hactl completion zsh) after compinit).`;
  static override examples = ['<%= config.bin %> completion bash > /etc/bash_completion.d/hactl', 'source <(<%= config.bin %> completion zsh)'];
  static override args = { shell: Args.string({ description: 'bash or zsh', required: true, options: ['bash', 'zsh'] }) };
}
