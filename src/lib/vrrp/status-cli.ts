/** `hactl vrrp status`: ask a running `hactl vrrp run` (and its LVS half) over the control sockets. src/fast.ts handler. */
import { HactlError } from '../cli/errors';
import type { Parsed } from '../cli/parse';

export async function vrrpStatusHandler(p: Parsed): Promise<number> {
  const { queryControl, renderStatus } = require('./control') as typeof import('./control');
  const sock = p.flags['control-socket'] as string;
  let s: Awaited<ReturnType<typeof queryControl>> | undefined;
  try {
    s = await queryControl(sock);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ECONNREFUSED') throw new HactlError(`cannot query ${sock}: ${(e as Error).message}`);
  }
  // The LVS half answers on its own socket (<sock>-lvs.sock); with --lvs-only it is the only one.
  const { lvsStatusForCli } = require('../lvs/status-client') as typeof import('../lvs/status-client');
  const lvs = await lvsStatusForCli(sock).catch(() => undefined);
  if (!s && !lvs) throw new HactlError(`no VRRP daemon answers on ${sock}`, { hint: 'start it with `hactl vrrp run -f FILE` or pass --control-socket' });
  if (p.flags.json) process.stdout.write(`${JSON.stringify({ ...(s ?? {}), lvs: lvs?.json }, null, 2)}\n`);
  else process.stdout.write((s ? renderStatus(s) : '') + (lvs?.text ?? ''));
  // degraded: a supervised half is not up (the VRRP instances are FAULT meanwhile)
  const { degraded, STATUS_EXIT_DEGRADED } = require('../daemon/supervisor') as typeof import('../daemon/supervisor');
  return degraded(s?.halves) ? STATUS_EXIT_DEGRADED : 0;
}
