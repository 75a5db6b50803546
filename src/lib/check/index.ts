/**
 * Health checkers of keepalived as a library: runCheck(options) runs one
 * checker once (warmup, attempts, retries) and reports up/down, the reason,
 * timings and, for MISC_CHECK with misc_dynamic, the new weight.
 */
import { formatHostPort } from '../addr';
import { runWithRetry, toCheckResult } from './retry';
import { realClock } from './types';
import type { AttemptRecord, CheckOptions, CheckResult, Clock } from './types';

// Each checker's module is loaded when it runs (one-shot `hactl check <kind>` start-up: issue 11).
const dnsAttempt: typeof import('./dns').dnsAttempt = (...a) => (require('./dns') as typeof import('./dns')).dnsAttempt(...a);
const httpUrlAttempt: typeof import('./http').httpUrlAttempt = (...a) => (require('./http') as typeof import('./http')).httpUrlAttempt(...a);
const miscAttempt: typeof import('./misc').miscAttempt = (...a) => (require('./misc') as typeof import('./misc')).miscAttempt(...a);
const pingAttempt: typeof import('./ping').pingAttempt = (...a) => (require('./ping') as typeof import('./ping')).pingAttempt(...a);
const smtpAttempt: typeof import('./smtp').smtpAttempt = (...a) => (require('./smtp') as typeof import('./smtp')).smtpAttempt(...a);
const tcpAttempt: typeof import('./tcp').tcpAttempt = (...a) => (require('./tcp') as typeof import('./tcp')).tcpAttempt(...a);
const udpAttempt: typeof import('./udp').udpAttempt = (...a) => (require('./udp') as typeof import('./udp')).udpAttempt(...a);

export * from './types';

export function targetOf(o: CheckOptions): string {
  if (o.kind === 'misc') return o.miscPath;
  if (o.kind === 'ping') return o.host;
  return formatHostPort(o.host, o.port);
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
