/**
 * no_accept / vrrp_strict as keepalived enforces it: while an instance that is not the address
 * owner (priority < 255) and has no `accept` is MASTER, its virtual addresses are in the `vips`
 * set of `table ip keepalived` / `table ip6 keepalived`, whose input and output chains drop
 * packets to / from them. Like keepalived 2.2.7 (measured): the table is created the first time
 * an address is needed, elements leave the set when the instance leaves MASTER, and the tables
 * are deleted at exit. Messages: src/lib/net/nft.ts (byte-identical to keepalived's).
 *
 * Failures (no nf_tables in the kernel, no CAP_NET_ADMIN, addon missing) are logged as one
 * sentence; the daemon goes on without the rules.
 */
import type { Family } from '../addr';
import {
  delTable,
  delVipElems,
  encodeBatch,
  familyOf,
  keepalivedTable,
  NETLINK_NETFILTER,
  type NftBatch,
  type NftMsg,
  newTable,
  newVipElems,
  nftErrorText,
} from '../net/nft';
import { loadNetlinkAddon, NETLINK_ADDON_HINT } from '../netlink/addon';
import { errnoNumber } from '../netlink/errors';
import type { Logger } from '../daemon/log';

/** One nf_tables batch in, one errno per message out (0 = done, -1 = no answer). */
export interface NftSocket {
  apply(b: NftBatch): number[];
  close(): void;
}

/** NETLINK_NETFILTER socket through the project's addon (synchronous: the kernel answers inside sendmsg). */
export function openNftSocket(): NftSocket {
  const nl = loadNetlinkAddon();
  if (!nl) throw new Error(NETLINK_ADDON_HINT);
  const [fd] = nl.open(NETLINK_NETFILTER, 0);
  return {
    apply(b) {
      nl.send(fd, b.buf, b.buf.length);
      const errnos = new Int32Array(b.count).fill(-1);
      nl.acks(fd, b.firstSeq, b.count, errnos, 500);
      return [...errnos];
    },
    close: () => nl.close(fd),
  };
}

const FAMILY_NAME = { 4: 'ip', 6: 'ip6' } as const;

export class VipFirewall {
  private readonly owners = new Map<string, string[]>();
  private readonly installed = new Set<string>();
  private readonly tables = new Set<Family>();
  private sock: NftSocket | null = null;
  private unavailable = false;
  private seq = Math.floor(Date.now() / 1000);
  private setId = 1;

  constructor(
    private readonly log: Logger,
    private readonly open: () => NftSocket = openNftSocket,
  ) {}

  /** The addresses `owner` (an instance) needs dropped now; [] when it is not MASTER. */
  update(owner: string, addrs: string[]): void {
    if (addrs.length) this.owners.set(owner, [...addrs]);
    else this.owners.delete(owner);
    const want = new Set([...this.owners.values()].flat());
    const add = [...want].filter((a) => !this.installed.has(a));
    const del = [...this.installed].filter((a) => !want.has(a));
    for (const f of [4, 6] as const) {
      const a = add.filter((x) => familyOf(x) === f);
      const d = del.filter((x) => familyOf(x) === f);
      if (d.length && this.tables.has(f) && this.send([delVipElems(f, d)], `remove ${d.join(', ')} from`, f)) for (const x of d) this.installed.delete(x);
      if (!a.length) continue;
      if (!this.tables.has(f)) {
        if (!this.sock && !this.connect()) return;
        // a table left by a crashed run (ours or keepalived's) is replaced, never appended to
        this.send([newTable(f), delTable(f)], '', f, true);
        const ok = this.send([...keepalivedTable(f, this.setId), newVipElems(f, a)], `create`, f);
        this.setId += 2;
        if (!ok) continue;
        this.tables.add(f);
        this.log('info', `no_accept: packets to and from the virtual addresses are dropped (nftables, table ${FAMILY_NAME[f]} keepalived)`);
      } else if (!this.send([newVipElems(f, a)], `add ${a.join(', ')} to`, f)) continue;
      for (const x of a) this.installed.add(x);
    }
  }

  /** At exit: delete the tables (and so every rule and element), as keepalived does. */
  close(): void {
    if (this.tables.size) this.send([...this.tables].map((f) => delTable(f)), 'delete', [...this.tables][0]);
    this.tables.clear();
    this.installed.clear();
    this.owners.clear();
    this.sock?.close();
    this.sock = null;
  }

  private connect(): boolean {
    if (this.unavailable) return false;
    try {
      this.sock = this.open();
      return true;
    } catch (e) {
      this.unavailable = true;
      const err = e as NodeJS.ErrnoException;
      this.log('error', `no_accept is not enforced: cannot open the nf_tables netlink socket (${err.code ? nftErrorText(errnoNumber(err.code)) : err.message})`);
      return false;
    }
  }

  /** Sends one batch; logs one sentence and returns false when the kernel refused it. */
  private send(msgs: NftMsg[], what: string, f: Family, quiet = false): boolean {
    if (!this.sock && !this.connect()) return false;
    const first = this.seq + 1;
    this.seq += msgs.length + 2;
    let errs: number[];
    try {
      errs = this.sock!.apply(encodeBatch(msgs, first));
    } catch (e) {
      if (!quiet) this.log('error', `no_accept: cannot ${what} table ${FAMILY_NAME[f]} keepalived: ${(e as Error).message}`);
      return false;
    }
    const bad = errs.find((e) => e !== 0);
    if (bad === undefined) return true;
    if (!quiet)
      this.log(
        'error',
        `no_accept: cannot ${what} table ${FAMILY_NAME[f]} keepalived: ${bad === -1 ? 'no answer from the kernel' : nftErrorText(bad)}; packets to the virtual addresses are accepted`,
      );
    return false;
  }
}
