/**
 * A throw-away network namespace in which `keepalived -t` (and hactl) can
 * judge configs the way ../shared/corpus/tools/kt-verdicts.sh does: the
 * interfaces configs name exist (as empty admin-up bridges) and every command
 * runs in a private UTS namespace whose hostname is "kt-verdict" (keepalived's
 * default config id for `@id` lines). Needs root and iproute2 + util-linux.
 * The root namespace is never touched; cleanup() deletes the namespace.
 */
import { execFileSync } from 'node:child_process';
import { type Captured, type RunOptions, run } from './proc';

/** Same list as ../shared/corpus/tools/interfaces.txt (max 15 chars per name). */
export const KT_INTERFACES = [
  'eth0',
  'eth1',
  'eth2',
  'eth3',
  'eth4',
  'eth0.1',
  'eth0.53',
  'bond0',
  'bond1',
  'br0',
  'ens3',
  'ens4',
  'ens5',
  'ens18',
  'ens33',
  'ens160',
  'ens192',
  'ens7f0',
  'ens7f1',
  'ens7f1.57',
  'eno1',
  'eno2',
  'enp0s3',
  'enp0s8',
  'enp1s0',
  'enp5s0',
];

export /** Open-file limit inside the namespace (lowering a soft limit is always allowed). */
const KT_NOFILE = 1024;
const KT_HOSTNAME = 'kt-verdict';

let counter = 0;

export class KtNamespace {
  readonly name: string;
  private cleaned = false;
  private readonly onExit = () => this.cleanup();

  constructor(interfaces: readonly string[] = KT_INTERFACES, tag = 'kt') {
    this.name = `h${process.pid % 100000}${tag.slice(0, 4)}${counter++}`;
    execFileSync('ip', ['netns', 'add', this.name], { stdio: 'pipe' });
    process.once('exit', this.onExit);
    try {
      this.ip(['link', 'set', 'lo', 'up']);
      for (const ifname of interfaces) {
        this.ip(['link', 'add', ifname, 'type', 'bridge']);
        this.ip(['link', 'set', ifname, 'up']);
      }
    } catch (e) {
      this.cleanup();
      throw e;
    }
  }

  private ip(args: string[]): void {
    execFileSync('ip', ['-n', this.name, ...args], { stdio: 'pipe' });
  }

  /** Argument vector running `cmd args` inside the namespace, hostname kt-verdict, cwd `cwd`. */
  argv(cwd: string, cmd: string, args: string[]): string[] {
    return [
      'netns',
      'exec',
      this.name,
      'unshare',
      '--uts',
      'sh',
      '-c',
      // keepalived follows an include cycle until it runs out of descriptors: pin the limit so the
      // verdict (and the time it takes) does not depend on the machine's RLIMIT_NOFILE.
      `ulimit -n ${KT_NOFILE} 2>/dev/null; hostname ${KT_HOSTNAME} && cd "$0" && exec "$@"`,
      cwd,
      cmd,
      ...args,
    ];
  }

  /** Run `cmd args` inside the namespace (cwd = `cwd`), with a timeout. */
  exec(cwd: string, cmd: string, args: string[], opts: RunOptions = {}): Promise<Captured> {
    return run('ip', this.argv(cwd, cmd, args), opts);
  }

  cleanup(): void {
    if (this.cleaned) return;
    this.cleaned = true;
    process.removeListener('exit', this.onExit);
    try {
      execFileSync('ip', ['netns', 'del', this.name], { stdio: 'ignore' });
    } catch {
      /* already gone */
    }
  }
}
