/**
 * Errno names: src/lib/netlink/errors.ts (util.getSystemErrorName, then os.constants.errno) and
 * the addons' .code (native/packet/errname.h: strerrorname_np, no hand-kept table).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { nftErrorText } from '../../src/lib/net/nft';
import { errnoName, errnoNumber } from '../../src/lib/netlink/errors';

describe('errno names', () => {
  it('names by libuv, then by os.constants.errno, else "errno N"', () => {
    assert.equal(errnoName(17), 'EEXIST');
    assert.equal(errnoName(95), 'ENOTSUP');
    assert.equal(errnoName(35), 'EDEADLK'); // libuv has no name for it
    assert.equal(errnoName(1234), 'errno 1234');
    assert.equal(errnoName(0), 'errno 0');
    assert.equal(errnoName(-1), 'errno -1');
  });

  it('numbers from names, and the addons\' E<number> for an unnamed one', () => {
    assert.equal(errnoNumber('EEXIST'), 17);
    assert.equal(errnoNumber('E321'), 321);
    assert.equal(errnoNumber('EWHAT'), 0);
  });

  it('nf_tables texts by name', () => {
    assert.equal(nftErrorText(errnoNumber('EAFNOSUPPORT')), 'nf_tables is not available in this kernel');
    assert.equal(nftErrorText(errnoNumber('EOPNOTSUPP')), 'nf_tables is not available in this kernel');
    assert.equal(nftErrorText(errnoNumber('ENOENT')), 'no such table, chain, set or element');
    assert.equal(nftErrorText(errnoNumber('ENOBUFS')), 'errno 105');
  });
});

const ADDON = path.resolve(__dirname, '..', '..', '..', 'native/packet/build/Release/hactl_netlink.node');
const skip = fs.existsSync(ADDON) ? undefined : `addon not built (${ADDON}): node native/packet/build.js`;

describe('addon error codes', { skip }, () => {
  it('names every errno (sendmsg on a file: ENOTSOCK, which the old table called EIO)', () => {
    const nl = require(ADDON) as { send(fd: number, b: Uint8Array, n: number): number };
    const fd = fs.openSync('/dev/null', 'r');
    try {
      assert.throws(
        () => nl.send(fd, Buffer.alloc(16), 16),
        (e: NodeJS.ErrnoException) => e.code === 'ENOTSOCK' && e.errno === errnoNumber('ENOTSOCK') && e.syscall === 'sendmsg',
      );
    } finally {
      fs.closeSync(fd);
    }
  });
});
