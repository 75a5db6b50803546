/**
 * Fast paths for hot commands, run without loading oclif (see bin/hactl).
 * A handler gets argv after the command words and returns a promise of the
 * exit code. Help requests always go through oclif.
 */
/** undefined: not a command line the fast path serves (oclif runs it and words any usage error). */
type FastHandler = (argv: string[]) => Promise<number> | undefined;

const handlers: Record<string, () => FastHandler> = {
  'conf lint': () => require('./lib/conf/lint-cli').fastMain,
  'genhash ': () => require('./lib/check/genhash-cli').genhashFast,
  // IPVS (issue #7): parsed with ipvsadm's own rules in src/lib/ipvs/cli.
  'ipvsadm ': () => require('./lib/ipvs/cli').ipvsadmFast,
  'restore ': () => require('./lib/ipvs/cli').restoreMain,
  ...Object.fromEntries(
    ['vs add', 'vs edit', 'vs del', 'vs list', 'vs zero', 'vs clear', 'vs timeout', 'vs sync start', 'vs sync stop', 'vs sync status', 'rs add', 'rs edit', 'rs del', 'save'].map((v) => [
      v === 'save' ? 'save ' : v,
      () => require('./lib/ipvs/cli').fast(v),
    ]),
  ),
};

export function tryFast(argv: string[]): boolean {
  // `hactl ipvsadm ...` is ipvsadm's command line, -h included (issue #7).
  if (argv[0] === 'ipvsadm' || argv[0] === 'save' || argv[0] === 'restore' || argv[0] === 'genhash') argv = [argv[0], '', ...argv.slice(1)];
  // `vs sync start|stop|status`: three command words.
  if (argv[0] === 'vs' && argv[1] === 'sync' && ['start', 'stop', 'status'].includes(argv[2])) argv = ['vs', `sync ${argv[2]}`, ...argv.slice(3)];
  if (argv.length < 2) return false;
  const key = `${argv[0]} ${argv[1]}`;
  const load = handlers[key];
  if (!load) return false;
  if (argv[0] !== 'ipvsadm' && (argv.includes('--help') || argv.includes('-h'))) return false;
  const rest = argv.slice(2);
  const running = load()(rest);
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
