/**
 * Host names for the listings without -n, the way ipvsadm gets them:
 * gethostbyaddr(3) goes through NSS, i.e. the sources of the `hosts:` line of
 * /etc/nsswitch.conf in order (usually `files dns`). hactl answers `files`
 * from /etc/hosts and `dns` (or `resolve`) with reverse (PTR) queries, all
 * addresses at once and under one deadline: where ipvsadm waits for every
 * timeout of every resolver, hactl prints the addresses it could not name
 * as numbers and says so on standard error.
 *
 * IPv6 addresses are named too (ipvsadm 1.31 on glibc does, from /etc/hosts
 * and from ip6.arpa PTR records: test/vm/guest/ipvs-interactive-names.test.ts).
 *
 * The NSS parsing and the per-address walk are pure; the DNS query is injected.
 */
import { AF_INET, AF_INET6 } from './constants';

export type NssStatus = 'success' | 'notfound' | 'unavail' | 'tryagain';

export interface NssSource {
  name: string;
  /** What to do after this source returned a status (glibc's [STATUS=ACTION]). */
  actions: Record<NssStatus, 'return' | 'continue'>;
}

const DEFAULT_ACTIONS: NssSource['actions'] = { success: 'return', notfound: 'continue', unavail: 'continue', tryagain: 'continue' };
const STATUSES: NssStatus[] = ['success', 'notfound', 'unavail', 'tryagain'];

/**
 * The sources of one database line of nsswitch.conf ("hosts: files [NOTFOUND=return] dns"),
 * or null when the file has no such line.
 */
export function parseNsswitch(text: string, db: string): NssSource[] | null {
  let found: string | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const m = /^([A-Za-z0-9_]+)\s*:\s*(.*)$/.exec(line);
    if (m && m[1] === db) {
      found = m[2];
      break;
    }
  }
  if (found === null) return null;
  const out: NssSource[] = [];
  const re = /\[([^\]]*)\]|([^\s[]+)/g;
  for (let m = re.exec(found); m; m = re.exec(found)) {
    if (m[2] !== undefined) {
      out.push({ name: m[2], actions: { ...DEFAULT_ACTIONS } });
      continue;
    }
    const last = out[out.length - 1];
    if (!last) continue;
    for (const item of m[1].trim().split(/\s+/)) {
      const a = /^(!?)([A-Za-z]+)=([A-Za-z]+)$/.exec(item);
      if (!a) continue;
      const status = a[2].toLowerCase() as NssStatus;
      const action = a[3].toLowerCase() === 'return' ? 'return' : 'continue';
      if (!STATUSES.includes(status)) continue;
      if (a[1]) {
        for (const s of STATUSES) if (s !== status) last.actions[s] = action;
      } else last.actions[status] = action;
    }
  }
  return out;
}

/** The `hosts:` sources; glibc's built-in default when the file or the line is missing. */
export function hostSources(nsswitch: string | null): NssSource[] {
  const parsed = nsswitch === null ? null : parseNsswitch(nsswitch, 'hosts');
  if (parsed) return parsed;
  // glibc: "dns [!UNAVAIL=return] files"
  return [
    { name: 'dns', actions: { success: 'return', notfound: 'return', unavail: 'continue', tryagain: 'return' } },
    { name: 'files', actions: { ...DEFAULT_ACTIONS } },
  ];
}

/** Whether ipvsadm could print a name for this address family. */
export function addrNameable(af: number): boolean {
  return af === AF_INET || af === AF_INET6;
}

export function usesDns(sources: NssSource[]): boolean {
  return sources.some((s) => s.name === 'dns' || s.name === 'resolve');
}

/** Outcome of one DNS reverse lookup. */
export type DnsAnswer = { status: 'success'; name: string } | { status: 'notfound' | 'unavail' | 'tryagain'; timedOut?: boolean };

export interface HostLookupDeps {
  /** The `files` source (/etc/hosts). */
  files(af: number, addr: string): string | undefined;
  /** The `dns` source; called at most once per address. */
  dns(addr: string): Promise<DnsAnswer>;
}

export interface HostLookupResult {
  names: Map<string, string>;
  /** Addresses whose DNS lookup timed out (shown as numbers). */
  timedOut: string[];
}

/** Walk the sources for one address (gethostbyaddr through NSS). */
export async function lookupHost(af: number, addr: string, sources: NssSource[], deps: HostLookupDeps, onTimeout?: () => void): Promise<string | undefined> {
  if (!addrNameable(af)) return undefined;
  for (const src of sources) {
    let status: NssStatus;
    let name: string | undefined;
    if (src.name === 'files') {
      name = deps.files(af, addr);
      status = name === undefined ? 'notfound' : 'success';
    } else if (src.name === 'dns' || src.name === 'resolve') {
      const a = await deps.dns(addr);
      if (a.status === 'success') name = a.name;
      else if (a.timedOut) onTimeout?.();
      status = a.status;
    } else status = 'unavail'; // a source hactl does not implement (myhostname, mdns4, ldap...)
    if (status === 'success') return name;
    if (src.actions[status] === 'return') return undefined;
  }
  return undefined;
}

/**
 * The same walk without DNS: the name, or needsDns when the walk reaches a DNS
 * source before it is decided (then lookupHost gives the answer).
 */
export function lookupHostNoDns(af: number, addr: string, sources: NssSource[], files: HostLookupDeps['files']): { name?: string; needsDns: boolean } {
  if (!addrNameable(af)) return { needsDns: false };
  for (const src of sources) {
    if (src.name === 'dns' || src.name === 'resolve') return { needsDns: true };
    let status: NssStatus = 'unavail';
    let name: string | undefined;
    if (src.name === 'files') {
      name = files(af, addr);
      status = name === undefined ? 'notfound' : 'success';
    }
    if (status === 'success') return { name, needsDns: false };
    if (src.actions[status] === 'return') return { needsDns: false };
  }
  return { needsDns: false };
}

/** Names for many addresses at once (keys are `${af}/${addr}`). */
export async function lookupHosts(addrs: Array<{ af: number; addr: string }>, sources: NssSource[], deps: HostLookupDeps): Promise<HostLookupResult> {
  const names = new Map<string, string>();
  const timedOut: string[] = [];
  await Promise.all(
    addrs.map(async ({ af, addr }) => {
      const n = await lookupHost(af, addr, sources, deps, () => timedOut.push(addr));
      if (n !== undefined) names.set(`${af}/${addr}`, n);
    }),
  );
  return { names, timedOut: timedOut.sort() };
}

/**
 * The real `dns` source: node's resolver (c-ares, /etc/resolv.conf) with a
 * short per-query timeout and one overall deadline.
 */
export function dnsReverse(opts: { timeoutMs: number; deadlineMs: number }): { dns: (addr: string) => Promise<DnsAnswer>; close(): void } {
  const { Resolver } = require('node:dns') as typeof import('node:dns');
  const r = new Resolver({ timeout: opts.timeoutMs, tries: 1 });
  const deadline = Date.now() + opts.deadlineMs;
  const timers = new Set<NodeJS.Timeout>();
  const dns = (addr: string): Promise<DnsAnswer> =>
    new Promise((resolve) => {
      const left = Math.max(0, deadline - Date.now());
      const t = setTimeout(() => resolve({ status: 'notfound', timedOut: true }), left);
      timers.add(t);
      r.reverse(addr, (err, hostnames) => {
        clearTimeout(t);
        timers.delete(t);
        // glibc's nss_dns: a refused query is UNAVAIL, every other failure NOTFOUND.
        if (!err && hostnames.length > 0) resolve({ status: 'success', name: hostnames[0] });
        else if (err?.code === 'ECONNREFUSED') resolve({ status: 'unavail' });
        else resolve({ status: 'notfound', timedOut: err?.code === 'ETIMEOUT' });
      });
    });
  return {
    dns,
    close: () => {
      for (const t of timers) clearTimeout(t);
      r.cancel();
    },
  };
}
