/**
 * `hactl rs drain` / `hactl rs undrain` (src/fast.ts handlers). The service and real server are
 * read by ipvsadm's own parser (../ipvs/argv). A virtual server the running LVS half manages is
 * drained by asking it (`lvs-drain` on its control socket: its reconciler then keeps the weight
 * at 0); any other destination is edited in IPVS here, its weight kept in a small state file
 * for undrain. `--wait` polls the kernel's connection counts (pure decisions: ./drain.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { familyOfAf, formatAddrPort } from '../addr';
import { queryLineJson } from '../cli/control-socket';
import { HactlError, UsageError } from '../cli/errors';
import type { Parsed } from '../cli/parse';
import { reportWarning } from '../cli/report-cli';
import { canonicalAddr } from '../ipvs/addr';
import { IpvsadmArgError, parseIpvsadmArgs, parseServiceArg } from '../ipvs/argv';
import type { IpvsClient } from '../ipvs/client';
import { CliFailure, openClient } from '../ipvs/ipvs-cli';
import { systemParseOptions } from '../ipvs/run';
import type { Dest, ServiceKey } from '../ipvs/types';
import { type ConnSample, connText, type DrainMatch, type DrainTarget, waitStep } from './drain';
import { svcLabel } from './reconciler';
import { lvsSocketFor } from './status-client';

/** Where `rs drain` keeps the weights it took from destinations no daemon manages (for `rs undrain`). */
export function drainStateFile(): string {
  return process.env.HACTL_DRAIN_STATE || '/run/hactl/drained.json';
}

const SVC_FLAGS: [string, string][] = [
  ['tcp-service', '-t'],
  ['udp-service', '-u'],
  ['sctp', '--sctp-service'],
  ['fwmark-service', '-f'],
];

/** The service and real server of the command line, through ipvsadm's parser. */
function targetOf(p: Parsed, verb: string): DrainTarget {
  const given = SVC_FLAGS.filter(([f]) => p.flags[f] !== undefined);
  const hint = `e.g. \`hactl rs ${verb} -t 192.0.2.10:80 -r 198.51.100.11:80\``;
  if (given.length !== 1) throw new UsageError(given.length ? 'give one virtual service (-t, -u, --sctp or -f), not several' : 'which virtual service? give -t, -u, --sctp or -f', { hint });
  const rs = p.flags['real-server'] as string | undefined;
  if (!rs) throw new UsageError('which real server? give -r ADDR[:PORT]', { hint });
  const [flag, opt] = given[0];
  const argv = ['-e', opt, String(p.flags[flag]), ...(p.flags.ipv6 ? ['-6'] : []), '-r', rs];
  let ce: ReturnType<typeof parseIpvsadmArgs>;
  const popts = systemParseOptions();
  try {
    ce = parseIpvsadmArgs(argv, popts);
  } catch (e) {
    if (e instanceof IpvsadmArgError) throw new UsageError(e.message || `bad service or real server: ${argv.slice(1).join(' ')}`, { hint });
    throw e;
  }
  const s = ce.svc;
  const svc: ServiceKey = { af: s.af, protocol: s.protocol, addr: s.fwmark ? s.addr : canonicalAddr(s.af, s.addr), port: s.port, fwmark: s.fwmark };
  const noPort = parseServiceArg(rs, s.protocol, popts).result === 1;
  return { svc, addr: canonicalAddr(ce.dest.af, ce.dest.addr), port: noPort ? null : ce.dest.port };
}

function rsLabel(af: number, addr: string, port: number | null): string {
  return port === null ? addr : formatAddrPort(familyOfAf(af), addr, port);
}

/** The answer of the LVS half, or undefined when none runs (no socket, nobody listening). */
async function askDaemon(sock: string, verb: 'lvs-drain' | 'lvs-undrain', t: DrainTarget): Promise<DrainMatch | undefined> {
  let a: DrainMatch & { error?: string };
  try {
    a = (await queryLineJson(sock, `${verb} ${JSON.stringify(t)}`, 10_000)) as DrainMatch & { error?: string };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ECONNREFUSED') return undefined;
    throw new HactlError(`cannot ask the LVS half on ${sock}: ${(e as Error).message}`, { hint: '`hactl vrrp status` shows whether the daemon is healthy' });
  }
  if (a.error) throw new HactlError(`the LVS half on ${sock}: ${a.error}`, { hint: 'a daemon older than this hactl does not drain; restart it with this version' });
  return a;
}

async function client(): Promise<IpvsClient> {
  try {
    return await openClient();
  } catch (e) {
    if (e instanceof CliFailure) throw new HactlError(e.message, { exitCode: e.exitCode, hint: e.hint });
    throw e;
  }
}

/** The destination in the kernel's table now (undefined: gone); a missing service throws. */
async function liveDest(c: IpvsClient, t: DrainTarget): Promise<Dest | undefined> {
  let dests: Dest[];
  try {
    dests = await c.getDests(t.svc);
  } catch (e) {
    throw new HactlError(`no virtual service ${svcLabel(t.svc)} in IPVS: ${(e as Error).message}`, { hint: '`hactl vs list -n` shows the services' });
  }
  const hits = dests.filter((d) => canonicalAddr(d.af, d.addr) === t.addr && (t.port === null || d.port === t.port));
  if (hits.length > 1) throw new UsageError(`real server ${t.addr} is in ${svcLabel(t.svc)} more than once`, { hint: `give its port: ${hits.map((d) => rsLabel(d.af, d.addr, d.port)).join(', ')}` });
  return hits[0];
}

type Store = Record<string, number>;
const storeKey = (t: DrainTarget, d: Dest) => `${svcLabel(t.svc)} -> ${rsLabel(d.af, t.addr, d.port)}`;

function readStore(): Store {
  try {
    const j = JSON.parse(fs.readFileSync(drainStateFile(), 'utf8')) as unknown;
    return j && typeof j === 'object' ? (j as Store) : {};
  } catch {
    return {};
  }
}

function writeStore(s: Store): void {
  const f = drainStateFile();
  try {
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(`${f}.tmp`, `${JSON.stringify(s, null, 2)}\n`);
    fs.renameSync(`${f}.tmp`, f);
  } catch (e) {
    throw new HactlError(`cannot write ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { hint: 'run as root, or set HACTL_DRAIN_STATE to a writable file' });
  }
}

function seconds(v: unknown, flag: string, def: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > 86400) throw new UsageError(`${flag}: expected seconds (0 < S <= 86400), got "${String(v)}"`);
  return n;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface WaitResult {
  result: 'drained' | 'timeout' | 'gone';
  active: number;
  inactive: number;
  waitedMs: number;
}

/** Poll the destination until its connections are gone or the timeout; progress on `out` (redrawn on a terminal). */
async function waitConns(c: IpvsClient, t: DrainTarget, timeoutMs: number, inactive: boolean, out: ((s: string) => void) | undefined, tty: boolean): Promise<WaitResult> {
  const t0 = Date.now();
  const pollMs = Number(process.env.HACTL_DRAIN_POLL_MS) || 1000;
  let prev: ConnSample | undefined;
  let drew = false;
  const label = rsLabel(t.svc.af, t.addr, t.port);
  for (;;) {
    const d = await liveDest(c, t);
    const cur = d ? { active: d.activeConns ?? 0, inactive: d.inactConns ?? 0 } : undefined;
    const waited = Date.now() - t0;
    const step = waitStep(prev, cur, waited, timeoutMs, inactive);
    if (step.kind !== 'wait') {
      if (drew && out) out('\n');
      return { result: step.kind === 'done' ? 'drained' : step.kind, active: cur?.active ?? 0, inactive: cur?.inactive ?? 0, waitedMs: waited };
    }
    if (out && cur) {
      const left = Math.max(0, Math.ceil((timeoutMs - waited) / 1000));
      if (tty) {
        out(`\r\u001b[K${label}: ${connText(cur)}, waiting (${left} s left)`);
        drew = true;
      } else if (step.changed) out(`${new Date().toISOString()} ${label}: ${connText(cur)}\n`);
    }
    prev = cur;
    await sleep(Math.min(pollMs, Math.max(10, timeoutMs - waited)));
  }
}

/** `hactl rs drain`. */
export async function rsDrainHandler(p: Parsed): Promise<number> {
  const t = targetOf(p, 'drain');
  const json = !!p.flags.json;
  const wait = !!p.flags.wait;
  const timeoutS = seconds(p.flags.timeout, '--timeout', 300);
  if (p.flags.timeout !== undefined && !wait) throw new UsageError('--timeout goes with --wait', { hint: 'e.g. `hactl rs drain -t 192.0.2.10:80 -r 198.51.100.11 --wait --timeout 600`' });
  const sock = lvsSocketFor(p.flags['control-socket'] as string | undefined);
  const m = await askDaemon(sock, 'lvs-drain', t);
  if (m?.kind === 'error') throw new HactlError(m.message, { hint: m.hint });
  const c = await client();
  const svcText = svcLabel(t.svc);
  let by: 'daemon' | 'ipvs';
  let before: number | null = null;
  let d: Dest | undefined;
  if (m?.kind === 'found') {
    by = 'daemon';
    before = m.rs.weight;
    d = await liveDest(c, t);
  } else {
    by = 'ipvs';
    d = await liveDest(c, t);
    if (!d) throw new HactlError(`no real server ${rsLabel(t.svc.af, t.addr, t.port)} in ${svcText}`, { hint: `\`hactl vs list -n -t ${t.svc.addr}:${t.svc.port}\` shows its real servers` });
    before = d.weight;
    if (d.weight > 0) {
      const s = readStore();
      s[storeKey(t, d)] = d.weight;
      writeStore(s);
      await c.exec({ kind: 'edit-dest', svc: t.svc, dest: { ...d, weight: 0 } });
    }
  }
  const label = d ? rsLabel(d.af, t.addr, d.port) : rsLabel(t.svc.af, t.addr, t.port);
  const say = json ? undefined : (s: string) => process.stdout.write(s);
  say?.(
    by === 'daemon'
      ? `${label} of ${svcText}: drained by the daemon (weight 0 until \`hactl rs undrain\`; configured ${before})\n`
      : `${label} of ${svcText}: weight ${before} -> 0 (no daemon manages it; \`hactl rs undrain\` gives ${before} back)\n`,
  );
  let w: WaitResult | undefined;
  if (wait) w = await waitConns(c, t, timeoutS * 1000, !!p.flags.inactive, say, !!process.stdout.isTTY);
  const rsOut = { address: t.addr, port: d?.port ?? t.port };
  if (json) process.stdout.write(`${JSON.stringify({ service: svcText, realServer: rsOut, by, weightBefore: before, wait: w ?? null }, null, 2)}\n`);
  if (w?.result === 'timeout') {
    throw new HactlError(`${label} of ${svcText}: still ${connText(w)} after ${timeoutS} s`, {
      hint: 'it stays at weight 0 (no new connections); wait longer with --timeout, or `hactl vs list -n -c` shows them',
    });
  }
  if (w && !json) say?.(w.result === 'gone' ? `${label}: no longer in IPVS\n` : `${label}: ${connText(w)} after ${(w.waitedMs / 1000).toFixed(1)} s\n`);
  return 0;
}

/** `hactl rs undrain`. */
export async function rsUndrainHandler(p: Parsed): Promise<number> {
  const t = targetOf(p, 'undrain');
  const json = !!p.flags.json;
  let weight: number | undefined;
  if (p.flags.weight !== undefined) {
    weight = Number(p.flags.weight);
    if (!Number.isInteger(weight) || weight < 1 || weight > 2147483647) throw new UsageError(`--weight: expected 1..2147483647, got "${String(p.flags.weight)}"`);
  }
  const sock = lvsSocketFor(p.flags['control-socket'] as string | undefined);
  const svcText = svcLabel(t.svc);
  const m = await askDaemon(sock, 'lvs-undrain', t);
  if (m?.kind === 'error') throw new HactlError(m.message, { hint: m.hint });
  if (m?.kind === 'found') {
    if (weight !== undefined) reportWarning(`-w ${weight} ignored: the daemon manages this virtual server and gives back its configured weight`);
    const label = rsLabel(t.svc.af, t.addr, t.port);
    if (json) process.stdout.write(`${JSON.stringify({ service: svcText, realServer: { address: t.addr, port: t.port }, by: 'daemon', weight: m.rs.weight }, null, 2)}\n`);
    else process.stdout.write(`${label} of ${svcText}: undrained by the daemon (its configured weight ${m.rs.weight}, as its checkers allow)\n`);
    return 0;
  }
  const c = await client();
  const d = await liveDest(c, t);
  if (!d) throw new HactlError(`no real server ${rsLabel(t.svc.af, t.addr, t.port)} in ${svcText}`, { hint: `\`hactl vs list -n -t ${t.svc.addr}:${t.svc.port}\` shows its real servers` });
  const s = readStore();
  const k = storeKey(t, d);
  const w = weight ?? s[k];
  if (w === undefined) throw new UsageError(`no weight recorded for ${k} (it was not drained by \`hactl rs drain\` on this host)`, { hint: 'give the weight: `hactl rs undrain ... -w N`' });
  await c.exec({ kind: 'edit-dest', svc: t.svc, dest: { ...d, weight: w } });
  if (k in s) {
    delete s[k];
    writeStore(s);
  }
  const label = rsLabel(d.af, t.addr, d.port);
  if (json) process.stdout.write(`${JSON.stringify({ service: svcText, realServer: { address: t.addr, port: d.port }, by: 'ipvs', weight: w }, null, 2)}\n`);
  else process.stdout.write(`${label} of ${svcText}: weight ${d.weight} -> ${w}\n`);
  return 0;
}
