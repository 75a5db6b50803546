/**
 * Real-machine adapters for the arp planner: read a Snapshot (rtnetlink,
 * /proc/sys, files), implement Ops, and keep the state file. Thin.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { announce } from '../net/announce';
import type { Family } from '../addr';
import type { Rtnl } from '../net/rtnl';
import type { Sysctl } from '../net/sysctl';
import type { Ops } from './apply';
import type { Record_, Role, Snapshot } from './plan';

export const DEFAULT_STATE_DIR = '/var/lib/hactl';

export function stateDir(flag?: string): string {
  return flag || process.env.HACTL_STATE_DIR || DEFAULT_STATE_DIR;
}

export function statePath(dir: string, role: Role): string {
  return path.join(dir, `arp-${role}.json`);
}

export function readRecord(file: string): Record_ | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read the state file ${file}: ${(e as Error).message}`);
  }
  try {
    const r = JSON.parse(text) as Record_;
    if (r.version !== 1 || !Array.isArray(r.sysctls) || !Array.isArray(r.addresses)) throw new Error('unknown format');
    r.linksCreated ??= [];
    r.linksUp ??= [];
    r.files ??= [];
    return r;
  } catch (e) {
    throw new Error(`state file ${file} is corrupt (${(e as Error).message}): inspect or remove it`);
  }
}

/** Atomic write (tmp + rename). */
export function writeRecord(file: string, rec: Record_): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp${process.pid}`;
  fs.writeFileSync(tmp, `${JSON.stringify(rec, null, 2)}\n`, { mode: 0o644 });
  fs.renameSync(tmp, file);
}

export function removeRecord(file: string): void {
  fs.rmSync(file, { force: true });
}

function readFileOrUndef(p: string): string | undefined {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

function readLinkOrUndef(p: string): string | undefined {
  try {
    return fs.readlinkSync(p);
  } catch (e) {
    // a regular file where the symlink goes: report it so the planner refuses to overwrite it
    return (e as NodeJS.ErrnoException).code === 'EINVAL' ? '(not a symlink)' : undefined;
  }
}

export async function snapshot(nl: Rtnl, sysctl: Sysctl, keys: string[], files: string[], symlinks: string[] = []): Promise<Snapshot> {
  const links = await nl.listLinks();
  const byIndex = new Map(links.map((l) => [l.index, l.name]));
  const addrs = await nl.listAddresses();
  const sysctls: Record<string, string | undefined> = {};
  for (const k of keys) sysctls[k] = sysctl.read(k);
  const f: Record<string, string | undefined> = {};
  for (const p of files) f[p] = readFileOrUndef(p);
  return {
    sysctls,
    links: links.map((l) => ({ name: l.name, up: l.up, kind: l.kind })),
    addresses: addrs.map((a) => ({ ifname: byIndex.get(a.index) ?? `#${a.index}`, family: a.family, address: a.address, prefix: a.prefix, label: a.label })),
    files: f,
    symlinks: Object.fromEntries(symlinks.map((p) => [p, readLinkOrUndef(p)])),
  };
}

export function systemOps(nl: Rtnl, sysctl: Sysctl): Ops {
  const index = async (ifname: string): Promise<number> => {
    const l = await nl.linkByName(ifname);
    if (!l) throw new Error(`interface ${ifname} does not exist`);
    return l.index;
  };
  return {
    async writeSysctl(key, value) {
      sysctl.write(key, value);
    },
    async createLink(ifname, linkKind) {
      try {
        await nl.createLink(ifname, linkKind);
      } catch (e) {
        const code = (e as { code?: string }).code;
        // creating the first ipip/ip6tnl device auto-loads the module, which
        // itself creates the fallback tunl0/ip6tnl0: then it is there anyway.
        if (code === 'EEXIST' && (await nl.linkByName(ifname))) return;
        if (code === 'EOPNOTSUPP' || code === 'ENOTSUP' || code === 'ENOENT') {
          throw new Error(
            `this kernel cannot create ${linkKind} devices (${code}): load the module first (modprobe ${linkKind === 'ipip' ? 'ipip' : 'ip6_tunnel'}), which also creates ${ifname}`,
          );
        }
        throw e;
      }
    },
    async deleteLink(ifname) {
      const i = await index(ifname);
      try {
        await nl.deleteLink(i);
      } catch {
        // fallback tunnel devices (tunl0, ip6tnl0) cannot be deleted: leave them down
        await nl.setLinkUp(i, false);
      }
    },
    async setLinkUp(ifname, up) {
      await nl.setLinkUp(await index(ifname), up);
    },
    async addAddress(ifname, address, prefix, family: Family, label) {
      await nl.addAddress({ index: await index(ifname), address, prefix, label, nodad: family === 6, scope: 'global' });
    },
    async delAddress(ifname, address, prefix) {
      await nl.delAddress({ index: await index(ifname), address, prefix });
    },
    async writeFile(p, content) {
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, content, { mode: 0o644 });
    },
    async removeFile(p) {
      fs.rmSync(p, { force: true });
    },
    async symlink(p, target) {
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.symlinkSync(target, p);
    },
    async announce(ifname, addresses) {
      const l = await nl.linkByName(ifname);
      if (!l) throw new Error(`interface ${ifname} does not exist`);
      if (!l.mac) return;
      announce({ ifindex: l.index, mac: l.mac, addresses, repeat: 1 });
    },
  };
}
