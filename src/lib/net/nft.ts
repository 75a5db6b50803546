/**
 * nf_tables netlink codec (pure, no I/O): the batches keepalived 2.2.7 sends for
 * `no_accept` / `vrrp_strict`, byte for byte (captured with strace from keepalived
 * built with NFTABLES), so `nft list table ip keepalived` shows the same ruleset:
 *
 *   table ip keepalived {
 *     set vips { type ipv4_addr }
 *     chain out { type filter hook output priority filter - 1; policy accept; ip saddr @vips drop }
 *     chain in  { type filter hook input priority filter - 1; policy accept; ip daddr @vips drop }
 *   }
 *
 * IPv6 (`table ip6 keepalived`) adds keepalived's neighbour-discovery exemption
 * (a constant set of icmpv6 types accepted first) and the link-local chains.
 *
 * Message layout: nlmsghdr (16) + nfgenmsg (family, version 0, res_id BE) + attributes.
 * A batch is NFNL_MSG_BATCH_BEGIN, the messages (each with NLM_F_ACK), NFNL_MSG_BATCH_END.
 */
import { type Family, mustIpBytes } from '../addr';
import { nlAttr, nlNest as nest, nlStr as str } from '../netlink/attrs';
import { errnoName } from '../netlink/errors';
import { NLM_F_ACK, NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REQUEST, writeNlmsghdr } from '../netlink/message';

export const NETLINK_NETFILTER = 12;
export const NFT_TABLE_NAME = 'keepalived';

const NFNL_MSG_BATCH_BEGIN = 0x10;
const NFNL_MSG_BATCH_END = 0x11;
const NFNL_SUBSYS_NFTABLES = 10;

export const NFT_MSG = {
  NEWTABLE: 0,
  DELTABLE: 2,
  NEWCHAIN: 3,
  NEWRULE: 6,
  NEWSET: 9,
  NEWSETELEM: 12,
  DELSETELEM: 14,
} as const;

/** NFPROTO_IPV4 / NFPROTO_IPV6 */
export const nfproto = (f: Family): number => (f === 4 ? 2 : 10);

// attribute numbers (linux/netfilter/nf_tables.h)
const TABLE_NAME = 1;
const CHAIN = { TABLE: 1, NAME: 3, HOOK: 4, POLICY: 5, TYPE: 7 };
const HOOK = { NUM: 1, PRIORITY: 2 };
const SET = { TABLE: 1, NAME: 2, FLAGS: 3, KEY_TYPE: 4, KEY_LEN: 5, ID: 10, USERDATA: 13 };
const SET_CONSTANT = 0x2;
const ELEMLIST = { TABLE: 1, SET: 2, ELEMENTS: 3, SET_ID: 4 };
const RULE = { TABLE: 1, CHAIN: 2, EXPRESSIONS: 4 };
const NF_INET_LOCAL_IN = 1;
const NF_INET_LOCAL_OUT = 3;
const NF_DROP = 0;
const NF_ACCEPT = 1;
const NFT_GOTO = -4;
/** nft datatypes: ipv4_addr, ipv6_addr, icmpv6_type */
const TYPE_IPADDR = 7;
const TYPE_IP6ADDR = 8;
const TYPE_ICMP6_TYPE = 29;
/** libnftnl set userdata: NFTNL_UDATA_SET_KEYBYTEORDER = BYTEORDER_BIG_ENDIAN */
const UDATA_BIG_ENDIAN = Buffer.from([0x00, 0x04, 0x02, 0x00, 0x00, 0x00]);
const UDATA_HOST_ENDIAN = Buffer.from([0x00, 0x04, 0x01, 0x00, 0x00, 0x00]);

// ---------------------------------------------------------------- attributes

function be32(type: number, v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v | 0, 0);
  return nlAttr(type, b);
}

// ---------------------------------------------------------------- expressions

const expr = (name: string, ...data: Buffer[]): Buffer => nest(1, str(1, name), nest(2, ...data));
/** payload load LEN bytes at OFFSET of the network (base 1) or transport (base 2) header into reg 1 */
const payload = (base: 1 | 2, offset: number, len: number): Buffer => expr('payload', be32(1, 1), be32(2, base), be32(3, offset), be32(4, len));
const lookup = (set: string): Buffer => expr('lookup', be32(2, 1), str(1, set));
const cmpEq = (value: Buffer): Buffer => expr('cmp', be32(1, 1), be32(2, 0), nest(3, nlAttr(1, value)));
const bitwise = (mask: Buffer, xor: Buffer): Buffer => expr('bitwise', be32(1, 1), be32(2, 1), be32(3, mask.length), nest(4, nlAttr(1, mask)), nest(5, nlAttr(1, xor)));
function verdict(code: number, chain?: string): Buffer {
  const v = [be32(1, code)];
  if (chain) v.push(str(2, chain));
  return expr('immediate', be32(1, 0), nest(2, nest(2, ...v)));
}

// ---------------------------------------------------------------- messages

export interface NftMsg {
  type: number;
  flags: number;
  family: number;
  attrs: Buffer;
}

const CREATE = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE;

export const newTable = (f: Family, table = NFT_TABLE_NAME): NftMsg => ({ type: NFT_MSG.NEWTABLE, flags: CREATE, family: nfproto(f), attrs: str(TABLE_NAME, table) });
export const delTable = (f: Family, table = NFT_TABLE_NAME): NftMsg => ({
  type: NFT_MSG.DELTABLE,
  flags: NLM_F_REQUEST | NLM_F_ACK,
  family: nfproto(f),
  attrs: str(TABLE_NAME, table),
});

/** base chain (hook + priority filter - 1, policy accept) or, without hook, a regular chain */
export function newChain(f: Family, name: string, hook?: 'input' | 'output', table = NFT_TABLE_NAME): NftMsg {
  const a = [str(CHAIN.TABLE, table), str(CHAIN.NAME, name)];
  if (hook) {
    a.push(nest(CHAIN.HOOK, be32(HOOK.NUM, hook === 'input' ? NF_INET_LOCAL_IN : NF_INET_LOCAL_OUT), be32(HOOK.PRIORITY, -1)));
    a.push(be32(CHAIN.POLICY, NF_ACCEPT), str(CHAIN.TYPE, 'filter'));
  }
  return { type: NFT_MSG.NEWCHAIN, flags: CREATE, family: nfproto(f), attrs: Buffer.concat(a) };
}

/** constant sets (keepalived's icmpv6 types) are host byte order in libnftnl's userdata */
export function newSet(f: Family, name: string, keyType: number, keyLen: number, id: number, constant = false, table = NFT_TABLE_NAME): NftMsg {
  const a = [str(SET.TABLE, table), str(SET.NAME, name)];
  if (constant) a.push(be32(SET.FLAGS, SET_CONSTANT));
  a.push(be32(SET.KEY_TYPE, keyType), be32(SET.KEY_LEN, keyLen), be32(SET.ID, id), nlAttr(SET.USERDATA, constant ? UDATA_HOST_ENDIAN : UDATA_BIG_ENDIAN));
  return { type: NFT_MSG.NEWSET, flags: CREATE, family: nfproto(f), attrs: Buffer.concat(a) };
}

function setElems(type: number, flags: number, f: Family, set: string, keys: Buffer[], table: string, setId?: number): NftMsg {
  // libnftnl numbers the list entries 1, 2, 3, ... (the kernel ignores the type)
  const elems = keys.map((k, i) => nest(i + 1, nest(1, nlAttr(1, k))));
  const a = [str(ELEMLIST.SET, set)];
  if (setId !== undefined) a.push(be32(ELEMLIST.SET_ID, setId));
  a.push(str(ELEMLIST.TABLE, table), nest(ELEMLIST.ELEMENTS, ...elems));
  return { type, flags, family: nfproto(f), attrs: Buffer.concat(a) };
}

export const newRule = (f: Family, chain: string, exprs: Buffer[], table = NFT_TABLE_NAME): NftMsg => ({
  type: NFT_MSG.NEWRULE,
  flags: CREATE | NLM_F_APPEND,
  family: nfproto(f),
  attrs: Buffer.concat([str(RULE.TABLE, table), str(RULE.CHAIN, chain), nest(RULE.EXPRESSIONS, ...exprs)]),
});

// ---------------------------------------------------------------- addresses

export const familyOf = (a: string): Family => (a.includes(':') ? 6 : 4);

export const newVipElems = (f: Family, addrs: string[], table = NFT_TABLE_NAME): NftMsg =>
  setElems(NFT_MSG.NEWSETELEM, CREATE | NLM_F_EXCL, f, 'vips', addrs.map((a) => mustIpBytes(a, f)), table);
export const delVipElems = (f: Family, addrs: string[], table = NFT_TABLE_NAME): NftMsg =>
  setElems(NFT_MSG.DELSETELEM, NLM_F_REQUEST | NLM_F_ACK, f, 'vips', addrs.map((a) => mustIpBytes(a, f)), table);

// ---------------------------------------------------------------- keepalived's table

/**
 * The messages that create keepalived's table for a family, in keepalived's order
 * (table, chains out/in, sets, rules in/out). Elements are added separately.
 */
export function keepalivedTable(f: Family, firstSetId = 1, table = NFT_TABLE_NAME): NftMsg[] {
  if (f === 4) {
    return [
      newTable(4, table),
      newChain(4, 'out', 'output', table),
      newChain(4, 'in', 'input', table),
      newSet(4, 'vips', TYPE_IPADDR, 4, firstSetId, false, table),
      newRule(4, 'in', [payload(1, 16, 4), lookup('vips'), verdict(NF_DROP)], table),
      newRule(4, 'out', [payload(1, 12, 4), lookup('vips'), verdict(NF_DROP)], table),
    ];
  }
  const nd = [payload(1, 6, 1), cmpEq(Buffer.from([58])), payload(2, 0, 1), lookup('neighbor-discovery'), verdict(NF_ACCEPT)];
  const llMask = Buffer.from([0xff, 0xc0, ...Array(14).fill(0)]);
  const llNet = Buffer.from([0xfe, 0x80, ...Array(14).fill(0)]);
  const linkLocal = (off: number, chain: string) => [payload(1, off, 16), bitwise(llMask, Buffer.alloc(16)), cmpEq(llNet), verdict(NFT_GOTO, chain)];
  return [
    newTable(6, table),
    newChain(6, 'out', 'output', table),
    newChain(6, 'in', 'input', table),
    newChain(6, 'in_link_local', undefined, table),
    newChain(6, 'out_link_local', undefined, table),
    newSet(6, 'vips', TYPE_IP6ADDR, 16, firstSetId, false, table),
    newSet(6, 'neighbor-discovery', TYPE_ICMP6_TYPE, 1, firstSetId + 1, true, table),
    // nd-neighbor-solicit, nd-neighbor-advert
    setElems(NFT_MSG.NEWSETELEM, CREATE, 6, 'neighbor-discovery', [Buffer.from([135]), Buffer.from([136])], table, firstSetId + 1),
    newRule(6, 'in', nd, table),
    newRule(6, 'in', linkLocal(24, 'in_link_local'), table),
    newRule(6, 'out', nd, table),
    newRule(6, 'out', linkLocal(8, 'out_link_local'), table),
    newRule(6, 'in', [payload(1, 24, 16), lookup('vips'), verdict(NF_DROP)], table),
    newRule(6, 'out', [payload(1, 8, 16), lookup('vips'), verdict(NF_DROP)], table),
  ];
}

// ---------------------------------------------------------------- batch

export interface NftBatch {
  buf: Buffer;
  /** sequence number of the first message inside the batch (begin is firstSeq - 1) */
  firstSeq: number;
  /** messages that get an ACK (all but begin/end) */
  count: number;
}

function header(len: number, type: number, flags: number, seq: number, family: number, resId: number): Buffer {
  const h = Buffer.alloc(20);
  writeNlmsghdr(h, 0, len, type, flags, seq, 0);
  h.writeUInt8(family, 16);
  h.writeUInt8(0, 17);
  h.writeUInt16BE(resId, 18);
  return h;
}

/**
 * BATCH_BEGIN (beginSeq), the messages (firstSeq, firstSeq + 1, ...), BATCH_END (the next one).
 * keepalived (libmnl) numbers the begin message apart from the others; by default it precedes them.
 */
export function encodeBatch(msgs: NftMsg[], firstSeq: number, beginSeq = firstSeq - 1): NftBatch {
  const parts = [header(20, NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, beginSeq, 0, NFNL_SUBSYS_NFTABLES)];
  msgs.forEach((m, i) => {
    parts.push(header(20 + m.attrs.length, (NFNL_SUBSYS_NFTABLES << 8) | m.type, m.flags, firstSeq + i, m.family, 0), m.attrs);
  });
  parts.push(header(20, NFNL_MSG_BATCH_END, NLM_F_REQUEST, firstSeq + msgs.length, 0, NFNL_SUBSYS_NFTABLES));
  return { buf: Buffer.concat(parts), firstSeq: firstSeq >>> 0, count: msgs.length };
}

/** Names of the kernel errors an nf_tables batch can report, as one sentence fragment. */
export function nftErrorText(errno: number): string {
  switch (errnoName(errno)) {
    case 'EPERM':
      return 'operation not permitted (needs CAP_NET_ADMIN)';
    case 'ENOENT':
      return 'no such table, chain, set or element';
    case 'EEXIST':
      return 'already exists';
    case 'EPROTONOSUPPORT':
    case 'EAFNOSUPPORT':
    case 'ENOTSUP':
    case 'EOPNOTSUPP':
      return 'nf_tables is not available in this kernel';
    case 'EINVAL':
      return 'invalid argument';
    default:
      return `errno ${errno}`;
  }
}
