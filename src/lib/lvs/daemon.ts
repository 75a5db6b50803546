/**
 * The LVS half of `hactl vrrp run` (keepalived's checker process, `-C`):
 * loads keepalived.conf, runs the reconciler with the real IPVS client and
 * the real checkers, handles SIGHUP (reload, only the difference) and
 * SIGTERM/SIGINT (remove what it manages unless --dont-release-ipvs), and
 * answers `status` on a unix control socket.
 *
 * `lvsHalf()` is the single entry point `hactl vrrp run` calls: with
 * --lvs-only (or a configuration without vrrp_instance) it runs the LVS half
 * in this process and returns 'ran'; by default it returns 'child' when the
 * configuration has virtual servers (the daemon supervisor, src/lib/daemon,
 * then runs the LVS half as a child process, `--lvs-only`, like keepalived
 * forks its checker child) and the VRRP half runs here; with --vrrp-only, or
 * without virtual servers, 'none'.
 *
 * Exit codes of the LVS half are keepalived's, so the supervisor can tell a
 * permanent failure from a crash: 1 (FATAL: no IPVS), 2 (CONFIG), 4 (missing
 * permission) stop the whole daemon; 70 (an exception nothing caught) and
 * signals get the half restarted.
 */
import type { FileCheckOptions } from '../check/from-conf';
import * as os from 'node:os';
import { bindLineJson, queryLineJson, queryStatus } from '../cli/control-socket';
import { daemonLogger } from '../daemon/log';
import { alreadyRunningOnSocket, DEFAULT_PID_FILE, Held, lockPidFile, lvsPidFileFor } from '../daemon/pidfile';
import { bindMetrics } from '../daemon/metrics';
import { FIFO_OWNER_ENV, KEEPALIVED_EXIT, LVS_CHILD_ENV, LVS_READY_MESSAGE } from '../daemon/supervisor';
import { HactlError } from '../cli/errors';
import { NotifyFifo } from '../notify/fifo';
import { splitCommand } from '../proc/argv';
import { startScript } from '../proc/run';
import { loadConfig } from '../conf/index';
import type { KeepalivedConfig } from '../conf/model';
import type { IpvsClient } from '../ipvs/client';
import type { ServiceWithDests } from '../ipvs/types';
import type { DrainMatch, DrainTarget } from './drain';
import { initTrackFiles, isFileCheck, realCheckers, trackFilePaths, watchTrackFiles } from './checkers';
import { type LvsHalfFlags, lvsRole, lvsSpecFromModel } from './role';

export { type LvsHalfFlags, lvsRole, lvsSpecFromModel };
import { type IpvsPort, LvsReconciler, type LvsStatus, realTimerClock } from './reconciler';
import type { LvsEvent, LvsSpec, ScriptSpec } from './types';
import { lvsMetricsText } from './metrics';
import { DEFAULT_LVS_CONTROL_SOCKET, lvsSocketFor, lvsStatusForCli, queryLvsStatus } from './status-client';

export type LvsLog = (level: 'info' | 'warn' | 'error' | 'debug', msg: string) => void;

export { DEFAULT_LVS_CONTROL_SOCKET, lvsSocketFor, lvsStatusForCli, queryLvsStatus };

/** IpvsPort on src/lib/ipvs's netlink client. */
export function netlinkIpvsPort(c: IpvsClient): IpvsPort {
  return {
    list: () => c.getTable(),
    apply: async (ops) =>
      (await c.apply(ops)).map((r) => (r.errno === 0 ? { ok: true as const } : { ok: false as const, error: 'error' in r ? r.error.message : `errno ${r.errno}`, errno: r.errno })),
  };
}

export interface LoadedLvs {
  spec?: LvsSpec;
  model?: KeepalivedConfig;
  errors: string[];
  warnings: string[];
}

/** keepalived.conf -> LvsSpec, with the conf engine's diagnostics (errors refuse the file). */
export function loadLvsSpec(file: string, configId?: string): LoadedLvs {
  const r = loadConfig(file, { configId });
  const fmt = (d: { file: string; line: number; col: number; severity: string; message: string; rule: string }) =>
    `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message} [${d.rule}]`;
  const errors = r.diagnostics.filter((d) => d.severity === 'error').map(fmt);
  const warnings = r.diagnostics.filter((d) => d.severity !== 'error').map(fmt);
  if (r.fatal || errors.length) return { errors: errors.length ? errors : [`${file}: cannot be read`], warnings, model: r.model };
  const m = lvsSpecFromModel(r.model);
  return { spec: m.spec, model: r.model, errors: [], warnings: [...warnings, ...m.warnings] };
}

/** The LVS half's spec from a loaded model (loadLvsSpec; also the VRRP half's reload plan). Sets the model's default script_user. */
/**
 * Run a notify or quorum script as keepalived does (src/lib/proc): its words as argv, no shell
 * (config values are never shell-interpreted), as its user/group; a user or group that does not
 * exist: not run at all. Killed (its process group) after 30 s.
 */
function runNotifyScript(sc: ScriptSpec, log: LvsLog): void {
  const cmd = sc.command;
  const argv = splitCommand(cmd);
  if (argv.length === 0) return;
  const run = startScript({ argv, user: sc.user, group: sc.group, timeoutMs: 30_000 });
  void run.done.then((r) => {
    if (r.error) log('warn', `notify ${cmd}: ${r.error}`);
    else if (r.code) log('warn', `notify ${cmd} exited with ${r.code}`);
  });
}

function localAddresses(): Set<string> {
  const s = new Set<string>();
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) s.add(a.address);
  return s;
}

export interface LvsDaemonOptions {
  file: string;
  configId?: string;
  dontRelease?: boolean;
  controlSocket?: string;
  log: LvsLog;
  /** For tests: an IPVS port instead of the kernel's. */
  ipvs?: IpvsPort;
  /**
   * VRRP control socket to follow for lvs_sync_daemon: the sync daemon is master
   * while the named vrrp_instance is MASTER there, backup otherwise (keepalived
   * switches it on the instance's transitions).
   */
  followVrrp?: string;
  /** Pid files to hold (locked) for the daemon's life, taken before anything else. */
  pidFiles?: string[];
  /** Serve the LVS half's Prometheus metrics on ADDR:PORT. */
  metrics?: string;
}

/** A running LVS half (embeddable: start / reload / stop / status). */
export class LvsHost {
  private rec?: LvsReconciler;
  private fifos = new Map<string, NotifyFifo>();
  private spec?: LvsSpec;
  private client?: IpvsClient;
  private ipvs?: IpvsPort;
  private metricsClient?: IpvsClient;
  private addrCache = { at: 0, set: new Set<string>() };
  private follow?: NodeJS.Timeout;
  private unwatch?: () => void;

  constructor(private readonly o: LvsDaemonOptions) {}

  private onEvent(ev: LvsEvent): void {
    const log = this.o.log;
    if (ev.kind === 'log') log('info', ev.message);
    else if (ev.kind === 'script') runNotifyScript(ev, log);
    else for (const p of this.spec?.notifyFifos ?? []) this.fifos.get(p)?.write(ev.line);
  }

  private vipPresent(addr: string): boolean {
    const now = Date.now();
    if (now - this.addrCache.at > 1000) this.addrCache = { at: now, set: localAddresses() };
    return this.addrCache.set.has(addr);
  }

  async start(): Promise<void> {
    const l = loadLvsSpec(this.o.file, this.o.configId);
    for (const w of l.warnings) this.o.log('warn', w);
    if (!l.spec) {
      throw new HactlError(`${this.o.file}: ${l.errors.length} configuration error(s); not starting\n${l.errors.join('\n')}`, {
        hint: 'fix the errors (`hactl conf lint` shows them too)',
        exitCode: KEEPALIVED_EXIT.CONFIG,
      });
    }
    this.spec = l.spec;
    this.openFifos(l.spec);
    let ipvs = this.o.ipvs ?? testIpvs();
    if (!ipvs) {
      const { IpvsClient } = require('../ipvs/client') as typeof import('../ipvs/client');
      try {
        // Small windows with a yield between them: VRRP timers share this event loop.
        this.client = await IpvsClient.open({ window: 128, yieldBetweenWindows: true });
      } catch (e) {
        const m = (e as Error).message;
        const perm = /EPERM|EACCES|not permitted/.test(`${m} ${(e as NodeJS.ErrnoException).code ?? ''}`);
        throw new HactlError(`IPVS: ${m}`, {
          hint: 'the LVS half needs root and the ip_vs module (use --vrrp-only to run VRRP alone)',
          exitCode: perm ? KEEPALIVED_EXIT.MISSING_PERMISSION : KEEPALIVED_EXIT.FATAL,
        });
      }
      ipvs = netlinkIpvsPort(this.client);
    }
    this.ipvs = ipvs;
    this.rec = new LvsReconciler({
      ipvs,
      checkers: realCheckers,
      clock: realTimerClock,
      onEvent: (e) => this.onEvent(e),
      dontRelease: this.o.dontRelease,
      vipPresent: (a) => this.vipPresent(a),
    });
    for (const w of initTrackFiles(l.model?.track_files ?? [], l.spec, false)) this.o.log('warn', w);
    await this.rec.start(l.spec);
    this.watchFiles(l.spec);
    this.o.log('info', `LVS: ${l.spec.virtualServers.length} virtual server(s) from ${this.o.file}`);
    if (this.o.followVrrp) {
      const sock = this.o.followVrrp;
      let busy = false;
      this.follow = setInterval(() => {
        const inst = this.spec?.syncDaemon?.instance;
        if (busy || !inst || !this.rec) return;
        busy = true;
        // the VRRP half's status (vrrp/control.ts queryControl), read as far as this needs it
        queryStatus<{ instances: { name: string; state: string }[] }>(sock, 1500)
          .then((st) => {
            const i = st.instances.find((x) => x.name === inst);
            if (!i) return;
            const role = i.state === 'MASTER' ? 'master' : 'backup';
            if (role !== this.rec?.syncDaemonRole()) {
              this.o.log('info', `LVS sync daemon: ${role} (vrrp_instance ${inst} is ${i.state})`);
              return this.rec?.setSyncDaemonRole(role);
            }
          })
          .catch(() => {
            /* no VRRP half answering: stay as we are */
          })
          .finally(() => {
            busy = false;
          });
      }, 1000);
      this.follow.unref();
    }
  }

  /** lvs_notify_fifo / notify_fifo: created, script started, held open. */
  private openFifos(spec: LvsSpec): void {
    for (const f of spec.notifyFifoSetup ?? []) {
      if (this.fifos.has(f.path)) continue;
      const nf = new NotifyFifo(f.path, f.what, this.o.log);
      // the global FIFO's script belongs to the VRRP half when there is one
      const runScript = f.script && !(f.what === 'notify_fifo' && process.env[FIFO_OWNER_ENV] === 'vrrp');
      const script = runScript && f.script ? { argv: splitCommand(f.script.command), user: f.script.user, group: f.script.group } : undefined;
      if (nf.open(script, f.owner)) this.fifos.set(f.path, nf);
    }
  }

  async reload(): Promise<void> {
    if (!this.rec) return;
    const l = loadLvsSpec(this.o.file, this.o.configId);
    for (const w of l.warnings) this.o.log('warn', w);
    if (!l.spec) {
      for (const e of l.errors) this.o.log('error', e);
      this.o.log('error', 'LVS reload refused: configuration has errors; keeping the running configuration');
      return;
    }
    this.spec = l.spec;
    // keepalived closes and reopens the FIFOs on a reload (their scripts get SIGTERM and start again)
    for (const f of this.fifos.values()) f.close();
    this.fifos.clear();
    this.openFifos(l.spec);
    for (const w of initTrackFiles(l.model?.track_files ?? [], l.spec, true)) this.o.log('warn', w);
    await this.rec.reload(l.spec);
    this.watchFiles(l.spec);
    this.o.log('info', `LVS: reloaded ${l.spec.virtualServers.length} virtual server(s)`);
  }

  /** FILE_CHECK: a changed track file is read at once (keepalived: inotify), besides the delay_loop poll. */
  private watchFiles(spec: LvsSpec): void {
    this.unwatch?.();
    this.unwatch = watchTrackFiles(trackFilePaths(spec), (p) => {
      this.rec?.poke((c) => isFileCheck(c) && (c.options as FileCheckOptions).path === p);
    });
  }

  async stop(): Promise<void> {
    this.unwatch?.();
    this.unwatch = undefined;
    if (this.follow) clearInterval(this.follow);
    if (this.rec) await this.rec.stop();
    for (const f of this.fifos.values()) f.close();
    this.fifos.clear();
    this.client?.close();
    this.metricsClient?.close();
    this.metricsClient = undefined;
  }

  status(): LvsStatus | undefined {
    return this.rec?.status();
  }

  /** `hactl rs drain` / `undrain` through the control socket (reconciler.setDrain). */
  async setDrain(t: DrainTarget, on: boolean): Promise<DrainMatch> {
    if (!this.rec) return { kind: 'error', message: 'the LVS half is not running its configuration yet', hint: 'try again in a moment' };
    const m = await this.rec.setDrain(t, on);
    if (m.kind === 'found') this.o.log('info', `LVS: real server ${m.rsKey.replace('|', ':')} of VS ${m.vsId} ${on ? 'drained (weight 0)' : 'undrained'}`);
    return m;
  }

  /**
   * The kernel's IPVS table with its counters (for /metrics); undefined when it cannot be read.
   * Its own netlink socket: the kernel runs one dump at a time per socket, and a scrape must not
   * make the reconciler's own reads fail.
   */
  async liveTable(): Promise<ServiceWithDests[] | undefined> {
    try {
      if (!this.client) return await this.ipvs?.list();
      if (!this.metricsClient) {
        const { IpvsClient } = require('../ipvs/client') as typeof import('../ipvs/client');
        this.metricsClient = await IpvsClient.open({ window: 128, yieldBetweenWindows: true });
      }
      return await this.metricsClient.getTable(1);
    } catch {
      return undefined;
    }
  }
}

const lvsAnswers = (host: LvsHost) => {
  const answer = () => ({ pid: process.pid, lvs: host.status() ?? null });
  // the VRRP parent's /metrics appends this half's (with the kernel's IPVS counters)
  const metrics = async () => ({ text: lvsMetricsText(host.status(), await host.liveTable()) });
  // `lvs-drain JSON` / `lvs-undrain JSON` (a DrainTarget): the match, or {kind: 'error'|'not-managed'}
  const drain = (on: boolean) => (arg?: string) => {
    const t = parseDrainTarget(arg);
    return t ? host.setDrain(t, on) : { kind: 'error', message: 'bad drain request: expected a JSON {svc, addr, port}' };
  };
  return { status: answer, 'lvs-status': answer, 'lvs-metrics': metrics, 'lvs-drain': drain(true), 'lvs-undrain': drain(false) };
};

/** A drain request's argument, checked (the daemon never trusts a control line). */
function parseDrainTarget(arg: string | undefined): DrainTarget | undefined {
  try {
    const j = JSON.parse(arg ?? '') as DrainTarget;
    const s = j?.svc;
    const num = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= 0;
    if (!s || !num(s.af) || !num(s.protocol) || typeof s.addr !== 'string' || !num(s.port) || !num(s.fwmark)) return undefined;
    if (typeof j.addr !== 'string' || !(j.port === null || num(j.port))) return undefined;
    return { svc: { af: s.af, protocol: s.protocol, addr: s.addr, port: s.port, fwmark: s.fwmark }, addr: j.addr, port: j.port };
  } catch {
    return undefined;
  }
}

/** The LVS half's /metrics text from its control socket ('' when none answers). */
export async function queryLvsMetrics(p: string, timeoutMs = 2000): Promise<string> {
  try {
    return ((await queryLineJson(p, 'lvs-metrics', timeoutMs)) as { text?: string }).text ?? '';
  } catch {
    return '';
  }
}

export { lvsMetricsText };


/**
 * HACTL_TEST_FAKE_IPVS=1 (tests only): an IPVS table in memory, so the LVS half runs on a host
 * without ip_vs (test/integration/vrrp-supervise.test.ts kills such a child to see it restarted).
 */
function testIpvs(): IpvsPort | undefined {
  if (process.env.HACTL_TEST_FAKE_IPVS !== '1') return undefined;
  return { list: async () => [], apply: async (ops) => ops.map(() => ({ ok: true as const })) };
}


/**
 * Run the LVS half in this process until SIGTERM/SIGINT. Start-up order: pid
 * files locked, control socket and metrics bound (a live daemon on either is
 * refused), then IPVS; a start-up failure releases them all and throws. Once it
 * serves, a half started by the supervisor (IPC channel) says so (LVS_READY_MESSAGE).
 */
export async function runLvsDaemon(o: LvsDaemonOptions): Promise<void> {
  // a bug (an exception nothing caught) is a crash to restart, not keepalived's permanent FATAL (1)
  const crash = (e: unknown) => {
    o.log('error', `LVS half crashed: ${(e as Error)?.message ?? String(e)}`);
    if (process.env.HACTL_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    process.exit(KEEPALIVED_EXIT.PROGRAM_ERROR);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  const held = new Held();
  const releaseAll = () => held.releaseAll();
  const host = new LvsHost(o);
  const sockPath = o.controlSocket ?? DEFAULT_LVS_CONTROL_SOCKET;
  try {
    for (const p of o.pidFiles ?? []) {
      const l = lockPidFile(p, 'hactl vrrp run (LVS half)');
      held.push(() => l.release());
    }
    const ctl = await bindLineJson(sockPath, lvsAnswers(host), (p) => alreadyRunningOnSocket('hactl vrrp run (LVS half)', p)).catch((e: Error) => {
      throw e instanceof HactlError ? e : new HactlError(`LVS control socket ${sockPath}: ${(e as NodeJS.ErrnoException).code ?? e.message}`);
    });
    held.push(() => ctl.close());
    if (o.metrics) {
      const m = await bindMetrics(o.metrics, async () => lvsMetricsText(host.status(), await host.liveTable())).catch((e: Error) => {
        throw new HactlError(e.message, { hint: 'choose a free ADDR:PORT for --metrics' });
      });
      held.push(() => m.close());
    }
    await host.start();
  } catch (e) {
    await host.stop().catch(() => {});
    releaseAll();
    throw e;
  }
  if (process.send) process.send(LVS_READY_MESSAGE);
  await new Promise<void>((resolve) => {
    let chain: Promise<void> = Promise.resolve();
    const onHup = () => {
      chain = chain.then(() => host.reload().catch((e) => o.log('error', `LVS reload failed: ${(e as Error).message}`)));
    };
    let stopping = false;
    const stop = (sig: string) => {
      if (stopping) return;
      stopping = true;
      o.log('info', `LVS: stopping (${sig})${o.dontRelease ? ', leaving IPVS as it is (--dont-release-ipvs)' : ''}`);
      chain
        .then(() => host.stop())
        .catch((e) => o.log('error', `LVS stop: ${(e as Error).message}`))
        .finally(() => {
          releaseAll();
          process.off('SIGHUP', onHup);
          // a 'disconnect' listener holds the IPC channel (and so this process) open
          process.off('disconnect', onDisconnect);
          resolve();
        });
    };
    process.on('SIGHUP', onHup);
    // Started by a VRRP half (IPC channel): stop when it goes away, as keepalived's checker child does.
    const onDisconnect = () => stop('parent exited');
    if (process.send) process.once('disconnect', onDisconnect);
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}


/** What `hactl vrrp run` does about the LVS half: it ran here ('ran'), runs as a child ('child'), or none. */
export type LvsHalfMode = 'ran' | 'child' | 'none';


/** This process is an LVS half spawned by a VRRP half (and still has its channel to it). */
function spawnedLvsChild(): boolean {
  return !!process.env[LVS_CHILD_ENV] && !!process.send;
}

/**
 * The spawned LVS half's command line, from the parsed flags (not the parent's argv: keepalived's
 * -P, grouped letters or aliases would reach it otherwise); its pid file is named explicitly.
 */
export function lvsChildArgv(flags: LvsHalfFlags): string[] {
  const a = ['-f', flags.file];
  if (flags['config-id'] !== undefined) a.push('--config-id', flags['config-id']);
  if (flags['control-socket'] !== undefined) a.push('--control-socket', flags['control-socket']);
  a.push('--checkers-pid', flags['checkers-pid'] ?? lvsPidFileFor(flags['pid-file'] ?? DEFAULT_PID_FILE));
  if (flags['log-format'] !== undefined) a.push('--log-format', flags['log-format']);
  if (flags['dont-release-ipvs']) a.push('--dont-release-ipvs');
  return a;
}

/**
 * The one call `hactl vrrp run` makes into the LVS half. 'ran': the LVS half ran in this
 * process and has stopped (the command is complete); 'child': the VRRP half runs here and the
 * LVS half as a supervised child (src/lib/daemon, spawnLvsChild, with lvsChildArgv); 'none':
 * only the VRRP half.
 */
export async function lvsHalf(flags: LvsHalfFlags, log: LvsLog = daemonLogger({ format: 'text', ident: 'hactl-lvs', debug: !!process.env.HACTL_LVS_DEBUG })): Promise<LvsHalfMode> {
  if (flags['lvs-only'] && flags['vrrp-only']) throw new HactlError('--lvs-only and --vrrp-only exclude each other', { exitCode: 2 });
  const role = lvsRole(flags);
  if (role === 'none') return 'none';
  if (role === 'child') return 'child';
  if (role === 'here') {
    const child = spawnedLvsChild();
    delete process.env[LVS_CHILD_ENV]; // not for this half's own scripts
    const main = flags['pid-file'] ?? DEFAULT_PID_FILE;
    const own = flags['checkers-pid'] ?? lvsPidFileFor(main);
    await runLvsDaemon({
      file: flags.file,
      configId: flags['config-id'],
      dontRelease: flags['dont-release-ipvs'],
      controlSocket: lvsSocketFor(flags['control-socket']),
      followVrrp: flags['control-socket'],
      // keepalived -C: the main pid file (-p) and the checkers one (-c); a spawned child: its own only
      pidFiles: child ? [own] : [main, own],
      metrics: child ? undefined : flags.metrics,
      log,
    });
    return 'ran';
  }
  return 'none';
}

