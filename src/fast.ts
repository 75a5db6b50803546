/**
 * What runs each command without oclif (see bin/hactl and src/lib/cli/main.ts,
 * which finds the command, serves help and parses flags from the one spec).
 * `commands`: every command but `vrrp run`; a handler gets the parsed command
 * line (or, with `raw`, argv after the command words: ipvsadm's syntax) and
 * returns the exit status. `handlers`: the older raw fast paths, tried by
 * tryFast before oclif for the commands not in `commands`.
 */
import type { Parsed } from './lib/cli/parse';

/** undefined: not a command line the fast path serves (oclif runs it and words any usage error). */
type FastHandler = (argv: string[]) => Promise<number> | undefined;

export type Handler = (p: Parsed) => Promise<number> | number;

export interface CommandEntry {
  load: () => Handler | ((argv: string[]) => Promise<number>);
  /** the handler parses argv itself (ipvsadm syntax) */
  raw?: boolean;
  /** exit status for bad usage when not 2 (conf lint: keepalived's 1) */
  usageExit?: number;
  /** what to say when --json is refused */
  jsonHint?: string;
}

const check = (kind: string): CommandEntry => ({ load: () => require('./lib/check/run-cli').checkHandler(kind) });
const arp = (role: string, verb: string): CommandEntry => ({ load: () => require('./lib/arp/arp-cli').arpHandler(role, verb) });
const ipvs = (verb: string): CommandEntry => ({ load: () => require('./lib/ipvs/ipvs-cli').fast(verb), raw: true });

/** Keyed by the command words. */
export const commands: Record<string, CommandEntry> = {
  'conf lint': { load: () => require('./lib/conf/lint-cli').lintHandler, usageExit: 1, jsonHint: 'use --format json' },
  'conf dump': { load: () => require('./lib/conf/lint-cli').dumpHandler },
  genhash: { load: () => require('./lib/check/genhash-cli').genhashHandler },
  check: { load: () => require('./lib/check/config-cli').checkConfigHandler(true) },
  'check config': { load: () => require('./lib/check/config-cli').checkConfigHandler(false) },
  ...Object.fromEntries(['dns', 'http', 'misc', 'ping', 'smtp', 'ssl', 'tcp', 'udp'].map((k) => [`check ${k}`, check(k)])),
  ...Object.fromEntries(
    ['director', 'realserver'].flatMap((role) => ['setup', 'status', 'teardown'].map((verb) => [`arp ${role}-${verb}`, arp(role, verb)])),
  ),
  'vrrp status': { load: () => require('./lib/vrrp/status-cli').vrrpStatusHandler },
  ...Object.fromEntries(['announce', 'withdraw', 'status'].map((v) => [`bgp ${v}`, { load: () => require('./lib/bgp/bgp-cli').bgpHandler(v) }])),
  drift: { load: () => require('./lib/drift/drift-cli').driftHandler },
  'vrrp plan': { load: () => require('./lib/vrrp/plan-cli').vrrpPlanHandler },
  'vrrp reload': { load: () => require('./lib/vrrp/plan-cli').vrrpReloadHandler },
  'vrrp drill': { load: () => require('./lib/vrrp/drill-cli').vrrpDrillHandler },
  'vrrp drain': { load: () => require('./lib/vrrp/director-drain-cli').vrrpDrainHandler },
  'vrrp undrain': { load: () => require('./lib/vrrp/director-drain-cli').vrrpUndrainHandler },
  status: { load: () => require('./lib/vrrp/overview-cli').statusHandler },
  'rs drain': { load: () => require('./lib/lvs/drain-cli').rsDrainHandler },
  'rs undrain': { load: () => require('./lib/lvs/drain-cli').rsUndrainHandler },
  completion: { load: () => require('./lib/cli/completion-cli').completionHandler },
  ipvsadm: { load: () => require('./lib/ipvs/ipvs-cli').ipvsadmFast, raw: true },
  restore: { load: () => require('./lib/ipvs/ipvs-cli').restoreMain, raw: true },
  ...Object.fromEntries(
    ['vs add', 'vs edit', 'vs del', 'vs list', 'vs zero', 'vs clear', 'vs timeout', 'vs sync start', 'vs sync stop', 'vs sync status', 'rs add', 'rs edit', 'rs del', 'save'].map(
      (v) => [v, ipvs(v)],
    ),
  ),
};

/** Keyed by the command words (one to three); the longest match wins. */
const handlers: Record<string, () => FastHandler> = {
  // a long-running daemon: oclif would stay in memory (~14 MiB) for nothing
  'vrrp run': () => require('./lib/vrrp/run-cli').vrrpRunFast,
};

export function tryFast(argv: string[]): boolean {
  let words = 0;
  for (let n = Math.min(3, argv.length); n > 0 && words === 0; n--) if (Object.hasOwn(handlers, argv.slice(0, n).join(' '))) words = n;
  if (words === 0) return false;
  // `hactl ipvsadm ...` is ipvsadm's command line, -h included (issue #7).
  if (argv[0] !== 'ipvsadm' && (argv.includes('--help') || argv.includes('-h'))) return false;
  const running = handlers[argv.slice(0, words).join(' ')]()(argv.slice(words));
  if (!running) return false;
  running.then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.exitCode = (require('./lib/cli/report-cli') as typeof import('./lib/cli/report-cli')).reportError(err);
    },
  );
  return true;
}
