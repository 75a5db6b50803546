/**
 * Fast paths for hot commands, run without loading oclif (see bin/hactl).
 * A handler gets argv after the command words and returns a promise of the
 * exit code. Help requests always go through oclif.
 */
type FastHandler = (argv: string[]) => Promise<number>;

const handlers: Record<string, () => FastHandler> = {
  'conf lint': () => require('./lib/conf/lint-cli').fastMain,
  // IPVS (issue #7): parsed with ipvsadm's own rules in src/lib/ipvs/cli.
  'ipvsadm ': () => require('./lib/ipvs/cli').ipvsadmFast,
  'restore ': () => require('./lib/ipvs/cli').restoreMain,
  ...Object.fromEntries(
    ['vs add', 'vs edit', 'vs del', 'vs list', 'vs zero', 'vs clear', 'vs timeout', 'rs add', 'rs edit', 'rs del', 'save'].map((v) => [
      v === 'save' ? 'save ' : v,
      () => require('./lib/ipvs/cli').fast(v),
    ]),
  ),
};

export function tryFast(argv: string[]): boolean {
  // `hactl ipvsadm ...` is ipvsadm's command line, -h included (issue #7).
  if (argv[0] === 'ipvsadm' || argv[0] === 'save' || argv[0] === 'restore') argv = [argv[0], '', ...argv.slice(1)];
  if (argv.length < 2) return false;
  const key = `${argv[0]} ${argv[1]}`;
  const load = handlers[key];
  if (!load) return false;
  if (argv[0] !== 'ipvsadm' && (argv.includes('--help') || argv.includes('-h'))) return false;
  const rest = argv.slice(2);
  load()(rest).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`hactl: error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
  return true;
}
