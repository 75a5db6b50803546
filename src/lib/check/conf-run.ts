/** `hactl check config`: load keepalived.conf, pick a real server's checkers, run them concurrently. */
import { monoMs } from './types';
import { loadConfig } from '../conf/index';
import type { TrackFile } from '../conf/model';
import { readTrackFile } from './file';
import { type ConfChecker, checkersFor, fileCheckOptions } from './from-conf';
import { runCheck } from './index';
import { fileCheckAtStart, parseTrackFileStatus } from './track-file';
import type { CheckResult } from './types';

export interface ConfRunEntry extends ConfChecker {
  result?: CheckResult;
}

export interface ConfRunReport {
  config: string;
  servers: Array<{ vs: string; rs: string; weight: number; up: boolean; weightNow?: number; checkers: ConfRunEntry[] }>;
  errors: string[];
}

export class ConfRunError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export async function runConfigChecks(path: string, rsSpec: string, vsSpec?: string): Promise<ConfRunReport> {
  const { model, diagnostics, fatal } = loadConfig(path);
  const errors = diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.file}:${d.line}: ${d.message}`);
  if (fatal) throw new ConfRunError(`cannot read ${path}: ${errors[0] ?? 'fatal error'}`);
  const sel = checkersFor(model, rsSpec, vsSpec);
  if (sel.servers.length === 0) {
    const known = model.virtual_servers
      .flatMap((vs) => vs.real_servers.map((rs) => `${rs.address.address}${rs.port !== undefined ? `:${rs.port}` : ''}`))
      .slice(0, 8);
    throw new ConfRunError(
      `no real_server ${rsSpec}${vsSpec ? ` in virtual_server ${vsSpec}` : ''} in ${path}`,
      known.length ? `real servers in this config: ${known.join(', ')}` : 'this config has no virtual_server with real servers',
    );
  }
  const results = await Promise.all(
    sel.matches.map(async (m): Promise<ConfRunEntry> => {
      if (m.keyword === 'FILE_CHECK') return fileEntry(m, model.track_files);
      return m.options ? { ...m, result: await runCheck(m.options) } : m;
    }),
  );
  const servers = sel.servers.map((s) => {
    const checkers = results.filter((r) => r.vs === s.vs && r.rs === s.rs);
    const ran = checkers.filter((c) => c.result);
    const up = ran.every((c) => c.result!.up);
    const dyn = ran.filter((c) => c.result!.kind !== 'file').map((c) => c.result!.weight).filter((w): w is number => w !== undefined);
    // weighted FILE_CHECKs: the configured weight plus the sum of their adjustments (keepalived)
    const files = ran.filter((c) => c.result!.kind === 'file' && c.result!.weight !== undefined);
    const fileWeight = files.length ? Math.max(0, files.reduce((a, c) => a + Number(c.result!.detail?.delta ?? 0), s.weight)) : undefined;
    return { ...s, up, weightNow: dyn.length ? dyn.at(-1) : fileWeight, checkers };
  });
  return { config: path, servers, errors };
}

/**
 * FILE_CHECK: read the track file once and judge it as keepalived does at start
 * (an unweighted checker is down on a non-zero status; a weighted one adds
 * status x weight to the real server's weight).
 */
function fileEntry(m: ConfRunEntry, trackFiles: readonly TrackFile[]): ConfRunEntry {
  const o = fileCheckOptions(m.source.checker, m.source.rs, trackFiles);
  if (typeof o === 'string') return { ...m, skipped: o };
  const start = monoMs();
  const text = readTrackFile(o.path);
  const parsed = parseTrackFileStatus(text);
  const status = parsed ?? 0;
  const r = fileCheckAtStart(status, o.weight, o.reverse);
  const read = text === undefined ? 'missing or unreadable, status 0' : parsed === null ? 'not a 32-bit number, read as 0' : `status ${status}`;
  const how = o.weight === 0 ? 'down unless the status is 0' : `weight ${o.weight}${o.reverse ? ' reverse' : ''}: adds status x weight`;
  const reason = `track_file ${o.trackFile}: ${read} (${how})`;
  const totalMs = monoMs() - start;
  const result: CheckResult = {
    kind: 'file',
    target: o.path,
    up: r.up,
    reason,
    weight: o.weight === 0 || !r.up ? undefined : Math.max(0, o.rsWeight + r.delta),
    totalMs,
    attempts: [{ ok: r.up, reason, startMs: 0, durationMs: totalMs }],
    detail: { status, delta: o.weight === 0 || !r.up ? 0 : r.delta },
  };
  return { ...m, result };
}
