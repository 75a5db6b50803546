/**
 * Pure parser of /proc/net/ip_vs (the kernel's own table listing). `hactl
 * save` reads the destinations from it in one read instead of one netlink
 * dump per service: it holds everything -S prints except tunnel details
 * (fetched over netlink for the services that have tunnel destinations).
 */
import { formatIPv6, parseIPv6 } from './addr';
import { AF_INET, AF_INET6, Fwd, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP } from './constants';
import type { Dest, Family } from './types';

export interface ProcService {
  /** serviceId()-compatible key, or `fwm:<mark>` (the file does not say the family of fwmark services). */
  key: string;
  dests: Dest[];
}

const PROTO: Record<string, number> = { TCP: IPPROTO_TCP, UDP: IPPROTO_UDP, SCTP: IPPROTO_SCTP };
const FWD: Record<string, number> = { Masq: Fwd.MASQ, Local: Fwd.LOCALNODE, Tunnel: Fwd.TUNNEL, Route: Fwd.DROUTE };

function addr(s: string): { af: Family; addr: string } | null {
  if (s.startsWith('[')) {
    const b = parseIPv6(s.slice(1, -1));
    return b ? { af: AF_INET6, addr: formatIPv6(b) } : null;
  }
  if (!/^[0-9A-Fa-f]{8}$/.test(s)) return null;
  const n = Number.parseInt(s, 16);
  return { af: AF_INET, addr: `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}` };
}

/** Services in file order with their destinations; null if the text is not understood. */
export function parseProcIpvs(text: string): ProcService[] | null {
  const out: ProcService[] = [];
  let cur: ProcService | null = null;
  const lines = text.split('\n');
  for (let i = 3; i < lines.length; i++) {
    const l = lines[i];
    if (l === '') continue;
    if (l.startsWith('  -> ')) {
      const m = /^ {2}-> (\S+):([0-9A-F]{4})\s+(\S+)\s+(-?\d+)\s+(\d+)\s+(\d+)/.exec(l);
      const a = m && addr(m[1]);
      if (!m || !a || !cur || FWD[m[3]] === undefined) return null;
      cur.dests.push({
        af: a.af,
        addr: a.addr,
        port: Number.parseInt(m[2], 16),
        fwd: FWD[m[3]],
        weight: Number(m[4]),
        uThresh: 0,
        lThresh: 0,
        tunType: 0,
        tunPort: 0,
        tunFlags: 0,
        activeConns: Number(m[5]),
        inactConns: Number(m[6]),
      });
      continue;
    }
    const fw = /^FWM {2}([0-9A-F]{8}) /.exec(l);
    if (fw) {
      cur = { key: `fwm:${Number.parseInt(fw[1], 16)}`, dests: [] };
      out.push(cur);
      continue;
    }
    const m = /^(TCP|UDP|SCTP)\s+(\S+):([0-9A-F]{4}) /.exec(l);
    const a = m && addr(m[2]);
    if (!m || !a) return null;
    const port = Number.parseInt(m[3], 16);
    cur = { key: `${PROTO[m[1]]}:${a.af === AF_INET6 ? `[${a.addr}]` : a.addr}:${port}`, dests: [] };
    out.push(cur);
  }
  return out;
}
