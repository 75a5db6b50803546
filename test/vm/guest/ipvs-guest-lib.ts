/**
 * Helpers for the IPVS acceptance tests that run INSIDE ../shared/ipvs-vm
 * (started once by test/vm/run-vm.test.ts). Outside the VM every test skips.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
export const HACTL = path.join(ROOT, 'bin', 'hactl');

/** Why these tests cannot run here (undefined inside the VM as root). */
export function guestSkip(): string | undefined {
  if (!fs.existsSync('/proc/net/ip_vs')) return 'no IPVS in this kernel: runs inside ../shared/ipvs-vm via test/vm/run-vm.test.ts';
  if (process.getuid?.() !== 0) return 'needs root';
  if (spawnSync('ipvsadm', ['-v'], { encoding: 'utf8' }).status !== 0) return 'ipvsadm missing';
  return undefined;
}

/** guestSkip(), and each of these programs must be in the guest (IPVS_VM_EXTRA_BINS). */
export function guestSkipWith(...bins: string[]): string | undefined {
  const base = guestSkip();
  if (base) return base;
  for (const b of bins) if (spawnSync('sh', ['-c', `command -v ${b}`]).status !== 0) return `${b} is not in the guest (IPVS_VM_EXTRA_BINS="${b}")`;
  return undefined;
}

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], input?: string, opts: { uid?: number; gid?: number } = {}): Run {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000, ...opts });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export function ipvsadm(...args: string[]): Run {
  return run('ipvsadm', args);
}

export function hactl(args: string[], input?: string, opts: { uid?: number; gid?: number } = {}): Run {
  return run(process.execPath, [HACTL, ...args], input, opts);
}

/** ipvsadm -Sn (the canonical view of the table). */
export function saveN(): string {
  const r = ipvsadm('-Sn');
  if (r.status !== 0) throw new Error(`ipvsadm -Sn failed: ${r.stderr}`);
  return r.stdout;
}

/** ipvsadm -Sn as sorted non-empty lines: compares tables whatever order the kernel lists them in. */
export function sortedSaveN(): string {
  return saveN()
    .split('\n')
    .filter((l) => l.trim())
    .sort()
    .join('\n');
}

export function flush(): void {
  ipvsadm('-C');
}

/** Apply ipvsadm command lines (each a string); throws on failure. */
export function ipvsadmLines(lines: string): void {
  for (const l of lines.trim().split('\n')) {
    if (!l.trim()) continue;
    const r = run('ipvsadm', l.trim().split(/\s+/));
    if (r.status !== 0) throw new Error(`ipvsadm ${l}: ${r.stderr}`);
  }
}

/** A varied table: TCP/UDP/SCTP, IPv4/IPv6, fwmark v4/v6, every forwarding method and tunnel type, schedulers and flags. */
export const RICH_TABLE = `
-A -t 192.0.2.1:80 -s rr
-a -t 192.0.2.1:80 -r 198.51.100.1:8080 -m -w 3
-a -t 192.0.2.1:80 -r 198.51.100.2:8080 -m -w 0 -x 100 -y 10
-a -t 192.0.2.1:80 -r 198.51.100.10 -g
-A -t 192.0.2.2:443 -s wlc -p 600 -M 255.255.255.0
-a -t 192.0.2.2:443 -r 198.51.100.3 -g -w 65535
-A -u 192.0.2.3:53 -s sh -b sh-fallback,sh-port -o
-a -u 192.0.2.3:53 -r 198.51.100.4:5353 -m
-A --sctp-service 192.0.2.4:3868 -s lc
-a --sctp-service 192.0.2.4:3868 -r 198.51.100.5 -i --tun-type gre --tun-csum
-A -f 1 -s mh -b mh-port
-a -f 1 -r 203.0.113.1:0 -g
-a -f 1 -r 203.0.113.2:0 -i --tun-type gue --tun-port 6080 --tun-remcsum
-A -f 2 -6 -s dh -p
-a -f 2 -6 -r 2001:db8::2 -g
-A -u [2001:db8::1]:53 -s wrr -p 60 -M 64
-a -u [2001:db8::1]:53 -r [2001:db8::10]:5353 -m -w 2
-a -u [2001:db8::1]:53 -r 198.51.100.77 -i
-A -t 203.0.113.200:65535 -s nq
-A -t 198.51.100.250:1 -s fo
-a -t 198.51.100.250:1 -r 192.0.2.200 -g -w 7
-A -t 192.0.2.9:25 -s lblc
-A -t 192.0.2.10:25 -s lblcr
-a -t 192.0.2.10:25 -r 192.0.2.11:25 -m -w 1
-A -t 192.0.2.12:25 -s sed
-A -t 192.0.2.13:25 -s ovf
`;

/** Deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `cond` every 300 ms until it holds or `ms` passed; its last value. */
export async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(300);
  }
  return cond();
}
