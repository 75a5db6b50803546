/**
 * IPVS's view of addresses (pure): the 16-byte nf_inet_addr union the kernel
 * takes, and libipvs's address ordering. Reading and writing the text is
 * ../addr's, with ipvsadm's inet_aton reading of IPv4 (`INET_ATON`).
 */
import { AF_INET6, formatAf, INET_ATON, ipBytes } from '../addr';

/** Text to the 16-byte nf_inet_addr union (IPv4 in the first 4 bytes). */
export function addrBytes(af: number, addr: string): Buffer {
  const out = Buffer.alloc(16);
  const b = af === AF_INET6 ? ipBytes(addr, 6) : ipBytes(addr, 4, INET_ATON);
  if (!b) throw new Error(`invalid ${af === AF_INET6 ? 'IPv6' : 'IPv4'} address "${addr}"`);
  b.copy(out, 0);
  return out;
}

/** Canonical text of an address (as the kernel would print it back). */
export function canonicalAddr(af: number, addr: string): string {
  return formatAf(af, addrBytes(af, addr));
}

/** ipvsadm's sort key comparisons use 32-bit wrapping subtraction; reproduce it. */
export function cmpU32Wrapping(a: number, b: number): number {
  return (a - b) | 0;
}

/** Compare two addresses the way libipvs does (per 32-bit word, wrapping). */
export function cmpAddr(af: number, a: string, b: string): number {
  const x = addrBytes(af, a);
  const y = addrBytes(af, b);
  if (af === AF_INET6) {
    for (let i = 0; i < 4; i++) {
      const r = cmpU32Wrapping(x.readUInt32BE(i * 4), y.readUInt32BE(i * 4));
      if (r !== 0) return r;
    }
    return 0;
  }
  return cmpU32Wrapping(x.readUInt32BE(0), y.readUInt32BE(0));
}
