import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

/** Repository root (tests run from dist/test/...). */
export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const HACTL = path.join(ROOT, 'bin', 'hactl');
/** ../shared beside the checkout. */
export const SHARED = path.resolve(ROOT, '..', 'shared');

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Run the real CLI as a user would (a separate process). */
export function hactl(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): RunResult {
  const r = spawnSync(process.execPath, [HACTL, ...args], {
    encoding: 'utf8',
    input: opts.input,
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    timeout: opts.timeoutMs ?? 60_000,
  });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
