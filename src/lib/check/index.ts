/**
 * Health checkers of keepalived as a library: runCheck(options) runs one
 * checker once (warmup, attempts, retries) and reports up/down, the reason,
 * timings and, for MISC_CHECK with misc_dynamic, the new weight.
 */
import { dnsAttempt } from './dns';
import { httpUrlAttempt } from './http';
import { miscAttempt } from './misc';
import { describeTarget } from './net';
import { pingAttempt } from './ping';
import { runWithRetry, toCheckResult } from './retry';
import { smtpAttempt } from './smtp';
import { tcpAttempt } from './tcp';
import { realClock } from './types';
import type { AttemptRecord, CheckOptions, CheckResult, Clock } from './types';
import { udpAttempt } from './udp';

export * from './types';

export function targetOf(o: CheckOptions): string {
  if (o.kind === 'misc') return o.miscPath;
  if (o.kind === 'ping') return o.host;
  return describeTarget(o.host, o.port);
}

export async function runCheck(o: CheckOptions, clock: Clock = realClock): Promise<CheckResult> {
  const target = targetOf(o);
  switch (o.kind) {
    case 'http':
    case 'ssl': {
      if (o.urls.length === 0) {
        // keepalived: a checker without url is ignored; nothing to check means up.
        return { kind: o.kind, target, up: true, reason: 'no url configured', totalMs: 0, attempts: [] };
      }
      // Each URL in turn, each with its own retries (keepalived resets the retry
      // counter when a URL succeeds); the first URL that fails its retries fails the check.
      const t0 = clock.now();
      const attempts: AttemptRecord[] = [];
      const urlResults: Array<Record<string, unknown>> = [];
      let res: CheckResult | undefined;
      for (const url of o.urls) {
        const run = await runWithRetry(() => httpUrlAttempt(o, url), { ...o, warmupMs: attempts.length ? 0 : o.warmupMs }, clock);
        for (const a of run.attempts) attempts.push({ ...a, startMs: a.startMs + (clock.now() - t0 - run.totalMs) });
        urlResults.push({ path: url.path, up: run.up, reason: run.last.reason, ...(run.last.detail ?? {}) });
        res = toCheckResult(o.kind, target, run);
        if (!run.up) break;
      }
      const r = res!;
      return {
        ...r,
        reason: r.up && o.urls.length > 1 ? `all ${o.urls.length} urls succeeded` : r.reason,
        totalMs: clock.now() - t0,
        attempts,
        detail: { urls: urlResults },
      };
    }
    case 'tcp':
      return toCheckResult(o.kind, target, await runWithRetry(() => tcpAttempt(o), o, clock));
    case 'smtp':
      return toCheckResult(o.kind, target, await runWithRetry(() => smtpAttempt(o), o, clock));
    case 'misc':
      return toCheckResult(o.kind, target, await runWithRetry(() => miscAttempt(o), o, clock, Math.random, true));
    case 'dns':
      return toCheckResult(o.kind, target, await runWithRetry(() => dnsAttempt(o), o, clock));
    case 'udp':
      return toCheckResult(o.kind, target, await runWithRetry(() => udpAttempt(o), o, clock));
    case 'ping':
      return toCheckResult(o.kind, target, await runWithRetry((i) => pingAttempt(o, i + 1), o, clock));
  }
}
