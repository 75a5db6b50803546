import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Flags } from '@oclif/core';
import { HactlCommand } from '../../lib/cli/base';
import { HactlError } from '../../lib/cli/errors';
import { lvsHalf } from '../../lib/lvs/daemon';
import { DEFAULT_CONTROL_SOCKET, loadDaemonConfig, serveControl, serveMetrics } from '../../lib/vrrp/control';
import { execArgv, type Logger, realTimers, sleepPrecise, VrrpDaemon, writeFifo } from '../../lib/vrrp/daemon';
import { VipFirewall } from '../../lib/vrrp/firewall';
import { RealNetOps } from '../../lib/vrrp/netops';
import { rawChannels } from '../../lib/vrrp/transport';

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
    'pid-file': Flags.string({ description: 'write the daemon pid here (removed on exit)' }),
    'control-socket': Flags.string({ description: 'unix socket for `hactl vrrp status`', default: DEFAULT_CONTROL_SOCKET }),
    'log-format': Flags.string({ description: 'log line format', options: ['text', 'json'], default: 'text' }),
    metrics: Flags.string({ description: 'serve Prometheus metrics on ADDR:PORT (/metrics)' }),
    // LVS half (keepalived's checker process, src/lib/lvs): keepalived -P / -C / --dont-release-ipvs
    'vrrp-only': Flags.boolean({ description: 'run only VRRP (keepalived -P), not the virtual_server health checks' }),
    'lvs-only': Flags.boolean({ description: 'run only the virtual_server health checks and IPVS (keepalived -C)' }),
    'dont-release-ipvs': Flags.boolean({ description: 'leave the IPVS services in place on exit (keepalived --dont-release-ipvs)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(VrrpRun);
    if (!fs.existsSync(flags.file)) throw new HactlError(`configuration file ${flags.file} does not exist`, { exitCode: 1 });
    if (await lvsHalf(flags, this.argv)) return; // LVS half: src/lib/lvs/daemon.ts
    const loaded = loadDaemonConfig(flags.file, flags['config-id']);
    for (const w of loaded.warnings) process.stderr.write(`warning: ${w}\n`);
    if (!loaded.config) {
      for (const e of loaded.errors) process.stderr.write(`${e}\n`);
      throw new HactlError(`${flags.file}: ${loaded.errors.length} configuration error(s); not starting`, {
        hint: 'fix the errors above (`hactl conf lint` shows them too)',
      });
    }
    if (loaded.config.processPriority !== undefined) {
      // keepalived's vrrp_priority: the nice value of the VRRP process
      try {
        os.setPriority(loaded.config.processPriority);
      } catch (e) {
        process.stderr.write(`warning: vrrp_priority ${loaded.config.processPriority}: ${(e as Error).message}\n`);
      }
    }
    try {
      // timed waits wake on time (keepalived's timerfd has no slack; the default is 50 µs)
      require('../../lib/net').setTimerSlack(1000);
    } catch {
      /* addon missing: default slack */
    }
    const json = flags['log-format'] === 'json';
    const debug = !!process.env.HACTL_VRRP_DEBUG;
    const log: Logger = (level, msg, fields) => {
      if (level === 'debug' && !debug) return;
      const ts = new Date().toISOString();
      const mono = Math.round(performance.now() * 1000) / 1000;
      if (json) process.stderr.write(`${JSON.stringify({ ts, mono, level, msg, ...fields })}\n`);
      else process.stderr.write(`${ts} hactl-vrrp[${process.pid}]: ${level.toUpperCase()} ${msg}\n`);
    };
    let net: RealNetOps;
    try {
      net = new RealNetOps();
    } catch (e) {
      throw new HactlError(`cannot open rtnetlink: ${(e as Error).message}`, { hint: 'hactl vrrp run needs root (CAP_NET_ADMIN, CAP_NET_RAW)' });
    }
    const daemon = new VrrpDaemon(loaded.config, {
      channels: rawChannels,
      net,
      clock: () => performance.now(),
      timers: realTimers,
      exec: execArgv,
      log,
      readFile: (p) => {
        try {
          return fs.readFileSync(p, 'utf8');
        } catch {
          return undefined;
        }
      },
      writeFifo,
      immediate: (fn) => setImmediate(fn),
      sleepSync: sleepPrecise,
      firewall: new VipFirewall(log),
    });
    const sock = flags['control-socket'];
    try {
      fs.mkdirSync(path.dirname(sock), { recursive: true });
    } catch {
      /* reported by listen */
    }
    const ctl = serveControl(sock, () => daemon.status());
    ctl.on('error', (e) => log('error', `control socket ${sock}: ${e.message}`));
    const metrics = flags.metrics ? serveMetrics(flags.metrics, () => daemon.status()) : undefined;
    metrics?.on('error', (e) => log('error', `metrics ${flags.metrics}: ${e.message}`));
    const pidFile = flags['pid-file'];
    if (pidFile) fs.writeFileSync(pidFile, `${process.pid}\n`);
    const cleanupFiles = () => {
      try {
        if (pidFile) fs.unlinkSync(pidFile);
      } catch {
        /* gone */
      }
      try {
        fs.unlinkSync(sock);
      } catch {
        /* gone */
      }
    };
    try {
      await daemon.start();
    } catch (e) {
      await daemon.stop().catch(() => {});
      ctl.close();
      metrics?.close();
      net.close();
      cleanupFiles();
      const msg = (e as Error).message;
      if (/EPERM|EACCES|Operation not permitted/.test(msg))
        throw new HactlError(`cannot start: ${msg}`, { hint: 'hactl vrrp run needs root (CAP_NET_ADMIN, CAP_NET_RAW)' });
      throw new HactlError(`cannot start: ${msg}`);
    }
    log('info', `started ${loaded.config.instances.length} VRRP instance(s) from ${flags.file}`);
    await new Promise<void>((resolve) => {
      let reloading: Promise<void> = Promise.resolve();
      process.on('SIGHUP', () => {
        reloading = reloading.then(async () => {
          log('info', `reloading ${flags.file} (SIGHUP)`);
          const r = loadDaemonConfig(flags.file, flags['config-id']);
          if (!r.config) {
            for (const e of r.errors) log('error', e);
            log('error', 'reload refused: configuration has errors; keeping the running configuration');
            return;
          }
          try {
            const d = await daemon.reload(r.config);
            log('info', `reloaded: added [${d.added.join(', ')}] removed [${d.removed.join(', ')}] changed [${d.changed.join(', ')}]`);
          } catch (e) {
            log('error', `reload failed: ${(e as Error).message}`);
          }
        });
      });
      let stopping = false;
      const stop = (sig: string) => {
        if (stopping) return;
        stopping = true;
        log('info', `stopping (${sig})`);
        daemon
          .stop()
          .catch((e) => log('error', `stop: ${(e as Error).message}`))
          .finally(() => {
            ctl.close();
            metrics?.close();
            net.close();
            cleanupFiles();
            log('info', 'stopped');
            resolve();
          });
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
    process.exit(0);
  }
}
