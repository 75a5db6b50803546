/**
 * src/lib/netlink: the one netlink framing (attributes, nesting, alignment, messages, ACKs),
 * checked against bytes written out by hand from linux/netlink.h.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AttrWriter, forEachAttr, NLA_F_NESTED, nlAlign, nlAttr, nlNest, nlStr, nlU32, parseAttrs } from '../../src/lib/netlink/attrs';
import { ackErrno, errnoAt, forEachMessage, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST, NLMSG_DONE, NLMSG_ERROR, nlMessage, parseMessages } from '../../src/lib/netlink/message';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('netlink attributes', () => {
  it('aligns to 4 bytes', () => {
    assert.deepEqual([0, 1, 3, 4, 5, 8].map(nlAlign), [0, 4, 4, 4, 8, 8]);
  });

  it('pads the payload with zeros, length without the padding', () => {
    assert.deepEqual(nlAttr(3, Buffer.from('ab')), hex('0600 0300 6162 0000'));
    assert.deepEqual(nlAttr(1, Buffer.alloc(0)), hex('0400 0100'));
    assert.deepEqual(nlStr(2, 'eth0'), hex('0900 0200 65746830 00 000000'));
    assert.deepEqual(nlU32(1, 4), hex('0800 0100 04000000'));
  });

  it('nests with NLA_F_NESTED and the children as they are', () => {
    assert.deepEqual(nlNest(5, nlU32(1, 1), nlAttr(2, Buffer.from([7]))), hex('1400 0580  0800 0100 01000000  0500 0200 07 000000'));
  });

  it('writer: same bytes as the one-shot functions, nested length patched by end()', () => {
    const w = new AttrWriter(4); // grows
    const at = w.start(5);
    w.u32(1, 1).put(2, Buffer.from([7]));
    w.end(at);
    w.str(2, 'eth0').u8(3, 9).u16(4, 0x1234).be16(5, 0x1234).be32(6, 0x01020304).u32pair(7, 1, 0xffffffff);
    assert.deepEqual(
      w.bytes(),
      Buffer.concat([nlNest(5, nlU32(1, 1), nlAttr(2, Buffer.from([7]))), nlStr(2, 'eth0'), hex('0500 0300 09 000000'), hex('0600 0400 3412 0000'), hex('0600 0500 1234 0000'), hex('0800 0600 01020304'), hex('0c00 0700 01000000 ffffffff')]),
    );
    assert.deepEqual(new AttrWriter().nest(1, new AttrWriter().u8(2, 1)).bytes(), hex('0c00 0180 0500 0200 01 000000'));
  });

  it('parses by type with the flag bits masked, last one wins, stops at a bad length', () => {
    const b = Buffer.concat([nlU32(1, 1), nlNest(2, nlU32(1, 5)), nlU32(1, 2), hex('0300 0400'), nlU32(9, 9)]);
    const m = parseAttrs(b);
    assert.deepEqual([...m.keys()], [1, 2]);
    assert.deepEqual(m.get(1), hex('02000000'));
    assert.deepEqual(parseAttrs(m.get(2) as Buffer).get(1), hex('05000000'));
    // truncated: the length runs past the end
    assert.equal(parseAttrs(hex('0800 0100 0000')).size, 0);
    const seen: number[][] = [];
    forEachAttr(b, 0, 12, (t, p, n) => seen.push([t, p, n]));
    assert.deepEqual(seen, [[1, 4, 4]]);
    assert.equal(NLA_F_NESTED, 0x8000);
  });
});

describe('netlink messages', () => {
  it('header: length, type, flags, seq, pid, then the parts', () => {
    const m = nlMessage(18, NLM_F_REQUEST | NLM_F_ACK, 7, 0x1234, [Buffer.alloc(4, 1), nlU32(1, 2)]);
    assert.deepEqual(m, hex('1c000000 1200 0500 07000000 34120000 01010101 0800 0100 02000000'));
    assert.equal(NLM_F_DUMP, 0x300);
  });

  it('splits a datagram (aligned) and reads ACKs and errors', () => {
    const ack = nlMessage(NLMSG_ERROR, 0, 5, 0, [hex('00000000')]);
    const err = nlMessage(NLMSG_ERROR, 0, 6, 0, [hex('efffffff')]); // -17 EEXIST
    const odd = nlMessage(16, 0, 6, 0, [Buffer.from([1])]);
    const done = nlMessage(NLMSG_DONE, 2, 6, 0, [hex('00000000')]);
    const dg = Buffer.concat([ack, err, odd, Buffer.alloc(3), done]);
    const msgs = parseMessages(dg);
    assert.deepEqual(
      msgs.map((m) => [m.type, m.seq, m.payload.length]),
      [
        [2, 5, 4],
        [2, 6, 4],
        [16, 6, 1],
        [3, 6, 4],
      ],
    );
    assert.equal(ackErrno(msgs[0]), 0);
    assert.equal(ackErrno(msgs[1]), 17);
    assert.equal(errnoAt(dg, ack.length), 17);
    const types: number[] = [];
    forEachMessage(dg, dg.length, (t) => {
      types.push(t);
      return t === 16;
    });
    assert.deepEqual(types, [2, 2, 16]);
    assert.throws(() => parseMessages(dg.subarray(0, dg.length - 2)), /truncated netlink message \(len 20 at 60 of 78\)/);
  });
});
