/**
 * `hactl vrrp plan -f NEW.conf` and `hactl vrrp reload [--if-plan-is-safe]`: ask a running
 * `hactl vrrp run` over its control socket (the daemon knows its running configuration and
 * state; the planner is src/lib/vrrp/plan.ts, the reload the SIGHUP path in run-cli.ts).
 * src/fast.ts handlers.
 */
import * as path from 'node:path';
import { queryLineJson } from '../cli/control-socket';
import { HactlError } from '../cli/errors';
import type { Parsed } from '../cli/parse';
import type { ReloadRecord } from './control';
import { PLAN_EXIT_DISRUPTIVE, type ReloadPlan, renderPlan } from './plan';

/** A reload applies addresses and waits for them: give it longer than a status query. */
const RELOAD_TIMEOUT_MS = 30_000;

async function ask(sock: string, request: string, timeoutMs: number): Promise<Record<string, unknown>> {
  try {
    return (await queryLineJson(sock, request, timeoutMs)) as Record<string, unknown>;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ECONNREFUSED')
      throw new HactlError(`no VRRP daemon answers on ${sock}`, { hint: 'start it with `hactl vrrp run -f FILE` or pass --control-socket' });
    throw new HactlError(`cannot query ${sock}: ${(e as Error).message}`);
  }
}

/** Configuration errors: each file:line:col line on stderr, then one error (with --json, the error object on stdout). */
function configErrors(a: { error?: unknown; errors?: unknown }): never {
  const errors = Array.isArray(a.errors) ? (a.errors as string[]) : [];
  for (const e of errors) process.stderr.write(`${e}\n`);
  throw new HactlError(String(a.error), { hint: errors.length ? 'fix the errors above (`hactl conf lint` shows them too)' : undefined });
}

export async function vrrpPlanHandler(p: Parsed): Promise<number> {
  const sock = p.flags['control-socket'] as string;
  const file = path.resolve(p.flags.file as string);
  if (/[\r\n]/.test(file)) throw new HactlError(`${file}: a file name with a line break cannot be sent to the daemon`);
  const a = await ask(sock, `plan ${file}`, RELOAD_TIMEOUT_MS);
  if (a.error) {
    if (/unknown request/.test(String(a.error))) throw new HactlError(`the daemon on ${sock} does not know \`plan\``, { hint: 'restart it with this version of hactl' });
    configErrors(a);
  }
  const plan = a.plan as ReloadPlan;
  for (const w of (a.warnings as string[] | undefined) ?? []) process.stderr.write(`warning: ${w}\n`);
  if (p.flags.json) process.stdout.write(`${JSON.stringify({ file, running: a.running, ...plan }, null, 2)}\n`);
  else process.stdout.write(renderPlan(plan, `${file} (running: ${a.running})`));
  return plan.disruptive ? PLAN_EXIT_DISRUPTIVE : 0;
}

export async function vrrpReloadHandler(p: Parsed): Promise<number> {
  const sock = p.flags['control-socket'] as string;
  const safe = !!p.flags['if-plan-is-safe'];
  const a = await ask(sock, safe ? 'reload if-safe' : 'reload', RELOAD_TIMEOUT_MS);
  if (a.error) {
    if (/unknown request/.test(String(a.error))) throw new HactlError(`the daemon on ${sock} does not know \`reload\``, { hint: 'restart it with this version of hactl, or send it SIGHUP' });
    throw new HactlError(`reload: ${String(a.error)}`);
  }
  const rec = a.reload as ReloadRecord;
  const plan = a.plan as ReloadPlan | undefined;
  if (p.flags.json) {
    process.stdout.write(`${JSON.stringify({ reload: rec, plan }, null, 2)}\n`);
  } else {
    if (plan && (plan.disruptive || rec.result === 'ok')) process.stdout.write(renderPlan(plan, rec.file));
    if (rec.result === 'ok')
      process.stdout.write(`reloaded ${rec.file}: added [${(rec.added ?? []).join(', ')}] removed [${(rec.removed ?? []).join(', ')}] changed [${(rec.changed ?? []).join(', ')}]\n`);
  }
  if (rec.result === 'ok') return 0;
  for (const e of rec.errors ?? []) process.stderr.write(`${e}\n`);
  const disruptive = !!plan?.disruptive && rec.result === 'refused';
  throw new HactlError(`reload ${rec.result}: ${rec.error ?? ''}`, {
    exitCode: disruptive ? PLAN_EXIT_DISRUPTIVE : 1,
    hint: disruptive ? 'see the plan above; reload without --if-plan-is-safe to apply it anyway' : rec.errors?.length ? 'fix the errors above (`hactl conf lint` shows them too)' : undefined,
  });
}
