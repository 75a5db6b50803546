import { Flags } from '@oclif/core';
import { HactlCommand } from '../../lib/cli/base';
import { DEFAULT_PID_FILE } from '../../lib/daemon/pidfile';
import { DEFAULT_CONTROL_SOCKET } from '../../lib/vrrp/control';
import { runVrrp } from '../../lib/vrrp/run-cli';

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

  static override flags = {
    file: Flags.string({ char: 'f', description: 'keepalived.conf to run', required: true }),
    'config-id': Flags.string({ description: 'config id for @id line prefixes (keepalived -i)' }),
    'pid-file': Flags.string({
      description: `pid file of the main process, locked for its life: a second daemon on it is refused (keepalived -p) [default: ${DEFAULT_PID_FILE}]`,
    }),
    'checkers-pid': Flags.string({ description: 'pid file of the LVS half (keepalived -c) [default: the --pid-file name with -lvs.pid]' }),
    'control-socket': Flags.string({ description: 'unix socket for `hactl vrrp status`', default: DEFAULT_CONTROL_SOCKET }),
    'log-format': Flags.string({ description: 'log line format', options: ['text', 'json'], default: 'text' }),
    metrics: Flags.string({ description: 'serve Prometheus metrics on ADDR:PORT (/metrics; with --lvs-only the LVS half\'s)' }),
    // LVS half (keepalived's checker process, src/lib/lvs): keepalived -P / -C / --dont-release-ipvs
    'vrrp-only': Flags.boolean({ description: 'run only VRRP (keepalived -P), not the virtual_server health checks' }),
    'lvs-only': Flags.boolean({ description: 'run only the virtual_server health checks and IPVS (keepalived -C)' }),
    'dont-release-ipvs': Flags.boolean({ description: 'leave the IPVS services in place on exit (keepalived --dont-release-ipvs)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(VrrpRun);
    // the daemon itself: src/lib/vrrp/run-cli.ts (also served without oclif by src/fast.ts)
    process.exitCode = await runVrrp(flags, this.argv);
  }
}
