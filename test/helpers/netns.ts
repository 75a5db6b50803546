/**
 * Test hosts in network namespaces: a bridge namespace ("switch") and hosts
 * attached to it with veth pairs. Only documentation addresses are used, the
 * root namespace is never touched, and everything is removed by cleanup()
 * (also on process exit). Names are unique per process so suites can run in
 * parallel.
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';

let counter = 0;

/** Why namespace tests cannot run here, or null when they can. */
export function netnsUnavailable(): string | null {
  if (process.getuid && process.getuid() !== 0) return 'needs root (network namespaces)';
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'iproute2 `ip` not installed';
  }
  const probe = `hactlprobe${process.pid}`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'ignore' });
    execFileSync('ip', ['netns', 'del', probe], { stdio: 'ignore' });
  } catch {
    return 'cannot create network namespaces here';
  }
  return null;
}

export function sh(cmd: string, args: string[], opts: { input?: string; allowFail?: boolean } = {}): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', input: opts.input, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    if (opts.allowFail) return '';
    const err = e as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.stderr || err.message}`);
  }
}

export interface Host {
  /** namespace name */
  ns: string;
  /** interface name inside the namespace (attached to the lab bridge) */
  ifname: string;
}

export class Lab {
  readonly id: string;
  readonly bridgeNs: string;
  readonly hosts: Host[] = [];
  private readonly children: ChildProcess[] = [];
  private cleaned = false;
  private readonly onExit = () => this.cleanup();

  constructor(tag = 'lab') {
    this.id = `h${process.pid % 100000}${tag.slice(0, 3)}${counter++}`;
    this.bridgeNs = `${this.id}-sw`;
    sh('ip', ['netns', 'add', this.bridgeNs]);
    this.nsExec(this.bridgeNs, 'ip', ['link', 'add', 'br0', 'type', 'bridge']);
    this.nsExec(this.bridgeNs, 'ip', ['link', 'set', 'br0', 'up']);
    this.nsExec(this.bridgeNs, 'ip', ['link', 'set', 'lo', 'up']);
    process.once('exit', this.onExit);
  }

  /** Add a host namespace with interface `ifname` on the bridge, with the given addresses (CIDR). */
  addHost(name: string, addrs: string[] = [], ifname = 'eth0'): Host {
    const ns = `${this.id}-${name}`;
    sh('ip', ['netns', 'add', ns]);
    const idx = this.hosts.length;
    const a = `${this.id}a${idx}`.slice(0, 15);
    const b = `${this.id}b${idx}`.slice(0, 15);
    // Create the pair directly inside the bridge namespace, then move one end.
    this.nsExec(this.bridgeNs, 'ip', ['link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
    this.nsExec(this.bridgeNs, 'ip', ['link', 'set', b, 'netns', ns]);
    this.nsExec(this.bridgeNs, 'ip', ['link', 'set', a, 'master', 'br0']);
    this.nsExec(this.bridgeNs, 'ip', ['link', 'set', a, 'up']);
    this.nsExec(ns, 'ip', ['link', 'set', b, 'name', ifname]);
    this.nsExec(ns, 'ip', ['link', 'set', 'lo', 'up']);
    for (const addr of addrs) this.nsExec(ns, 'ip', ['addr', 'add', addr, 'dev', ifname]);
    this.nsExec(ns, 'ip', ['link', 'set', ifname, 'up']);
    const host = { ns, ifname };
    this.hosts.push(host);
    return host;
  }

  /** Bring the bridge-side end of a host's link down or up (simulates a cable pull). */
  setCable(host: Host, up: boolean): void {
    const idx = this.hosts.indexOf(host);
    this.nsExec(this.bridgeNs, 'ip', ['link', 'set', `${this.id}a${idx}`.slice(0, 15), up ? 'up' : 'down']);
  }

  nsExec(ns: string, cmd: string, args: string[], opts: { input?: string; allowFail?: boolean } = {}): string {
    return sh('ip', ['netns', 'exec', ns, cmd, ...args], opts);
  }

  /** Start a long-running process inside a namespace; killed on cleanup. */
  spawn(ns: string, cmd: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    this.children.push(child);
    return child;
  }

  cleanup(): void {
    if (this.cleaned) return;
    this.cleaned = true;
    process.removeListener('exit', this.onExit);
    for (const c of this.children) {
      if (c.exitCode === null && c.signalCode === null) {
        try {
          c.kill('SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
    for (const h of this.hosts) sh('ip', ['netns', 'del', h.ns], { allowFail: true });
    sh('ip', ['netns', 'del', this.bridgeNs], { allowFail: true });
  }
}

/** Remove namespaces left behind by earlier crashed runs of this helper (same pid prefix only). */
export function leftoverNamespaces(): string[] {
  try {
    return fs.readdirSync('/run/netns').filter((n) => n.startsWith(`h${process.pid % 100000}`));
  } catch {
    return [];
  }
}
