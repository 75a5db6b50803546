/** MAC addresses (pure): parse, format, and VRRP's virtual router MAC. IP addresses live in ../addr. */
import type { Family } from '../addr';

/** "aa:bb:cc:dd:ee:ff" -> 6 bytes; null when invalid. */
export function parseMac(s: string): Buffer | null {
  const m = /^([0-9a-fA-F]{2})[:-]([0-9a-fA-F]{2})[:-]([0-9a-fA-F]{2})[:-]([0-9a-fA-F]{2})[:-]([0-9a-fA-F]{2})[:-]([0-9a-fA-F]{2})$/.exec(s.trim());
  if (!m) return null;
  return Buffer.from(m.slice(1).map((x) => parseInt(x, 16)));
}

export function formatMac(b: Uint8Array): string {
  return Array.from(b)
    .map((x) => x.toString(16).padStart(2, '0'))
    .join(':');
}

/** RFC 3768/5798 virtual router MAC: 00:00:5e:00:01:VRID (IPv4) or 00:00:5e:00:02:VRID (IPv6). */
export function vrrpVirtualMac(vrid: number, family: Family = 4): Buffer {
  if (!Number.isInteger(vrid) || vrid < 1 || vrid > 255) throw new RangeError(`VRID must be 1..255, got ${vrid}`);
  return Buffer.from([0x00, 0x00, 0x5e, 0x00, family === 4 ? 0x01 : 0x02, vrid]);
}
