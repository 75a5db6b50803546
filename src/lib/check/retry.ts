/**
 * Retry policy of keepalived's checkers, run once: the first attempt, then up
 * to `retry` more, `delay_before_retry` apart, stopping at the first success.
 * (keepalived retries a failing check of a server it considers up `retry`
 * times before marking it down; `hactl check` starts from "up", as keepalived
 * does for a new real server without `alpha`.) An optional warmup delay comes
 * first. Pure: time comes from the injected clock, randomness from `random`.
 */
import type { AttemptRecord, AttemptResult, CheckResult, Clock, RetryOptions } from './types';

export interface RetryRun {
  up: boolean;
  attempts: AttemptRecord[];
  last: AttemptResult;
  totalMs: number;
  warmupMs: number;
}

export async function runWithRetry(
  attempt: (index: number) => Promise<AttemptResult>,
  policy: RetryOptions,
  clock: Clock,
  random: () => number = Math.random,
  /** MISC_CHECK: keepalived schedules the retry delay_before_retry after the previous launch, not its end. */
  delayFromStart = false,
): Promise<RetryRun> {
  const t0 = clock.now();
  let warmupMs = 0;
  if (policy.warmupMs > 0) {
    warmupMs = Math.floor(random() * policy.warmupMs);
    if (warmupMs > 0) await clock.sleep(warmupMs);
  }
  const attempts: AttemptRecord[] = [];
  const total = 1 + Math.max(0, Math.floor(policy.retry));
  let last: AttemptResult = { ok: false, reason: 'not run' };
  for (let i = 0; i < total; i++) {
    if (i > 0 && policy.delayBeforeRetryMs > 0) {
      const prev = attempts[i - 1];
      const wait = delayFromStart ? policy.delayBeforeRetryMs - prev.durationMs : policy.delayBeforeRetryMs;
      if (wait > 0) await clock.sleep(wait);
    }
    const start = clock.now();
    try {
      last = await attempt(i);
    } catch (e) {
      last = { ok: false, reason: e instanceof Error ? e.message : String(e) };
    }
    attempts.push({ ...last, startMs: start - t0, durationMs: clock.now() - start });
    if (last.ok) break;
  }
  return { up: last.ok, attempts, last, totalMs: clock.now() - t0, warmupMs };
}

/** Turn a retry run into the public result. */
export function toCheckResult(kind: CheckResult['kind'], target: string, run: RetryRun): CheckResult {
  const retries = run.attempts.length - 1;
  let reason = run.last.reason;
  if (!run.up && retries > 0) reason = `${reason} (after ${retries} ${retries === 1 ? 'retry' : 'retries'})`;
  const res: CheckResult = {
    kind,
    target,
    up: run.up,
    reason,
    totalMs: run.totalMs,
    attempts: run.attempts,
  };
  if (run.last.weight !== undefined) res.weight = run.last.weight;
  if (run.last.detail) res.detail = run.last.detail;
  return res;
}
