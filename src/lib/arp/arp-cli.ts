/** The `hactl arp <role>-<verb>` handlers (src/fast.ts): parsed flags to the use cases of ./index. */
import { writeStderr, writeStdout } from '../cli/stdio-cli';
import type { Parsed } from '../cli/parse';

export const out = (l: string) => writeStdout(`${l}\n`);
export const warn = (l: string) => writeStderr(`${l}\n`);

type Role = 'director' | 'realserver';

export function arpHandler(role: Role, verb: 'setup' | 'status' | 'teardown'): (p: Parsed) => Promise<number> {
  return async ({ flags: f }) => {
    const arp = require('./index') as typeof import('./index');
    const s = (k: string) => f[k] as string | undefined;
    if (verb === 'teardown') return arp.runTeardown({ role, dryRun: f['dry-run'] === true, stateDir: s('state-dir'), out, warn });
    if (verb === 'status') {
      return arp.runStatus({
        role,
        mode: s('mode') as 'dr' | 'tun' | 'nat' | undefined,
        vips: (f.vip as string[] | undefined) ?? [],
        iface: s('iface'),
        json: f.json === true,
        stateDir: s('state-dir'),
        out,
        warn,
      });
    }
    return arp.runSetup({
      role,
      mode: s('mode') as 'nat' | 'dr' | 'tun',
      vips: f.vip as string[],
      iface: s('iface'),
      config: s('config'),
      dryRun: f['dry-run'] === true,
      persist: f.persist === true,
      stateDir: s('state-dir'),
      sysctlDir: s('sysctl-dir'),
      unitDir: s('unit-dir'),
      out,
      warn,
    } as Parameters<typeof arp.runSetup>[0]);
  };
}
