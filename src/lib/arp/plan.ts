/**
 * LVS real-server / director ARP setup planner: pure (no I/O).
 *
 * Input: the current state of the machine (a Snapshot read by system.ts) and
 * what the admin wants (a Request). Output: an ordered list of Changes. An
 * empty plan means "already set up" (idempotence); --dry-run prints the plan.
 *
 * Real server order (issue 6): arp_ignore=1 / arp_announce=2 on all, IF and lo
 * first, so that there is never a moment where the backend answers ARP for a
 * VIP; then (tun) the tunnel devices and rp_filter; then each VIP as /32
 * (/128, nodad) on lo (dr) or tunl0/ip6tnl0 (tun) with a label; then the
 * --persist files.
 */
import { confKey } from '../net/sysctl-key';
import { type Family, parseCidr } from '../addr';

export type Role = 'realserver' | 'director';
export type Mode = 'dr' | 'tun' | 'nat';

export interface Vip {
  /** canonical address */
  address: string;
  family: Family;
  prefix: number;
}

export interface SnapshotLink {
  name: string;
  up: boolean;
  kind?: string;
}

export interface SnapshotAddr {
  ifname: string;
  family: Family;
  address: string;
  prefix: number;
  label?: string;
}

/** The machine as the planner needs to see it. */
export interface Snapshot {
  /** every key from neededSysctls(); undefined = does not exist */
  sysctls: Record<string, string | undefined>;
  links: SnapshotLink[];
  addresses: SnapshotAddr[];
  /** current content of the --persist files (undefined = absent) */
  files: Record<string, string | undefined>;
  /** readlink() of the --persist symlinks (undefined = absent) */
  symlinks?: Record<string, string | undefined>;
}

export interface PersistPaths {
  /** directory of sysctl.d files (default /etc/sysctl.d) */
  sysctlDir: string;
  /** systemd unit directory (default /etc/systemd/system) */
  unitDir: string;
  /** ExecStart command line of the oneshot unit */
  execStart: string;
}

export interface Request {
  role: Role;
  mode: Mode;
  /** raw --vip values */
  vips: string[];
  iface?: string;
  persist?: PersistPaths;
}

export type Change =
  | { kind: 'sysctl'; key: string; from: string; to: string }
  | { kind: 'link-create'; ifname: string; linkKind: string }
  | { kind: 'link-up'; ifname: string }
  | { kind: 'link-down'; ifname: string }
  | { kind: 'link-delete'; ifname: string; linkKind: string }
  | { kind: 'addr-add'; ifname: string; address: string; prefix: number; family: Family; label?: string }
  | { kind: 'addr-del'; ifname: string; address: string; prefix: number; family: Family; label?: string }
  | { kind: 'file-write'; path: string; content: string; previous?: string }
  | { kind: 'file-remove'; path: string; previous: string }
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'unlink'; path: string; target: string }
  | { kind: 'announce'; ifname: string; addresses: string[] };

/** A precise, user-facing planning error (maps to HactlError in the command). */
export class PlanError extends Error {
  constructor(
    message: string,
    readonly usage = false,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'PlanError';
  }
}

export const LABEL_SUFFIX = 'hactl';

/** Label for VIPs hactl adds ("lo:hactl"); undefined when the name would exceed 15 chars. */
export function labelFor(ifname: string): string | undefined {
  const l = `${ifname}:${LABEL_SUFFIX}`;
  return l.length <= 15 ? l : undefined;
}

/** Parse and validate --vip values: invalid or duplicate VIPs are usage errors. */
export function parseVips(raw: string[], role: Role): Vip[] {
  if (raw.length === 0) throw new PlanError('no VIP given', true, 'pass at least one --vip ADDR');
  const seen = new Map<string, string>();
  const out: Vip[] = [];
  for (const r of raw) {
    const c = parseCidr(r.trim());
    if (!c) throw new PlanError(`invalid VIP "${r}": expected an IPv4 or IPv6 address`, true);
    const max = c.family === 4 ? 32 : 128;
    if (role === 'realserver' && r.includes('/') && c.prefix !== max) {
      throw new PlanError(`invalid VIP "${r}": a real server holds VIPs as /${max} only`, true, `use --vip ${c.text}`);
    }
    const b = c.bytes;
    if (c.family === 4 && (b[0] === 0 || b[0] === 127 || b[0] >= 224)) throw new PlanError(`invalid VIP "${r}": not a unicast address`, true);
    if (c.family === 6 && (b[0] === 0xff || c.text === '::' || c.text === '::1' || (b[0] === 0xfe && (b[1] & 0xc0) === 0x80))) {
      throw new PlanError(`invalid VIP "${r}": not a global unicast IPv6 address`, true);
    }
    const prev = seen.get(c.text);
    if (prev !== undefined) throw new PlanError(`duplicate VIP "${r}" (same address as "${prev}")`, true);
    seen.set(c.text, r);
    out.push({ address: c.text, family: c.family, prefix: role === 'realserver' ? max : c.prefix });
  }
  return out;
}

/** Devices the VIPs go on. */
export function vipDevice(req: { role: Role; mode: Mode; iface?: string }, family: Family): string {
  if (req.role === 'director') {
    if (!req.iface) throw new PlanError('director setup needs --iface', true);
    return req.iface;
  }
  if (req.mode === 'tun') return family === 4 ? 'tunl0' : 'ip6tnl0';
  return 'lo';
}

/** The sysctl values a setup wants, in the order they must be applied. */
export function wantedSysctls(req: { role: Role; mode: Mode; iface?: string }, vips: Vip[]): [string, string][] {
  const out: [string, string][] = [];
  const has4 = vips.some((v) => v.family === 4);
  const has6 = vips.some((v) => v.family === 6);
  if (req.role === 'realserver') {
    if (has4) {
      const devs = ['all', ...(req.iface && req.iface !== 'lo' ? [req.iface] : []), 'lo'];
      for (const d of devs) {
        out.push([confKey(4, d, 'arp_ignore'), '1']);
        out.push([confKey(4, d, 'arp_announce'), '2']);
      }
      if (req.mode === 'tun') {
        out.push([confKey(4, 'tunl0', 'rp_filter'), '0']);
        out.push([confKey(4, 'all', 'rp_filter'), '0']);
      }
    }
  } else if (req.mode === 'nat') {
    if (has4) out.push(['net.ipv4.ip_forward', '1']);
    if (has6) out.push(['net.ipv6.conf.all.forwarding', '1']);
  }
  return out;
}

/** Every sysctl key the planner may look at (read them all into Snapshot.sysctls). */
export function neededSysctls(req: { role: Role; mode: Mode; iface?: string }, vips: Vip[]): string[] {
  return wantedSysctls(req, vips).map(([k]) => k);
}

export function unitName(role: Role): string {
  return `hactl-arp-${role}.service`;
}

/** Paths of the --persist files. */
export function persistFiles(role: Role, p: { sysctlDir: string; unitDir: string }): { sysctl: string; unit: string; wants: string } {
  return {
    sysctl: `${p.sysctlDir}/90-hactl-arp-${role}.conf`,
    unit: `${p.unitDir}/${unitName(role)}`,
    wants: `${p.unitDir}/multi-user.target.wants/${unitName(role)}`,
  };
}

export function sysctlFileContent(role: Role, sysctls: [string, string][]): string {
  return [`# Written by hactl arp ${role}-setup --persist; removed by hactl arp ${role}-teardown.`, ...sysctls.map(([k, v]) => `${k} = ${v}`), ''].join('\n');
}

export function unitFileContent(role: Role, execStart: string): string {
  return [
    '# Written by hactl --persist; removed by teardown.',
    '[Unit]',
    `Description=hactl LVS ${role === 'realserver' ? 'real-server' : 'director'} ARP/VIP setup`,
    'After=network-pre.target systemd-sysctl.service',
    'Before=network-online.target',
    '',
    '[Service]',
    'Type=oneshot',
    'RemainAfterExit=yes',
    `ExecStart=${execStart}`,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/**
 * Plan a setup. Throws PlanError for bad input (invalid/duplicate VIPs, a
 * missing interface, a VIP held on an ARP-answering interface of a real server).
 */
export function planSetup(req: Request, snap: Snapshot): Change[] {
  const vips = parseVips(req.vips, req.role);
  const linkNames = new Set(snap.links.map((l) => l.name));
  if (req.iface !== undefined && !linkNames.has(req.iface)) {
    throw new PlanError(`interface "${req.iface}" does not exist`, false, `existing interfaces: ${[...linkNames].join(', ')}`);
  }
  if (req.role === 'director' && !req.iface) throw new PlanError('director setup needs --iface IF (the interface that holds the VIP)', true);
  if (req.role === 'realserver' && req.mode === 'nat') {
    throw new PlanError('--mode nat needs nothing on a real server (its default route points at the director)', true, 'use --mode dr or --mode tun');
  }
  const changes: Change[] = [];
  const wanted = wantedSysctls(req, vips);
  const tunDevs = new Set(req.role === 'realserver' && req.mode === 'tun' ? vips.map((v) => vipDevice(req, v.family)) : []);
  // 1. ARP sysctls (never a window where the VIP is answered for).
  for (const [key, to] of wanted) {
    if (key.includes('.tunl0.')) continue; // after tunl0 exists
    const from = snap.sysctls[key];
    if (from === undefined) throw new PlanError(`sysctl ${key} does not exist here`, false, 'is IPv4 enabled in this kernel/namespace?');
    if (from !== to) changes.push({ kind: 'sysctl', key, from, to });
  }
  // 2. tunnel devices (tun mode)
  for (const dev of tunDevs) {
    const link = snap.links.find((l) => l.name === dev);
    if (!link) changes.push({ kind: 'link-create', ifname: dev, linkKind: dev === 'tunl0' ? 'ipip' : 'ip6tnl' });
    if (!link?.up) changes.push({ kind: 'link-up', ifname: dev });
  }
  for (const [key, to] of wanted) {
    if (!key.includes('.tunl0.')) continue;
    const from = snap.sysctls[key];
    // tunl0 may not exist yet at planning time: its default is 1 (strict) on most kernels.
    if (from !== to) changes.push({ kind: 'sysctl', key, from: from ?? '?', to });
  }
  // 3. VIPs
  for (const v of vips) {
    const dev = vipDevice(req, v.family);
    const here = snap.addresses.find((a) => a.address === v.address && a.ifname === dev);
    if (here) continue;
    const elsewhere = snap.addresses.find((a) => a.address === v.address);
    if (elsewhere && req.role === 'realserver') {
      throw new PlanError(
        `VIP ${v.address} is already configured on ${elsewhere.ifname}: a real server must not hold it on an ARP-answering interface`,
        false,
        `remove it first (ip addr del ${v.address}/${elsewhere.prefix} dev ${elsewhere.ifname}), then re-run`,
      );
    }
    changes.push({ kind: 'addr-add', ifname: dev, address: v.address, prefix: v.prefix, family: v.family, label: v.family === 4 ? labelFor(dev) : undefined });
  }
  // 4. persistence
  if (req.persist) {
    const f = persistFiles(req.role, req.persist);
    const sysctlContent = sysctlFileContent(req.role, wanted);
    const unitContent = unitFileContent(req.role, req.persist.execStart);
    if (wanted.length > 0 && snap.files[f.sysctl] !== sysctlContent) changes.push({ kind: 'file-write', path: f.sysctl, content: sysctlContent, previous: snap.files[f.sysctl] });
    if (snap.files[f.unit] !== unitContent) changes.push({ kind: 'file-write', path: f.unit, content: unitContent, previous: snap.files[f.unit] });
    const link = snap.symlinks?.[f.wants];
    if (link !== f.unit) {
      if (link !== undefined) throw new PlanError(`${f.wants} exists and points to ${link}`, false, 'remove it, then re-run');
      changes.push({ kind: 'symlink', path: f.wants, target: f.unit });
    }
  }
  // 5. director: tell the segment where the new VIPs are
  if (req.role === 'director') {
    const added = changes.filter((c) => c.kind === 'addr-add').map((c) => (c as { address: string }).address);
    if (added.length) changes.push({ kind: 'announce', ifname: req.iface!, addresses: added });
  }
  return changes;
}

/** What setup recorded, so teardown can undo exactly that. */
export interface Record_ {
  version: 1;
  role: Role;
  mode: Mode;
  iface?: string;
  vips: string[];
  /** first value seen before hactl changed it */
  sysctls: { key: string; previous: string; applied: string }[];
  addresses: { ifname: string; address: string; prefix: number; family: Family; label?: string }[];
  linksCreated: { ifname: string; linkKind: string }[];
  linksUp: string[];
  files: { path: string; previous?: string }[];
  symlinks?: { path: string; target: string }[];
  persist?: PersistPaths;
}

export function emptyRecord(req: Request): Record_ {
  return { version: 1, role: req.role, mode: req.mode, iface: req.iface, vips: [], sysctls: [], addresses: [], linksCreated: [], linksUp: [], files: [] };
}

/** Fold the changes a setup applied into the record (earliest previous values win). */
export function recordApplied(rec: Record_ | undefined, req: Request, applied: Change[]): Record_ {
  const r: Record_ = rec ? structuredClone(rec) : emptyRecord(req);
  r.mode = req.mode;
  r.iface = req.iface ?? r.iface;
  if (req.persist) r.persist = req.persist;
  for (const v of parseVips(req.vips, req.role)) if (!r.vips.includes(v.address)) r.vips.push(v.address);
  for (const c of applied) {
    switch (c.kind) {
      case 'sysctl': {
        const e = r.sysctls.find((s) => s.key === c.key);
        if (e) e.applied = c.to;
        else r.sysctls.push({ key: c.key, previous: c.from, applied: c.to });
        break;
      }
      case 'addr-add':
        if (!r.addresses.some((a) => a.ifname === c.ifname && a.address === c.address)) {
          r.addresses.push({ ifname: c.ifname, address: c.address, prefix: c.prefix, family: c.family, label: c.label });
        }
        break;
      case 'link-create':
        if (!r.linksCreated.some((l) => l.ifname === c.ifname)) r.linksCreated.push({ ifname: c.ifname, linkKind: c.linkKind });
        break;
      case 'link-up':
        if (!r.linksUp.includes(c.ifname)) r.linksUp.push(c.ifname);
        break;
      case 'file-write':
        if (!r.files.some((f) => f.path === c.path)) r.files.push({ path: c.path, previous: c.previous });
        break;
      case 'symlink':
        r.symlinks ??= [];
        if (!r.symlinks.some((f) => f.path === c.path)) r.symlinks.push({ path: c.path, target: c.target });
        break;
      default:
        break;
    }
  }
  return r;
}

/**
 * Plan a teardown from the record: VIPs first (so the host stops holding them
 * while ARP is still suppressed), then tunnel links, then the exact previous
 * sysctl values (reverse order), then the persist files.
 */
export function planTeardown(rec: Record_, snap: Snapshot): Change[] {
  const changes: Change[] = [];
  for (const a of rec.addresses) {
    if (snap.addresses.some((x) => x.address === a.address && x.ifname === a.ifname)) changes.push({ kind: 'addr-del', ...a });
  }
  for (const l of rec.linksCreated) {
    if (snap.links.some((x) => x.name === l.ifname)) changes.push({ kind: 'link-delete', ifname: l.ifname, linkKind: l.linkKind });
  }
  for (const name of rec.linksUp) {
    if (rec.linksCreated.some((l) => l.ifname === name)) continue;
    if (snap.links.some((x) => x.name === name && x.up)) changes.push({ kind: 'link-down', ifname: name });
  }
  for (const s of [...rec.sysctls].reverse()) {
    if (s.previous === '?') continue; // device did not exist before setup
    const cur = snap.sysctls[s.key];
    if (cur !== undefined && cur !== s.previous) changes.push({ kind: 'sysctl', key: s.key, from: cur, to: s.previous });
  }
  for (const l of rec.symlinks ?? []) {
    if (snap.symlinks?.[l.path] === l.target) changes.push({ kind: 'unlink', path: l.path, target: l.target });
  }
  for (const f of [...rec.files].reverse()) {
    const cur = snap.files[f.path];
    if (f.previous !== undefined) {
      if (cur !== f.previous) changes.push({ kind: 'file-write', path: f.path, content: f.previous, previous: cur });
    } else if (cur !== undefined) changes.push({ kind: 'file-remove', path: f.path, previous: cur });
  }
  return changes;
}

/** Keys teardown needs to read. */
export function recordSysctls(rec: Record_): string[] {
  return rec.sysctls.map((s) => s.key);
}

/** The inverse of a change (used for rollback). */
export function inverse(c: Change): Change | null {
  switch (c.kind) {
    case 'sysctl':
      return c.from === '?' ? null : { kind: 'sysctl', key: c.key, from: c.to, to: c.from };
    case 'link-create':
      return { kind: 'link-delete', ifname: c.ifname, linkKind: c.linkKind };
    case 'link-delete':
      return { kind: 'link-create', ifname: c.ifname, linkKind: c.linkKind };
    case 'link-up':
      return { kind: 'link-down', ifname: c.ifname };
    case 'link-down':
      return { kind: 'link-up', ifname: c.ifname };
    case 'addr-add':
      return { ...c, kind: 'addr-del' };
    case 'addr-del':
      return { ...c, kind: 'addr-add' };
    case 'file-write':
      return c.previous === undefined ? { kind: 'file-remove', path: c.path, previous: c.content } : { kind: 'file-write', path: c.path, content: c.previous, previous: c.content };
    case 'file-remove':
      return { kind: 'file-write', path: c.path, content: c.previous };
    case 'symlink':
      return { kind: 'unlink', path: c.path, target: c.target };
    case 'unlink':
      return { kind: 'symlink', path: c.path, target: c.target };
    case 'announce':
      return null;
  }
}

/** One line per change, as --dry-run prints it. */
export function describe(c: Change): string {
  switch (c.kind) {
    case 'sysctl':
      return `sysctl ${c.key}: ${c.from} -> ${c.to}`;
    case 'link-create':
      return `create ${c.linkKind} device ${c.ifname}`;
    case 'link-delete':
      return `delete ${c.linkKind} device ${c.ifname}`;
    case 'link-up':
      return `set ${c.ifname} up`;
    case 'link-down':
      return `set ${c.ifname} down`;
    case 'addr-add':
      return `add ${c.address}/${c.prefix} on ${c.ifname}${c.label ? ` label ${c.label}` : ''}${c.family === 6 ? ' nodad' : ''}`;
    case 'addr-del':
      return `remove ${c.address}/${c.prefix} from ${c.ifname}`;
    case 'file-write':
      return `${c.previous === undefined ? 'write' : 'rewrite'} ${c.path}`;
    case 'file-remove':
      return `remove ${c.path}`;
    case 'symlink':
      return `link ${c.path} -> ${c.target} (enable at boot)`;
    case 'unlink':
      return `remove ${c.path}`;
    case 'announce':
      return `announce ${c.addresses.join(', ')} on ${c.ifname} (gratuitous ARP / unsolicited NA)`;
  }
}

export interface Check {
  what: string;
  ok: boolean;
  want: string;
  have: string;
}

/** Status: what is set against what the role/mode needs for these VIPs. */
export function checkStatus(req: { role: Role; mode: Mode; iface?: string; vips: string[] }, snap: Snapshot): Check[] {
  const vips = parseVips(req.vips, req.role);
  const checks: Check[] = [];
  if (req.iface !== undefined && !snap.links.some((l) => l.name === req.iface)) {
    checks.push({ what: `interface ${req.iface}`, ok: false, want: 'present', have: 'missing' });
  }
  for (const [key, want] of wantedSysctls(req, vips)) {
    const have = snap.sysctls[key];
    checks.push({ what: key, ok: have === want, want, have: have ?? 'missing' });
  }
  if (req.role === 'realserver' && req.mode === 'tun') {
    for (const dev of new Set(vips.map((v) => vipDevice(req, v.family)))) {
      const l = snap.links.find((x) => x.name === dev);
      checks.push({ what: `${dev} up`, ok: !!l?.up, want: 'up', have: l ? (l.up ? 'up' : 'down') : 'missing' });
    }
  }
  for (const v of vips) {
    const dev = vipDevice(req, v.family);
    const here = snap.addresses.find((a) => a.address === v.address && a.ifname === dev);
    const elsewhere = snap.addresses.filter((a) => a.address === v.address && a.ifname !== dev);
    const have = here ? `${here.address}/${here.prefix} on ${dev}` : elsewhere.length ? `on ${elsewhere.map((e) => e.ifname).join(', ')}` : 'absent';
    const prefixOk = req.role === 'director' || (here !== undefined && here.prefix === v.prefix);
    checks.push({ what: `VIP ${v.address} on ${dev}`, ok: !!here && prefixOk, want: `${v.address}/${v.prefix} on ${dev}`, have });
    if (req.role === 'realserver' && elsewhere.length) {
      checks.push({ what: `VIP ${v.address} not on other interfaces`, ok: false, want: `only on ${dev}`, have: `also on ${elsewhere.map((e) => e.ifname).join(', ')}` });
    }
  }
  return checks;
}
