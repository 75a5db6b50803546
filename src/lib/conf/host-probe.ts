/**
 * HostProbe for `--host`: interfaces from /sys/class/net, programs checked
 * like keepalived does (absolute path, or searched in PATH; must be an
 * executable regular file). The I/O adapter behind lint's host checks.
 */
import * as fs from 'node:fs';
import { dbNames } from '../proc/user';
import type { HostProbe } from './lint';

function executable(p: string): boolean {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) return false;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Interface names of the current network namespace (/proc/net/dev follows the netns; /sys may not). */
function interfaces(): Set<string> {
  const s = new Set<string>();
  try {
    for (const line of fs.readFileSync('/proc/net/dev', 'utf8').split('\n').slice(2)) {
      const i = line.indexOf(':');
      if (i > 0) s.add(line.slice(0, i).trim());
    }
  } catch {
    /* no procfs: nothing exists */
  }
  return s;
}

function users(file = '/etc/passwd'): Set<string> {
  try {
    return dbNames(fs.readFileSync(file, 'utf8'));
  } catch {
    return new Set(); // unreadable: report nobody as missing
  }
}

export function nodeHostProbe(env: NodeJS.ProcessEnv = process.env): HostProbe {
  let ifs: Set<string> | undefined;
  let us: Set<string> | undefined;
  let gs: Set<string> | undefined;
  return {
    // keepalived looks names up with getpwnam/getgrnam only: a numeric uid/gid is not a name ("script_user 0" fails)
    groupExists: (name) => {
      gs ??= users('/etc/group');
      return gs.size === 0 || gs.has(name);
    },
    userExists: (name) => {
      us ??= users();
      return us.size === 0 || us.has(name);
    },
    interfaceExists: (name) => {
      ifs ??= interfaces();
      return ifs.has(name);
    },
    cpuCount: () => require('node:os').cpus().length as number,
    programExists: (program) => {
      if (!program) return false;
      if (program.includes('/')) return executable(program);
      const path = env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
      return path.split(':').some((dir) => dir && executable(`${dir}/${program}`));
    },
  };
}
