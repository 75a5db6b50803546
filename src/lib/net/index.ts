/**
 * hactl network I/O adapter layer (issue 3 VRRP daemon, issue 6 `arp` commands).
 *
 * Pure (no I/O, unit-tested with golden bytes):
 * - ../addr (re-exported): parseIp / parseCidr / formatIp / networkOf / broadcastOf.
 * - mac.ts: parseMac / formatMac / vrrpVirtualMac(vrid, family) (00:00:5e:00:01:VRID).
 * - arp.ts: buildGarp(mac, ipv4) — byte-identical to keepalived's GARP
 *   (../shared/vrrp-vectors/garp*.hex); buildUnsolicitedNa(mac, ipv6, {router})
 *   — ICMPv6 136 to ff02::1, Override flag, target LL option, checksum;
 *   buildAnnouncement(mac, family, bytes); buildArpRequest; parseArp; parseNa;
 *   icmp6Checksum; ETH_P_* constants.
 * - sysctl.ts: confKey(family, ifname, param), sysctlPath(key, root).
 *
 * Adapters (thin, tested in namespaces by test/integration/net-*.test.ts):
 * - rtnl.ts: `const nl = Rtnl.open()` … `nl.close()`. Every method rejects
 *   with NetError (`.code` = errno name: EEXIST, EADDRNOTAVAIL, ENODEV, EPERM…).
 *     listLinks() / linkByName(name) / linkByIndex(i) -> LinkInfo
 *       {index, name, mac, up, lowerUp, running, mtu, kind?, parentIndex?, loopback, noarp,
 *        operstate: 'up'|'down'|'lowerlayerdown'|'unknown'|…}
 *     setLinkUp(index, up)
 *     createMacvlan({parent, name, mac?, mode: 'private'|'bridge'|…}) -> LinkInfo (created down)
 *     createLink(name, kind, {data?, parent?, mac?, up?}); deleteLink(index)
 *     listAddresses(family?) -> AddrInfo {index, family, address, prefix, label?, scope, broadcast?, flags[]}
 *     addAddress({index, address:'198.51.100.100/24', label?, scope?, broadcast?: '+'|addr,
 *                 peer?, nodad?, noprefixroute?, replace?})  (EEXIST unless replace)
 *     delAddress({index, address})
 *     addRoute / delRoute({dst:'default'|cidr, gw?, index?, table?, metric?, scope?, src?,
 *                          type?: 'unicast'|'blackhole'|'unreachable'|'prohibit'|'local'|'throw',
 *                          protocol?, onlink?, replace?}); listRoutes(family, table?)
 *     addRule / delRule({from?, to?, table?, priority?, fwmark?, fwmask?, iif?, oif?,
 *                        action?: 'table'|'blackhole'|…, invert?}); listRules(family)
 * - watchLinks(ev => …, onError?) -> {close()}: RTNLGRP_LINK events
 *   {type:'new'|'del', link: LinkInfo}; a cable pull arrives as 'new' with
 *   lowerUp false (track_interface compares with the previous state).
 * - packet.ts: `new PacketSocket(ifindex, ETH_P_ARP)`; send(frame); onFrame((frame, pkttype) => …);
 *   stopReceiving(); unref(); close(). Own N-API addon in native/packet
 *   (AF_PACKET + uv_poll). packetUnavailable() says why it cannot load.
 * - announce.ts: announce({ifindex, mac, addresses, repeat?, router?}) builds all
 *   GARP/NA frames, then sends them (VRRP: call it per garp_master_repeat burst).
 * - sysctl.ts: `new Sysctl(root?)` read(key) (undefined when missing) / write(key, value) / exists(key).
 *
 * Everything acts on the network namespace of the calling process.
 */
export * from './announce';
export * from './arp';
export { type Cidr, type Family, formatIp, type IpAddr, networkOf, broadcastOf, parseCidr, parseIp } from '../addr';
export * from './mac';
export * from './packet';
export * from './rtnl';
export * from './sysctl';
