/**
 * Native netlink I/O is synchronous; with yieldBetweenWindows the client returns
 * to the event loop between windows (the LVS half of `vrrp run` shares its loop
 * with VRRP timers). A fake addon stands in for the kernel.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IpvsClient } from '../../src/lib/ipvs/client';

function fakeNative(log: string[]) {
  return {
    open: () => [3, 4242, 1 << 20],
    send: (_fd: number, _b: Buffer, len: number) => {
      log.push('send');
      return len;
    },
    acks: (_fd: number, _first: number, count: number, errnos: Int32Array) => {
      errnos.fill(0, 0, count);
      return count;
    },
    recv: () => 0,
    close: () => {},
  };
}

type Ctor = new (opts: object, native: unknown) => IpvsClient;

async function run(opts: object): Promise<string[]> {
  const log: string[] = [];
  const c = new (IpvsClient as unknown as Ctor)(opts, fakeNative(log));
  const n = 300;
  const offs = new Uint32Array(n + 1);
  for (let i = 0; i <= n; i++) offs[i] = i * 20;
  const buf = Buffer.alloc(n * 20);
  // A timer-like task queued before the batch: it runs only when the client yields.
  setImmediate(() => log.push('other task'));
  const errnos = await c.applyEncoded(buf, offs, 1, n, false);
  assert.ok(errnos.every((e) => e === 0));
  return log;
}

describe('IpvsClient native windows', () => {
  it('without yieldBetweenWindows every window goes out before anything else runs', async () => {
    const log = await run({ window: 128 });
    assert.deepEqual(log, ['send', 'send', 'send']);
  });
  it('with yieldBetweenWindows other tasks run between windows', async () => {
    const log = await run({ window: 128, yieldBetweenWindows: true });
    assert.deepEqual(log, ['send', 'other task', 'send', 'send']);
  });
});
