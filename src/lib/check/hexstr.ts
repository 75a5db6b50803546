/**
 * keepalived's HEX_STR (read_hex_str in parser.c), used by UDP_CHECK's
 * payload and require_reply: whitespace-separated groups of hex digits, read
 * two digits per byte; a group with an odd number of digits ends with a
 * one-digit byte. "Ab12f 3 456 546443123" -> AB 12 0F 03 45 06 54 64 43 12 03.
 * With allowMask, an X/x digit means "ignore these 4 bits" (mask bits set).
 */
export interface HexStr {
  data: Buffer;
  mask?: Buffer;
}

export function parseHexStr(s: string, allowMask: boolean): HexStr {
  const data: number[] = [];
  const mask: number[] = [];
  let anyMask = false;
  const groups = s.trim().split(/\s+/).filter((g) => g.length > 0);
  if (groups.length === 0) throw new Error('empty hex string');
  for (const g of groups) {
    for (let i = 0; i < g.length; i += 2) {
      const pair = g.slice(i, i + 2);
      let v = 0;
      let m = 0;
      for (const ch of pair) {
        v <<= 4;
        m <<= 4;
        if (/[0-9a-fA-F]/.test(ch)) v |= Number.parseInt(ch, 16);
        else if (allowMask && (ch === 'x' || ch === 'X')) {
          m |= 0xf;
          anyMask = true;
        } else throw new Error(`invalid hex digit '${ch}' in '${g}'`);
      }
      data.push(v);
      mask.push(m);
    }
  }
  return anyMask ? { data: Buffer.from(data), mask: Buffer.from(mask) } : { data: Buffer.from(data) };
}

/**
 * check_udp.c check_udp_reply: the reply length must lie in [min, max] and
 * the first min(len, expected) bytes must match outside the mask.
 * Returns undefined when the reply is good, else the reason.
 */
export function udpReplyMismatch(
  reply: Buffer,
  expected: Buffer,
  mask: Buffer | undefined,
  minLen: number,
  maxLen: number,
): string | undefined {
  if (reply.length < minLen || reply.length > maxLen) {
    return `reply length ${reply.length} outside ${minLen}..${maxLen}`;
  }
  const n = Math.min(reply.length, expected.length);
  for (let i = 0; i < n; i++) {
    const care = mask ? ~mask[i] & 0xff : 0xff;
    if ((reply[i] ^ expected[i]) & care) return `reply data mismatch at byte ${i}`;
  }
  return undefined;
}
