/**
 * `hactl restore`: read ipvsadm -S rules, compute what to change (diff
 * against the live table by default, every line in order with --append),
 * apply it in one pipelined batch, and roll back if anything fails.
 */
import { ipv4Scan, scanIpv4At } from '../addr';
import * as fs from 'node:fs';
import { IpvsadmArgError, parseIpvsadmArgs, parseSavedLineFast } from './argv';
import { type RuleLine, ruleLines } from './rules';
import type { IpvsClient } from './client';
import { encodeOp } from './codec';
import { serviceDestId, serviceId, serviceKey } from './ids';
import { AF_INET, Fwd, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP } from './constants';
import { opToRule, rollbackOps } from './diff';
import { ipvsStrerror } from './errors';
import { type PlannedOp, planTable, TableModel } from './plan';
import { commandToOp, type Io, systemParseOptions } from './run';
import type { Op, ServiceWithDests } from './types';

export interface LineError {
  line: number;
  text: string;
  message: string;
}

export interface RestorePlan {
  ops: PlannedOp[];
  errors: LineError[];
}

/**
 * Plan a restore from rule text against the live table (pure).
 * Diff mode: the file describes the whole wanted table (a -C line resets it).
 * Append mode: every line is an operation applied in order (ipvsadm -R).
 */
export function planRestore(text: string, live: ServiceWithDests[], append: boolean, parsedLines?: RuleLine[]): RestorePlan {
  const errors: LineError[] = [];
  const lineOps: PlannedOp[] = [];
  const popts = { ...systemParseOptions(), readingStdin: true };
  const all = parsedLines ?? ruleLines(text);
  for (const l of all) {
    try {
      const ce = parseSavedLineFast(l.args) ?? parseIpvsadmArgs(l.args, popts);
      if (ce.cmd === 'list' || ce.cmd === 'save' || ce.cmd === 'help' || ce.cmd === 'version' || ce.cmd === 'restore') {
        errors.push({ line: l.line, text: l.text, message: `a ${ce.cmd} command cannot be restored` });
        continue;
      }
      const op = commandToOp(ce);
      if (op) lineOps.push({ op, line: l.line });
    } catch (e) {
      if (e instanceof IpvsadmArgError) errors.push({ line: l.line, text: l.text, message: (e.message || 'unknown option').replace(/\n+$/, '') });
      else throw e;
    }
  }
  const textOf = new Map(all.map((l) => [l.line, l.text]));
  if (append) {
    const m = TableModel.from(live);
    for (const p of lineOps) {
      const r = m.apply(p.op);
      if (r.errno !== 0) errors.push({ line: p.line ?? 0, text: textOf.get(p.line ?? 0) ?? '', message: ipvsStrerror(p.op.kind, r.errno) });
    }
    return { ops: lineOps, errors };
  }
  // Diff mode: build the wanted table on an empty model.
  const wanted = new TableModel();
  const lines = new Map<string, number>();
  const extra: PlannedOp[] = [];
  for (const p of lineOps) {
    const op = p.op;
    if (op.kind === 'set-timeout' || op.kind === 'start-daemon' || op.kind === 'stop-daemon' || op.kind === 'zero') {
      extra.push(p);
      continue;
    }
    const r = wanted.apply(op);
    if (r.errno !== 0) {
      errors.push({ line: p.line ?? 0, text: textOf.get(p.line ?? 0) ?? '', message: ipvsStrerror(op.kind, r.errno) });
      continue;
    }
    if (op.kind === 'add-service' || op.kind === 'edit-service') lines.set(serviceId(op.svc), p.line ?? 0);
    if (op.kind === 'add-dest' || op.kind === 'edit-dest') lines.set(serviceDestId(op.svc, op.dest), p.line ?? 0);
  }
  if (live.length === 0) {
    // Cleared kernel: the plan is the file's own additions, in order (already checked on the model).
    const adds = lineOps.filter((p) => p.op.kind !== 'set-timeout' && p.op.kind !== 'start-daemon' && p.op.kind !== 'stop-daemon' && p.op.kind !== 'zero');
    if (adds.every((p) => p.op.kind === 'add-service' || p.op.kind === 'add-dest')) return { ops: [...adds, ...extra], errors };
  }
  return { ops: [...planTable(live, wanted, { lines }), ...extra], errors };
}

export interface RestoreResult {
  exitCode: number;
  applied: number;
  failed: LineError[];
  rolledBack: boolean;
}

/** Apply a plan in one pipelined batch; on any failure undo what was applied. */
export async function applyPlan(c: IpvsClient, live: ServiceWithDests[], plan: PlannedOp[], textOf: Map<number, string>): Promise<RestoreResult> {
  const ops = plan.map((p) => p.op);
  const results = await c.apply(ops, { stopOnError: true });
  return settlePlan(c, live, plan, textOf, (i) => results[i].errno);
}

/** Report the failed operations of an applied plan (errno of op i: 0 ok, -1 not attempted) and roll back if any failed. */
async function settlePlan(c: IpvsClient, live: ServiceWithDests[], plan: PlannedOp[], textOf: Map<number, string>, errnoOf: (i: number) => number): Promise<RestoreResult> {
  const ops = plan.map((p) => p.op);
  const failed: LineError[] = [];
  const ok: Op[] = [];
  for (let i = 0; i < ops.length; i++) {
    const e = errnoOf(i);
    if (e === 0) ok.push(ops[i]);
    else if (e > 0) {
      const line = plan[i].line ?? 0;
      failed.push({ line, text: textOf.get(line) ?? opToRule(ops[i]), message: ipvsStrerror(ops[i].kind, e) });
    }
  }
  if (failed.length === 0) return { exitCode: 0, applied: ok.length, failed, rolledBack: false };
  const undo = rollbackOps(live, ok);
  const undoRes = await c.apply(undo);
  const undoFailed = undoRes.filter((r) => r.errno !== 0).length;
  return { exitCode: undoFailed ? 3 : 1, applied: ok.length, failed, rolledBack: undoFailed === 0 };
}

/** Read the rules: FILE, or standard input for "-" / no FILE. */
export function readRules(file: string | undefined): string {
  if (!file || file === '-') return fs.readFileSync(0, 'latin1');
  return fs.readFileSync(file, 'latin1');
}

// ---------------------------------------------------------------- fast path


/**
 * Canonical "a.b.c.d:port" (decimal parts without leading zeros, port
 * 0-65535 written without leading zeros: what parseServiceArg's fast form
 * accepts) as addr * 65536 + port; -1 for anything else.
 */
export function parseV4Port(s: string): number {
  const v = v4PortAt(s, 0, s.length);
  return v >= 0 && scanEnd === s.length ? v : -1;
}

/** Request templates for the fast path: an encoded request plus where its variable fields are. */
interface Templates {
  svc: Map<string, Buffer>;
  dest: Map<string, Buffer>;
  family: number;
}

/**
 * Byte offsets in the templates (checked against the codec when a template
 * is made): service address at 44 and its port 20 bytes later (64), dest
 * address at 84 and port at 104, dest weight at 120.
 */
const T_SVC_ADDR = 44;
const T_DEST_ADDR = 84;
const T_DEST_WEIGHT = 120;

/** Address (4 bytes, network order) at off and the port attribute's payload 20 bytes later. */
function putV4(b: Buffer, off: number, ap: number): void {
  const addr = Math.floor(ap / 65536);
  const port = ap % 65536;
  b[off] = addr >>> 24;
  b[off + 1] = (addr >>> 16) & 255;
  b[off + 2] = (addr >>> 8) & 255;
  b[off + 3] = addr & 255;
  b[off + 20] = port >>> 8;
  b[off + 21] = port & 255;
}

/** add-service request template (proto, scheduler), or null if the codec's layout is not the expected one. */
function svcTemplate(t: Templates, proto: number, sched: string): Buffer | null {
  const key = `${proto} ${sched}`;
  let b = t.svc.get(key);
  if (b) return b;
  const probe = (addr: string, port: number) =>
    encodeOp({ kind: 'add-service', svc: { af: AF_INET, protocol: proto, addr, port, fwmark: 0, sched, flags: 0, timeout: 0, netmask: 0xffffffff, pe: '' } }, t.family, 0, 0);
  b = probe('0.0.0.0', 0);
  const check = probe('1.2.3.4', 0x0506);
  const want = Buffer.from(b);
  putV4(want, T_SVC_ADDR, 0x01020304 * 65536 + 0x0506);
  if (!want.equals(check)) return null;
  t.svc.set(key, b);
  return b;
}

/** add-dest request template (proto, forwarding method), or null if the layout is not the expected one. */
function destTemplate(t: Templates, proto: number, fwd: number): Buffer | null {
  const key = `${proto} ${fwd}`;
  let b = t.dest.get(key);
  if (b) return b;
  const probe = (sa: string, sp: number, da: string, dp: number, w: number) =>
    encodeOp(
      {
        kind: 'add-dest',
        svc: { af: AF_INET, protocol: proto, addr: sa, port: sp, fwmark: 0 },
        dest: { af: AF_INET, addr: da, port: dp, fwd, weight: w, uThresh: 0, lThresh: 0, tunType: 0, tunPort: 0, tunFlags: 0 },
      },
      t.family,
      0,
      0,
    );
  b = probe('0.0.0.0', 0, '0.0.0.0', 0, 0);
  const check = probe('1.2.3.4', 0x0506, '5.6.7.8', 0x090a, 0x0b0c0d0e);
  const want = Buffer.from(b);
  putV4(want, T_SVC_ADDR, 0x01020304 * 65536 + 0x0506);
  putV4(want, T_DEST_ADDR, 0x05060708 * 65536 + 0x090a);
  want.writeUInt32LE(0x0b0c0d0e, T_DEST_WEIGHT);
  if (!want.equals(check)) return null;
  t.dest.set(key, b);
  return b;
}

/** A fast-path encoding of a rules file: every line one request, in file order. */
export interface FastEncoded {
  buf: Buffer;
  /** Request i is buf[offs[i], offs[i+1]); its nlmsg_seq is still 0 (patched when sent). */
  offs: Uint32Array;
  /** Source line (1-based) of request i. */
  lines: Int32Array;
  n: number;
}

/**
 * Encode a rules file straight into requests when every line has one of the
 * two shapes `ipvsadm -S` writes for plain IPv4 services (`-A -t|-u|--sctp-service
 * A:P -s SCHED` and `-a ... -r A:P -g|-i|-m -w N`), blank lines and comments
 * aside, and the lines are consistent as additions to an empty table (no
 * duplicate service or destination, no destination before its service).
 * Returns null otherwise: the general planner then handles (and reports) it.
 * The requests are byte for byte what planRestore + the codec would send.
 */
export function encodeFast(text: string, family: number, pid: number, firstSeq = 0): FastEncoded | null {
  const t: Templates = { svc: new Map(), dest: new Map(), family };
  const len = text.length;
  let rows = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) rows++;
  // Requests are at most ~6 bytes per character of their line (short service lines).
  let buf: Buffer = Buffer.allocUnsafe(Math.max(1024, len * 6));
  const offs = new Uint32Array(rows + 1);
  const lines = new Int32Array(rows);
  // Destinations (address * 65536 + port) by service (protocol code * 2^48 + address * 65536 + port).
  const svcs = new Map<number, number[]>();
  let n = 0;
  let off = 0;
  let pos = 0;
  let lineNo = 0;
  const p0 = pid >>> 0;
  // The last service line's "A:P" and protocol: its destination lines repeat them.
  let lastSvc = '';
  let lastPcode = 0;
  let lastSap = -1;
  while (pos < len) {
    lineNo++;
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = len;
    const c0 = text.charCodeAt(pos);
    if (eol === pos || c0 === 35) {
      pos = eol + 1;
      continue;
    }
    // "-A " | "-a ", then "-t " | "-u " | "--sctp-service "
    if (c0 !== 45 || text.charCodeAt(pos + 2) !== 32) return null;
    const cmd = text.charCodeAt(pos + 1);
    let p = pos + 3;
    let proto: number;
    let pcode: number;
    if (text.charCodeAt(p) !== 45) return null;
    const o = text.charCodeAt(p + 1);
    if (o === 116 && text.charCodeAt(p + 2) === 32) {
      proto = IPPROTO_TCP;
      pcode = 1;
      p += 3;
    } else if (o === 117 && text.charCodeAt(p + 2) === 32) {
      proto = IPPROTO_UDP;
      pcode = 2;
      p += 3;
    } else if (text.startsWith('--sctp-service ', p)) {
      proto = IPPROTO_SCTP;
      pcode = 3;
      p += 15;
    } else return null;
    let sap: number;
    if (pcode === lastPcode && lastSvc !== '' && text.startsWith(lastSvc, p) && text.charCodeAt(p + lastSvc.length) === 32) {
      sap = lastSap;
      p += lastSvc.length;
    } else {
      sap = v4PortAt(text, p, eol);
      if (sap < 0) return null;
      if (cmd === 65) {
        lastSvc = text.slice(p, scanEnd);
        lastPcode = pcode;
        lastSap = sap;
      }
      p = scanEnd;
    }
    const skey = pcode * 281474976710656 + sap;
    let tpl: Buffer | null;
    if (cmd === 65) {
      // " -s SCHED" to the end of the line
      if (sap % 65536 === 0 || !text.startsWith(' -s ', p)) return null;
      p += 4;
      const wl = eol - p;
      if (wl < 1 || wl > 15) return null;
      for (let i = p; i < eol; i++) {
        const ch = text.charCodeAt(i);
        if (ch < 97 || ch > 122) return null;
      }
      if (svcs.has(skey)) return null;
      svcs.set(skey, []);
      tpl = svcTemplate(t, proto, text.slice(p, eol));
      if (!tpl) return null;
      if (off + tpl.length > buf.length) buf = grow(buf, off + tpl.length);
      buf.set(tpl, off);
      putV4(buf, off + T_SVC_ADDR, sap);
    } else if (cmd === 97) {
      // " -r A:P -m|-g|-i -w N" to the end of the line
      if (!text.startsWith(' -r ', p)) return null;
      const rap = v4PortAt(text, p + 4, eol);
      if (rap < 0) return null;
      p = scanEnd;
      if (text.charCodeAt(p) !== 32 || text.charCodeAt(p + 1) !== 45 || !text.startsWith(' -w ', p + 3)) return null;
      const f = text.charCodeAt(p + 2);
      const fwd = f === 109 ? Fwd.MASQ : f === 103 ? Fwd.DROUTE : f === 105 ? Fwd.TUNNEL : -1;
      if (fwd < 0) return null;
      p += 7;
      const wl = eol - p;
      if (wl < 1 || wl > 10) return null;
      let weight = 0;
      for (let i = p; i < eol; i++) {
        const ch = text.charCodeAt(i);
        if (ch < 48 || ch > 57) return null;
        weight = weight * 10 + (ch - 48);
      }
      if (weight > 2147483647) return null;
      const dests = svcs.get(skey);
      if (!dests) return null;
      // Direct routing and tunnels use the service's port (ipvsadm does the same).
      const dap = fwd === Fwd.MASQ ? rap : rap - (rap % 65536) + (sap % 65536);
      if (dests.includes(dap)) return null;
      dests.push(dap);
      tpl = destTemplate(t, proto, fwd);
      if (!tpl) return null;
      if (off + tpl.length > buf.length) buf = grow(buf, off + tpl.length);
      buf.set(tpl, off);
      putV4(buf, off + T_SVC_ADDR, sap);
      putV4(buf, off + T_DEST_ADDR, dap);
      buf[off + T_DEST_WEIGHT] = weight & 255;
      buf[off + T_DEST_WEIGHT + 1] = (weight >>> 8) & 255;
      buf[off + T_DEST_WEIGHT + 2] = (weight >>> 16) & 255;
      buf[off + T_DEST_WEIGHT + 3] = weight >>> 24;
    } else return null;
    if (firstSeq) {
      const q = (firstSeq + n) >>> 0;
      buf[off + 8] = q & 255;
      buf[off + 9] = (q >>> 8) & 255;
      buf[off + 10] = (q >>> 16) & 255;
      buf[off + 11] = q >>> 24;
    }
    buf[off + 12] = p0 & 255;
    buf[off + 13] = (p0 >>> 8) & 255;
    buf[off + 14] = (p0 >>> 16) & 255;
    buf[off + 15] = p0 >>> 24;
    offs[n] = off;
    lines[n] = lineNo;
    n++;
    off += tpl.length;
    pos = eol + 1;
  }
  offs[n] = off;
  return { buf, offs, lines, n };
}

/** Where the last v4PortAt stopped. */
let scanEnd = 0;

/** parseV4Port() of the text at [p, ...) up to the first space or `end`; sets scanEnd. */
function v4PortAt(s: string, p: number, end: number): number {
  const addr = scanIpv4At(s, p, end);
  if (addr < 0) return -1;
  let i = ipv4Scan.end;
  if (i >= end || s.charCodeAt(i) !== 58) return -1;
  i++;
  const start = i;
  let port = 0;
  while (i < end) {
    const ch = s.charCodeAt(i);
    if (ch === 32) break;
    if (ch < 48 || ch > 57) return -1;
    port = port * 10 + (ch - 48);
    i++;
  }
  const len = i - start;
  if (len === 0 || len > 5 || port > 65535 || (len > 1 && s.charCodeAt(start) === 48)) return -1;
  scanEnd = i;
  return addr * 65536 + port;
}

function grow(b: Buffer, need: number): Buffer {
  const nb = Buffer.allocUnsafe(Math.max(need, b.length * 2));
  b.copy(nb, 0, 0, b.length);
  return nb;
}

/**
 * Restore onto an empty table without building operation objects: encode
 * the file straight into requests (encodeFast) and send them in big
 * pipelined windows. null when the file is not in that simple form (the
 * general path then runs). Same results, messages and rollback as the
 * general path.
 */
async function fastRestore(c: IpvsClient, text: string, opts: { append: boolean; json?: boolean }, io: Io): Promise<number | null> {
  // One sequence number per line at most (blank lines and comments leave gaps nobody sees).
  let rows = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) rows++;
  const first = c.reserveSeq(rows);
  const enc = encodeFast(text, c.family, c.portId, first);
  if (!enc || enc.n === 0) return null;
  const { buf, offs, n } = enc;
  const errnos = await c.applyEncoded(buf, offs, first, n, true);
  let bad = false;
  for (let i = 0; i < n; i++) if (errnos[i] !== 0) bad = true;
  if (!bad) {
    if (opts.json) io.out(`${JSON.stringify({ applied: n, failed: [], rolledBack: false })}\n`);
    return 0;
  }
  // A kernel refused something: report and roll back with the general machinery (same plan, same order).
  const lines = ruleLines(text);
  const plan = planRestore(text, [], opts.append, lines);
  if (plan.errors.length > 0 || plan.ops.length !== n || plan.ops.some((p, i) => p.line !== enc.lines[i])) throw new Error('internal error: fast restore plan mismatch');
  const textOf = new Map(lines.map((l) => [l.line, l.text]));
  const r = await settlePlan(c, [], plan.ops, textOf, (i) => errnos[i]);
  return reportApplied(r, opts, io);
}

function reportApplied(r: RestoreResult, opts: { json?: boolean }, io: Io): number {
  for (const f of r.failed) io.err(`line ${f.line}: ${f.message}: ${f.text.trim()}\n`);
  if (r.exitCode !== 0) {
    io.err(
      r.rolledBack
        ? `hactl: error: ${r.failed.length} line(s) failed; the ${r.applied} change(s) already made were rolled back, the table is as before\n`
        : 'hactl: error: restore failed and the rollback failed too: check `hactl save`\n',
    );
  }
  if (opts.json) io.out(`${JSON.stringify({ applied: r.exitCode === 0 ? r.applied : 0, failed: r.failed, rolledBack: r.rolledBack })}\n`);
  return r.exitCode;
}

/** Whole `hactl restore` flow; returns the exit status. */
export async function restoreRun(c: IpvsClient, text: string, opts: { append: boolean; dryRun: boolean; json?: boolean }, io: Io): Promise<number> {
  const live = await c.getTable();
  if (live.length === 0 && !opts.dryRun && process.env.HACTL_RESTORE_FAST !== '0') {
    const done = await fastRestore(c, text, opts, io);
    if (done !== null) return done;
  }
  const lines = ruleLines(text);
  const plan = planRestore(text, live, opts.append, lines);
  const textOf = new Map(lines.map((l) => [l.line, l.text]));
  if (plan.errors.length > 0) {
    for (const e of plan.errors.sort((a, b) => a.line - b.line)) io.err(`line ${e.line}: ${e.message}: ${e.text.trim()}\n`);
    io.err(`hactl: error: ${plan.errors.length} line(s) failed; nothing was changed\n`);
    return 1;
  }
  if (opts.dryRun) {
    if (opts.json) io.out(`${JSON.stringify(plan.ops.map((p) => ({ line: p.line ?? null, op: p.op.kind, rule: opToRule(p.op) })), null, 2)}\n`);
    else for (const p of plan.ops) io.out(`${opToRule(p.op)}\n`);
    return 0;
  }
  if (plan.ops.length === 0) return 0;
  const r = await applyPlan(c, live, plan.ops, textOf);
  return reportApplied(r, opts, io);
}

export { serviceKey };
