/**
 * decodeServiceAt (in-place decoding used by native dumps) must give exactly
 * what decodeService gives, for every attribute mix the kernel can send.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ipBytes } from '../../src/lib/addr';
import { AttrWriter, decodeService, decodeServiceAt } from '../../src/lib/ipvs/codec';

function stats(is64: boolean, base: number): AttrWriter {
  const w = new AttrWriter();
  for (let t = 1; t <= 10; t++) {
    const b = Buffer.alloc(is64 || t === 4 || t === 5 ? 8 : 4);
    if (b.length === 8) b.writeBigUInt64LE(BigInt(base) * 4294967296n * BigInt(t % 3) + BigInt(t * 1000 + base));
    else b.writeUInt32LE((0xfffffff0 + t + base) >>> 0);
    w.put(t, b);
  }
  w.put(11, Buffer.alloc(0)); // PAD
  return w;
}

describe('ipvs codec: in-place service decoding', () => {
  it('decodeServiceAt equals decodeService (v4/v6/fwmark, flags, pe, STATS/STATS64, odd lengths)', () => {
    const cases: AttrWriter[] = [
      new AttrWriter().u16(1, 2).u16(2, 6).put(3, Buffer.from('c0000201000000000000000000000000', 'hex')).be16(4, 80).str(6, 'wlc').put(7, Buffer.from('02000000ffffffff', 'hex')).u32(8, 0).be32(9, 0xffffffff).nest(12, stats(true, 3)),
      new AttrWriter().u16(1, 10).u16(2, 17).put(3, ipBytes('2001:db8::53', 6) as Buffer).be16(4, 53).str(6, 'sh').put(7, Buffer.from('19000000ffffffff', 'hex')).u32(8, 360).u32(9, 64).str(11, 'sip').nest(10, stats(false, 7)),
      new AttrWriter().u16(1, 2).u32(5, 0xfffffffe).str(6, 'rr').u32(7, 5).u32(8, 60).be32(9, 0xffffff00),
      new AttrWriter().u16(1, 10).u32(5, 7).str(6, 'mh').put(7, Buffer.from('0100', 'hex')),
      new AttrWriter().u16(1, 2).u16(2, 132).put(3, Buffer.from('c6336401', 'hex')).be16(4, 3868).put(6, Buffer.from('lc')).u16(9, 1),
      new AttrWriter().u16(2, 6).be16(4, 1).str(6, 'wlc').str(6, 'rr').nest(10, stats(false, 1)).nest(12, stats(true, 2)),
      new AttrWriter(),
    ];
    for (const [i, w] of cases.entries()) {
      const bytes = w.bytes();
      const padded = Buffer.concat([Buffer.alloc(12, 0xaa), bytes, Buffer.alloc(8, 0xbb)]);
      assert.deepEqual(decodeServiceAt(padded, 12, 12 + bytes.length), decodeService(bytes), `case ${i}`);
    }
  });
});
