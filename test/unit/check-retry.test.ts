import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultDelayBeforeRetryMs, defaultRetry } from '../../src/lib/check/defaults';
import { runWithRetry, toCheckResult } from '../../src/lib/check/retry';
import type { AttemptResult, Clock } from '../../src/lib/check/types';

/** A fake clock: sleep advances time instantly and records the delays. */
function fakeClock(): Clock & { t: number; sleeps: number[] } {
  const c = {
    t: 0,
    sleeps: [] as number[],
    now: () => c.t,
    sleep: async (ms: number) => {
      c.sleeps.push(ms);
      c.t += ms;
    },
  };
  return c;
}

function scripted(outcomes: boolean[], costMs: number, clock: { t: number }) {
  let i = 0;
  return async (): Promise<AttemptResult> => {
    clock.t += costMs;
    const ok = outcomes[i++] ?? false;
    return { ok, reason: ok ? 'fine' : `fail ${i}` };
  };
}

describe('retry policy', () => {
  it('retry N means N+1 attempts, delay_before_retry apart', async () => {
    const c = fakeClock();
    const run = await runWithRetry(scripted([false, false, false, false], 100, c), { retry: 2, delayBeforeRetryMs: 3000, warmupMs: 0 }, c);
    assert.equal(run.up, false);
    assert.equal(run.attempts.length, 3);
    assert.deepEqual(c.sleeps, [3000, 3000]);
    assert.deepEqual(
      run.attempts.map((a) => a.startMs),
      [0, 3100, 6200],
    );
    assert.equal(run.totalMs, 6300);
    const r = toCheckResult('http', 'x', run);
    assert.equal(r.reason, 'fail 3 (after 2 retries)');
  });
  it('MISC_CHECK: the retry delay counts from the previous launch', async () => {
    const c = fakeClock();
    const run = await runWithRetry(scripted([false, false], 400, c), { retry: 1, delayBeforeRetryMs: 1000, warmupMs: 0 }, c, Math.random, true);
    assert.deepEqual(c.sleeps, [600]);
    assert.equal(run.attempts[1].startMs, 1000);
  });
  it('stops at the first success', async () => {
    const c = fakeClock();
    const run = await runWithRetry(scripted([false, true, false], 10, c), { retry: 5, delayBeforeRetryMs: 1000, warmupMs: 0 }, c);
    assert.equal(run.up, true);
    assert.equal(run.attempts.length, 2);
    assert.deepEqual(c.sleeps, [1000]);
  });
  it('retry 0: one attempt, no delay', async () => {
    const c = fakeClock();
    const run = await runWithRetry(scripted([false], 10, c), { retry: 0, delayBeforeRetryMs: 1000, warmupMs: 0 }, c);
    assert.equal(run.attempts.length, 1);
    assert.deepEqual(c.sleeps, []);
  });
  it('warmup waits random * warmup first', async () => {
    const c = fakeClock();
    const run = await runWithRetry(scripted([true], 10, c), { retry: 1, delayBeforeRetryMs: 1000, warmupMs: 4000 }, c, () => 0.25);
    assert.equal(run.warmupMs, 1000);
    assert.deepEqual(c.sleeps, [1000]);
    assert.equal(run.attempts[0].startMs, 1000);
  });
  it('an attempt that throws is a failure with its message', async () => {
    const c = fakeClock();
    const run = await runWithRetry(
      async () => {
        throw new Error('boom');
      },
      { retry: 0, delayBeforeRetryMs: 0, warmupMs: 0 },
      c,
    );
    assert.equal(run.up, false);
    assert.equal(run.last.reason, 'boom');
  });
  it('keepalived defaults', () => {
    assert.equal(defaultRetry('http'), 1);
    assert.equal(defaultRetry('dns'), 3);
    assert.equal(defaultRetry('misc'), 0);
    assert.equal(defaultDelayBeforeRetryMs('ssl'), 3000);
    assert.equal(defaultDelayBeforeRetryMs('tcp'), 1000);
    assert.equal(defaultDelayBeforeRetryMs('dns', 10_000), 10_000);
  });
});
