/**
 * HostProbe for `--host`: interfaces from /sys/class/net, programs checked
 * like keepalived does (absolute path, or searched in PATH; must be an
 * executable regular file). The I/O adapter behind lint's host checks.
 */
import * as fs from 'node:fs';
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

export function nodeHostProbe(env: NodeJS.ProcessEnv = process.env): HostProbe {
  return {
    interfaceExists: (name) => name.length > 0 && !name.includes('/') && fs.existsSync(`/sys/class/net/${name}`),
    programExists: (program) => {
      if (!program) return false;
      if (program.includes('/')) return executable(program);
      const path = env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
      return path.split(':').some((dir) => dir && executable(`${dir}/${program}`));
    },
  };
}
