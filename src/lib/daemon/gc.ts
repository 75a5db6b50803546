/**
 * One full garbage collection on demand, for a daemon that has just finished
 * its start-up (module loading, config parsing) and wants that heap back
 * before it settles: V8 keeps the young generation it grew to until a full
 * collection, and Node exposes none without `--expose-gc`. The flag can be set
 * at run time; `gc` is then read from a fresh context.
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

let gc: (() => void) | null | undefined;

export function fullGc(): void {
  if (gc === undefined) {
    const g = (globalThis as { gc?: () => void }).gc;
    if (typeof g === 'function') gc = g;
    else
      try {
        v8.setFlagsFromString('--expose-gc');
        const f = vm.runInNewContext('gc') as unknown;
        gc = typeof f === 'function' ? (f as () => void) : null;
      } catch {
        gc = null;
      }
  }
  gc?.();
}
