/**
 * Fast paths for hot commands, run without loading oclif (see bin/hactl).
 * A handler gets argv after the command words and returns a promise of the
 * exit code. Help requests always go through oclif.
 */
type FastHandler = (argv: string[]) => Promise<number>;

const handlers: Record<string, () => FastHandler> = {
  // 'conf lint': () => require('./lib/conf/lint-cli').fastMain,
};

export function tryFast(argv: string[]): boolean {
  if (argv.length < 2) return false;
  const key = `${argv[0]} ${argv[1]}`;
  const load = handlers[key];
  if (!load) return false;
  if (argv.includes('--help') || argv.includes('-h')) return false;
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
