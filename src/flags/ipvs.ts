/**
 * Shared oclif pieces for the IPVS commands. The flags come from the one ipvsadm
 * option table (src/lib/ipvs/options.ts) and serve `--help` only: the commands
 * hand their raw argv to src/lib/ipvs/ipvs-cli.ts, which parses it
 * with ipvsadm's own rules (so `-p` with or without a timeout, `-Ln`-style
 * clusters and every ipvsadm spelling keep working).
 */
import { Flags, type Interfaces } from '@oclif/core';
import { HactlCommand } from '../lib/cli/base';
import type { Verb } from '../lib/ipvs/ipvs-cli';
import { type FlagGroup, type OptDef, optionsOf } from '../lib/ipvs/options';

type IpvsFlag = Interfaces.BooleanFlag<boolean> | Interfaces.OptionFlag<string | undefined>;

/** The oclif flags of one help group, built from the one option table (src/lib/ipvs/options.ts). */
function flagsOf(group: FlagGroup): Record<string, IpvsFlag> {
  const out: Record<string, IpvsFlag> = {};
  for (const o of optionsOf(group)) {
    const help = o.help as NonNullable<OptDef['help']>;
    // oclif's short flags are letters (ipvsadm's -6 is named in the description).
    const char = o.short && /^[A-Za-z]$/.test(o.short) ? (o.short as 'a') : undefined;
    if (o.arg === 'none') out[o.long] = Flags.boolean<boolean>({ ...(char ? { char } : {}), description: help.description });
    else out[o.long] = Flags.string({ ...(char ? { char } : {}), description: help.description, ...(help.value ? { helpValue: help.value } : {}) });
  }
  return out;
}

export const serviceFlags = flagsOf('service');
export const svcOptionFlags = flagsOf('svc');
export const destFlags = flagsOf('dest');
/** `vs list`'s output options (`numeric` also `save`'s). */
export const listFlags = flagsOf('list');
/** `vs timeout --set`. */
export const timeoutFlags = flagsOf('timeout');

export const outputFlags = {
  json: Flags.boolean({ description: 'print JSON' }),
  pretty: Flags.boolean({ description: 'print a table (colour on a terminal)' }),
};

/** ipvsadm's sync-daemon options (`vs sync start|stop`). */
export const syncDaemonFlags = flagsOf('sync');

export const yesFlag = { yes: Flags.boolean({ description: 'do not ask for confirmation' }) };

/** Base for the IPVS commands: raw argv → ./cli. */
export abstract class IpvsCommand extends HactlCommand {
  static override strict = false;
  protected abstract readonly verb: Verb;
  async run(): Promise<void> {
    const { vsMain } = await import('../lib/ipvs/ipvs-cli');
    process.exitCode = await vsMain(this.verb, this.argv);
  }
}
