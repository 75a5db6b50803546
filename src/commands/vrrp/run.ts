import { Flags } from '@oclif/core';
import { HactlCommand } from '../../lib/cli/base';
import { runVrrp, VRRP_RUN_FLAGS, type VrrpRunFlags } from '../../lib/vrrp/run-cli';

export default class VrrpRun extends HactlCommand {
  static override description = `Run the VRRP daemon for every vrrp_instance of a keepalived.conf (v2/v3, IPv4/IPv6).

Interoperates with keepalived on the wire. SIGHUP reloads the file and applies only the difference;
SIGTERM sends priority-0 adverts, removes the virtual addresses, runs notify_stop and exits 0.
Refuses to start when the configuration has errors (they are printed with file:line).`;

  static override examples = [
    '<%= config.bin %> vrrp run -f /etc/keepalived/keepalived.conf',
    '<%= config.bin %> vrrp run -f ka.conf --control-socket /run/hactl/vrrp.sock --log-format json',
    '<%= config.bin %> vrrp run -f ka.conf --pid-file /run/hactl-vrrp.pid --metrics 127.0.0.1:9650',
  ];

  // declared once in src/lib/vrrp/run-cli.ts (the fast path reads the same table)
  // biome-ignore lint/suspicious/noExplicitAny: built from the table; runVrrp takes the typed VrrpRunFlags
  static override flags: Record<string, any> = Object.fromEntries(
    Object.entries(VRRP_RUN_FLAGS).map(([name, f]) => {
      const common = { char: f.char as 'f' | undefined, aliases: f.aliases, description: f.description };
      return [name, f.type === 'boolean' ? Flags.boolean(common) : Flags.string({ ...common, default: f.default, options: f.options })];
    }),
  );

  async run(): Promise<void> {
    const { flags } = await this.parse(VrrpRun);
    // the daemon itself: src/lib/vrrp/run-cli.ts (also served without oclif by src/fast.ts)
    process.exitCode = await runVrrp(flags as unknown as VrrpRunFlags);
  }
}
