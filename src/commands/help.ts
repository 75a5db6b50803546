import { Args } from '@oclif/core';
import { HactlCommand } from '../lib/cli/base';

/** Served by src/lib/cli/main.ts (help texts from the command spec). */
export default class Help extends HactlCommand {
  static override summary = 'Show help for hactl or for a command';
  static override examples = ['<%= config.bin %> help', '<%= config.bin %> help vs list', '<%= config.bin %> help check'];
  static override strict = false;
  static override args = { command: Args.string({ description: 'command words, e.g. `vs list`' }) };
  async run(): Promise<void> {
    const { loadSpec } = await import('../lib/cli/spec');
    const { helpFor } = await import('../lib/cli/main');
    process.stdout.write(helpFor(loadSpec(this.config.root), this.argv));
  }
}
