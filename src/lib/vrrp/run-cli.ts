/**
 * `hactl vrrp run`: wiring of the VRRP daemon (src/lib/vrrp/daemon.ts) to the
 * real sockets, netlink, timers, control socket, metrics and signals. Shared by
 * the oclif command (src/commands/vrrp/run.ts) and the no-oclif fast path
 * (src/fast.ts): a daemon does not need oclif's ~14 MiB in memory for its
 * whole life.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { bindLineJson } from '../cli/control-socket';
import { errorMessage, HactlError, UsageError } from '../cli/errors';
import { daemonLogger, stderrWriter } from '../daemon/log';
import { LVS_TRACK, Supervision } from '../daemon';
import { fullGc } from '../daemon/gc';
import { alreadyRunningOnSocket, DEFAULT_PID_FILE, Held, lockPidFile } from '../daemon/pidfile';
// the LVS half (../lvs/daemon: checkers, reconciler, IPVS) is required only when it runs here or as a child
import { lvsRole } from '../lvs/role';
import { type MasterPlan, Watchdog } from './watchdog';
import type { DaemonConfig } from './config';
import type { LvsSpec } from '../lvs/types';
import { bindMetrics, DEFAULT_CONTROL_SOCKET, loadDaemonConfig, metricsText, parseMetricsAddr, type ReloadRecord } from './control';
import type { ReloadPlan } from './plan';
import { execArgv, realTimers, sleepPrecise, VrrpDaemon } from './daemon';
import { VipFirewall } from './firewall';
import type { NotifyFifo } from '../notify/fifo';
import { RealNetOps } from './netops';

/** SCHED_RR priority of the advert sender thread when vrrp_rt_priority is not set */
const DEFAULT_SENDER_RT_PRIORITY = 1;
import { rawChannels } from './transport';

export interface VrrpRunFlags {
  file: string;
  'config-id'?: string;
  'pid-file'?: string;
  'vrrp-pid'?: string;
  'checkers-pid'?: string;
  'control-socket': string;
  'log-format': string;
  metrics?: string;
  'vrrp-only'?: boolean;
  'lvs-only'?: boolean;
  'dont-release-ipvs'?: boolean;
  'dont-fork'?: boolean;
  'log-console'?: boolean;
  'log-detail'?: boolean;
  'config-test'?: boolean;
  bgp?: string;
}

/** keepalived's default configuration file. */
export const DEFAULT_CONFIG_FILE = '/etc/keepalived/keepalived.conf';

export interface RunFlagSpec {
  type: 'string' | 'boolean';
  char?: string;
  /** further long names (keepalived's spellings) */
  aliases?: string[];
  description: string;
  default?: string;
  options?: string[];
}

/**
 * `vrrp run`'s flags, declared once: the oclif command (src/commands/vrrp/run.ts) builds its
 * Flags from this table and the fast path (parseVrrpRunArgv) its parseArgs options. Short
 * letters and long aliases are keepalived 2.2.7's where it has the option.
 */
export const VRRP_RUN_FLAGS: Record<keyof VrrpRunFlags, RunFlagSpec> = {
  file: { type: 'string', char: 'f', aliases: ['use-file'], description: 'keepalived.conf to run (keepalived -f)', default: DEFAULT_CONFIG_FILE },
  'config-id': { type: 'string', char: 'i', description: 'config id for @id line prefixes (keepalived -i)' },
  'pid-file': {
    type: 'string',
    char: 'p',
    aliases: ['pid'],
    description: `pid file of the main process, locked for its life: a second daemon on it is refused (keepalived -p) [default: ${DEFAULT_PID_FILE}]`,
  },
  'vrrp-pid': { type: 'string', char: 'r', aliases: ['vrrp_pid'], description: 'also write (and lock) the VRRP half\'s pid here (keepalived -r; it is the main process)' },
  'checkers-pid': {
    type: 'string',
    char: 'c',
    aliases: ['checkers_pid'],
    description: 'pid file of the LVS half (keepalived -c) [default: the --pid-file name with -lvs.pid]',
  },
  'control-socket': { type: 'string', description: 'unix socket for `hactl vrrp status`', default: DEFAULT_CONTROL_SOCKET },
  'log-format': { type: 'string', description: 'log line format', options: ['text', 'json'], default: 'text' },
  metrics: { type: 'string', description: "serve Prometheus metrics on ADDR:PORT (/metrics: both halves'; with --lvs-only the LVS half's)" },
  // LVS half (keepalived's checker process, src/lib/lvs): keepalived -P / -C / --dont-release-ipvs
  'vrrp-only': { type: 'boolean', char: 'P', aliases: ['vrrp'], description: 'run only VRRP (keepalived -P), not the virtual_server health checks' },
  'lvs-only': { type: 'boolean', char: 'C', aliases: ['check'], description: 'run only the virtual_server health checks and IPVS (keepalived -C)' },
  'dont-release-ipvs': { type: 'boolean', description: 'leave the IPVS services in place on exit (keepalived --dont-release-ipvs)' },
  // keepalived options that hactl takes as they are: it never forks, always logs to stderr, with details
  'dont-fork': { type: 'boolean', char: 'n', description: 'accepted for keepalived -n (hactl never forks)' },
  'log-console': { type: 'boolean', char: 'l', description: 'accepted for keepalived -l (hactl always logs to stderr)' },
  'log-detail': { type: 'boolean', char: 'D', description: 'accepted for keepalived -D (hactl always logs the details)' },
  'config-test': { type: 'boolean', char: 't', description: 'check the configuration and exit, with keepalived -t exit codes (`hactl conf lint`)' },
  bgp: { type: 'string', description: 'announce VIPs over BGP by FRR as this settings file says (docs/bgp.md; mode master-only: while an instance holding the VIP is MASTER)' },
};

/**
 * The fast path's reading of `vrrp run` flags (VRRP_RUN_FLAGS, as the oclif command).
 * undefined for anything it does not take as is (oclif then parses and words the error).
 */
export function parseVrrpRunArgv(argv: string[]): VrrpRunFlags | undefined {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  const canonical: Record<string, keyof VrrpRunFlags> = {};
  for (const [name, spec] of Object.entries(VRRP_RUN_FLAGS) as [keyof VrrpRunFlags, RunFlagSpec][]) {
    options[name] = { type: spec.type, ...(spec.char ? { short: spec.char } : {}) };
    for (const a of spec.aliases ?? []) {
      options[a] = { type: spec.type };
      canonical[a] = name;
    }
  }
  try {
    const { values, positionals } = parseArgs({ args: argv, strict: true, allowPositionals: true, options });
    if (positionals.length > 0) return undefined;
    const out: Record<string, string | boolean> = {};
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) continue;
      const name = canonical[k] ?? k;
      // oclif refuses a flag given twice under two names; so does the fast path (oclif words it)
      if (Object.hasOwn(out, name)) return undefined;
      out[name] = v as string | boolean;
    }
    for (const [name, spec] of Object.entries(VRRP_RUN_FLAGS)) {
      if (spec.options && typeof out[name] === 'string' && !spec.options.includes(out[name] as string)) return undefined;
      if (spec.default !== undefined && out[name] === undefined) out[name] = spec.default;
    }
    return out as unknown as VrrpRunFlags;
  } catch {
    return undefined;
  }
}

/** Fast-path handler (src/fast.ts). */
export function vrrpRunFast(argv: string[]): Promise<number> | undefined {
  const flags = parseVrrpRunArgv(argv);
  return flags ? runVrrp(flags) : undefined;
}

/**
 * The flag checks that need no file, socket or kernel (usage errors, exit 2).
 * Shared by both halves: the same command line is refused the same way.
 */
export function checkRunFlags(flags: Pick<VrrpRunFlags, 'lvs-only' | 'vrrp-only' | 'metrics'>): void {
  if (flags['lvs-only'] && flags['vrrp-only']) throw new UsageError('--lvs-only and --vrrp-only exclude each other');
  if (flags.metrics !== undefined && !parseMetricsAddr(flags.metrics))
    throw new UsageError(`--metrics: expected ADDR:PORT (e.g. 127.0.0.1:9650, [::1]:9650), got "${flags.metrics}"`);
}

/**
 * Run until SIGTERM/SIGINT; the process exits 0 after a clean stop.
 *
 * Start-up order: every check that can fail comes before the first network or
 * kernel change, and a failure releases what was taken (exit non-zero, nothing
 * left behind): flags, configuration, pid file lock (a second daemon is refused
 * here), control socket (refused while a live daemon answers on it), metrics
 * listener, then the LVS child and daemon.start().
 */
export async function runVrrp(flags: VrrpRunFlags): Promise<number> {
  const json = flags['log-format'] === 'json';
  const log = daemonLogger({ format: json ? 'json' : 'text', ident: 'hactl-vrrp', debug: !!process.env.HACTL_VRRP_DEBUG });
  const out = stderrWriter();
  // configuration diagnostics: plain file:line lines on a terminal, log records in JSON
  const diag = (level: 'warn' | 'error', line: string) => (json ? log(level, line) : out.write(`${level === 'warn' ? 'warning: ' : ''}${line}\n`));
  let exitCode = 0;
  const held = new Held();
  const releaseAll = () => held.releaseAll();
  if (flags['config-test']) {
    // keepalived -t: the configuration check alone (src/lib/conf/lint-cli.ts, the same exit codes)
    const { runLint } = require('../conf/lint-cli') as typeof import('../conf/lint-cli');
    return runLint([flags.file], { format: 'text', warningsOk: false, host: false, configId: flags['config-id'], cluster: false });
  }
  try {
    checkRunFlags(flags);
    if (!fs.existsSync(flags.file)) throw new HactlError(`configuration file ${flags.file} does not exist`, { exitCode: 1 });
    // parsed once for both the LVS decision and the VRRP half (--lvs-only: the LVS half parses it)
    const parsed = flags['lvs-only'] ? undefined : (require('../conf/index') as typeof import('../conf/index')).loadConfig(flags.file, { configId: flags['config-id'] });
    let role = lvsRole(flags, parsed);
    if (role === 'here' && flags.bgp) {
      if (flags['lvs-only'])
        throw new HactlError('--bgp: --lvs-only runs the LVS half alone, and the announcer lives in the VRRP half', {
          hint: 'drop --lvs-only: without a vrrp_instance hactl runs the LVS half as its child and announces from its quorum (docs/bgp.md)',
        });
      // virtual servers and no vrrp_instance (active-active): the VRRP half runs with no instance,
      // for the announcer, the watchdog and the control socket; the LVS half is its child as usual
      role = 'child';
    }
    if (role === 'here') {
      // LVS half in this process: src/lib/lvs/daemon.ts
      await (require('../lvs/daemon') as typeof import('../lvs/daemon')).lvsHalf(flags, daemonLogger({ format: json ? 'json' : 'text', ident: 'hactl-lvs', debug: !!process.env.HACTL_LVS_DEBUG }));
      await out.flush();
      return 0;
    }
    const loaded = loadDaemonConfig(flags.file, flags['config-id'], { allowNoInstances: !!flags.bgp, loaded: parsed });
    for (const w of loaded.warnings) diag('warn', w);
    if (!loaded.config) {
      for (const e of loaded.errors) diag('error', e);
      throw new HactlError(`${flags.file}: ${loaded.errors.length} configuration error(s); not starting`, {
        hint: 'fix the errors above (`hactl conf lint` shows them too)',
      });
    }
    const config = loaded.config;
    let bgpSettings: import('../bgp/settings').BgpSettings | undefined;
    if (flags.bgp) {
      bgpSettings = (require('../bgp/bgp-cli') as typeof import('../bgp/bgp-cli')).loadSettings(flags.bgp, '--bgp FILE');
      // the announcement file against keepalived.conf (src/lib/bgp/check.ts, as `conf lint --bgp`): a VIP
      // nothing serves or a track-script naming no vrrp_script refuses the start; the rest are warnings
      const chk = require('../bgp/check') as typeof import('../bgp/check');
      const problems = chk.checkSettings(bgpSettings, (require('./bgp-hook') as typeof import('./bgp-hook')).confFacts(flags.file, config, loaded.lvs));
      const vrrpOnly = role === 'none' && !!flags['vrrp-only'];
      const fatal = problems.filter((p) => p.rule === 'bgp-unknown-vip' || p.rule === 'bgp-unknown-script');
      for (const p of problems) {
        if (fatal.includes(p)) diag('error', `${flags.bgp}:${p.line}: ${p.message}`);
        else if (!(vrrpOnly && p.severity === 'warning' && p.rule === 'bgp-not-served')) diag('warn', `${flags.bgp}:${p.line}: ${p.message}`);
      }
      if (fatal.length)
        throw new HactlError(`--bgp ${flags.bgp}: ${fatal.length} announcement(s) keepalived.conf does not serve; not starting`, {
          hint: `fix the lines above (\`hactl conf lint --bgp ${flags.bgp} ${flags.file}\` shows them too)`,
        });
    }
    const pid = lockPidFile(flags['pid-file'] ?? DEFAULT_PID_FILE);
    held.push(() => pid.release());
    if (flags['vrrp-pid'] && flags['vrrp-pid'] !== pid.path) {
      // keepalived -r: the VRRP child's pid file; hactl's VRRP half is this process
      const v = lockPidFile(flags['vrrp-pid']);
      held.push(() => v.release());
    }
    // a SIGTERM during start-up stops the daemon once it has started (not the default action: no cleanup)
    let stopEarly: string | undefined;
    const early = (sig: string) => () => {
      stopEarly ??= sig;
    };
    const earlyTerm = early('SIGTERM');
    const earlyInt = early('SIGINT');
    // and a SIGHUP before the reload handler exists must not kill it either (the file is read at start anyway)
    const earlyHup = () => log('info', 'SIGHUP during start-up: ignored');
    process.on('SIGTERM', earlyTerm);
    process.on('SIGINT', earlyInt);
    process.on('SIGHUP', earlyHup);
    held.push(() => {
      process.off('SIGTERM', earlyTerm);
      process.off('SIGINT', earlyInt);
    });
    const sock = flags['control-socket'];
    let daemon: VrrpDaemon | undefined;
    // the supervisor (src/lib/daemon): the LVS child, restarted or fatal, and the watchdog
    let stopNow: ((why: string, code: number) => void) | undefined;
    let fatal: number | undefined;
    let vrrp: VrrpDaemon | undefined; // the instances, once built (before start: the LVS child may report first)
    let masters: MasterPlan[] = [];
    const sup = new Supervision<MasterPlan>({
      lvsArgv: role === 'child' ? (require('../lvs/daemon') as typeof import('../lvs/daemon')).lvsChildArgv(flags) : undefined,
      log,
      watchdog: (l) => Watchdog.start(l),
      availability: (up) => vrrp?.setInternalTrack(LVS_TRACK, up),
      permanent: (code) => {
        fatal ??= code;
        stopNow?.('the LVS half failed', code);
      },
    });
    let bgp: import('./bgp-hook').BgpHook | undefined;
    const status = () => (daemon ? { ...daemon.status(), halves: sup.halves(), lastReload, ...(bgp ? { bgp: bgp.status(), bgpRouting: bgp.routingStatus() } : {}) } : undefined);
    // reload (SIGHUP and `hactl vrrp reload`): one path, one at a time. The file is loaded first;
    // a configuration that does not load leaves both halves on the running one (the LVS half is
    // only told to reload once the VRRP half accepted the file).
    let running = { config: loaded.config, lvs: loaded.lvs };
    let lastReload: ReloadRecord | undefined;
    let reloading: Promise<unknown> = Promise.resolve();
    const planFor = async (next: { config: DaemonConfig; lvs?: LvsSpec }) => {
      const view = daemon ? await daemon.planView(next.config) : undefined;
      return (require('./plan') as typeof import('./plan')).planReload({ vrrp: running.config, lvs: running.lvs }, { vrrp: next.config, lvs: next.lvs }, view, { lvsManaged: role === 'child' });
    };
    const reload = (source: ReloadRecord['source'], ifSafe = false): Promise<{ reload: ReloadRecord; plan?: ReloadPlan }> => {
      const run = reloading.then(async () => {
        const d = daemon;
        const rec: ReloadRecord = { at: new Date().toISOString(), source, file: flags.file, result: 'refused' };
        lastReload = rec;
        if (!d) {
          rec.error = 'the daemon is still starting';
          return { reload: rec };
        }
        log('info', `reloading ${flags.file} (${source === 'SIGHUP' ? 'SIGHUP' : 'hactl vrrp reload'})`);
        const r = loadDaemonConfig(flags.file, flags['config-id'], { allowNoInstances: !!flags.bgp });
        if (!r.config) {
          for (const e of r.errors) log('error', e);
          log('error', 'reload refused: configuration has errors; keeping the running configuration');
          rec.error = `${flags.file}: ${r.errors.length} configuration error(s); the running configuration is kept`;
          rec.errors = r.errors;
          return { reload: rec };
        }
        for (const w of r.warnings) log('warn', w);
        const plan = ifSafe ? await planFor({ config: r.config, lvs: r.lvs }) : undefined;
        if (plan?.disruptive) {
          rec.error = `the plan has ${plan.changes.filter((c) => c.disruptive).length} disruptive change(s) (--if-plan-is-safe); the running configuration is kept`;
          log('warn', `reload refused: ${rec.error}`);
          return { reload: rec, plan };
        }
        sup.reload();
        closeFifos();
        openFifos(r.config);
        if (bgp && flags.bgp) {
          try {
            bgp.reload((require('../bgp/bgp-cli') as typeof import('../bgp/bgp-cli')).loadSettings(flags.bgp, '--bgp FILE'));
          } catch (e) {
            log('error', `bgp: ${(e as Error).message}; keeping the running announcement settings`);
          }
        }
        try {
          const diff = await d.reload(r.config);
          running = { config: r.config, lvs: r.lvs };
          Object.assign(rec, { result: 'ok', ...diff });
          log('info', `reloaded: added [${diff.added.join(', ')}] removed [${diff.removed.join(', ')}] changed [${diff.changed.join(', ')}]`);
        } catch (e) {
          rec.result = 'failed';
          rec.error = (e as Error).message;
          log('error', `reload failed: ${(e as Error).message}`);
        }
        return { reload: rec, plan };
      });
      reloading = run.catch(() => {});
      return run;
    };
    const answers = {
      status: () => status() ?? { error: 'starting' },
      // `hactl vrrp plan -f FILE`: what a reload to FILE would do (FILE: an absolute path)
      plan: async (file?: string) => {
        if (!file) return { error: 'plan needs a file' };
        const r = loadDaemonConfig(file, flags['config-id']);
        if (!r.config) return { error: `${file}: ${r.errors.length} configuration error(s)`, errors: r.errors };
        return { file, running: flags.file, warnings: r.warnings, plan: await planFor({ config: r.config, lvs: r.lvs }) };
      },
      // `hactl vrrp reload [--if-plan-is-safe]`: the SIGHUP path, answered with its record
      reload: (arg?: string) => reload('control', arg === 'if-safe'),
      // `hactl vrrp drill --instance NAME [--return]`
      drill: (name?: string) => (daemon && name ? daemon.drill(name, 'step-down') : { error: name ? 'the daemon is still starting' : 'drill needs an instance' }),
      'drill-return': (name?: string) => (daemon && name ? daemon.drill(name, 'return') : { error: name ? 'the daemon is still starting' : 'drill-return needs an instance' }),
    };
    const ctl = await bindLineJson(sock, answers, (p) =>
      alreadyRunningOnSocket('hactl vrrp run', p),
    ).catch((e: Error) => {
      throw e instanceof HactlError ? e : new HactlError(`control socket ${sock}: ${(e as NodeJS.ErrnoException).code ?? e.message}`);
    });
    held.push(() => ctl.close());
    if (flags.metrics) {
      // with the LVS half as a child, its metrics (asked over its control socket) follow the VRRP ones
      const lvsSock = role === 'child' ? (require('../lvs/daemon') as typeof import('../lvs/daemon')).lvsSocketFor(sock) : undefined;
      const m = await bindMetrics(flags.metrics, async () => {
        const st = status();
        const vrrpText = st ? metricsText(st) : '';
        if (!lvsSock) return vrrpText;
        const { queryLvsMetrics } = require('../lvs/daemon') as typeof import('../lvs/daemon');
        return vrrpText + (await queryLvsMetrics(lvsSock));
      }).catch((e: Error) => {
        throw new HactlError(e.message, { hint: 'choose a free ADDR:PORT for --metrics' });
      });
      held.push(() => m.close());
    }
    if (config.processPriority !== undefined) {
      // keepalived's vrrp_priority: the nice value of the VRRP process
      try {
        os.setPriority(config.processPriority);
      } catch (e) {
        log('warn', `vrrp_priority ${config.processPriority}: ${(e as Error).message}`);
      }
    }
    {
      // The MASTER advert sender thread runs SCHED_RR: vrrp_rt_priority when configured (keepalived
      // gives it to its whole VRRP process), else the lowest real-time priority (KNOWN-DIFFERENCES.md).
      const prio = config.realtimePriority ?? DEFAULT_SENDER_RT_PRIORITY;
      let why: string | null;
      try {
        why = (require('../net') as typeof import('../net')).nativeSenderRealtime(prio);
      } catch (e) {
        why = (e as Error).message;
      }
      if (why)
        log(
          config.realtimePriority !== undefined ? 'warn' : 'info',
          `advert sender thread: cannot set real-time priority ${prio} (${why}); adverts keep normal scheduling${why === 'EPERM' ? ' (needs CAP_SYS_NICE)' : ''}`,
        );
    }
    try {
      // timed waits wake on time (keepalived's timerfd has no slack; the default is 50 µs)
      require('../net').setTimerSlack(1000);
    } catch {
      /* addon missing: default slack */
    }
    let net: RealNetOps;
    try {
      net = new RealNetOps();
    } catch (e) {
      throw new HactlError(`cannot open rtnetlink: ${(e as Error).message}`, { hint: 'hactl vrrp run needs root (CAP_NET_ADMIN, CAP_NET_RAW)' });
    }
    held.push(() => net.close());
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
        const nf = new (require('../notify/fifo') as typeof import('../notify/fifo')).NotifyFifo(f.path, f.what, log);
        if (nf.open(f.script, f.owner)) fifos.set(f.path, nf);
      }
    };
    openFifos(config);
    held.push(closeFifos);
    const d = new VrrpDaemon(config, {
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
      compact: fullGc,
      firewall: new VipFirewall(log),
      onMasters: (plans, links) => {
        masters = plans;
        sup.masters(bgp ? bgp.plans(plans) : plans, links);
        bgp?.announcer.evaluate();
      },
    });
    vrrp = d;
    sup.start(); // the LVS child (--lvs-only) and the watchdog
    held.push(() => sup.bye());
    if (bgpSettings) {
      const { BgpHook } = require('./bgp-hook') as typeof import('./bgp-hook');
      const { queryLvsStatus, lvsSocketFor } = require('../lvs/daemon') as typeof import('../lvs/daemon');
      bgp = new BgpHook({
        settings: bgpSettings,
        log,
        instances: () => d.status().instances.map((i) => ({ name: i.name, state: i.state, vips: i.vips })),
        scripts: () => d.scriptStates(),
        lvsStatus: role === 'child' ? () => queryLvsStatus(lvsSocketFor(sock), 900) : undefined,
        onPlan: () => sup.masters(bgp ? bgp.plans(masters) : masters),
      });
      // routes a killed earlier run left (its watchdog should have removed them) go before VRRP starts
      await bgp.start();
    }
    try {
      await d.start();
    } catch (e) {
      await Promise.all([d.stop().catch(() => {}), sup.stopHalves(), bgp?.stop().catch(() => {})]);
      const msg = (e as Error).message;
      if (/EPERM|EACCES|Operation not permitted/.test(msg))
        throw new HactlError(`cannot start: ${msg}`, { hint: 'hactl vrrp run needs root (CAP_NET_ADMIN, CAP_NET_RAW)' });
      throw new HactlError(`cannot start: ${msg}`);
    }
    daemon = d;
    bgp?.announcer.evaluate(); // the instances exist now: their states are the reasons
    process.off('SIGHUP', earlyHup);
    log('info', `started ${config.instances.length} VRRP instance(s) from ${flags.file}`);
    await new Promise<void>((resolve) => {
      process.on('SIGHUP', () => {
        void reload('SIGHUP');
      });
      let stopping = false;
      const stop = (sig: string, code = 0) => {
        if (stopping) return;
        stopping = true;
        exitCode = code;
        log(code ? 'error' : 'info', `stopping (${sig})`);
        Promise.all([
          d.stop().catch((e) => log('error', `stop: ${(e as Error).message}`)),
          sup.stopHalves(),
          bgp?.stop().catch((e) => log('error', `bgp stop: ${(e as Error).message}`)),
        ]).finally(() => {
          releaseAll();
          if (code) log('error', `stopped: exit ${code} (the LVS half cannot run: see its error above; --vrrp-only runs VRRP without it)`);
          else log('info', 'stopped');
          resolve();
        });
      };
      stopNow = stop;
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
      if (fatal !== undefined) stop('the LVS half failed', fatal);
      else if (stopEarly) stop(stopEarly);
    });
  } catch (e) {
    releaseAll();
    if (!json) throw e;
    // JSON logs: the start-up error is a record too
    const he = e instanceof HactlError ? e : undefined;
    log('error', he ? he.message : errorMessage(e), he?.hint ? { hint: he.hint } : undefined);
    await out.flush();
    return he?.exitCode ?? 1;
  }
  await out.flush();
  process.exit(exitCode);
}
