import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIpv6, INET_ATON, ipBytes } from '../../src/lib/addr';
import {
  AttrWriter,
  decodeDaemon,
  decodeDest,
  decodeService,
  decodeStats,
  encodeGetDests,
  encodeGetFamily,
  encodeGetServices,
  encodeOp,
  encodeOpsInto,
  genlAttrs,
  parseMessages,
} from '../../src/lib/ipvs/codec';
import { parseProcIpvs } from '../../src/lib/ipvs/procfs';
import type { Dest, Service } from '../../src/lib/ipvs/types';

/** Hex with whitespace/comments allowed: the expected bytes are written out by hand. */
function hex(s: string): Buffer {
  return Buffer.from(s.replace(/#[^\n]*/g, '').replace(/\s+/g, ''), 'hex');
}

const svc4: Service = { af: 2, protocol: 6, addr: '192.0.2.1', port: 80, fwmark: 0, sched: 'rr', flags: 0, timeout: 0, netmask: 0xffffffff, pe: '' };

describe('ipvs codec: request golden bytes', () => {
  it('nlctrl GETFAMILY "IPVS"', () => {
    assert.deepEqual(
      encodeGetFamily('IPVS', 7, 0),
      hex(`20000000 1000 0500 07000000 00000000  # len 32, GENL_ID_CTRL, REQUEST|ACK, seq 7
           03 01 0000                          # CTRL_CMD_GETFAMILY v1
           0900 0200 49505653 00 000000        # FAMILY_NAME "IPVS\\0" + pad`),
    );
  });

  it('NEW_SERVICE tcp 192.0.2.1:80 rr (all service attributes, IPv4 netmask in network order)', () => {
    assert.deepEqual(
      encodeOp({ kind: 'add-service', svc: svc4 }, 0x20, 1, 0),
      hex(`68000000 2000 0500 01000000 00000000
           01 01 0000                          # IPVS_CMD_NEW_SERVICE v1
           5400 0180                           # nested SERVICE, 84 bytes
             0600 0100 0200 0000               # AF 2
             0600 0200 0600 0000               # PROTOCOL 6
             1400 0300 c0000201 000000000000000000000000  # ADDR (16-byte union)
             0600 0400 0050 0000               # PORT 80, big endian
             0700 0600 727200 00               # SCHED_NAME "rr"
             0c00 0700 00000000 ffffffff       # FLAGS {flags 0, mask ~0}
             0800 0800 00000000                # TIMEOUT 0
             0800 0900 ffffffff                # NETMASK /32`),
    );
  });

  it('DEL_DEST on an IPv6 fwmark service: key-only service, dest with ADDR_FAMILY', () => {
    const dest: Dest = { af: 10, addr: '2001:db8::1', port: 0, fwd: 3, weight: 1, uThresh: 0, lThresh: 0, tunType: 0, tunPort: 0, tunFlags: 0 };
    assert.deepEqual(
      encodeOp({ kind: 'del-dest', svc: { af: 10, protocol: 0, addr: '::', port: 0, fwmark: 5 }, dest }, 0x20, 2, 0),
      hex(`50000000 2000 0500 02000000 00000000
           07 01 0000                          # IPVS_CMD_DEL_DEST
           1400 0180  0600 0100 0a00 0000  0800 0500 05000000     # SERVICE: AF 10, FWMARK 5
           2800 0280                           # nested DEST, 40 bytes
             0600 0b00 0a00 0000               # ADDR_FAMILY 10
             1400 0100 20010db8000000000000000000000001   # ADDR
             0600 0200 0000 0000               # PORT 0`),
    );
  });

  it('NEW_DEST GUE tunnel on an SCTP service (tunnel type/port/flags, thresholds)', () => {
    const dest: Dest = { af: 2, addr: '203.0.113.5', port: 3868, fwd: 2, weight: 3, uThresh: 100, lThresh: 10, tunType: 1, tunPort: 6080, tunFlags: 2 };
    assert.deepEqual(
      encodeOp({ kind: 'add-dest', svc: { af: 2, protocol: 132, addr: '192.0.2.4', port: 3868, fwmark: 0 }, dest }, 0x21, 3, 0x1234),
      hex(`a4000000 2100 0500 03000000 34120000
           05 01 0000                          # IPVS_CMD_NEW_DEST
           3000 0180
             0600 0100 0200 0000  0600 0200 8400 0000          # AF 2, PROTOCOL 132 (SCTP)
             1400 0300 c0000204 000000000000000000000000
             0600 0400 0f1c 0000               # PORT 3868
           6000 0280
             0600 0b00 0200 0000               # ADDR_FAMILY
             1400 0100 cb007105 000000000000000000000000
             0600 0200 0f1c 0000               # PORT
             0800 0300 02000000                # FWD_METHOD tunnel
             0800 0400 03000000                # WEIGHT 3
             0500 0d00 01 000000               # TUN_TYPE gue (u8)
             0600 0e00 17c0 0000               # TUN_PORT 6080, big endian
             0600 0f00 0200 0000               # TUN_FLAGS remcsum
             0800 0500 64000000                # U_THRESH 100
             0800 0600 0a000000                # L_THRESH 10`),
    );
  });

  it('SET_CONFIG timeouts, FLUSH, ZERO(all), dumps', () => {
    assert.deepEqual(
      encodeOp({ kind: 'set-timeout', timeouts: { tcp: 900, tcpFin: 120, udp: 300 } }, 0x20, 4, 0),
      hex(`2c000000 2000 0500 04000000 00000000  0c 01 0000
           0800 0400 84030000  0800 0500 78000000  0800 0600 2c010000`),
    );
    assert.deepEqual(encodeOp({ kind: 'flush' }, 0x20, 5, 0), hex('14000000 2000 0500 05000000 00000000 11 01 0000'));
    assert.deepEqual(encodeOp({ kind: 'zero' }, 0x20, 6, 0), hex('14000000 2000 0500 06000000 00000000 10 01 0000'));
    assert.deepEqual(encodeGetServices(0x20, 8, 0), hex('14000000 2000 0503 08000000 00000000 04 01 0000'));
    assert.deepEqual(
      encodeGetDests({ af: 2, protocol: 17, addr: '192.0.2.3', port: 53, fwmark: 0 }, 0x20, 9, 0),
      hex(`44000000 2000 0503 09000000 00000000 08 01 0000
           3000 0180 0600 0100 0200 0000 0600 0200 1100 0000 1400 0300 c0000203 000000000000000000000000 0600 0400 0035 0000`),
    );
  });

  it('NEW_DAEMON with every option (IPv4 group in network order)', () => {
    assert.deepEqual(
      encodeOp({ kind: 'start-daemon', daemon: { state: 1, ifname: 'd0', syncId: 7, maxLen: 1472, group: '224.0.0.81', port: 8848, ttl: 1 } }, 0x20, 10, 0),
      hex(`50000000 2000 0500 0a000000 00000000 09 01 0000
           3c00 0380
             0800 0100 01000000                # STATE master
             0700 0200 643000 00               # MCAST_IFN "d0"
             0800 0300 07000000                # SYNC_ID 7
             0600 0400 c005 0000               # SYNC_MAXLEN 1472
             0600 0700 9022 0000               # MCAST_PORT 8848
             0500 0800 01 000000               # MCAST_TTL 1
             0800 0500 e0000051                # MCAST_GROUP 224.0.0.81`),
    );
  });

  it('edit-service with persistence, pe, one-packet and sched flags; IPv6 netmask as a host-order prefix length', () => {
    const s6: Service = { af: 10, protocol: 17, addr: '2001:db8::53', port: 53, fwmark: 0, sched: 'sh', flags: 1 | 4 | 8, timeout: 600, netmask: 64, pe: 'sip' };
    const msg = encodeOp({ kind: 'edit-service', svc: s6 }, 0x20, 11, 0);
    assert.equal(msg[16], 2); // IPVS_CMD_SET_SERVICE
    const attrs = genlAttrs(parseMessages(msg)[0]);
    const back = decodeService(attrs.get(1)!);
    assert.deepEqual({ ...back }, { ...s6 });
    const inner = attrs.get(1)!;
    assert.ok(inner.includes(hex('0800 0900 40000000')), 'NETMASK 64 little endian');
    assert.ok(inner.includes(hex('0800 0b00 73697000')), 'PE_NAME "sip"');
  });
});

describe('ipvs codec: decoding kernel replies', () => {
  it('service with STATS64 (values beyond 32 bits) and HASHED dropped from flags', () => {
    const stats = new AttrWriter();
    const u64 = (t: number, v: bigint) => {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(v);
      stats.put(t, b);
    };
    u64(1, 5n);
    u64(2, 6000000000n);
    u64(3, 7n);
    u64(4, 123456789012n);
    u64(5, 9n);
    for (let t = 6; t <= 10; t++) u64(t, BigInt(t));
    const w = new AttrWriter()
      .u16(1, 10)
      .u16(2, 6)
      .put(3, ipBytes('2001:db8::80', 6)!)
      .be16(4, 443)
      .str(6, 'wlc')
      .put(7, hex('03000000 ffffffff'))
      .u32(8, 360)
      .u32(9, 128)
      .nest(12, stats);
    const s = decodeService(w.bytes());
    assert.equal(s.addr, '2001:db8::80');
    assert.equal(s.port, 443);
    assert.equal(s.flags, 1, 'PERSISTENT kept, HASHED (2) dropped');
    assert.equal(s.netmask, 128);
    assert.equal(s.stats64, true);
    assert.equal(s.stats?.inpkts, 6000000000);
    assert.equal(s.stats?.inbytes, 123456789012);
    assert.equal(s.stats?.outbps, 10);
  });

  it('32-bit STATS fallback and dest without ADDR_FAMILY takes the service family', () => {
    const st = new AttrWriter().u32(1, 1).u32(2, 2).u32(3, 3).put(4, hex('0400000000000000')).put(5, hex('0500000000000000'));
    assert.equal(decodeStats(st.bytes(), false).outbytes, 5);
    const d = decodeDest(new AttrWriter().put(1, hex('c6336401000000000000000000000000')).be16(2, 8080).u32(3, 0).u32(4, 65535).u32(5, 0).u32(6, 0).u32(7, 1).u32(8, 2).u32(9, 3).bytes(), 2);
    assert.equal(d.af, 2);
    assert.equal(d.addr, '198.51.100.1');
    assert.equal(d.port, 8080);
    assert.equal(d.weight, 65535);
    assert.deepEqual([d.activeConns, d.inactConns, d.persistConns], [1, 2, 3]);
  });

  it('daemon with an IPv6 group', () => {
    const g = ipBytes('ff02::81', 6)!;
    const d = decodeDaemon(new AttrWriter().u32(1, 2).str(2, 'eth1').u32(3, 9).u16(4, 1400).put(6, g).u16(7, 8848).u8(8, 2).bytes());
    assert.deepEqual(d, { state: 2, ifname: 'eth1', syncId: 9, maxLen: 1400, group: 'ff02::81', port: 8848, ttl: 2 });
  });

  it('splits a datagram holding several messages (multipart + DONE + error)', () => {
    const buf = hex(`18000000 2000 0200 01000000 00000000 04 01 0000 0400 0100
                     14000000 0300 0200 01000000 00000000 00000000
                     24000000 0200 0000 02000000 00000000 efffffff 14000000 2000 0500 02000000 00000000`);
    const m = parseMessages(buf);
    assert.deepEqual(
      m.map((x) => [x.type, x.seq]),
      [
        [0x20, 1],
        [3, 1],
        [2, 2],
      ],
    );
    assert.equal(-m[2].payload.readInt32LE(0), 17, 'EEXIST');
    assert.throws(() => parseMessages(hex('ff000000 0200 0000 01000000 00000000')), /truncated/);
  });
});

describe('ipvs addresses (glibc semantics)', () => {
  it('inet_aton accepts the short and hex forms, rejects overflow', () => {
    assert.deepEqual([...ipBytes('192.0.2.1', 4, INET_ATON)!], [192, 0, 2, 1]);
    assert.deepEqual([...ipBytes('1.2.3', 4, INET_ATON)!], [1, 2, 0, 3]);
    assert.deepEqual([...ipBytes('0x7f.1', 4, INET_ATON)!], [127, 0, 0, 1]);
    assert.equal(ipBytes('256.1.1.1', 4, INET_ATON), null);
    assert.equal(ipBytes('1.2.3.4.5', 4, INET_ATON), null);
    assert.equal(ipBytes('a.b.c.d', 4, INET_ATON), null);
  });
  it('inet_ntop compresses the longest zero run (>= 2 groups) and keeps v4-mapped tails', () => {
    assert.equal(formatIpv6(ipBytes('2001:db8:0:0:1:0:0:1', 6)!), '2001:db8::1:0:0:1');
    assert.equal(formatIpv6(ipBytes('2001:db8:0:1:1:1:1:1', 6)!), '2001:db8:0:1:1:1:1:1');
    assert.equal(formatIpv6(ipBytes('::ffff:192.0.2.1', 6)!), '::ffff:192.0.2.1');
    assert.equal(formatIpv6(ipBytes('::', 6)!), '::');
    assert.equal(formatIpv6(ipBytes('fe80::', 6)!), 'fe80::');
    assert.equal(ipBytes('1::2::3', 6), null);
    assert.equal(ipBytes('12345::', 6), null);
  });
});

describe('ipvs codec: writer growth', () => {
  it('a window buffer that has to grow mid-attribute encodes the same bytes as single messages', () => {
    const op = {
      kind: 'add-dest' as const,
      svc: { af: 2 as const, protocol: 6, addr: '192.0.2.1', port: 80, fwmark: 0 },
      dest: { af: 2 as const, addr: '198.51.100.1', port: 80, fwd: 0, weight: 1, uThresh: 0, lThresh: 0, tunType: 0, tunPort: 0, tunFlags: 0 },
    };
    for (const size of [1, 7, 16, 33, 160]) {
      const w = new AttrWriter(size);
      encodeOpsInto(w, op, 0x20, 1, 9);
      encodeOpsInto(w, op, 0x20, 2, 9);
      assert.deepEqual(w.bytes(), Buffer.concat([encodeOp(op, 0x20, 1, 9), encodeOp(op, 0x20, 2, 9)]), `initial size ${size}`);
    }
  });
});

describe('/proc/net/ip_vs parser (save reads destinations from it)', () => {
  it('IPv4, IPv6 and fwmark services with their destinations', () => {
    const text = [
      'IP Virtual Server version 1.2.1 (size=4096)',
      'Prot LocalAddress:Port Scheduler Flags',
      '  -> RemoteAddress:Port Forward Weight ActiveConn InActConn',
      'TCP  C0000201:0050 rr  ',
      '  -> C6336401:1F90      Masq    3      0          0         ',
      '  -> C633640A:0050      Route   1      5          7         ',
      'UDP  [2001:0db8:0000:0000:0000:0000:0000:0001]:0035 wrr persistent 60 40',
      '  -> [2001:0db8:0000:0000:0000:0000:0000:0010]:14E9      Masq    2      0          0         ',
      '  -> C633644D:0035      Tunnel  1      0          0         ',
      'FWM  00000007 sh ',
      '',
    ].join('\n');
    const p = parseProcIpvs(text);
    assert.ok(p);
    assert.deepEqual(
      p.map((s) => [s.key, s.dests.map((d) => `${d.addr}:${d.port}/${d.fwd}/${d.weight}/${d.activeConns}/${d.inactConns}`)]),
      [
        ['6:192.0.2.1:80', ['198.51.100.1:8080/0/3/0/0', '198.51.100.10:80/3/1/5/7']],
        ['17:[2001:db8::1]:53', ['2001:db8::10:5353/0/2/0/0', '198.51.100.77:53/2/1/0/0']],
        ['fwm:7', []],
      ],
    );
    assert.equal(parseProcIpvs('a\nb\nc\nGARBAGE LINE\n'), null);
  });
});
