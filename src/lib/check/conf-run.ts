/** `hactl check config`: load keepalived.conf, pick a real server's checkers, run them concurrently. */
import { loadConfig } from '../conf/index';
import { type ConfChecker, checkersFor } from './from-conf';
import { runCheck } from './index';
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
  const results = await Promise.all(sel.matches.map(async (m): Promise<ConfRunEntry> => (m.options ? { ...m, result: await runCheck(m.options) } : m)));
  const servers = sel.servers.map((s) => {
    const checkers = results.filter((r) => r.vs === s.vs && r.rs === s.rs);
    const ran = checkers.filter((c) => c.result);
    const up = ran.every((c) => c.result!.up);
    const dyn = ran.map((c) => c.result!.weight).filter((w): w is number => w !== undefined);
    return { ...s, up, weightNow: dyn.length ? dyn.at(-1) : undefined, checkers };
  });
  return { config: path, servers, errors };
}
