import { Command } from '@oclif/core';
import { painterFor } from './color';
import { HactlError } from './errors';
import { reportError } from './report';

/**
 * Base class of every hactl command: uniform error reporting (one line, the
 * right exit code, no stack trace unless HACTL_DEBUG is set).
 */
export abstract class HactlCommand extends Command {
  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    // oclif's own exit requests (this.exit) pass through untouched.
    if (err && err.oclif && err.oclif.exit !== undefined && err.message.startsWith('EEXIT')) throw err;
    const p = painterFor(process.stderr);
    if (err instanceof HactlError) {
      process.exitCode = reportError(err);
      return;
    }
    // Flag/argument parsing errors from oclif: bad usage.
    const name = err?.constructor?.name ?? '';
    if (/Parse|Flag|Arg|Required|Exclusive|Options|Unexpected|Nonexistent/i.test(name)) {
      process.stderr.write(`${p.red('hactl: error:')} ${err.message}\n`);
      process.stderr.write(`See \`hactl ${this.id?.replace(/:/g, ' ') ?? ''} --help\`.\n`);
      process.exitCode = 2;
      return;
    }
    process.exitCode = reportError(err);
  }
}
