/**
 * Shared oclif pieces for the IPVS commands. The flags are declared for
 * `--help` only: the commands hand their raw argv to src/lib/ipvs/ipvs-cli.ts, which parses it
 * with ipvsadm's own rules (so `-p` with or without a timeout, `-Ln`-style
 * clusters and every ipvsadm spelling keep working).
 */
import { Flags } from '@oclif/core';
import { HactlCommand } from '../lib/cli/base';
import type { Verb } from '../lib/ipvs/ipvs-cli';

export const serviceFlags = {
  'tcp-service': Flags.string({ char: 't', description: 'TCP virtual service ADDR:PORT ([v6]:PORT for IPv6)', helpValue: 'ADDR:PORT' }),
  'udp-service': Flags.string({ char: 'u', description: 'UDP virtual service ADDR:PORT', helpValue: 'ADDR:PORT' }),
  sctp: Flags.string({ description: 'SCTP virtual service ADDR:PORT (also --sctp-service)', helpValue: 'ADDR:PORT' }),
  'fwmark-service': Flags.string({ char: 'f', description: 'firewall-mark virtual service (integer > 0)', helpValue: 'MARK' }),
  ipv6: Flags.boolean({ description: 'the fwmark service is IPv6 (-6, after -f)' }),
};

export const svcOptionFlags = {
  scheduler: Flags.string({ char: 's', description: 'scheduler: rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh (default wlc)' }),
  persistent: Flags.string({ char: 'p', description: 'persistent service, optional timeout in seconds (default 360)', helpValue: '[TIMEOUT]' }),
  netmask: Flags.string({ char: 'M', description: 'persistence granularity mask (IPv4 mask, or prefix length for IPv6)' }),
  'sched-flags': Flags.string({ char: 'b', description: 'scheduler flags, comma-separated (sh-fallback, sh-port, mh-fallback, mh-port, flag-1..3)' }),
  ops: Flags.boolean({ char: 'o', description: 'one-packet scheduling (UDP)' }),
  pe: Flags.string({ description: 'persistence engine (sip)' }),
};

export const destFlags = {
  'real-server': Flags.string({ char: 'r', description: 'real server ADDR[:PORT]', helpValue: 'ADDR[:PORT]' }),
  gatewaying: Flags.boolean({ char: 'g', description: 'direct routing (default)' }),
  ipip: Flags.boolean({ char: 'i', description: 'tunnelling' }),
  masquerading: Flags.boolean({ char: 'm', description: 'NAT' }),
  weight: Flags.string({ char: 'w', description: 'weight 0..2147483647 (default 1)' }),
  'u-threshold': Flags.string({ char: 'x', description: 'upper connection threshold' }),
  'l-threshold': Flags.string({ char: 'y', description: 'lower connection threshold' }),
  'tun-type': Flags.string({ description: 'tunnel type: ipip|gue|gre' }),
  'tun-port': Flags.string({ description: 'GUE tunnel port' }),
  'tun-nocsum': Flags.boolean({ description: 'tunnel without checksum' }),
  'tun-csum': Flags.boolean({ description: 'tunnel with checksum' }),
  'tun-remcsum': Flags.boolean({ description: 'tunnel with remote checksum' }),
};

export const outputFlags = {
  json: Flags.boolean({ description: 'print JSON' }),
  pretty: Flags.boolean({ description: 'print a table (colour on a terminal)' }),
};

/** ipvsadm's sync-daemon options (`vs sync start|stop`). */
export const syncDaemonFlags = {
  'mcast-interface': Flags.string({ description: 'interface for the sync traffic (default eth0)' }),
  syncid: Flags.string({ description: 'sync id 0..255' }),
  'sync-maxlen': Flags.string({ description: 'max sync message length' }),
  'mcast-group': Flags.string({ description: 'multicast group (default 224.0.0.81)' }),
  'mcast-port': Flags.string({ description: 'UDP port (default 8848)' }),
  'mcast-ttl': Flags.string({ description: 'multicast TTL (default 1)' }),
};

export const yesFlag = { yes: Flags.boolean({ description: 'do not ask for confirmation' }) };

/** Base for the IPVS commands: raw argv → ./cli. */
export abstract class IpvsCommand extends HactlCommand {
  static override strict = false;
  protected abstract readonly verb: Verb;
  async run(): Promise<void> {
    const { vsMain } = await import('../lib/ipvs/ipvs-cli');
    process.exitCode = await vsMain(this.verb, this.argv);
  }
}
