/**
 * `hactl vrrp drain` / `hactl vrrp undrain` (src/fast.ts handlers): step this director's MASTER
 * instances down through the daemon's drill path (`drill NAME`: priority 0, VIPs removed, held
 * BACKUP; the BGP announcements that follow the VRRP state are withdrawn by the daemon), and with
 * --wait poll its status until a peer holds every VIP and nothing is announced (./director-drain.ts).
 */
import { HactlError, UsageError } from '../cli/errors';
import type { Parsed } from '../cli/parse';
import type { DaemonStatus } from './daemon';
import { type DrainSelection, drainPending, pickInstances, undrainPending } from './director-drain';
import { askDaemon } from './status-cli';

const ask = askDaemon;

async function status(sock: string): Promise<DaemonStatus> {
  const s = (await ask(sock, 'status')) as unknown as DaemonStatus & { error?: string };
  if (s.error) throw new HactlError(`the daemon on ${sock}: ${s.error}`);
  return s;
}

function selection(p: Parsed, verb: string): DrainSelection {
  const raw = p.flags.instance as string | string[] | undefined;
  const names = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const all = !!p.flags.all;
  if (all === (names.length > 0)) throw new UsageError(all ? '--all and --instance exclude each other' : 'which instances? give --instance NAME or --all', { hint: `e.g. \`hactl vrrp ${verb} --all --wait\`` });
  return { names, all };
}

function timeoutOf(p: Parsed): number {
  if (p.flags.timeout === undefined) return 60;
  const n = Number(p.flags.timeout);
  if (!Number.isFinite(n) || n <= 0 || n > 3600) throw new UsageError(`--timeout: expected seconds (0 < S <= 3600), got "${String(p.flags.timeout)}"`);
  return n;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(p: Parsed, op: 'drain' | 'undrain'): Promise<number> {
  const sock = p.flags['control-socket'] as string;
  const sel = selection(p, op);
  const json = !!p.flags.json;
  const timeoutS = timeoutOf(p);
  if (p.flags.timeout !== undefined && !p.flags.wait) throw new UsageError('--timeout goes with --wait');
  const pick = pickInstances(await status(sock), sel, op);
  if (pick.unknown.length) throw new HactlError(`no vrrp_instance ${pick.unknown.join(', ')} in the daemon on ${sock}`, { hint: '`hactl vrrp status` lists its instances' });
  const done: string[] = [];
  const refused: { instance: string; why: string }[] = [];
  for (const n of pick.go) {
    const a = await ask(sock, `${op === 'drain' ? 'drill' : 'drill-return'} ${n}`);
    if (a.error) refused.push({ instance: n, why: String(a.error) });
    else done.push(n);
  }
  const say = json ? () => {} : (s: string) => process.stdout.write(s);
  for (const n of done) say(`${n}: ${op === 'drain' ? 'stepped down (priority 0), held BACKUP until `hactl vrrp undrain`' : 'hold released; it preempts as configured'}\n`);
  for (const s of pick.skip) say(`${s.instance}: skipped, ${s.why}\n`);
  for (const r of refused) say(`${r.instance}: refused: ${r.why}\n`);
  let pending: { instance: string; why: string }[] = [];
  let waitedMs = 0;
  if (p.flags.wait && done.length) {
    const t0 = Date.now();
    for (;;) {
      const s = await status(sock);
      pending = op === 'drain' ? drainPending(s, done) : undrainPending(s, done);
      waitedMs = Date.now() - t0;
      if (!pending.length || waitedMs >= timeoutS * 1000) break;
      await sleep(200);
    }
    if (!pending.length) say(`${op === 'drain' ? 'drained: a peer holds the VIPs of' : 'MASTER again:'} ${done.join(', ')} (${(waitedMs / 1000).toFixed(1)} s)\n`);
  }
  if (json) process.stdout.write(`${JSON.stringify({ [op === 'drain' ? 'drained' : 'undrained']: done, skipped: pick.skip, refused, pending, waitedMs }, null, 2)}\n`);
  if (refused.length) throw new HactlError(`${op}: the daemon refused ${refused.map((r) => r.instance).join(', ')}`, { hint: refused[0].why.includes('sync group') ? 'a sync group member cannot be stepped down alone' : undefined });
  if (pending.length) throw new HactlError(`${op}: not complete after ${timeoutS} s: ${pending.map((x) => `${x.instance} ${x.why}`).join('; ')}`, { hint: op === 'drain' ? 'check that the peers run (`hactl vrrp status` on them)' : 'with nopreempt or a lower priority than the peer an instance stays BACKUP' });
  if (!done.length && !pick.skip.length) throw new HactlError(`${op}: nothing to do`);
  return 0;
}

export const vrrpDrainHandler = (p: Parsed) => run(p, 'drain');
export const vrrpUndrainHandler = (p: Parsed) => run(p, 'undrain');
