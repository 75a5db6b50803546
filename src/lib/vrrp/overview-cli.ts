/**
 * `hactl status [--json] [--watch]`: VRRP, LVS (real servers, checkers) and BGP announcements of the
 * node in one view, from the daemon's control sockets (./status-cli.ts queryNode); the view is
 * ./overview.ts. src/fast.ts handler.
 */
import { painterFor } from '../cli/color';
import { HactlError, UsageError } from '../cli/errors';
import type { Parsed } from '../cli/parse';
import { buildOverview, factChanges, type Overview, overviewFacts, renderOverview } from './overview';
import { NO_DAEMON_HINT, queryNode } from './status-cli';

/** Exit status when no daemon answers (as `vrrp status`). */
const EXIT_ABSENT = 1;

async function view(sock: string): Promise<Overview | undefined> {
  const { vrrp, lvs } = await queryNode(sock);
  if (!vrrp && !lvs) return undefined;
  return buildOverview(vrrp, lvs?.json);
}

export async function statusHandler(p: Parsed): Promise<number> {
  const sock = p.flags['control-socket'] as string;
  const json = !!p.flags.json;
  if (!p.flags.watch) {
    const o = await view(sock);
    if (!o) throw new HactlError(`no VRRP daemon answers on ${sock}`, { hint: NO_DAEMON_HINT });
    process.stdout.write(json ? `${JSON.stringify(o, null, 2)}\n` : renderOverview(o, painterFor(process.stdout)));
    return o.exitCode;
  }
  const everyS = p.flags.interval === undefined ? 1 : Number(p.flags.interval);
  if (!Number.isFinite(everyS) || everyS < 0.1 || everyS > 3600) throw new UsageError(`--interval: expected seconds (0.1 to 3600), got "${p.flags.interval}"`);
  // a terminal gets the table redrawn on every change; anything else one line per change
  const tty = !!process.stdout.isTTY && !json;
  let prev: Map<string, string> | undefined;
  let code = 0;
  let stop = false;
  let wake: (() => void) | undefined;
  const onSig = () => {
    stop = true;
    wake?.();
  };
  process.once('SIGINT', onSig);
  process.once('SIGTERM', onSig);
  try {
    while (!stop) {
      const o = await view(sock).catch(() => undefined);
      code = o ? o.exitCode : EXIT_ABSENT;
      const facts = overviewFacts(o);
      const changes = factChanges(prev, facts);
      if (changes.length) {
        const at = new Date().toISOString();
        if (tty) {
          const body = o ? renderOverview(o, painterFor(process.stdout)) : `no VRRP daemon answers on ${sock}\n`;
          process.stdout.write(`\u001b[H\u001b[2J${body}\n(watching ${sock}; last change ${at}: ${changes.length} change(s); Ctrl-C stops)\n`);
        } else if (json) process.stdout.write(`${JSON.stringify({ at, changes, status: o ?? null })}\n`);
        else for (const c of changes) process.stdout.write(`${at} ${c}\n`);
      }
      prev = facts;
      if (stop) break;
      await new Promise<void>((r) => {
        const t = setTimeout(r, everyS * 1000);
        wake = () => {
          clearTimeout(t);
          r();
        };
      });
    }
  } finally {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
  }
  return code;
}
