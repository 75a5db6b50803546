import { Command } from '@oclif/core';
import { rewordOclifMessage } from './errors';
import type { Parsed } from './parse';
import { reportError, reportFailure } from './report-cli';

/** Run a command line through oclif (what ./main does not serve: `vrrp run` without its fast entry); oclif sets the exit status. */
export async function runOclif(root: string, argv: string[]): Promise<void> {
  const oclif = require('@oclif/core') as typeof import('@oclif/core');
  await oclif.execute({ dir: root, args: argv }).catch((err: unknown) => require('@oclif/core/handle')(err));
}

/**
 * Base class of every hactl command: uniform error reporting when oclif runs
 * it (one line, the right exit code, no stack trace unless HACTL_DEBUG is set).
 */
export abstract class HactlCommand extends Command {
  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    // oclif's own exit requests (this.exit) pass through untouched.
    if (err && err.oclif && err.oclif.exit !== undefined && err.message.startsWith('EEXIT')) throw err;
    // Flag/argument parsing errors from oclif: bad usage.
    const name = err?.constructor?.name ?? '';
    if (/Parse|Flag|Arg|Required|Exclusive|Options|Unexpected|Nonexistent/i.test(name)) {
      process.exitCode = reportFailure(rewordOclifMessage(err.message), `see \`hactl ${this.id?.replace(/:/g, ' ') ?? ''} --help\``, 2);
      return;
    }
    process.exitCode = reportError(err);
  }
}

/**
 * A command whose class is only its spec (flags, arguments, help texts:
 * scripts/manifest.js turns them into oclif.manifest.json, which bin/hactl
 * parses without oclif); what it does is its handler in src/fast.ts, which
 * this run() calls too when oclif runs the command.
 */
export abstract class HandledCommand extends HactlCommand {
  async run(): Promise<void> {
    const { commands } = require('../../fast') as typeof import('../../fast');
    const key = this.id?.replace(/:/g, ' ') ?? '';
    const entry = commands[key];
    if (!entry || entry.raw) throw new Error(`no handler for \`hactl ${key}\``);
    const p = await this.parse(this.constructor as typeof HandledCommand);
    const parsed: Parsed = { flags: p.flags, args: p.args as Record<string, string | undefined>, argv: p.argv as string[] };
    process.exitCode = await (entry.load() as (p: Parsed) => Promise<number> | number)(parsed);
  }

}
