/** `hactl vrrp status`: ask a running `hactl vrrp run` (and its LVS half) over the control sockets. src/fast.ts handler. */
import { writeStdout } from '../cli/stdio-cli';
import { HactlError } from '../cli/errors';
import type { Parsed } from '../cli/parse';
import type { LvsStatus } from '../lvs/reconciler';
import type { DaemonStatus } from './daemon';

export const NO_DAEMON_HINT = 'start it with `hactl vrrp run -f FILE` or pass --control-socket';

/** One request to the VRRP daemon's control socket (`vrrp drill`, `vrrp drain`): no daemon and a bad answer are one-line errors. */
export async function askDaemon(sock: string, request: string): Promise<Record<string, unknown>> {
  const { queryLineJson } = require('../cli/control-socket') as typeof import('../cli/control-socket');
  try {
    return (await queryLineJson(sock, request, 5000)) as Record<string, unknown>;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ECONNREFUSED') throw new HactlError(`no VRRP daemon answers on ${sock}`, { hint: NO_DAEMON_HINT });
    throw new HactlError(`cannot query ${sock}: ${(e as Error).message}`);
  }
}

/**
 * Both halves' answers (the LVS half answers on <sock>-lvs.sock; with --lvs-only it is the only
 * one); undefined where nothing answers. Throws only for a socket that answers wrongly.
 */
export async function queryNode(sock: string): Promise<{ vrrp?: DaemonStatus; lvs?: { text: string; json: LvsStatus } }> {
  const { queryControl } = require('./control') as typeof import('./control');
  let s: DaemonStatus | undefined;
  try {
    s = await queryControl(sock);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ECONNREFUSED') throw new HactlError(`cannot query ${sock}: ${(e as Error).message}`);
  }
  // The LVS half answers on its own socket (<sock>-lvs.sock); with --lvs-only it is the only one.
  const { lvsStatusForCli } = require('../lvs/status-client') as typeof import('../lvs/status-client');
  const lvs = await lvsStatusForCli(sock).catch(() => undefined);
  return { vrrp: s, lvs };
}

export async function vrrpStatusHandler(p: Parsed): Promise<number> {
  const { renderStatus } = require('./control') as typeof import('./control');
  const sock = p.flags['control-socket'] as string;
  const { vrrp: s, lvs } = await queryNode(sock);
  if (!s && !lvs) throw new HactlError(`no VRRP daemon answers on ${sock}`, { hint: NO_DAEMON_HINT });
  if (p.flags.json) writeStdout(`${JSON.stringify({ ...(s ?? {}), lvs: lvs?.json }, null, 2)}\n`);
  else writeStdout((s ? renderStatus(s) : '') + (lvs?.text ?? ''));
  // degraded: a supervised half is not up (the VRRP instances are FAULT meanwhile)
  const { degraded, STATUS_EXIT_DEGRADED } = require('../daemon/supervisor') as typeof import('../daemon/supervisor');
  return degraded(s?.halves) ? STATUS_EXIT_DEGRADED : 0;
}
