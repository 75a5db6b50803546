/**
 * Run a program on a pseudo-terminal (zsh's zpty module, as test/unit/completion-zsh.test.ts
 * drives its interactive zsh) and collect what it writes for a while. Asynchronous, so the test's
 * own event loop (a fake daemon on a socket) keeps running meanwhile.
 */
import { spawn, spawnSync } from 'node:child_process';

/** Why a pty cannot be had here (undefined: zsh with zsh/zpty is there). */
export function ptyUnavailable(): string | undefined {
  const r = spawnSync('zsh', ['-fc', 'zmodload zsh/zpty'], { encoding: 'utf8' });
  if (r.error) return 'zsh is not installed (.ci/run installs it)';
  return r.status === 0 ? undefined : 'zsh has no zsh/zpty module';
}

// $1: seconds; the rest: the command (each word quoted for zpty's eval)
const DRIVER = [
  'zmodload zsh/zpty || exit 3',
  'secs=$1; shift',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: zsh parameter expansion, not a template
  'zpty z "${(j: :)${(q)@}}"',
  "out=''",
  'SECONDS=0',
  'while (( SECONDS < secs )); do',
  '  if zpty -r -t z chunk; then out+=$chunk; else sleep 0.05; fi',
  'done',
  'zpty -d z',
  'print -rn -- "$out"',
].join('\n');

/** What `argv` writes to its terminal in the first `seconds` (it is then hung up). */
export function ptyOutput(argv: string[], seconds: number, env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn('zsh', ['-fc', DRIVER, 'drive', String(seconds), ...argv], { env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    c.stdout.setEncoding('utf8');
    c.stdout.on('data', (d: string) => (out += d));
    c.stderr.on('data', (d) => (err += d));
    c.on('error', reject);
    c.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`zpty driver exited ${code}: ${err}`))));
  });
}
