/**
 * The real CheckerPort: keepalived.conf checker blocks (as from-config.ts
 * carries them) -> src/lib/check options, run with runCheck. The defaults
 * follow keepalived 2.2.7 (checker value, else real server's, else virtual
 * server's, else the checker type's default). The first-run warmup is done by
 * the reconciler's scheduling, so the options carry warmupMs 0.
 */
import { checkerOptions } from '../check/from-conf';
import { runCheck } from '../check/index';
import type { CheckOptions } from '../check/types';
import type { ConfCheckerOptions } from './from-config';
import type { CheckerPort } from './reconciler';
import type { CheckOutcome, CheckerSpec } from './types';

/**
 * Map one configured checker to the check library's options, through the same mapping
 * `hactl check config` uses, with the real server as IPVS sees it as the default target.
 * Throws with a precise message on a value that cannot be mapped.
 */
export function checkOptionsFor(spec: CheckerSpec): CheckOptions {
  const o = spec.options as ConfCheckerOptions;
  return checkerOptions(o.vs, o.rs, o.checker, { host: o.addr, port: o.port }, o.ssl);
}

/** CheckerPort on src/lib/check. An option that cannot be mapped makes the checker fail with the reason. */
export const realCheckers: CheckerPort = {
  async run(check: CheckerSpec, _rs, _vs, signal: AbortSignal): Promise<CheckOutcome> {
    let opts: CheckOptions;
    try {
      opts = checkOptionsFor(check);
    } catch (e) {
      return { up: false, reason: `configuration: ${(e as Error).message}` };
    }
    if (signal.aborted) return { up: false, reason: 'aborted' };
    const r = await runCheck(opts);
    // misc_dynamic: exit 0 puts the configured weight back (keepalived 2.2.7, seen in the IPVS VM parity test).
    const weight = r.weight ?? (opts.kind === 'misc' && opts.miscDynamic && r.up ? opts.rsWeight : undefined);
    return { up: r.up, reason: r.reason, weight, durationMs: r.totalMs };
  },
};
