/**
 * The real CheckerPort: keepalived.conf checker blocks (as from-config.ts
 * carries them) -> src/lib/check options, run with runCheck. The defaults
 * follow keepalived 2.2.7 (checker value, else real server's, else virtual
 * server's, else the checker type's default). The first-run warmup is done by
 * the reconciler's scheduling, so the options carry warmupMs 0.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { readTrackFile, type TrackFileReader } from '../check/file';
import { checkerOptions, type FileCheckOptions } from '../check/from-conf';
import { runCheck } from '../check/index';
import { fileCheckAtStart, fileCheckResult, parseTrackFileStatus, trackFileInitAction } from '../check/track-file';
import type { CheckOptions } from '../check/types';
import type * as M from '../conf/model';
import type { ConfCheckerOptions } from './from-config';
import type { CheckerPort } from './reconciler';
import type { CheckOutcome, CheckerSpec, LvsSpec, RealServerSpec } from './types';

export function isFileCheck(spec: CheckerSpec): boolean {
  return (spec.options as Partial<FileCheckOptions> | undefined)?.kind === 'file';
}

/**
 * FILE_CHECK (keepalived 2.2.7 check_file.c + track_file.c). keepalived watches
 * the file with inotify; hactl reads it at the first run and then every
 * delay_loop of the checker. An invalid number keeps the previous status. With
 * a weight, the real server's weight is its configured weight plus the sum of
 * its FILE_CHECKs' adjustments (a DOWN one adds nothing).
 */
export function fileChecker(read: TrackFileReader = readTrackFile): (check: CheckerSpec, rs: RealServerSpec) => CheckOutcome {
  const last = new WeakMap<CheckerSpec, { status: number; up: boolean; delta: number }>();
  const deltas = new WeakMap<RealServerSpec, Map<string, number>>();
  return (check, rs) => {
    const o = check.options as FileCheckOptions;
    const parsed = parseTrackFileStatus(read(o.path));
    const prev = last.get(check);
    const status = parsed ?? prev?.status ?? 0;
    let r: { up: boolean; delta: number };
    if (prev && prev.status === status) r = prev;
    else if (!prev) r = fileCheckAtStart(status, o.weight, o.reverse);
    else r = fileCheckResult(status, o.weight, o.reverse);
    last.set(check, { status, up: r.up, delta: r.delta });
    const reason = `track_file ${o.trackFile} (${o.path}) status ${status}${parsed === null ? ' (invalid number read - ignored)' : ''}`;
    if (o.weight === 0) return { up: r.up, reason };
    let m = deltas.get(rs);
    if (!m) deltas.set(rs, (m = new Map()));
    m.set(check.id, r.delta);
    let sum = o.rsWeight;
    for (const d of m.values()) sum += d;
    return { up: r.up, reason, weight: sum };
  };
}

const defaultFileChecker = fileChecker();

/**
 * Map one configured checker to the check library's options, through the same mapping
 * `hactl check config` uses, with the real server as IPVS sees it as the default target.
 * Throws with a precise message on a value that cannot be mapped.
 */
export function checkOptionsFor(spec: CheckerSpec): CheckOptions {
  const o = spec.options as ConfCheckerOptions;
  return checkerOptions(o.vs, o.rs, o.checker, { host: o.addr, port: o.port }, o.ssl, o.scriptUser);
}

/** CheckerPort on src/lib/check. An option that cannot be mapped makes the checker fail with the reason. */
export const realCheckers: CheckerPort = {
  async run(check: CheckerSpec, rs, _vs, signal: AbortSignal): Promise<CheckOutcome> {
    if (isFileCheck(check)) return defaultFileChecker(check, rs);
    let opts: CheckOptions;
    try {
      opts = checkOptionsFor(check);
    } catch (e) {
      return { up: false, reason: `configuration: ${(e as Error).message}` };
    }
    if (signal.aborted) return { up: false, reason: 'aborted' };
    const r = await runCheck(opts);
    // misc_dynamic: exit 0 puts the configured weight back (keepalived 2.2.7, seen in the IPVS VM parity test).
    const weight = r.weight ?? (opts.kind === 'misc' && opts.miscDynamic && r.up ? opts.rsWeight : undefined);
    return { up: r.up, reason: r.reason, weight, durationMs: r.totalMs };
  },
};

/** The track file paths of a specification's FILE_CHECKs. */
export function trackFilePaths(spec: LvsSpec): string[] {
  const out = new Set<string>();
  for (const v of spec.virtualServers)
    for (const r of v.realServers) for (const c of r.checkers) if (isFileCheck(c)) out.add((c.options as FileCheckOptions).path);
  return [...out];
}

/**
 * Watch the directories of the track files (keepalived adds an inotify watch on
 * each file's directory) and call onChange(path) when one of the files is
 * written, created, moved or deleted. A directory that cannot be watched is
 * skipped: the delay_loop poll still reads the file. Returns a close function.
 */
export function watchTrackFiles(paths: readonly string[], onChange: (path: string) => void): () => void {
  const byDir = new Map<string, Map<string, string>>();
  for (const p of paths) {
    const abs = nodePath.resolve(p);
    const dir = nodePath.dirname(abs);
    let m = byDir.get(dir);
    if (!m) byDir.set(dir, (m = new Map()));
    m.set(nodePath.basename(abs), p);
  }
  const watchers: fs.FSWatcher[] = [];
  for (const [dir, names] of byDir) {
    try {
      const w = fs.watch(dir, { persistent: false }, (_ev, name) => {
        const p = name === null ? undefined : names.get(name.toString());
        if (p !== undefined) onChange(p);
      });
      w.on('error', () => w.close());
      watchers.push(w);
    } catch {
      /* not watchable: polled every delay_loop */
    }
  }
  return () => {
    for (const w of watchers) w.close();
  };
}

/**
 * init_file of the track files the FILE_CHECKs of `spec` use (see trackFileInitAction).
 * Returns log lines for what could not be done.
 */
export function initTrackFiles(trackFiles: readonly M.TrackFile[], spec: LvsSpec, reload: boolean): string[] {
  const used = new Set(trackFilePaths(spec));
  const out: string[] = [];
  for (const tf of trackFiles) {
    if (!tf.file || !tf.init_file || !used.has(tf.file)) continue;
    let existing: 'missing' | 'regular' | 'other' = 'missing';
    try {
      existing = fs.statSync(tf.file).isFile() ? 'regular' : 'other';
    } catch {
      existing = 'missing';
    }
    const act = trackFileInitAction(tf.init_file, existing, reload);
    if (act === 'not-regular') out.push(`Cannot initialise track file ${tf.name} - it is not a regular file`);
    if (act !== 'write') continue;
    try {
      fs.writeFileSync(tf.file, `${tf.init_file.value ?? 0}\n`);
    } catch (e) {
      out.push(`Unable to initialise track file ${tf.name}: ${(e as Error).message}`);
    }
  }
  return out;
}
