/**
 * `hactl vrrp run`: wiring of the VRRP daemon (src/lib/vrrp/daemon.ts) to the
 * real sockets, netlink, timers, control socket, metrics and signals. Shared by
 * the oclif command (src/commands/vrrp/run.ts) and the no-oclif fast path
 * (src/fast.ts): a daemon does not need oclif's ~14 MiB in memory for its
 * whole life.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { HactlError } from '../cli/errors';
import { LVS_TRACK, Supervision } from '../daemon';
import { lvsHalf } from '../lvs/daemon';
import type { DaemonConfig } from './config';
import { DEFAULT_CONTROL_SOCKET, loadDaemonConfig, serveControl, serveMetrics } from './control';
import { execArgv, type Logger, realTimers, sleepPrecise, VrrpDaemon } from './daemon';
import { VipFirewall } from './firewall';
import { NotifyFifo } from '../notify/fifo';
import { RealNetOps } from './netops';
import { rawChannels } from './transport';

export interface VrrpRunFlags {
  file: string;
  'config-id'?: string;
  'pid-file'?: string;
  'control-socket': string;
  'log-format': string;
  metrics?: string;
  'vrrp-only'?: boolean;
  'lvs-only'?: boolean;
  'dont-release-ipvs'?: boolean;
}

/**
 * The fast path's reading of `vrrp run` flags (the same names as the oclif command).
 * undefined for anything it does not take as is (oclif then parses and words the error).
 */
export function parseVrrpRunArgv(argv: string[]): VrrpRunFlags | undefined {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        file: { type: 'string', short: 'f' },
        'config-id': { type: 'string' },
        'pid-file': { type: 'string' },
        'control-socket': { type: 'string' },
        'log-format': { type: 'string' },
        metrics: { type: 'string' },
        'vrrp-only': { type: 'boolean' },
        'lvs-only': { type: 'boolean' },
        'dont-release-ipvs': { type: 'boolean' },
      },
    });
    if (positionals.length > 0 || !values.file) return undefined;
    const format = values['log-format'] ?? 'text';
    if (format !== 'text' && format !== 'json') return undefined;
    return { ...values, file: values.file, 'control-socket': values['control-socket'] ?? DEFAULT_CONTROL_SOCKET, 'log-format': format };
  } catch {
    return undefined;
  }
}

/** Fast-path handler (src/fast.ts). */
export function vrrpRunFast(argv: string[]): Promise<number> | undefined {
  const flags = parseVrrpRunArgv(argv);
  return flags ? runVrrp(flags, argv) : undefined;
}

/** Run until SIGTERM/SIGINT; the process exits 0 after a clean stop. Throws HactlError when it cannot start. */
export async function runVrrp(flags: VrrpRunFlags, argv: string[]): Promise<number> {
  if (!fs.existsSync(flags.file)) throw new HactlError(`configuration file ${flags.file} does not exist`, { exitCode: 1 });
  const lvsMode = await lvsHalf(flags); // LVS half: src/lib/lvs/daemon.ts
  if (lvsMode === 'ran') return 0;
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
    require('../net').setTimerSlack(1000);
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
  // notify_fifo / vrrp_notify_fifo: created, their scripts started and held open for the daemon's lifetime
  // (keepalived closes and reopens them on a reload: the scripts get SIGTERM and start again)
  const fifos = new Map<string, NotifyFifo>();
  const closeFifos = () => {
    for (const f of fifos.values()) f.close();
    fifos.clear();
  };
  const openFifos = (cfg: DaemonConfig) => {
    for (const f of cfg.notifyFifos ?? []) {
      // (fromModel already gave the script its user: its own or the default script user)
      const nf = new NotifyFifo(f.path, f.what, log);
      if (nf.open(f.script, f.owner)) fifos.set(f.path, nf);
    }
  };
  openFifos(loaded.config);
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
    // a FIFO that could not be opened (warned once at start) gets nothing
    writeFifo: (p, line) => fifos.get(p)?.write(line),
    immediate: (fn) => setImmediate(fn),
    sleepSync: sleepPrecise,
    firewall: new VipFirewall(log),
    onMasters: (plans) => sup.masters(plans),
  });
  // the supervisor (src/lib/daemon): the LVS child, restarted or fatal, and the watchdog
  let stopNow: ((why: string, code: number) => void) | undefined;
  let fatal: number | undefined;
  const sup = new Supervision({
    lvsArgv: lvsMode === 'child' ? argv : undefined,
    log,
    availability: (up) => daemon.setInternalTrack(LVS_TRACK, up),
    permanent: (code) => {
      fatal ??= code;
      stopNow?.('the LVS half failed', code);
    },
  });
  const status = () => ({ ...daemon.status(), halves: sup.halves() });
  const sock = flags['control-socket'];
  try {
    fs.mkdirSync(path.dirname(sock), { recursive: true });
  } catch {
    /* reported by listen */
  }
  const ctl = serveControl(sock, status);
  ctl.on('error', (e) => log('error', `control socket ${sock}: ${e.message}`));
  const metrics = flags.metrics ? serveMetrics(flags.metrics, status) : undefined;
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
  sup.start();
  try {
    await daemon.start();
  } catch (e) {
    await Promise.all([daemon.stop().catch(() => {}), sup.stopHalves()]);
    sup.bye();
    closeFifos();
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
  let exitCode = 0;
  await new Promise<void>((resolve) => {
    let reloading: Promise<void> = Promise.resolve();
    process.on('SIGHUP', () => {
      sup.reload();
      reloading = reloading.then(async () => {
        log('info', `reloading ${flags.file} (SIGHUP)`);
        const r = loadDaemonConfig(flags.file, flags['config-id']);
        if (!r.config) {
          for (const e of r.errors) log('error', e);
          log('error', 'reload refused: configuration has errors; keeping the running configuration');
          return;
        }
        for (const w of r.warnings) log('warn', w);
        closeFifos();
        openFifos(r.config);
        try {
          const d = await daemon.reload(r.config);
          log('info', `reloaded: added [${d.added.join(', ')}] removed [${d.removed.join(', ')}] changed [${d.changed.join(', ')}]`);
        } catch (e) {
          log('error', `reload failed: ${(e as Error).message}`);
        }
      });
    });
    let stopping = false;
    const stop = (sig: string, code = 0) => {
      if (stopping) return;
      stopping = true;
      exitCode = code;
      log(code ? 'error' : 'info', `stopping (${sig})`);
      Promise.all([daemon.stop().catch((e) => log('error', `stop: ${(e as Error).message}`)), sup.stopHalves()])
        .finally(() => {
          sup.bye();
          closeFifos();
          ctl.close();
          metrics?.close();
          net.close();
          cleanupFiles();
          if (code) log('error', `stopped: exit ${code} (the LVS half cannot run: see its error above; --vrrp-only runs VRRP without it)`);
          else log('info', 'stopped');
          resolve();
        });
    };
    stopNow = stop;
    if (fatal !== undefined) stop('the LVS half failed', fatal);
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
  process.exit(exitCode);
}
