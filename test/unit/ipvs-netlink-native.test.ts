/**
 * native/packet/netlink.c (hactl_netlink): synchronous generic netlink I/O,
 * exercised against the kernel's nlctrl family (present in every kernel, no
 * root needed). Skips when the addon is not built.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { decodeFamily, encodeGetFamily, parseMessages } from '../../src/lib/ipvs/codec';
import { NETLINK_GENERIC, NLMSG_ERROR } from '../../src/lib/ipvs/constants';
import type { NativeNl } from '../../src/lib/net/netlink-addon';

const ADDON = path.resolve(__dirname, '..', '..', '..', 'native/packet/build/Release/hactl_netlink.node');
const skip = fs.existsSync(ADDON) ? undefined : `addon not built (${ADDON}): node native/packet/build.js`;

describe('hactl_netlink addon', { skip }, () => {
  const nl = (skip ? null : require(ADDON)) as NativeNl;

  it('opens a bound socket, sends a request and reads the reply and its ACK', () => {
    const [fd, pid, rcvbuf] = nl.open(NETLINK_GENERIC, 1 << 20);
    try {
      assert.ok(fd >= 0 && pid > 0);
      assert.ok(rcvbuf > 0, 'the granted receive buffer size');
      const req = encodeGetFamily('nlctrl', 7, pid);
      assert.equal(nl.send(fd, req, req.length), req.length);
      const buf = Buffer.alloc(1 << 16);
      const msgs = [];
      while (msgs.length < 2) {
        const n = nl.recv(fd, buf, 1000);
        assert.ok(n > 0, 'a reply within 1 s');
        msgs.push(...parseMessages(Buffer.from(buf.subarray(0, n))));
      }
      assert.equal(msgs[0].seq, 7);
      assert.equal(decodeFamily(msgs[0]).id, 0x10); // GENL_ID_CTRL
      assert.equal(msgs[1].type, NLMSG_ERROR);
      assert.equal(msgs[1].payload.readInt32LE(0), 0);
      // Nothing more: recv times out with 0.
      assert.equal(nl.recv(fd, buf, 50), 0);
      // A datagram larger than the buffer is reported as truncated (negative size).
      nl.send(fd, req, req.length);
      assert.ok(nl.recv(fd, Buffer.alloc(8), 1000) < 0);
    } finally {
      nl.close(fd);
    }
  });

  it('acks() collects one errno per sequence from a pipelined batch, skipping other replies', () => {
    const [fd, pid] = nl.open(NETLINK_GENERIC, 1 << 20);
    try {
      const names = ['nlctrl', 'nofam1', 'nlctrl', 'nofam2'];
      const batch = Buffer.concat(names.map((n, i) => encodeGetFamily(n, 100 + i, pid)));
      nl.send(fd, batch, batch.length);
      const errnos = new Int32Array(names.length).fill(-1);
      assert.equal(nl.acks(fd, 100, names.length, errnos, 1000), names.length);
      assert.deepEqual([...errnos], [0, 2, 0, 2]); // ENOENT for unknown families
      // Unanswered sequences: returns how many were seen once the timeout passes.
      const none = new Int32Array(2).fill(-1);
      assert.equal(nl.acks(fd, 500, 2, none, 50), 0);
      assert.deepEqual([...none], [-1, -1]);
    } finally {
      nl.close(fd);
    }
  });

  it('bad arguments throw instead of crashing', () => {
    assert.throws(() => nl.send(-1, Buffer.alloc(4), 8), TypeError);
    assert.throws(() => nl.acks(0, 1, 4, new Int32Array(1), 10), TypeError);
    assert.throws(() => nl.send(999999, Buffer.alloc(4), 4), /EBADF|sendmsg/);
  });
});
