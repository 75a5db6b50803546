/**
 * Fast paths for hot commands, run without loading oclif (see bin/hactl).
 * A handler gets argv after the command words and returns a promise of the
 * exit code. Help requests always go through oclif.
 */
/** undefined: not a command line the fast path serves (oclif runs it and words any usage error). */
type FastHandler = (argv: string[]) => Promise<number> | undefined;

/** Keyed by the command words (one to three); the longest match wins. */
const handlers: Record<string, () => FastHandler> = {
  'conf lint': () => require('./lib/conf/lint-cli').fastMain,
  genhash: () => require('./lib/check/genhash-cli').genhashFast,
  // a long-running daemon: oclif would stay in memory (~14 MiB) for nothing
  'vrrp run': () => require('./lib/vrrp/run-cli').vrrpRunFast,
  // IPVS (issue #7): parsed with ipvsadm's own rules in src/lib/ipvs/cli.
  ipvsadm: () => require('./lib/ipvs/cli').ipvsadmFast,
  restore: () => require('./lib/ipvs/cli').restoreMain,
  ...Object.fromEntries(
    ['vs add', 'vs edit', 'vs del', 'vs list', 'vs zero', 'vs clear', 'vs timeout', 'vs sync start', 'vs sync stop', 'vs sync status', 'rs add', 'rs edit', 'rs del', 'save'].map((v) => [
      v,
      () => require('./lib/ipvs/cli').fast(v),
    ]),
  ),
};

export function tryFast(argv: string[]): boolean {
  let words = 0;
  for (let n = Math.min(3, argv.length); n > 0 && words === 0; n--) if (Object.hasOwn(handlers, argv.slice(0, n).join(' '))) words = n;
  if (words === 0) return false;
  // `hactl ipvsadm ...` is ipvsadm's command line, -h included (issue #7).
  if (argv[0] !== 'ipvsadm' && (argv.includes('--help') || argv.includes('-h'))) return false;
  const running = handlers[argv.slice(0, words).join(' ')]()(argv.slice(words));
  if (!running) return false;
  running.then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.exitCode = (require('./lib/cli/report') as typeof import('./lib/cli/report')).reportError(err);
    },
  );
  return true;
}
