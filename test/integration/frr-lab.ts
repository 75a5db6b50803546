/**
 * FRR (Debian's frr 8.4) inside lab namespaces: each node gets its own config dir, pid files,
 * zebra socket and vty sockets under a temporary directory (never /etc/frr or /run/frr), the
 * daemons run in the foreground as children of the Lab (killed at cleanup).
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Host, Lab } from '../helpers/netns';

export const FRR_DIR = '/usr/lib/frr';

/** Why FRR labs cannot run here, or null. */
export function frrUnavailable(): string | null {
  for (const p of [`${FRR_DIR}/zebra`, `${FRR_DIR}/bgpd`]) if (!fs.existsSync(p)) return `FRR not installed (${p} missing: apt install frr)`;
  try {
    execFileSync('vtysh', ['--help'], { stdio: 'ignore' });
  } catch {
    return 'vtysh not installed (apt install frr)';
  }
  return null;
}

export class FrrNode {
  readonly dir: string;
  private readonly procs = new Map<string, ChildProcess>();

  constructor(
    private readonly lab: Lab,
    readonly host: Host,
    readonly conf: string,
    /**
     * A daemon's own config file instead of `conf` (e.g. `{ bfdd: 'bfd\n profile fast ...' }`). A daemon
     * started with `-f` on a file holding another daemon's nodes fails those lines, and the node's
     * `exit` then leaves config mode, so every later top-level line is lost too: bfdd never saw a
     * `bfd` block placed after `router bgp` and ran the BFD session at its 300 ms defaults.
     */
    daemonConf: Record<string, string> = {},
  ) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-frr-'));
    // the daemons drop to user frr: they write their pid files and sockets here
    fs.chmodSync(this.dir, 0o777);
    fs.writeFileSync(path.join(this.dir, 'frr.conf'), conf, { mode: 0o644 });
    for (const [d, c] of Object.entries(daemonConf)) fs.writeFileSync(path.join(this.dir, `${d}.conf`), c, { mode: 0o644 });
  }

  start(daemons: string[] = ['zebra', 'bgpd']): this {
    for (const d of daemons) {
      const own = path.join(this.dir, `${d}.conf`);
      const args = ['-f', fs.existsSync(own) ? own : `${this.dir}/frr.conf`, '-i', `${this.dir}/${d}.pid`, '-z', `${this.dir}/zserv.api`, '--vty_socket', this.dir, '--log', `file:${this.dir}/${d}.log`];
      // bfdd's control socket is /var/run/frr/bfdd.sock by default: one per node, in its own directory
      if (d === 'bfdd') args.push('--bfdctl', `${this.dir}/bfdd.sock`);
      this.procs.set(d, this.lab.spawn(this.host.ns, `${FRR_DIR}/${d}`, args, { stdio: 'ignore' }));
      // bgpd needs zebra's socket: wait for it
      if (d === 'zebra') waitFile(`${this.dir}/zserv.api`, 10_000);
    }
    return this;
  }

  stop(daemon: string): void {
    const p = this.procs.get(daemon);
    p?.kill('SIGKILL');
    this.procs.delete(daemon);
  }

  /** vtysh in this node's paths; parsed JSON for `... json` commands. */
  vtysh(cmd: string): string {
    const r = spawnSync('ip', ['netns', 'exec', this.host.ns, 'vtysh', '--vty_socket', this.dir, '--config_dir', this.dir, '-c', cmd], { encoding: 'utf8', timeout: 10_000 });
    if (r.status !== 0) throw new Error(`vtysh -c '${cmd}' in ${this.host.ns}: ${r.stderr || r.stdout}`);
    return r.stdout;
  }

  json<T = Record<string, unknown>>(cmd: string): T {
    return JSON.parse(this.vtysh(cmd) || '{}') as T;
  }

  cleanup(): void {
    for (const d of [...this.procs.keys()]) this.stop(d);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function waitFile(p: string, ms: number): void {
  const end = Date.now() + ms;
  while (!fs.existsSync(p)) {
    if (Date.now() > end) throw new Error(`${p} did not appear within ${ms} ms`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
}

/** Poll `fn` until it returns a value that is not undefined, or fail with the last state. */
export async function until<T>(what: string, ms: number, fn: () => T | undefined | Promise<T | undefined>, state?: () => string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms${state ? `; last: ${state()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The lab router's FRR config: eBGP AS 64500 taking any director of `listen` (AS 64501) as a
 * dynamic neighbour, 1/3 s timers, no advertisement delay, and up to 8 ECMP paths.
 */
export function routerConf(routerId: string, listen = '198.51.100.0/24'): string {
  return [
    'frr defaults datacenter',
    'hostname router',
    'router bgp 64500',
    ` bgp router-id ${routerId}`,
    ' no bgp ebgp-requires-policy',
    ' neighbor DIRS peer-group',
    ' neighbor DIRS remote-as 64501',
    ' neighbor DIRS timers 1 3',
    ' neighbor DIRS advertisement-interval 0',
    ` bgp listen range ${listen} peer-group DIRS`,
    ' address-family ipv4 unicast',
    '  maximum-paths 8',
    ' exit-address-family',
    'exit',
    '',
  ].join('\n');
}

/** The router's active next hops for VIP/32 in its RIB (zebra's `show ip route ... json`), sorted. */
export function bgpPaths(router: FrrNode, vip: string): string[] {
  // biome-ignore lint/suspicious/noExplicitAny: untyped JSON from vtysh
  const j = router.json<Record<string, any[]>>(`show ip route ${vip}/32 json`);
  // biome-ignore lint/suspicious/noExplicitAny: untyped JSON from vtysh
  const e = (j[`${vip}/32`] ?? []).find((x: any) => x.protocol === 'bgp' && x.selected);
  // biome-ignore lint/suspicious/noExplicitAny: untyped JSON from vtysh
  return e ? (e.nexthops as any[]).filter((n) => n.active).map((n) => n.ip as string).sort() : [];
}

/**
 * A director's FRR (8.4): zebra imports table 100, bgpd redistributes it to the router (eBGP 64501 -> 64500, fast timers).
 * `bfdProfile`: BFD on the session with that profile (bfdd's own config, FrrNode's `daemonConf.bfdd`, defines it), as bench/bgp uses.
 */
export function directorConf(addr: string, router: string, bfdProfile?: string): string {
  return [
    'frr defaults datacenter',
    'ip import-table 100',
    'router bgp 64501',
    ` bgp router-id ${addr}`,
    ' no bgp ebgp-requires-policy',
    ` neighbor ${router} remote-as 64500`,
    ` neighbor ${router} timers 1 3`,
    ` neighbor ${router} timers connect 1`,
    ` neighbor ${router} advertisement-interval 0`,
    ...(bfdProfile ? [` neighbor ${router} bfd profile ${bfdProfile}`] : []),
    ' address-family ipv4 unicast',
    '  redistribute table 100',
    ' exit-address-family',
    'exit',
    '',
  ].join('\n');
}

/** Wait until the router has `n` Established BGP sessions. */
export function sessionsEstablished(router: FrrNode, n: number, ms = 30_000): Promise<true> {
  return until(
    `${n} sessions established`,
    ms,
    () => {
      // biome-ignore lint/suspicious/noExplicitAny: untyped JSON from vtysh
      const peers = router.json<any>('show bgp ipv4 unicast summary json').peers ?? {};
      // biome-ignore lint/suspicious/noExplicitAny: untyped JSON from vtysh
      return Object.values(peers).filter((p: any) => p.state === 'Established').length === n ? true : undefined;
    },
    () => router.vtysh('show bgp ipv4 unicast summary'),
  );
}
