/**
 * sysctl through /proc/sys. Path computation is pure; `Sysctl` is the thin
 * fs adapter (root overridable for tests). /proc/sys/net is per network
 * namespace, so a process started with `ip netns exec` only sees its own.
 *
 * Keys use sysctl(8) notation: dots separate components and an interface name
 * that contains dots is written with '/' instead (net.ipv4.conf.eth0/100.rp_filter).
 */
import * as fs from 'node:fs';
import { normalizeValue, PROC_SYS, sysctlPath } from './sysctl-key';

export { checkKey, confKey, normalizeValue, PROC_SYS, sysctlPath } from './sysctl-key';

export class Sysctl {
  constructor(readonly root: string = process.env.HACTL_PROC_SYS || PROC_SYS) {}

  path(key: string): string {
    return sysctlPath(key, this.root);
  }

  exists(key: string): boolean {
    return fs.existsSync(this.path(key));
  }

  /** Current value (normalized), or undefined when the key does not exist. */
  read(key: string): string | undefined {
    try {
      return normalizeValue(fs.readFileSync(this.path(key), 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  write(key: string, value: string | number): void {
    fs.writeFileSync(this.path(key), `${normalizeValue(value)}\n`);
  }
}
