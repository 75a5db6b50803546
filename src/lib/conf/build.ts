/**
 * Statement tree -> typed KeepalivedConfig. Checks every keyword against the
 * tables in schema.ts (unknown keyword with "did you mean", missing values,
 * extra words, duplicates, ranges, types, deprecations) and fills the model.
 * Keyword-level problems only; cross-object validation lives in validate.ts.
 * Pure; iterative over blocks of bounded depth.
 */
import type {
  Checker,
  CheckerKind,
  Diagnostic,
  FifoOwner,
  GarpGroup,
  GlobalDefs,
  HttpUrl,
  IpAddress,
  KeepalivedConfig,
  NodeBase,
  Pos,
  RawEntry,
  RealServer,
  RouteEntry,
  RuleEntry,
  ScriptRef,
  SslDefs,
  SyncGroup,
  TrackFile,
  TrackRef,
  VirtualIp,
  VirtualServer,
  VirtualServerGroup,
  VrrpInstance,
  VrrpScript,
  VrrpTrackProcess,
  VsGroupEntry,
  TunnelOpts,
} from './model';
import { familyOfName, formatIpv4, INET_ATON, ipBytes, isMulticast } from '../addr';
import { DiagnosticList } from './diagnostics';
import { type ScriptUse, virtualServerScripts } from './model';
import type { Stmt } from './parser';
import { compileRegex } from '../pcre/pcre';
import { readCommand, splitCommand } from '../proc/argv';
import { type Spec, TABLES } from './schema';
import { checkVirtualServer, type VsCheckState, vsKey } from './validate';
import { parseBool, parseDecimal, parseInteger, parseIp, suggest } from './values';

type Value = number | boolean | string | string[] | undefined;

/** Marker for a keyword written without its required value. */
const MISSING = Symbol('missing');

/** An accepted statement and its parsed value: the statement itself (Stmt.stmt is the statement, Stmt.value the value). */
type Seen = Stmt;

/** Where walkOne records the statements it accepted. */
interface SeenSink {
  /** The last accepted statement with this keyword. */
  last(k: string): Seen | undefined;
  add(x: Seen): void;
}

/**
 * The accepted statements of one block, in order. Blocks are small, so
 * lookups scan the list (no Map, no per-keyword lists); a block with many
 * statements gets an index of the last one per keyword.
 */
class SeenTable implements SeenSink {
  readonly list: Seen[] = [];
  private index: Map<string, Seen> | undefined;

  last(k: string): Seen | undefined {
    if (this.index) return this.index.get(k);
    const l = this.list;
    for (let i = l.length - 1; i >= 0; i--) if (l[i].stmt.keyword === k) return l[i];
    return undefined;
  }

  /** Every occurrence of a keyword, in order (undefined when there is none). */
  get(k: string): Seen[] | undefined {
    let out: Seen[] | undefined;
    for (const x of this.list) if (x.stmt.keyword === k) (out ??= []).push(x);
    return out;
  }

  add(x: Seen): void {
    this.list.push(x);
    if (this.index) this.index.set(x.stmt.keyword, x);
    else if (this.list.length > 16) {
      this.index = new Map();
      for (const y of this.list) this.index.set(y.stmt.keyword, y);
    }
  }

  /** Occurrences grouped by keyword, keywords in order of first appearance. */
  groups(): Map<string, Seen[]> {
    const g = new Map<string, Seen[]>();
    for (const x of this.list) {
      const l = g.get(x.stmt.keyword);
      if (l) l.push(x);
      else g.set(x.stmt.keyword, [x]);
    }
    return g;
  }
}

/** The top level only needs the last occurrence of each keyword (duplicate check); nothing else is kept. */
class LastSeen implements SeenSink {
  private readonly map = new Map<string, Seen>();
  last(k: string): Seen | undefined {
    return this.map.get(k);
  }
  add(x: Seen): void {
    this.map.set(x.stmt.keyword, x);
  }
}

/** Thrown by a lean build that meets a config it cannot check one virtual server at a time. */
export const LEAN_ABORT = new Error('lean lint does not apply to this config');

const NO_NAMES: ReadonlySet<string> = new Set();
/** parseIp options for single addresses (shared, never mutated). */
const NO_PREFIX = { allowPrefix: false } as const;

/**
 * Lean lint (LoadOptions.lean): each virtual server is checked as soon as it
 * is built (the same checkVirtualServer that validate runs, in the same
 * order), its scripts are noted for the script-security rule, and its real
 * servers are dropped, so a big config never holds all of them. That is exact
 * only for virtual servers that need nothing defined later and no earlier
 * virtual server's full model: a `group` reference, a FILE_CHECK track_file,
 * a BFD_CHECK name or a duplicate vsKey throw LEAN_ABORT (the caller then
 * loads the file again the normal way).
 */
export class LeanState {
  /** The virtual servers' findings, in validate's order. */
  readonly diags = new DiagnosticList();
  readonly scripts: ScriptUse[] = [];
  st: VsCheckState | undefined;
}

export class Builder {
  /** Set for a lean build (lint only). */
  lean: LeanState | undefined;

  constructor(private readonly diags: Diagnostic[]) {}

  d(pos: Pos, severity: Diagnostic['severity'], message: string, rule: string): void {
    this.diags.push({ file: pos.file, line: pos.line, col: pos.col, severity, message, rule });
  }

  argPos(s: Stmt, i: number): Pos {
    const t = s.args[i];
    return t ? { file: s.pos.file, line: s.pos.line, col: t.col } : s.pos;
  }

  /**
   * Check the statements of one block against a table. Returns, per keyword,
   * the occurrences with their parsed values. Unknown keywords are reported.
   */
  walk(stmts: Stmt[], tableName: string, where: string, node?: NodeBase): SeenTable {
    const table = TABLES[tableName];
    const seen = new SeenTable();
    for (let i = 0; i < stmts.length; i++) this.walkOne(stmts[i], table, where, seen, node);
    return seen;
  }

  /** One statement of a block checked against its table (see walk); true when it was recorded in `seen`. */
  private walkOne(s: Stmt, table: Record<string, Spec>, where: string, seen: SeenSink, node?: NodeBase): boolean {
    if (s.keyword === '{') {
      this.d(s.pos, 'error', `'{' without a keyword in ${where}`, 'brace');
      return false;
    }
    // The TreeBuilder usually looked the keyword up in this very table already.
    const spec = s.specTable === table ? s.spec : Object.hasOwn(table, s.keyword) ? table[s.keyword] : undefined;
    if (!spec) {
      const hint = suggest(s.keyword, Object.keys(table));
      this.d(s.pos, 'error', `unknown keyword '${s.keyword}' in ${where}${hint ? `; did you mean '${hint}'?` : ''}`, 'unknown-keyword');
      return false;
    }
    const prev = seen.last(s.keyword);
    if (prev && !spec.multi) {
      const p = prev.stmt.pos;
      this.d(s.pos, 'warning', `'${s.keyword}' given twice in ${where} (first at line ${p.line}); keepalived uses the last one`, 'duplicate-keyword');
    }
    if (spec.dep) this.d(s.pos, 'warning', spec.dep, 'deprecated');
    if (spec.note) this.d(s.pos, 'note', spec.note, 'deprecated');
    // keepalived alloc_value_block: words between a value block's keyword and its '{'
    if (spec.k === 'vblock' && s.args.length > 0 && s.keyword !== 'virtual_server_group')
      this.d(this.argPos(s, 0), 'warning', `Block ${s.keyword} has extra parameters ${s.args.map((t) => t.text).join(' ')} ...`, 'extra-args');
    const value = this.value(s, spec, where, table);
    if (node) {
      node.at[s.keyword] = s.pos;
    }
    // A keyword missing its required value is reported and otherwise ignored.
    if (value === MISSING) return false;
    s.value = value;
    seen.add(s);
    return true;
  }

  /** Report words after the `n` a keyword takes (unless its spec allows more). */
  private extraWords(s: Stmt, spec: Spec, n: number): void {
    const a = s.args;
    if (!spec.rest && a.length > n) {
      const k = s.keyword;
      const extra = a
        .slice(n)
        .map((t) => t.text)
        .join(' ');
      this.d(this.argPos(s, n), 'warning', `extra word${a.length - n > 1 ? 's' : ''} after '${k}${n ? ` ${a[0].text}` : ''}': '${extra}' (keepalived ignores ${a.length - n > 1 ? 'them' : 'it'})`, 'extra-args');
    }
  }

  private value(s: Stmt, spec: Spec, where: string, table?: Record<string, Spec>): Value | typeof MISSING {
    const k = s.keyword;
    // A missing '{' is reported by the TreeBuilder.
    if (spec.k === 'block' || spec.k === 'vblock') return undefined;
    if (s.block) {
      this.d(s.open ?? s.pos, 'error', `'${k}' does not take a '{' block`, 'unexpected-block');
    }
    const a = s.args;
    const needs = spec.k !== 'flag' && spec.k !== 'optbool' && spec.k !== 'optwords' && !spec.opt;
    if (spec.opt && a.length === 0) return undefined;
    if (needs && a.length === 0) {
      if (table && parserAborts(table, k)) this.d(s.pos, 'error', `'${k}' is missing a parameter${ABORT_NOTE}`, 'parser-abort');
      else this.d(s.pos, 'error', `'${k}' is missing a parameter`, 'missing-parameter');
      return MISSING;
    }
    switch (spec.k) {
      case 'flag':
        // keepalived accepts (and ignores) words after most flags; only report them.
        if (a.length > 0 && !spec.rest) {
          const b = parseBool(a[0].text);
          if (!b.ok) this.extraWords(s, spec, 0);
          else this.extraWords(s, spec, 1);
          return b.ok ? b.value : true;
        }
        return true;
      case 'optbool': {
        if (a.length === 0) return true;
        const b = parseBool(a[0].text);
        if (!b.ok) {
          this.d(this.argPos(s, 0), 'error', `invalid ${where} ${k} parameter ${a[0].text}`, 'bool');
          return undefined;
        }
        this.extraWords(s, spec, 1);
        return b.value;
      }
      case 'bool': {
        const b = parseBool(a[0].text);
        if (!b.ok) {
          this.d(this.argPos(s, 0), 'error', `${k}: ${b.message}`, 'bool');
          return undefined;
        }
        this.extraWords(s, spec, 1);
        return b.value;
      }
      case 'int': {
        const r = parseInteger(a[0].text, spec.min!, spec.max!);
        this.extraWords(s, spec, 1);
        if (!r.ok) {
          this.d(this.argPos(s, 0), 'error', `${k}: ${r.message}`, r.message.startsWith('number') || r.message.startsWith('negative') ? 'range' : 'number');
          return undefined;
        }
        return r.value;
      }
      case 'num': {
        const r = parseDecimal(a[0].text, spec.min!, spec.max!);
        this.extraWords(s, spec, 1);
        if (!r.ok) {
          this.d(this.argPos(s, 0), 'error', `${k}: ${r.message}`, r.message.startsWith('number') || r.message.startsWith('negative') ? 'range' : 'number');
          return undefined;
        }
        return r.value;
      }
      case 'enum': {
        this.extraWords(s, spec, 1);
        if (!spec.values!.includes(a[0].text)) {
          const hint = suggest(a[0].text, spec.values!);
          this.d(this.argPos(s, 0), 'error', `${k}: invalid value '${a[0].text}' (expected ${spec.values!.join('|')})${hint ? `; did you mean '${hint}'?` : ''}`, 'enum');
          return undefined;
        }
        return a[0].text;
      }
      case 'word':
      case 'ip':
        this.extraWords(s, spec, 1);
        return a[0].text;
      default:
        return a.map((t) => t.text);
    }
  }

  // -------------------------------------------------------------------------

  private cfg: KeepalivedConfig | undefined;
  private files: string[] = [];
  /** Top-level keywords seen so far; only the last occurrence is kept (duplicate check). */
  private readonly topSeen = new LastSeen();

  /** Build a whole statement tree at once. */
  build(root: Stmt[], files: string[]): KeepalivedConfig {
    this.begin(files);
    for (const s of root) this.top(s);
    return this.finish();
  }

  /** Start a streamed build: `files` may still grow (includes) while top-level statements arrive. */
  begin(files: string[]): void {
    this.files = files;
  }

  private config(): KeepalivedConfig {
    if (this.cfg) return this.cfg;
    const files = this.files;
    const filePos: Pos = { file: files[0] ?? '', line: 1, col: 1 };
    this.cfg = {
      files,
      global_defs: emptyGlobal(filePos),
      static_ipaddress: [],
      static_routes: [],
      static_rules: [],
      vrrp_scripts: [],
      vrrp_track_processes: [],
      track_files: [],
      vrrp_sync_groups: [],
      garp_groups: [],
      vrrp_instances: [],
      virtual_server_groups: [],
      virtual_servers: [],
      extra: [],
    };
    return this.cfg;
  }

  /** One complete top-level statement (with its block) into the model. */
  top(s: Stmt): void {
    const cfg = this.config();
    if (!this.walkOne(s, TABLES.top, 'the top level', this.topSeen)) return;
    const kw = s.keyword;
    const name = s.args[0]?.text;
    const body = s.block ?? [];
    switch (kw) {
      case 'global_defs':
        this.globalDefs(body, cfg.global_defs, s);
        break;
      case 'static_ipaddress':
        for (const e of body) {
          const v = this.vip(e, 'static_ipaddress');
          if (v) cfg.static_ipaddress.push(v);
        }
        break;
      case 'static_routes':
        for (const e of body) cfg.static_routes.push(this.route(e));
        break;
      case 'static_rules':
        for (const e of body) cfg.static_rules.push(this.rule(e));
        break;
      case 'vrrp_script':
        if (this.named(s, kw)) cfg.vrrp_scripts.push(this.vrrpScript(s, name!));
        break;
      case 'vrrp_track_process':
        if (this.named(s, kw)) cfg.vrrp_track_processes.push(this.trackProcess(s, name!));
        break;
      case 'track_file':
      case 'vrrp_track_file':
        if (this.named(s, kw)) cfg.track_files.push(this.trackFile(s, name!));
        break;
      case 'vrrp_sync_group':
        if (this.named(s, kw)) cfg.vrrp_sync_groups.push(this.syncGroup(s, name!));
        break;
      case 'garp_group':
        cfg.garp_groups.push(this.garpGroup(s));
        break;
      case 'vrrp_instance':
        if (this.named(s, kw)) cfg.vrrp_instances.push(this.vrrpInstance(s, name!));
        break;
      case 'virtual_server_group':
        if (this.named(s, kw)) cfg.virtual_server_groups.push(this.vsGroup(s, name!));
        break;
      case 'virtual_server': {
        const vs = this.virtualServer(s);
        if (vs) {
          cfg.virtual_servers.push(vs);
          if (this.lean) this.leanCheck(vs, this.lean, cfg);
        }
        break;
      }
      case 'SSL':
        cfg.ssl = this.ssl(s);
        break;
      case 'bfd_instance':
        if (this.named(s, kw)) this.bfdInstance(s, name!);
        cfg.extra.push(raw(s));
        break;
      case 'net_namespace':
        cfg.global_defs.net_namespace = s.args[0]?.text;
        break;
      case 'instance':
        cfg.global_defs.instance = s.args[0]?.text;
        break;
      default:
        cfg.extra.push(raw(s));
    }
  }

  private leanCheck(vs: VirtualServer, lean: LeanState, cfg: KeepalivedConfig): void {
    lean.st ??= { cfg, vsGroups: NO_NAMES, trackFiles: NO_NAMES, bfds: NO_NAMES, vsSeen: new Map() };
    const key = vsKey(vs);
    if (vs.group !== undefined || lean.st.vsSeen.has(key)) throw LEAN_ABORT;
    for (const rs of vs.real_servers) {
      for (const c of rs.checkers) if ((c.kind === 'FILE_CHECK' && c.track_file) || (c.kind === 'BFD_CHECK' && c.name_bfd)) throw LEAN_ABORT;
    }
    checkVirtualServer(vs, lean.st, lean.diags, key);
    virtualServerScripts(vs, lean.scripts);
    vs.real_servers = [];
  }

  /** End of a streamed build. */
  finish(): KeepalivedConfig {
    const cfg = this.config();
    this.resolveLaterDefinitions(cfg);
    // Effective VRRP version: the instance's, else global vrrp_version, else 3 for IPv6, else 2.
    for (const i of cfg.vrrp_instances) {
      i.version ??= cfg.global_defs.vrrp.version ?? (i.native_ipv6 || i.virtual_ipaddress[0]?.family === 'inet6' ? 3 : 2);
    }
    return cfg;
  }

  /**
   * Track references to objects not defined yet when the instance or sync group was read.
   * keepalived 2.2.7 looks them up while it parses the track_* block (alloc_track_script,
   * vrrp_alloc_track_file, alloc_track_process), so an object defined further down is "not found"
   * and the reference is dropped: the model drops it too, so the daemon tracks what keepalived tracks.
   * References to objects defined nowhere stay for validate's "not found" (and are ignored at run time).
   */
  private readonly pendingRefs: { owner: string; what: 'script' | 'file' | 'process'; list: TrackRef[]; ref: TrackRef }[] = [];

  private deferUndefined(owner: string, what: 'script' | 'file' | 'process', list: TrackRef[]): void {
    const known = trackTargets(this.config(), what);
    for (const ref of list) if (!known.some((k) => k.name === ref.name)) this.pendingRefs.push({ owner, what, list, ref });
  }

  private resolveLaterDefinitions(cfg: KeepalivedConfig): void {
    for (const { owner, what, list, ref } of this.pendingRefs) {
      const def = trackTargets(cfg, what).find((k) => k.name === ref.name);
      if (!def) continue;
      const i = list.indexOf(ref);
      if (i >= 0) list.splice(i, 1);
      const kw = what === 'script' ? 'vrrp_script' : what === 'file' ? 'track_file' : 'vrrp_track_process';
      this.d(
        ref.pos,
        'error',
        `(${owner}) track ${what} ${ref.name} not found, ignoring... (${kw} ${ref.name} is defined later, at ${def.pos.file}:${def.pos.line}; keepalived only finds what is defined before the reference: move it up)`,
        'undefined-reference',
      );
    }
    this.pendingRefs.length = 0;
  }

  /**
   * keepalived 2.2.7 svr_forwarding_handler: `NAT|DR|TUN [type ipip|gue|gre] [port N] [nocsum|csum|remcsum]`.
   * The method is taken even when the words after it are wrong; the tunnel words are read after any
   * method (keepalived keeps them for NAT and DR too) and, when one is wrong, the tunnel set before stays.
   */
  private forwarding(s: Stmt, sType: 'virtual' | 'real' | 'sorry', before: TunnelOpts | undefined): { method?: 'NAT' | 'DR' | 'TUN'; tunnel?: TunnelOpts } {
    const a = s.args;
    const v = a[0]?.text;
    if (v !== 'NAT' && v !== 'DR' && v !== 'TUN') {
      if (v !== undefined) this.d(this.argPos(s, 0), 'error', `unknown [${v}] routing method for ${sType} server (NAT|DR|TUN)`, 'enum');
      return { tunnel: before };
    }
    const fail = (i: number, msg: string) => {
      this.d(this.argPos(s, Math.min(i, a.length - 1)), 'error', msg, 'lvs-tunnel');
      return { method: v, tunnel: before } as const;
    };
    let type: TunnelOpts['type'] = 'ipip';
    let port = 0;
    let csum: TunnelOpts['csum'] = 'nocsum';
    for (let i = 1; i < a.length; i++) {
      const w = a[i].text;
      if (w === 'type') {
        if (i + 1 >= a.length) return fail(i, `Missing tunnel type for ${sType} server.`);
        const t = a[i + 1].text;
        if (t !== 'ipip' && t !== 'gue' && t !== 'gre') return fail(i + 1, `Unknown tunnel type ${t} for ${sType} server.`);
        type = t;
        i++;
      } else if (w === 'port') {
        if (i + 1 >= a.length) return fail(i, `Missing port for ${sType} server gue tunnel.`);
        const p = parseInteger(a[i + 1].text, 1, 65535);
        if (!p.ok) return fail(i + 1, `Invalid gue tunnel port ${a[i + 1].text} for ${sType} server (${p.message}).`);
        port = p.value;
        i++;
      } else if (w === 'nocsum' || w === 'csum' || w === 'remcsum') csum = w;
      else return fail(i, `Invalid tunnel option ${w} for ${sType} server.`);
    }
    if ((type === 'gue') !== (port !== 0)) return fail(a.length - 1, 'gue tunnels require port, otherwise cannot have port.');
    if (type === 'ipip' && csum !== 'nocsum') return fail(a.length - 1, 'ipip tunnels do not support checksum option.');
    if (type === 'gre' && csum === 'remcsum') return fail(a.length - 1, 'gre tunnels do not support remote checksum option.');
    if (a.length === 1) return { method: v };
    return { method: v, tunnel: type === 'gue' ? { type, port, csum } : { type, csum } };
  }

  private named(s: Stmt, kw: string): boolean {
    if (s.args.length === 0) {
      this.d(s.pos, 'error', `${kw} must have a name`, 'missing-name');
      return false;
    }
    if (s.args.length > 1) this.d(this.argPos(s, 1), 'warning', `extra words after '${kw} ${s.args[0].text}': '${s.args.slice(1).map((t) => t.text).join(' ')}'`, 'extra-args');
    return !!s.block;
  }

  private bfdInstance(s: Stmt, name: string): void {
    const m = this.walk(s.block ?? [], 'bfd_instance', `bfd_instance ${name}`);
    const nb = m.last('neighbor_ip') ?? m.last('neighbour_ip');
    if (!nb) {
      this.d(s.close ?? s.pos, 'error', `Configuration error: BFD instance ${name} has no neighbor address set, disabling instance`, 'bfd-neighbor');
      return;
    }
    const r = parseIp(nb.value as string, NO_PREFIX);
    if (!r.ok) this.d(this.argPos(nb.stmt, 0), 'error', `Configuration error: BFD instance ${name} has malformed neighbor address ${nb.value}, ignoring instance`, 'address');
    const src = m.last('source_ip');
    if (src && !parseIp(src.value as string, NO_PREFIX).ok) this.d(this.argPos(src.stmt, 0), 'error', `Configuration error: BFD instance ${name} has malformed source address ${src.value}`, 'address');
  }

  /**
   * A script line as keepalived 2.2.7 reads it (notify_script_init / set_script_params_array):
   * the first word, quoted or not, is the whole command line and is split again into argv;
   * where a user may follow (`withUser`: notify scripts) the next words are
   * `username [groupname]`. keepalived ignores further words without a message, so they get a
   * note: `notify_master /usr/bin/logger vrrp-master` runs logger as user vrrp-master, and
   * `script /bin/check arg` (vrrp_script, misc_path) runs /bin/check without `arg`.
   */
  private script(s: Stmt, withUser: boolean): ScriptRef {
    const a = s.args;
    // keepalived re-reads a script line with quotes and escapes (alloc_strvec_quoted_escaped); the
    // main tokenizer's words are the same unless the line has a backslash or a single quote
    const tail = a[0]?.tail;
    const words = tail !== undefined ? splitCommand(tail) : a.map((t) => t.text);
    if (tail !== undefined && words.length === 0)
      this.d(this.argPos(s, 0), 'note', `keepalived cannot read this ${s.keyword} line (a quote without its end, or a backslash at the end): the script is ignored`, 'script-words');
    const command = words[0] ?? '';
    let user: string | undefined;
    let group: string | undefined;
    if (withUser && words.length > 1) {
      user = words[1];
      group = words[2];
    }
    const used = withUser ? 3 : 1;
    if (words.length > used) {
      const extra = words.slice(used).join(' ');
      const whole = words.slice(0, withUser ? 1 : words.length).join(' ');
      this.d(
        this.argPos(s, used),
        'note',
        withUser
          ? `'${extra}' after '${s.keyword} ${command} ${user}${group !== undefined ? ` ${group}` : ''}' is ignored by keepalived (the words after the script are its user and group)`
          : `keepalived runs '${command}' without '${extra}': only the first word is the script; quote the whole command line (${s.keyword} "${whole}")`,
        'script-words',
      );
    }
    // the first word is read once more into the argv (set_script_params_array)
    const r = readCommand(command);
    if (command !== '' && r.problem?.kind === 'quote')
      this.d(this.argPos(s, 0), 'error', `String '${command}': missing terminating ${r.problem.quote} (keepalived has no script here)`, 'script-words');
    else if (command !== '' && r.problem?.kind === 'escape')
      this.d(this.argPos(s, 0), 'note', `Missing escape char at end: '${command}' (keepalived has no script here)`, 'script-words');
    return { command, argv: r.argv, user, group, pos: s.pos };
  }

  private ip(s: Stmt, i: number, opts: { allowPrefix?: boolean } = {}): IpAddress | undefined {
    const t = s.args[i];
    if (!t) return undefined;
    const r = parseIp(t.text, opts);
    if (!r.ok) {
      this.d(this.argPos(s, i), 'error', `${s.keyword}: ${r.message}`, 'address');
      return undefined;
    }
    return r.value;
  }

  private globalDefs(body: Stmt[], g: GlobalDefs, s: Stmt): void {
    if (g.pos.line === 1 && g.pos.col === 1 && Object.keys(g.at).length === 0) g.pos = s.pos;
    const m = this.walk(body, 'global_defs', 'global_defs', g);
    const one = (k: string) => m.last(k);
    const str = (k: string) => one(k)?.value as string | undefined;
    const numv = (k: string) => one(k)?.value as number | undefined;
    const flag = (k: string) => (one(k) ? one(k)!.value !== false : false);
    g.router_id = str('router_id') ?? g.router_id;
    const ne = one('notification_email');
    if (ne) for (const e of ne.stmt.block ?? []) g.notification_email.push(e.keyword, ...e.args.map((t) => t.text));
    if (ne?.stmt.block && ne.stmt.block.length === 0) this.d(ne.stmt.close ?? ne.stmt.pos, 'warning', 'Warning - empty notification_email block', 'empty-block');
    g.notification_email_from = str('notification_email_from') ?? g.notification_email_from;
    const smtp = one('smtp_server');
    if (smtp) {
      const a = smtp.stmt.args;
      const ipr = parseIp(a[0].text, NO_PREFIX);
      // a name is resolved by keepalived (offline lint cannot); one that is not even a host name fails there
      const hostName = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*\.?$/.test(a[0].text);
      if (!ipr.ok && !ipBytes(a[0].text, 4, INET_ATON) && (/^[0-9.]+$|:/.test(a[0].text) || !hostName)) this.d(this.argPos(smtp.stmt, 0), 'error', `Invalid smtp server ${a.map((t) => t.text).join(' ')}`, 'address');
      let port: number | undefined;
      if (a[1]) {
        const p = parseInteger(a[1].text, 1, 65535);
        if (p.ok) port = p.value;
        else this.d(this.argPos(smtp.stmt, 1), 'error', `smtp_server port: ${p.message}`, 'range');
      }
      g.smtp_server = { address: ipr.ok ? ipr.value : a[0].text, port, pos: smtp.stmt.pos };
    }
    g.smtp_helo_name = str('smtp_helo_name') ?? g.smtp_helo_name;
    g.smtp_connect_timeout = numv('smtp_connect_timeout') ?? g.smtp_connect_timeout;
    const su = one('script_user');
    if (su) {
      const a = su.stmt.args;
      g.script_user = { user: a[0].text, group: a[1]?.text, pos: su.stmt.pos };
      if (a.length > 2) this.d(this.argPos(su.stmt, 2), 'warning', `extra words after 'script_user ${a[0].text} ${a[1].text}'`, 'extra-args');
    }
    if (one('enable_script_security')) g.enable_script_security = true;
    const map: [string, keyof GlobalDefs['vrrp']][] = [
      ['vrrp_garp_master_delay', 'garp_master_delay'],
      ['vrrp_garp_master_repeat', 'garp_master_repeat'],
      ['vrrp_garp_master_refresh', 'garp_master_refresh'],
      ['vrrp_garp_master_refresh_repeat', 'garp_master_refresh_repeat'],
      ['vrrp_garp_lower_prio_delay', 'garp_lower_prio_delay'],
      ['vrrp_garp_lower_prio_repeat', 'garp_lower_prio_repeat'],
      ['vrrp_garp_interval', 'garp_interval'],
      ['vrrp_gna_interval', 'gna_interval'],
      ['vrrp_priority', 'priority'],
      ['vrrp_rt_priority', 'rt_priority'],
      ['vrrp_startup_delay', 'startup_delay'],
    ];
    const vr = g.vrrp as unknown as Record<string, unknown>;
    for (const [kw, field] of map) if (numv(kw) !== undefined) vr[field] = numv(kw);
    if (numv('vrrp_version') !== undefined) g.vrrp.version = numv('vrrp_version') as 2 | 3;
    for (const [kw, field] of [
      ['vrrp_lower_prio_no_advert', 'lower_prio_no_advert'],
      ['vrrp_higher_prio_send_advert', 'higher_prio_send_advert'],
    ] as const) {
      const o = one(kw);
      if (o) g.vrrp[field] = o.value !== false;
    }
    if (one('vrrp_strict')) g.vrrp.strict = true;
    if (one('vrrp_skip_check_adv_addr')) g.vrrp.skip_check_adv_addr = flag('vrrp_skip_check_adv_addr');
    if (one('vrrp_check_unicast_src')) g.vrrp.check_unicast_src = true;
    if (one('vrrp_no_swap')) g.vrrp.no_swap = true;
    if (one('vrrp_min_garp')) g.vrrp.min_garp = flag('vrrp_min_garp');
    for (const [kw, field] of [
      ['vrrp_mcast_group4', 'mcast_group4'],
      ['vrrp_mcast_group6', 'mcast_group6'],
    ] as const) {
      const o = one(kw);
      if (o) {
        const r = this.ip(o.stmt, 0, NO_PREFIX);
        if (r) {
          const multicast = isMulticast(r.address);
          if ((field === 'mcast_group4') !== (r.family === 'inet')) this.d(this.argPos(o.stmt, 0), 'error', `${kw}: wrong address family for '${r.text}'`, 'address');
          else if (!multicast) this.d(this.argPos(o.stmt, 0), 'error', `${kw} [${r.text}] is not multicast. Skipping`, 'address');
          else g.vrrp[field] = r;
        }
      }
    }
    const ipt = one('vrrp_iptables');
    if (ipt) {
      g.vrrp.iptables = ipt.value as string[];
      this.d(ipt.stmt.pos, 'error', "iptables not supported, using nftables instead (keepalived 2.2.7 as built by Debian 12). Please replace 'vrrp_iptables' with the 'nftables' option", 'unsupported');
    }
    if (one('checker_priority')) g.checker.priority = numv('checker_priority');
    if (one('checker_rt_priority')) g.checker.rt_priority = numv('checker_rt_priority');
    if (one('checker_no_swap')) g.checker.no_swap = true;
    if (one('checker_log_all_failures')) g.checker.log_all_failures = flag('checker_log_all_failures');
    const owner = (x: { value: unknown } | undefined): FifoOwner | undefined => {
      const w = x?.value as string[] | undefined;
      return w?.[1] ? { user: w[1], group: w[2] } : undefined;
    };
    const nf = one('notify_fifo');
    if (nf) g.notify_fifo = (nf.value as string[])[0];
    g.notify_fifo_owner = owner(nf);
    const nfs = one('notify_fifo_script');
    if (nfs) g.notify_fifo_script = this.script(nfs.stmt, true);
    const vnf = one('vrrp_notify_fifo');
    if (vnf) g.vrrp.notify_fifo = (vnf.value as string[])[0];
    g.vrrp.notify_fifo_owner = owner(vnf);
    const vnfs = one('vrrp_notify_fifo_script');
    if (vnfs) g.vrrp.notify_fifo_script = this.script(vnfs.stmt, true);
    const lnf = one('lvs_notify_fifo');
    if (lnf) g.checker.notify_fifo = (lnf.value as string[])[0];
    g.checker.notify_fifo_owner = owner(lnf);
    const lnfs = one('lvs_notify_fifo_script');
    if (lnfs) g.checker.notify_fifo_script = this.script(lnfs.stmt, true);
    const lsd = one('lvs_sync_daemon');
    if (lsd) {
      const a = lsd.stmt.args;
      // lvs_sync_daemon INTERFACE [[inst] VRRP_INSTANCE] [id N] [maxlen N] [port N] [ttl N] [group IP]
      const OPTS = ['id', 'maxlen', 'port', 'ttl', 'group'];
      let i0 = 1;
      let instance = '';
      if (a[1]?.text === 'inst') {
        instance = a[2]?.text ?? '';
        i0 = 3;
      } else if (a[1] && !OPTS.includes(a[1].text)) {
        instance = a[1].text;
        i0 = 2;
      }
      const lsdv: NonNullable<GlobalDefs['lvs_sync_daemon']> = { interface: a[0].text, instance, pos: lsd.stmt.pos };
      for (let i = i0; i < a.length; i++) {
        const key = a[i].text;
        const v = a[i + 1]?.text;
        const numk: Record<string, [number, number]> = { id: [0, 255], maxlen: [1, 65507], port: [1, 65535], ttl: [1, 255] };
        if (key in numk && v !== undefined) {
          const r = parseInteger(v, numk[key][0], numk[key][1]);
          if (r.ok) (lsdv as unknown as Record<string, number>)[key] = r.value;
          else this.d(this.argPos(lsd.stmt, i + 1), 'error', `lvs_sync_daemon ${key}: ${r.message}`, 'range');
          i++;
        } else if (key === 'group' && v !== undefined) {
          const r = parseIp(v, NO_PREFIX);
          if (r.ok) lsdv.group = r.value;
          else this.d(this.argPos(lsd.stmt, i + 1), 'error', `lvs_sync_daemon group: ${r.message}`, 'address');
          i++;
        } else {
          this.d(this.argPos(lsd.stmt, i), 'error', `Unknown option ${key} specified for lvs_sync_daemon`, 'unknown-option');
        }
      }
      g.lvs_sync_daemon = lsdv;
    }
    const lt = one('lvs_timeouts');
    if (lt) {
      const a = lt.stmt.args;
      const v: NonNullable<GlobalDefs['lvs_timeouts']> = { pos: lt.stmt.pos };
      for (let i = 0; i < a.length; i++) {
        const key = a[i].text as 'tcp' | 'tcpfin' | 'udp';
        if (key !== 'tcp' && key !== 'tcpfin' && key !== 'udp') {
          this.d(this.argPos(lt.stmt, i), 'error', `Unknown option ${a[i].text} specified for lvs_timeouts`, 'unknown-option');
          continue;
        }
        const r = parseInteger(a[i + 1]?.text ?? '', 0, 86400 * 31);
        if (r.ok) v[key] = r.value;
        else this.d(this.argPos(lt.stmt, i + 1), 'error', `lvs_timeouts ${key}: ${r.message}`, 'range');
        i++;
      }
      g.lvs_timeouts = v;
    }
    if (one('lvs_flush')) g.lvs_flush = true;
    const fos = one('lvs_flush_on_stop') ?? one('lvs_flush_onstop');
    if (fos) g.lvs_flush_on_stop = fos.stmt.args[0]?.text === 'VS' ? 'VS' : 'full';
    if (one('dynamic_interfaces')) g.dynamic_interfaces = true;
    g.default_interface = str('default_interface') ?? g.default_interface;
    g.snmp_socket = str('snmp_socket') ?? g.snmp_socket;
    for (const k of ['enable_traps', 'enable_snmp_vrrp', 'enable_snmp_checker', 'enable_snmp_rfc', 'enable_dbus'] as const) if (one(k)) g[k] = true;
    if (one('enable_snmp_keepalived')) g.enable_snmp_vrrp = true;
    g.net_namespace = str('net_namespace') ?? g.net_namespace;
    g.instance = str('instance') ?? g.instance;
    const mp = one('max_auto_priority');
    if (mp) {
      const a = mp.stmt.args;
      if (a.length === 0) g.max_auto_priority = 99;
      else {
        const r = parseInteger(a[0].text, -1, 99);
        if (r.ok) g.max_auto_priority = r.value;
        else this.d(this.argPos(mp.stmt, 0), 'error', `max_auto_priority: ${r.message}`, 'range');
      }
    }
    this.globalWordChecks(one);
    this.keepExtras(m, g, [
      'router_id',
      'notification_email',
      'notification_email_from',
      'smtp_server',
      'smtp_helo_name',
      'smtp_connect_timeout',
      'script_user',
      'enable_script_security',
      'lvs_sync_daemon',
      'lvs_timeouts',
    ]);
  }

  /** global_defs keywords whose words keepalived checks (messages as keepalived 2.2.7 words them). */
  private globalWordChecks(one: (k: string) => { stmt: Stmt; value: unknown } | undefined): void {
    const words = (k: string) => one(k)?.stmt;
    for (const k of ['vrrp_garp_extra_if', 'vrrp_vmac_garp_intvl']) {
      const st = words(k);
      if (st) this.garpExtraIf(st, k === 'vrrp_vmac_garp_intvl' ? 'vrrp_vmac_garp_intvl' : 'vrrp_garp_extra_if');
    }
    for (const [k, proc] of [
      ['vrrp_cpu_affinity', 'vrrp'],
      ['checker_cpu_affinity', 'checker'],
      ['bfd_cpu_affinity', 'bfd'],
    ] as const) {
      const st = words(k);
      if (!st) continue;
      for (let i = 0; i < st.args.length; i++)
        if (!/^\d+$/.test(st.args[i].text)) this.d(this.argPos(st, i), 'error', `invalid number '${st.args[i].text}'; Invalid cpu_id specified for ${proc} process`, 'number');
    }
    const rb = words('vrrp_rx_bufs_policy');
    if (rb)
      for (let i = 0; i < rb.args.length; i++) {
        const t = rb.args[i].text;
        const u = t.toUpperCase(); // strcasecmp in keepalived's vrrp_rx_bufs_policy_handler
        if (u !== 'MTU' && u !== 'ADVERT' && !/^\d+$/.test(t)) this.d(this.argPos(rb, i), 'error', `Invalid vrrp_rx_bufs_policy ${t} (MTU, ADVERT or a number)`, 'enum');
      }
    const um = words('umask');
    if (um?.args[0]) {
      const t = um.args.map((x) => x.text).join('');
      const BITS = ['IRUSR', 'IWUSR', 'IXUSR', 'IRGRP', 'IWGRP', 'IXGRP', 'IROTH', 'IWOTH', 'IXOTH'];
      const numeric = /^(0x[0-9a-fA-F]+|0[0-7]*|[1-9]\d*)$/.test(um.args[0].text);
      if (!numeric)
        for (const b of t.split('|').filter(Boolean))
          if (!BITS.includes(b)) this.d(this.argPos(um, 0), 'error', `Unknown umask bit ${b} (${BITS.join(', ')}, joined by '|', or a number)`, 'enum');
    }
    const ic = words('include_check');
    if (ic)
      for (let i = 0; i < ic.args.length; i++) {
        const t = ic.args[i].text.replace(/^[+-]/, '');
        if (!['readable', 'match', 'wildcard_match', 'brace_match'].includes(t))
          this.d(this.argPos(ic, i), 'error', `Unknown include_check type '${ic.args[i].text}' - ignoring (readable, match, wildcard_match, brace_match)`, 'enum');
      }
  }

  /** `[vrrp_]garp_extra_if [all] SECONDS` (and the old `[vrrp_]vmac_garp_intvl`). */
  private garpExtraIf(st: Stmt, what: string): void {
    const a = st.args.map((t) => t.text);
    const nums = a.filter((t) => t !== 'all');
    if (nums.length === 0) {
      this.d(st.pos, 'warning', `${what} specified without time - ignoring`, 'missing-parameter');
      return;
    }
    for (const t of nums) {
      const r = parseInteger(t, 0, 86400);
      if (!r.ok) this.d(this.argPos(st, a.indexOf(t)), 'error', `invalid number '${t}': ${what} '${t}' invalid - ignoring`, 'number');
    }
  }

  /** Keep keywords without a typed field in `extra` (nothing is lost). */
  private keepExtras(m: SeenTable, node: NodeBase, typed: string[] | Record<string, true>): void {
    for (const [k, list] of m.groups()) {
      if (Array.isArray(typed) ? typed.includes(k) : Object.hasOwn(typed, k)) continue;
      for (const { stmt } of list) node.extra.push(raw(stmt));
    }
  }

  vip(e: Stmt, where: string): VirtualIp | undefined {
    const words = [e.keyword, ...e.args.map((t) => t.text)];
    const at = e.pos;
    const r = parseIp(e.keyword);
    if (!r.ok) {
      this.d(at, 'error', `${where}: invalid IP address '${e.keyword}'`, 'address');
      return undefined;
    }
    const a = r.value;
    const v: VirtualIp = {
      pos: at,
      address: a,
      family: a.family,
      prefix: a.prefix ?? (a.family === 'inet' ? 32 : 128),
      noprefixroute: false,
      nodad: false,
      home: false,
      words,
    };
    const args = e.args;
    for (let i = 0; i < args.length; i++) {
      const key = args[i].text;
      const val = args[i + 1]?.text;
      const p = { file: at.file, line: at.line, col: args[i].col };
      const needVal = (): string | undefined => {
        if (val === undefined) {
          this.d(p, 'error', `${where}: '${key}' needs a value`, 'missing-parameter');
          return undefined;
        }
        i++;
        return val;
      };
      switch (key) {
        case 'dev':
          v.dev = needVal();
          break;
        case 'label':
          v.label = needVal();
          if (v.label && v.label.length > 15) this.d(p, 'error', `${where}: label '${v.label}' is longer than 15 characters`, 'range');
          break;
        case 'scope': {
          const sv = needVal();
          if (sv !== undefined) {
            if (!['site', 'link', 'host', 'nowhere', 'global'].includes(sv) && !/^\d+$/.test(sv)) this.d(p, 'error', `${where}: invalid scope '${sv}'`, 'enum');
            v.scope = sv;
          }
          break;
        }
        case 'brd':
        case 'broadcast': {
          const bv = needVal();
          if (bv !== undefined) {
            if (bv !== '+' && bv !== '-' && !parseIp(bv, NO_PREFIX).ok) this.d(p, 'error', `${where}: invalid broadcast address '${bv}'`, 'address');
            v.brd = bv;
          }
          break;
        }
        case 'peer': {
          const pv = needVal();
          if (pv !== undefined) {
            const pr = parseIp(pv);
            if (pr.ok) v.peer = pr.value;
            else this.d(p, 'error', `${where}: invalid peer address '${pv}'`, 'address');
          }
          break;
        }
        case 'track_group':
          v.track_group = needVal();
          break;
        case 'noprefixroute':
          v.noprefixroute = true;
          break;
        case 'nodad':
          v.nodad = true;
          break;
        case 'home':
          v.home = true;
          break;
        case 'autojoin':
        case '-autojoin':
          break;
        case 'preferred_lft':
        case 'valid_lft':
          needVal();
          break;
        default:
          this.d(p, 'error', `Unknown configuration entry '${key}' for ip address - ignoring`, 'unknown-option');
      }
    }
    return v;
  }

  route(e: Stmt): RouteEntry {
    const words = [e.keyword, ...e.args.map((t) => t.text)];
    const r: RouteEntry = { pos: e.pos, words };
    const toks = [{ text: e.keyword, col: e.pos.col }, ...e.args];
    let i = 0;
    const ROUTE_TYPES = ['unicast', 'blackhole', 'unreachable', 'prohibit', 'local', 'broadcast', 'anycast', 'multicast', 'throw', 'nat'];
    const setDest = (t: { text: string; col: number }) => {
      const dst = t.text;
      if (r.to) {
        this.d({ ...e.pos, col: t.col }, 'error', `unknown route option '${dst}'`, 'unknown-option');
        return;
      }
      if (dst === 'default') r.to = { family: 'inet', address: '0.0.0.0', prefix: 0, text: 'default' };
      else {
        const p = parseIp(dst);
        if (p.ok) r.to = p.value;
        else {
          this.d({ ...e.pos, col: t.col }, 'error', `Invalid route destination '${dst}'`, 'address');
          r.to = { family: 'inet', address: '0.0.0.0', prefix: 0, text: dst };
        }
      }
    };
    for (; i < toks.length; i++) {
      const key = toks[i].text;
      const val = toks[i + 1]?.text;
      const p = { ...e.pos, col: toks[i].col };
      const ipv = (): IpAddress | undefined => {
        i++;
        if (val === undefined) {
          this.d(p, 'error', `route: '${key}' needs an address`, 'missing-parameter');
          return undefined;
        }
        const pr = parseIp(val);
        if (!pr.ok) {
          this.d(p, 'error', `route: invalid ${key} address '${val}'`, 'address');
          return undefined;
        }
        return pr.value;
      };
      switch (key) {
        case 'via':
          r.via = ipv();
          break;
        case 'gw':
        case 'or':
          this.d(p, 'warning', `"${key}" for routes is deprecated. Please use "${key === 'gw' ? 'via' : 'nexthop'}"`, 'deprecated');
          if (key === 'gw') r.via = ipv();
          else ipv();
          break;
        case 'src':
          r.src = ipv();
          break;
        case 'dev':
        case 'oif':
          r.dev = val;
          i++;
          break;
        case 'table':
          r.table = val;
          i++;
          break;
        case 'metric':
        case 'preference':
        case 'priority': {
          const n = parseInteger(val ?? '', 0, 4294967295);
          if (n.ok) r.metric = n.value;
          else this.d(p, 'error', `route ${key}: ${n.message}`, 'number');
          i++;
          break;
        }
        case 'scope':
          r.scope = val;
          i++;
          break;
        case 'to':
          if (toks[i + 1]) setDest(toks[i + 1]);
          i++;
          break;
        case 'unicast':
        case 'blackhole':
        case 'unreachable':
        case 'prohibit':
        case 'local':
        case 'broadcast':
        case 'anycast':
        case 'multicast':
        case 'throw':
        case 'nat':
          if (ROUTE_TYPES.includes(key)) r.type = key;
          break;
        case 'nexthop':
        case 'onlink':
        case 'no_track':
        case 'pervasive':
          break;
        case 'weight':
        case 'protocol':
        case 'tos':
        case 'dsfield':
        case 'realms':
        case 'mtu':
        case 'advmss':
        case 'rtt':
        case 'rttvar':
        case 'reordering':
        case 'window':
        case 'cwnd':
        case 'ssthresh':
        case 'initcwnd':
        case 'initrwnd':
        case 'features':
        case 'quickack':
        case 'congctl':
        case 'pref':
        case 'hoplimit':
        case 'rto_min':
        case 'fastopen_no_cookie':
        case 'ttl-propagate':
        case 'from':
        case 'encap':
        case 'expires':
        case 'lock':
          if (key !== 'lock') i++;
          break;
        default:
          setDest(toks[i]);
      }
    }
    if (!r.to) this.d(e.pos, 'error', 'route without destination', 'missing-parameter');
    return r;
  }

  rule(e: Stmt): RuleEntry {
    const toks = [{ text: e.keyword, col: e.pos.col }, ...e.args];
    const r: RuleEntry = { pos: e.pos, words: toks.map((t) => t.text) };
    for (let i = 0; i < toks.length; i++) {
      const key = toks[i].text;
      const val = toks[i + 1]?.text;
      const p = { ...e.pos, col: toks[i].col };
      const ipv = (): IpAddress | undefined => {
        i++;
        if (val === undefined) {
          this.d(p, 'error', `rule: '${key}' needs a value`, 'missing-parameter');
          return undefined;
        }
        if (val === 'all') return undefined;
        const pr = parseIp(val);
        if (!pr.ok) {
          this.d({ ...e.pos, col: toks[i].col }, 'error', `Invalid rule ${key} address ${val}`, 'address');
          return undefined;
        }
        return pr.value;
      };
      switch (key) {
        case 'from':
          r.from = ipv();
          break;
        case 'to':
          r.to = ipv();
          break;
        case 'table':
        case 'lookup':
          r.table = val;
          i++;
          break;
        case 'preference':
        case 'priority':
        case 'pref':
        case 'prio': {
          const n = parseInteger(val ?? '', 0, 4294967295);
          if (n.ok) r.preference = n.value;
          else this.d(p, 'error', `rule ${key}: ${n.message}`, 'number');
          i++;
          break;
        }
        case 'iif':
          r.iif = val;
          i++;
          break;
        case 'oif':
          r.oif = val;
          i++;
          break;
        case 'fwmark':
          r.fwmark = val;
          i++;
          break;
        case 'not':
        case 'no_track':
        case 'l3mdev':
          break;
        case 'tos':
        case 'dsfield':
        case 'realms':
        case 'goto':
        case 'suppress_prefixlength':
        case 'suppress_ifgroup':
        case 'uidrange':
        case 'sport':
        case 'dport':
        case 'ipproto':
        case 'protocol':
        case 'tun_id':
        case 'action':
        case 'type':
          i++;
          break;
        default:
          this.d(p, 'error', `unknown rule option '${key}'`, 'unknown-option');
      }
    }
    if (r.preference === undefined) this.d(e.pos, 'warning', 'Rule has no preference specified - keepalived picks one. This is probably not what you want.', 'rule-preference');
    return r;
  }

  private trackRefs(s: Stmt | undefined, what: string, min: number, max: number): TrackRef[] {
    const out: TrackRef[] = [];
    if (!s) return out;
    for (const e of s.block ?? []) {
      const ref: TrackRef = { pos: e.pos, name: e.keyword, reverse: false };
      const a = e.args;
      for (let i = 0; i < a.length; i++) {
        const p = { ...e.pos, col: a[i].col };
        if (a[i].text === 'weight') {
          const r = parseInteger(a[i + 1]?.text ?? '', min, max);
          if (r.ok) ref.weight = r.value;
          else this.d(p, 'error', `${what} ${e.keyword} weight: ${r.message}`, 'range');
          i++;
        } else if (a[i].text === 'reverse') ref.reverse = true;
        else if (a[i].text === 'noreverse') ref.reverse = false;
        else this.d(p, 'error', `unknown ${what} option '${a[i].text}' for ${e.keyword}`, 'unknown-option');
      }
      out.push(ref);
    }
    return out;
  }

  private vrrpScript(s: Stmt, name: string): VrrpScript {
    const n: VrrpScript = { pos: s.pos, at: {}, extra: [], name, weight_reverse: false, init_fail: false, end: s.close };
    const m = this.walk(s.block ?? [], 'vrrp_script', `vrrp_script ${name}`, n);
    const last = (k: string) => m.last(k);
    // a bare `script` line changes nothing in keepalived: the last one with a command counts
    const sc = (m.get('script') ?? []).filter((o) => o.stmt.args.length > 0).pop();
    if (sc) n.script = this.script(sc.stmt, false);
    const iv = last('interval');
    n.interval = iv?.value as number | undefined;
    if (iv && n.interval === 0) {
      // keepalived 2.2.7 (vrrp_parser.c): the script would run back to back; it takes 1 s instead
      this.d(iv.stmt.pos, 'warning', `(${name}): vrrp script interval must be greater than 0, setting to 1`, 'script-interval');
      n.interval = 1;
    }
    n.timeout = last('timeout')?.value as number | undefined;
    const wt = last('weight');
    if (wt) {
      n.weight = wt.value as number | undefined;
      const rest = wt.stmt.args.slice(1);
      if (rest[0]?.text === 'reverse') n.weight_reverse = true;
      else if (rest[0] && rest[0].text !== 'noreverse') this.d(this.argPos(wt.stmt, 1), 'warning', `extra word after 'weight ${wt.stmt.args[0].text}': '${rest[0].text}'`, 'extra-args');
    }
    n.rise = last('rise')?.value as number | undefined;
    n.fall = last('fall')?.value as number | undefined;
    const u = last('user');
    if (u) {
      n.user = u.stmt.args[0]?.text;
      n.group = u.stmt.args[1]?.text;
    }
    n.init_fail = !!last('init_fail');
    return n;
  }

  private trackProcess(s: Stmt, name: string): VrrpTrackProcess {
    const n: VrrpTrackProcess = { pos: s.pos, at: {}, extra: [], name, weight_reverse: false, full_command: false, end: s.close };
    const m = this.walk(s.block ?? [], 'vrrp_track_process', `vrrp_track_process ${name}`, n);
    const last = (k: string) => m.last(k);
    const p = last('process');
    if (p) n.process = (p.value as string[]).join(' ');
    const pm = last('param_match');
    if (pm) {
      const v = (pm.value as string[])[0] ?? 'exact';
      if (['exact', 'partial', 'initial'].includes(v)) n.param_match = v;
      else this.d(this.argPos(pm.stmt, 0), 'error', `Invalid param_match type ${v} - ignoring (exact|partial|initial)`, 'enum');
    }
    const wt = last('weight');
    if (wt) {
      n.weight = wt.value as number | undefined;
      n.weight_reverse = wt.stmt.args[1]?.text === 'reverse';
      const opt = wt.stmt.args[1];
      if (opt && opt.text !== 'reverse' && opt.text !== 'noreverse') this.d(this.argPos(wt.stmt, 1), 'error', `vrrp_track_process ${name} unknown weight option ${opt.text}`, 'unknown-option');
    }
    n.quorum = last('quorum')?.value as number | undefined;
    n.quorum_max = last('quorum_max')?.value as number | undefined;
    n.fork_delay = last('fork_delay')?.value as number | undefined;
    n.terminate_delay = last('terminate_delay')?.value as number | undefined;
    n.delay = last('delay')?.value as number | undefined;
    n.full_command = !!last('full_command');
    return n;
  }

  private trackFile(s: Stmt, name: string): TrackFile {
    const n: TrackFile = { pos: s.pos, at: {}, extra: [], name, weight_reverse: false };
    const m = this.walk(s.block ?? [], 'track_file', `track_file ${name}`, n);
    const last = (k: string) => m.last(k);
    n.file = last('file')?.value as string | undefined;
    const wt = last('weight');
    if (wt) {
      n.weight = wt.value as number | undefined;
      n.weight_reverse = wt.stmt.args[1]?.text === 'reverse';
      const opt = wt.stmt.args[1];
      if (opt && opt.text !== 'reverse' && opt.text !== 'noreverse') this.d(this.argPos(wt.stmt, 1), 'error', `track_file ${name} unknown weight option ${opt.text}`, 'unknown-option');
    }
    const inf = last('init_file');
    if (inf) {
      const a = inf.stmt.args.map((t) => t.text);
      let v: number | undefined;
      let overwrite = false;
      for (let i = 0; i < a.length; i++) {
        if (a[i] === 'overwrite') overwrite = true;
        // a later number is taken silently as well (keepalived -t: `init_file 1 2` is fine)
        else if (/^-?\d+$/.test(a[i])) v = Number.parseInt(a[i], 10);
        else this.d(this.argPos(inf.stmt, i), 'error', `Unknown track file init option ${a[i]}`, 'unknown-option');
      }
      n.init_file = { value: v, overwrite, pos: inf.stmt.pos };
    }
    if (!n.file) this.d(s.close ?? s.pos, 'error', `No file set for track_file ${name} - ignoring`, 'script-missing');
    return n;
  }

  private syncGroup(s: Stmt, name: string): SyncGroup {
    const n: SyncGroup = {
      pos: s.pos,
      at: {},
      extra: [],
      name,
      group: [],
      track_interface: [],
      track_script: [],
      track_file: [],
      track_process: [],
      global_tracking: false,
      sync_group_tracking_weight: false,
    };
    const m = this.walk(s.block ?? [], 'vrrp_sync_group', `vrrp_sync_group ${name}`, n);
    const last = (k: string) => m.last(k);
    const g = m.get('group');
    if (g) {
      if (g.length > 1) this.d(g[1].stmt.pos, 'warning', `Group list already specified for sync group ${name}`, 'duplicate-keyword');
      for (const e of g[0].stmt.block ?? []) {
        n.group.push({ name: e.keyword, pos: e.pos });
        for (const a of e.args) n.group.push({ name: a.text, pos: { ...e.pos, col: a.col } });
      }
    }
    n.track_interface = this.trackRefs(last('track_interface')?.stmt, 'track_interface', -253, 253);
    n.track_script = this.trackRefs(last('track_script')?.stmt, 'track_script', -253, 253);
    n.track_file = this.trackRefs(last('track_file')?.stmt, 'track_file', -254, 254);
    n.track_process = this.trackRefs(last('track_process')?.stmt, 'track_process', -254, 254);
    this.deferUndefined(name, 'script', n.track_script);
    this.deferUndefined(name, 'file', n.track_file);
    this.deferUndefined(name, 'process', n.track_process);
    for (const k of ['notify_master', 'notify_backup', 'notify_fault', 'notify_stop', 'notify'] as const) {
      const x = last(k);
      if (x) n[k] = this.script(x.stmt, true);
    }
    const sa = last('smtp_alert');
    if (sa) n.smtp_alert = sa.value !== false;
    n.global_tracking = !!last('global_tracking');
    n.sync_group_tracking_weight = !!last('sync_group_tracking_weight');
    return n;
  }

  private garpGroup(s: Stmt): GarpGroup {
    const n: GarpGroup = { pos: s.pos, at: {}, extra: [], interfaces: [] };
    const m = this.walk(s.block ?? [], 'garp_group', 'garp_group', n);
    n.garp_interval = m.last('garp_interval')?.value as number | undefined;
    n.gna_interval = m.last('gna_interval')?.value as number | undefined;
    n.interface = m.last('interface')?.value as string | undefined;
    for (const e of m.last('interfaces')?.stmt.block ?? []) n.interfaces.push(e.keyword);
    return n;
  }

  private vrrpInstance(s: Stmt, name: string): VrrpInstance {
    const n: VrrpInstance = {
      pos: s.pos,
      at: {},
      extra: [],
      name,
      virtual_ipaddress: [],
      virtual_ipaddress_excluded: [],
      virtual_routes: [],
      virtual_rules: [],
      unicast_peer: [],
      track_interface: [],
      track_script: [],
      track_file: [],
      track_process: [],
      track_bfd: [],
      notify_deleted_state: false,
      nopreempt: false,
      preempt: false,
      vmac_xmit_base: false,
      dont_track_primary: false,
      native_ipv6: false,
      skip_check_adv_addr: false,
      promote_secondaries: false,
      check_unicast_src: false,
    };
    const where = `vrrp_instance ${name}`;
    const m = this.walk(s.block ?? [], 'vrrp_instance', where, n);
    const last = (k: string) => m.last(k);
    const st = last('state');
    if (st) {
      const v = st.value as string;
      if (v === 'MASTER' || v === 'BACKUP') n.state = v;
      else {
        this.d(this.argPos(st.stmt, 0), 'error', `(${name}) unknown state '${v}', defaulting to BACKUP${suggest(v, ['MASTER', 'BACKUP']) ? `; did you mean '${suggest(v, ['MASTER', 'BACKUP'])}'?` : ''}`, 'enum');
        n.state = 'BACKUP';
      }
    }
    n.interface = last('interface')?.value as string | undefined;
    n.virtual_router_id = last('virtual_router_id')?.value as number | undefined;
    n.priority = last('priority')?.value as number | undefined;
    n.advert_int = last('advert_int')?.value as number | undefined;
    const ver = last('version');
    if (ver && ver.value !== undefined) n.version = ver.value as 2 | 3;
    const auth = last('authentication');
    if (auth) {
      const a: NonNullable<VrrpInstance['authentication']> = { pos: auth.stmt.pos, at: {} };
      const am = this.walk(auth.stmt.block ?? [], 'authentication', `${where} authentication`);
      const at = am.last('auth_type');
      if (at) {
        a.at.auth_type = at.stmt.pos;
        const v = at.value as string;
        if (v === 'PASS' || v === 'AH') a.auth_type = v;
        else this.d(this.argPos(at.stmt, 0), 'error', `unknown authentication type '${v}' (PASS or AH)`, 'enum');
      }
      const ap = am.last('auth_pass');
      if (ap) {
        a.at.auth_pass = ap.stmt.pos;
        a.auth_pass = ap.value as string;
      }
      n.authentication = a;
    }
    for (const k of ['virtual_ipaddress', 'virtual_ipaddress_excluded'] as const) {
      for (const occ of m.get(k) ?? []) {
        for (const e of occ.stmt.block ?? []) {
          const v = this.vip(e, k);
          if (v) n[k].push(v);
        }
      }
    }
    for (const occ of m.get('virtual_routes') ?? []) for (const e of occ.stmt.block ?? []) n.virtual_routes.push(this.route(e));
    for (const occ of m.get('virtual_rules') ?? []) for (const e of occ.stmt.block ?? []) n.virtual_rules.push(this.rule(e));
    for (const k of ['unicast_src_ip', 'mcast_src_ip'] as const) {
      const x = last(k);
      if (x) n[k] = this.ip(x.stmt, 0, NO_PREFIX);
    }
    for (const occ of m.get('unicast_peer') ?? []) {
      for (const e of occ.stmt.block ?? []) {
        const r = parseIp(e.keyword);
        if (!r.ok) {
          this.d(e.pos, 'error', `(${name}) unicast_peer: invalid IP address '${e.keyword}'`, 'address');
          continue;
        }
        const peer: VrrpInstance['unicast_peer'][number] = { pos: e.pos, address: r.value, words: [e.keyword, ...e.args.map((t) => t.text)] };
        for (let i = 0; i < e.args.length; i++) {
          const key = e.args[i].text;
          if (key === 'min_ttl' || key === 'max_ttl') {
            const v = parseInteger(e.args[i + 1]?.text ?? '', 0, 255);
            if (v.ok) peer[key] = v.value;
            else this.d({ ...e.pos, col: e.args[i].col }, 'error', `unicast_peer ${key}: ${v.message}`, 'range');
            i++;
          } else this.d({ ...e.pos, col: e.args[i].col }, 'error', `(${name}) unknown unicast_peer option '${key}'`, 'unknown-option');
        }
        n.unicast_peer.push(peer);
      }
    }
    n.track_interface = this.trackRefs(last('track_interface')?.stmt, 'track_interface', -253, 253);
    n.track_script = this.trackRefs(last('track_script')?.stmt, 'track_script', -253, 253);
    n.track_file = this.trackRefs(last('track_file')?.stmt, 'track_file', -254, 254);
    n.track_process = this.trackRefs(last('track_process')?.stmt, 'track_process', -254, 254);
    n.track_bfd = this.trackRefs(last('track_bfd')?.stmt, 'track_bfd', -253, 253);
    this.deferUndefined(name, 'script', n.track_script);
    this.deferUndefined(name, 'file', n.track_file);
    this.deferUndefined(name, 'process', n.track_process);
    n.nopreempt = !!last('nopreempt');
    n.preempt = !!last('preempt');
    n.preempt_delay = last('preempt_delay')?.value as number | undefined;
    const acc = last('accept');
    const nacc = last('no_accept');
    if (acc || nacc) {
      const accLine = acc ? acc.stmt.pos.line * 1e6 + acc.stmt.pos.col : -1;
      const naccLine = nacc ? nacc.stmt.pos.line * 1e6 + nacc.stmt.pos.col : -1;
      n.accept = accLine > naccLine;
    }
    const vm = last('use_vmac');
    if (vm) {
      const nm = (vm.value as string[])[0];
      n.use_vmac = nm ?? true;
      const more = (vm.value as string[])[1];
      if (more !== undefined) this.d(this.argPos(vm.stmt, 1), 'error', `VMAC interface name already specified ('${nm}'): '${more}' ignored`, 'extra-args');
      if (nm !== undefined && (nm.length > 15 || !/^[A-Za-z0-9_.:@-]+$/.test(nm) || nm === '.' || nm === '..')) {
        this.d(this.argPos(vm.stmt, 0), 'error', `VMAC interface name '${nm}' too long or invalid characters - ignoring (at most 15 characters)`, 'interface-name');
      }
    }
    const ifn = last('interface');
    if (ifn && ifn.value === 'lo') this.d(this.argPos(ifn.stmt, 0), 'error', `(${name}) cannot use a loopback interface (lo) for vrrp - ignoring`, 'interface-loopback');
    n.vmac_xmit_base = !!last('vmac_xmit_base');
    if (n.vmac_xmit_base && !vm) this.d(last('vmac_xmit_base')!.stmt.pos, 'error', `(${name}) vmac_xmit_base is only valid with a vmac`, 'vmac');
    n.dont_track_primary = !!last('dont_track_primary');
    for (const k of [
      'garp_master_delay',
      'garp_master_repeat',
      'garp_master_refresh',
      'garp_master_refresh_repeat',
      'garp_lower_prio_delay',
      'garp_lower_prio_repeat',
      'debug',
    ] as const) {
      const x = last(k);
      if (x && x.value !== undefined) n[k] = x.value as number;
    }
    for (const k of ['lower_prio_no_advert', 'higher_prio_send_advert', 'smtp_alert', 'strict_mode'] as const) {
      const x = last(k);
      if (x && x.value !== undefined) n[k] = x.value as boolean;
    }
    for (const k of ['notify_master', 'notify_backup', 'notify_fault', 'notify_stop', 'notify_deleted', 'notify_master_rx_lower_pri', 'notify'] as const) {
      const x = last(k);
      if (x && x.stmt.args.length > 0) n[k] = this.script(x.stmt, true);
    }
    // `notify_deleted` with or without a script: a deleted instance notifies DELETED instead of FAULT
    n.notify_deleted_state = !!last('notify_deleted');
    n.native_ipv6 = !!last('native_ipv6');
    n.skip_check_adv_addr = last('skip_check_adv_addr')?.value !== undefined;
    for (const k of ['garp_extra_if', 'vmac_garp_intvl']) {
      const st = last(k)?.stmt;
      if (st) this.garpExtraIf(st, `(${name}) ${k}`);
    }
    const mdst = last('mcast_dst_ip');
    if (mdst?.stmt.args[0] && !parseIp(mdst.stmt.args[0].text, NO_PREFIX).ok)
      this.d(this.argPos(mdst.stmt, 0), 'error', `(${name}) malformed mcast dest address ${mdst.stmt.args[0].text}. Skipping...`, 'address');
    const vrf = last('vrf');
    if (vrf && last('interface')) this.d(vrf.stmt.pos, 'warning', `(${name}) Cannot specify VRF interface and interface - ignoring`, 'vrf');
    n.promote_secondaries = !!last('promote_secondaries');
    n.unicast_ttl = last('unicast_ttl')?.value as number | undefined;
    n.check_unicast_src = !!last('check_unicast_src');
    n.lvs_sync_daemon_interface = last('lvs_sync_daemon_interface')?.value as string | undefined;
    this.keepExtras(m, n, TYPED_VRRP);
    return n;
  }

  private vsGroup(s: Stmt, name: string): VirtualServerGroup {
    const n: VirtualServerGroup = { pos: s.pos, at: {}, extra: [], name, entries: [] };
    for (const e of s.block ?? []) {
      const ent: VsGroupEntry = { pos: e.pos, words: [e.keyword, ...e.args.map((t) => t.text)] };
      if (e.keyword === 'fwmark') {
        const r = parseInteger(e.args[0]?.text ?? '', 1, 4294967295);
        if (r.ok) ent.fwmark = r.value;
        else this.d(e.pos, 'error', `virtual_server_group ${name}: fwmark: ${r.message}`, 'number');
      } else {
        const m = /^(.*?)(?:-(\d+|[0-9a-fA-F]+))?$/.exec(e.keyword)!;
        let r = parseIp(e.keyword);
        if (!r.ok && m[2] !== undefined) {
          r = parseIp(m[1]);
          if (r.ok) {
            ent.range_end = Number.parseInt(m[2], r.value.family === 'inet' ? 10 : 16);
            const b = ipBytes(r.value.address, familyOfName(r.value.family));
            const last = !b ? 0 : b.length === 4 ? b[3] : b.readUInt16BE(14);
            const max = r.value.family === 'inet' ? 255 : 0xffff;
            if (ent.range_end <= last || ent.range_end > max) {
              this.d(e.pos, 'error', `Address range end is not greater than address range start - ${e.keyword} - skipping`, 'address');
              continue;
            }
          }
        }
        if (!r.ok) {
          this.d(e.pos, 'error', `virtual_server_group ${name}: invalid address '${e.keyword}'`, 'address');
          continue;
        }
        ent.address = r.value;
        if (e.args[0]) {
          const p = parseInteger(e.args[0].text, 0, 65535);
          if (p.ok) ent.port = p.value;
          else this.d({ ...e.pos, col: e.args[0].col }, 'error', `virtual_server_group ${name}: port: ${p.message}`, 'range');
        }
        if (e.args.length > 1) this.d({ ...e.pos, col: e.args[1].col }, 'warning', `extra words after '${e.keyword} ${e.args[0].text}'`, 'extra-args');
      }
      n.entries.push(ent);
    }
    if (n.entries.length === 0) this.d(s.close ?? s.pos, 'error', `virtual server group ${name} has no entries - removing`, 'vsg-empty');
    return n;
  }

  private virtualServer(s: Stmt): VirtualServer | undefined {
    const a = s.args;
    const vs: VirtualServer = {
      pos: s.pos,
      at: {},
      extra: [],
      alpha: false,
      omega: false,
      ha_suspend: false,
      sorry_server_inhibit: false,
      ops: false,
      inhibit_on_failure: false,
      lb_flags: [],
      real_servers: [],
      // Always set below: declared here so the object is built with its final shape.
      delay_loop: undefined,
      persistence_timeout: undefined,
      persistence_engine: undefined,
      quorum: undefined,
      hysteresis: undefined,
      sorry_server_lvs_method: undefined,
      virtualhost: undefined,
      retry: undefined,
      delay_before_retry: undefined,
      warmup: undefined,
      connect_timeout: undefined,
    };
    if (a.length === 0) {
      this.d(s.pos, 'error', `virtual_server needs an address and port, fwmark N, or group NAME${ABORT_NOTE}`, 'parser-abort');
      return undefined;
    }
    let label: string;
    if (a[0].text === 'fwmark') {
      const r = parseInteger(a[1]?.text ?? '', 1, 4294967295);
      if (r.ok) vs.fwmark = r.value;
      else this.d(this.argPos(s, 1), 'error', `virtual_server fwmark: ${r.message}`, 'number');
      label = `FWM ${a[1]?.text ?? ''}`;
    } else if (a[0].text === 'group') {
      vs.group = a[1]?.text;
      if (!vs.group) this.d(s.pos, 'error', 'virtual_server group needs a name', 'missing-parameter');
      label = `group ${vs.group}`;
    } else {
      const r = parseIp(a[0].text, NO_PREFIX);
      const p = a[1] ? parseInteger(a[1].text, 0, 65535) : undefined;
      if (!r.ok || (p && !p.ok)) {
        // keepalived 2.2.7 skips the whole block ("Invalid virtual server IP address/port ... - skipping"):
        // nothing inside it is read, so nothing inside it is reported either
        const why = !r.ok ? r.message : p && !p.ok ? `port: ${p.message}` : '';
        this.d(
          this.argPos(s, !r.ok ? 0 : 1),
          'error',
          `Invalid virtual server IP address/port ${a[0].text}/${a[1]?.text ?? ''} - skipping (${why})`,
          !r.ok ? 'address' : 'range',
        );
        return undefined;
      }
      vs.address = r.value;
      if (p?.ok) vs.port = p.value;
      if (a.length > 2) this.d(this.argPos(s, 2), 'warning', `extra words after 'virtual_server ${a[0].text} ${a[1].text}'`, 'extra-args');
      label = `${a[0].text}${a[1] ? ` ${a[1].text}` : ''}`;
    }
    if (!s.block) return undefined;
    const where = `virtual_server ${label}`;
    const m = this.walk(s.block, 'virtual_server', where, vs);
    const last = (k: string) => m.last(k);
    const ipf = last('ip_family');
    if (ipf) {
      if (ipf.value === 'inet' || ipf.value === 'inet6') vs.ip_family = ipf.value;
      else this.d(this.argPos(ipf.stmt, 0), 'error', `unknown address family ${ipf.value}`, 'enum');
    }
    vs.delay_loop = last('delay_loop')?.value as number | undefined;
    // lb_algo / lvs_sched and lb_kind / lvs_method are two spellings: every one is checked, the last wins
    // (no arrays or closures here: this runs for every one of tens of thousands of virtual servers)
    const lastOf = (a: string, b: string) => {
      const x = last(a);
      const y = last(b);
      return !x ? y : !y ? x : y.stmt.line > x.stmt.line ? y : x;
    };
    for (const k of LB_ALGO_KEYS) {
      const occs = m.get(k);
      if (!occs) continue;
      for (let i = 0; i < occs.length; i++) {
        const v = occs[i].value as string;
        if (!ALGOS.includes(v)) this.d(this.argPos(occs[i].stmt, 0), 'error', `Invalid lvs_scheduler '${v}' - ignoring${suggest(v, ALGOS) ? `; did you mean '${suggest(v, ALGOS)}'?` : ''}`, 'enum');
      }
    }
    const algo = lastOf('lb_algo', 'lvs_sched');
    if (algo && ALGOS.includes(algo.value as string)) vs.lb_algo = algo.value as string;
    // lb_kind and lvs_method in line order: a bad method keeps the one before, bad tunnel words keep the tunnel before
    const kinds = [...(m.get('lb_kind') ?? []), ...(m.get('lvs_method') ?? [])].sort((x, y) => x.stmt.line - y.stmt.line || x.stmt.pos.col - y.stmt.pos.col);
    for (let i = 0; i < kinds.length; i++) {
      const f = this.forwarding(kinds[i].stmt, 'virtual', vs.tunnel);
      if (f.method) vs.lb_kind = f.method;
      vs.tunnel = f.tunnel;
    }
    vs.persistence_timeout = last('persistence_timeout')?.value as number | undefined;
    const pg = last('persistence_granularity');
    if (pg) {
      const v = pg.value as string;
      const r = parseIp(v, NO_PREFIX);
      if (r.ok) vs.persistence_granularity = r.value;
      else if (/^\d+$/.test(v) && Number(v) <= 128) vs.persistence_granularity = Number(v);
      // keepalived reads an IPv4 mask with inet_aton: "1.5" is 1.0.0.5
      else if (ipBytes(v, 4, INET_ATON)) {
        const q = parseIp(formatIpv4(ipBytes(v, 4, INET_ATON)!), NO_PREFIX);
        if (q.ok) vs.persistence_granularity = q.value;
      }
      else this.d(this.argPos(pg.stmt, 0), 'error', `invalid persistence_granularity '${v}'`, 'address');
    }
    vs.persistence_engine = last('persistence_engine')?.value as string | undefined;
    const proto = last('protocol');
    if (proto) {
      const v = proto.value as string;
      // keepalived 2.2.7 proto_handler: strcasecmp ('protocol tcp' is TCP)
      const u = v.toUpperCase();
      if (u === 'TCP' || u === 'UDP' || u === 'SCTP') vs.protocol = u;
      else this.d(this.argPos(proto.stmt, 0), 'error', `unknown protocol '${v}' (TCP|UDP|SCTP)`, 'enum');
    }
    vs.quorum = last('quorum')?.value as number | undefined;
    vs.hysteresis = last('hysteresis')?.value as number | undefined;
    for (let i = 0; i < VS_SCRIPTS.length; i++) {
      const k = VS_SCRIPTS[i];
      const x = last(k);
      if (x) vs[k] = this.script(x.stmt, true);
    }
    vs.alpha = !!last('alpha');
    vs.omega = !!last('omega');
    vs.ha_suspend = !!last('ha_suspend');
    vs.ops = !!last('ops');
    const ss = last('sorry_server');
    if (ss) {
      const r = this.ip(ss.stmt, 0, NO_PREFIX);
      let port: number | undefined;
      if (ss.stmt.args[1]) {
        const p = parseInteger(ss.stmt.args[1].text, 0, 65535);
        if (p.ok) port = p.value;
        else this.d(this.argPos(ss.stmt, 1), 'error', `sorry_server port: ${p.message}`, 'range');
      }
      if (r) vs.sorry_server = { address: r, port, pos: ss.stmt.pos };
    }
    const ssi = last('sorry_server_inhibit');
    vs.sorry_server_inhibit = !!ssi && ssi.value !== false;
    // keepalived applies these to the sorry_server read before them
    if (ssi && (!ss || ssi.stmt.line < ss.stmt.line)) this.d(ssi.stmt.pos, 'warning', 'Ignoring sorry_server inhibit used before or without sorry_server', 'sorry-server');
    const sslm = last('sorry_server_lvs_method');
    if (sslm) {
      const f = this.forwarding(sslm.stmt, 'sorry', undefined);
      vs.sorry_server_lvs_method = f.method;
      vs.sorry_server_tunnel = f.tunnel;
    }
    if (sslm && (!ss || sslm.stmt.line < ss.stmt.line)) this.d(sslm.stmt.pos, 'warning', 'sorry_server forwarding used without sorry_server', 'sorry-server');
    vs.virtualhost = last('virtualhost')?.value as string | undefined;
    const iof = last('inhibit_on_failure');
    vs.inhibit_on_failure = !!iof && iof.value !== false;
    vs.retry = last('retry')?.value as number | undefined;
    vs.delay_before_retry = last('delay_before_retry')?.value as number | undefined;
    vs.warmup = last('warmup')?.value as number | undefined;
    vs.connect_timeout = last('connect_timeout')?.value as number | undefined;
    for (let i = 0; i < LB_FLAGS.length; i++) {
      const f = LB_FLAGS[i];
      const x = last(f);
      if (!x) continue;
      vs.lb_flags.push(f);
      if (f === 'hashed' && vs.lb_algo !== 'sh') this.d(x.stmt.pos, 'warning', 'hashed only applies to sh scheduler - ignoring', 'scheduler-flag');
      if (f.startsWith('sh-') && vs.lb_algo !== 'sh') this.d(x.stmt.pos, 'error', `${f} only applies to sh scheduler - ignoring`, 'scheduler-flag');
      if (f.startsWith('mh-') && vs.lb_algo !== 'mh') this.d(x.stmt.pos, 'error', `${f} only applies to mh scheduler - ignoring`, 'scheduler-flag');
    }
    const sa = last('smtp_alert');
    if (sa) vs.smtp_alert = sa.value !== false;
    for (const occ of m.get('real_server') ?? []) {
      const rs = this.realServer(occ.stmt, where);
      if (rs) vs.real_servers.push(rs);
    }
    return vs;
  }

  private realServer(s: Stmt, vsWhere: string): RealServer | undefined {
    const a = s.args;
    if (a.length === 0) {
      this.d(s.pos, 'error', `real_server needs an address${ABORT_NOTE}`, 'parser-abort');
      return undefined;
    }
    const r = parseIp(a[0].text, NO_PREFIX);
    if (!r.ok) {
      this.d(this.argPos(s, 0), 'error', `real_server: ${r.message}`, 'address');
      return undefined;
    }
    const rs: RealServer = { pos: s.pos, at: {}, extra: [], address: r.value, inhibit_on_failure: false, checkers: [], port: undefined, weight: undefined, virtualhost: undefined, end: s.close };
    if (a[1]) {
      const p = parseInteger(a[1].text, 0, 65535);
      if (p.ok) rs.port = p.value;
      else this.d(this.argPos(s, 1), 'error', `real_server port: ${p.message}`, 'range');
    }
    if (a.length > 2) this.d(this.argPos(s, 2), 'warning', `extra words after 'real_server ${a[0].text} ${a[1].text}'`, 'extra-args');
    if (!s.block) return undefined;
    const where = `real_server ${a[0].text}${a[1] ? ` ${a[1].text}` : ''} of ${vsWhere}`;
    // Lean: the real server is dropped once checked and no check reads its keyword positions.
    const m = this.walk(s.block, 'real_server', where, this.lean ? undefined : rs);
    const last = (k: string) => m.last(k);
    const lm = m.get('lvs_method');
    if (lm)
      for (let i = 0; i < lm.length; i++) {
        const f = this.forwarding(lm[i].stmt, 'real', rs.tunnel);
        if (f.method) rs.lvs_method = f.method;
        rs.tunnel = f.tunnel;
      }
    rs.weight = last('weight')?.value as number | undefined;
    const iof = last('inhibit_on_failure');
    rs.inhibit_on_failure = !!iof && iof.value !== false;
    for (let i = 0; i < RS_SCRIPTS.length; i++) {
      const k = RS_SCRIPTS[i];
      const x = last(k);
      if (x) rs[k] = this.script(x.stmt, true);
    }
    for (let i = 0; i < RS_NUMBERS.length; i++) {
      const k = RS_NUMBERS[i];
      const x = last(k);
      if (x && x.value !== undefined) rs[k] = x.value as number;
    }
    for (let i = 0; i < RS_BOOLS.length; i++) {
      const k = RS_BOOLS[i];
      const x = last(k);
      if (x && x.value !== undefined) rs[k] = x.value as boolean;
    }
    rs.virtualhost = last('virtualhost')?.value as string | undefined;
    // Exact-size list (a pushed-to empty array reserves room for 17).
    let n = 0;
    for (let i = 0; i < s.block.length; i++) if (s.block[i].block && CHECKER_KINDS.includes(s.block[i].keyword as CheckerKind)) n++;
    if (n > 0) {
      const checkers = new Array<Checker>(n);
      let k = 0;
      for (let i = 0; i < s.block.length; i++) {
        const s2 = s.block[i];
        if (!s2.block || !CHECKER_KINDS.includes(s2.keyword as CheckerKind)) continue;
        checkers[k++] = this.checker(s2, s2.keyword as CheckerKind, where);
      }
      rs.checkers = checkers;
    }
    return rs;
  }

  /** Diagnostics reported so far (kept or dropped by a capped list). */
  private diagCount(): number {
    const d = this.diags;
    return d.length + (d instanceof DiagnosticList ? d.dropped : 0);
  }

  /**
   * Lean builds only: checker blocks are often repeated word for word (the same
   * TCP_CHECK under every real server). A block of plain statements that built
   * without any finding, into a checker with no positioned parts (no script,
   * url or host), builds the same way wherever it is; later blocks with the
   * same words (keyword, arguments, quoting) take a copy of that checker with
   * their own positions. At most 8 remembered blocks per checker kind.
   */
  private readonly checkerMemo = new Map<CheckerKind, { block: Stmt[]; c: Checker }[]>();

  /** A block of at most 16 plain statements (no nested or stray braces). */
  private static plainBlock(b: Stmt[] | undefined): b is Stmt[] {
    if (!b || b.length > 16) return false;
    for (let i = 0; i < b.length; i++) if (b[i].block !== undefined || b[i].open !== undefined || b[i].keyword === '{') return false;
    return true;
  }

  private static sameWords(a: Stmt[], b: Stmt[]): boolean {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      const y = b[i];
      if (x.keyword !== y.keyword || x.args.length !== y.args.length) return false;
      for (let j = 0; j < x.args.length; j++) if (x.args[j].text !== y.args[j].text || x.args[j].quoted !== y.args[j].quoted) return false;
    }
    return true;
  }

  private checker(s: Stmt, kind: CheckerKind, rsWhere: string): Checker {
    const b = s.block;
    if (!this.lean || !Builder.plainBlock(b)) return this.buildChecker(s, kind, rsWhere);
    let list = this.checkerMemo.get(kind);
    if (list) {
      for (const e of list) if (Builder.sameWords(e.block, b)) return { ...e.c, pos: s.pos, at: {}, extra: [], url: [], host: [], end: s.close };
    }
    const before = this.diagCount();
    const c = this.buildChecker(s, kind, rsWhere);
    if (this.diagCount() === before && c.misc_path === undefined && c.url.length === 0 && c.host.length === 0) {
      if (!list) this.checkerMemo.set(kind, (list = []));
      if (list.length < 8) list.push({ block: b, c });
    }
    return c;
  }

  private buildChecker(s: Stmt, kind: CheckerKind, rsWhere: string): Checker {
    const c = emptyChecker(s.pos, kind);
    c.end = s.close;
    const table = kind === 'SSL_GET' ? 'HTTP_GET' : kind;
    const where = `${kind} of ${rsWhere}`;
    const m = this.walk(s.block ?? [], table, where, this.lean ? undefined : c);
    this.checkerFields(m, c);
    if (kind === 'HTTP_GET' || kind === 'SSL_GET') {
      for (const occ of m.get('url') ?? []) {
        const u: HttpUrl = { pos: occ.stmt.pos, at: {}, extra: [], status_code: [], regex_no_match: false, end: occ.stmt.close };
        const um = this.walk(occ.stmt.block ?? [], 'url', `url of ${where}`, this.lean ? undefined : u);
        const last = (k: string) => um.last(k);
        u.path = last('path')?.value as string | undefined;
        const dg = last('digest');
        if (dg) {
          const v = dg.value as string;
          if (!/^[0-9a-fA-F]{32}$/.test(v)) this.d(this.argPos(dg.stmt, 0), 'error', `digest '${v}' is not a 32-hex-digit MD5 value`, 'digest');
          u.digest = v.toLowerCase();
        }
        const scd = last('status_code');
        if (scd) {
          for (let i = 0; i < scd.stmt.args.length; i++) {
            const t = scd.stmt.args[i].text;
            const mm = /^(\d{3})(?:-(\d{3}))?$/.exec(t);
            if (!mm || Number(mm[1]) < 100 || Number(mm[2] ?? mm[1]) > 599 || Number(mm[2] ?? mm[1]) < Number(mm[1])) {
              this.d(this.argPos(scd.stmt, i), 'error', `invalid HTTP status code '${t}' (100-599 or a range like 200-299)`, 'range');
              continue;
            }
            u.status_code.push({ from: Number(mm[1]), to: Number(mm[2] ?? mm[1]) });
          }
        }
        u.virtualhost = last('virtualhost')?.value as string | undefined;
        u.regex = last('regex')?.value as string | undefined;
        u.regex_no_match = !!last('regex_no_match');
        this.urlRegex(u, last);
        c.url.push(u);
      }
      c.virtualhost = m.last('virtualhost')?.value as string | undefined;
      const hp = m.last('http_protocol');
      c.http_protocol = hp?.value as string | undefined;
      if (hp && !['1.0', '1.0C', '1.1'].includes(c.http_protocol ?? '')) this.d(this.argPos(hp.stmt, 0), 'error', `Invalid http_protocol version ${c.http_protocol} (1.0, 1.0C or 1.1)`, 'enum');
      const sni = m.last('enable_sni');
      if (sni) c.enable_sni = sni.value !== false;
    } else if (kind === 'SMTP_CHECK') {
      c.helo_name = m.last('helo_name')?.value as string | undefined;
      for (const occ of m.get('host') ?? []) {
        const h = emptyChecker(occ.stmt.pos, 'SMTP_CHECK');
        const hm = this.walk(occ.stmt.block ?? [], 'SMTP_HOST', `host of ${where}`, this.lean ? undefined : h);
        this.checkerFields(hm, h);
        c.host.push(h);
      }
    } else if (kind === 'MISC_CHECK') {
      const mp = (m.get('misc_path') ?? []).filter((o) => o.stmt.args.length > 0).pop();
      if (mp) c.misc_path = this.script(mp.stmt, false);
      c.misc_timeout = m.last('misc_timeout')?.value as number | undefined;
      c.misc_dynamic = !!m.get('misc_dynamic');
      const u = m.last('user');
      if (u) {
        c.user = u.stmt.args[0]?.text;
        c.group = u.stmt.args[1]?.text;
        c.at.user = u.stmt.pos; // also in a lean build (lint names the line)
      }
    } else if (kind === 'DNS_CHECK') {
      const t = m.last('type');
      if (t) {
        const TYPES = ['A', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'AAAA'];
        const v = (t.value as string).toUpperCase();
        if (!TYPES.includes(v)) this.d(this.argPos(t.stmt, 0), 'error', `DNS_CHECK: unknown type '${t.value}' (${TYPES.join('|')})`, 'enum');
        c.type = v;
      }
      c.name = m.last('name')?.value as string | undefined;
    } else if (kind === 'UDP_CHECK') {
      const pl = m.last('payload');
      // keepalived read_hex_str (checked against keepalived -t: "1", "123", "ab cd" are good, "0x12" is not
      // a payload; a reply may hold x/X nibbles, so "0x12" is one there)
      if (pl) {
        const w = pl.value as string[];
        c.payload = w.join(' ');
        if (!w.every((g) => /^[0-9a-fA-F]+$/.test(g))) this.d(this.argPos(pl.stmt, 0), 'error', `Invalid hex string for UDP_CHECK payload '${c.payload}'`, 'payload');
      }
      const rr = m.last('require_reply');
      if (rr) {
        const w = rr.value as string[];
        c.require_reply = w.length ? w.join(' ') : true;
        if (!w.every((g) => /^[0-9a-fA-FxX]+$/.test(g))) this.d(this.argPos(rr.stmt, 0), 'error', `Invalid hex string for UDP_CHECK reply '${w.join(' ')}'`, 'payload');
      }
    } else if (kind === 'FILE_CHECK') {
      c.track_file = m.last('track_file')?.value as string | undefined;
      // check_file.c track_file_weight_handler: a bad option word ignores the whole statement
      const wt = m.last('weight');
      const opt = wt?.stmt.args[1];
      if (wt && opt && opt.text !== 'reverse' && opt.text !== 'noreverse') {
        this.d(this.argPos(wt.stmt, 1), 'error', `unknown track file weight option ${opt.text} - ignoring`, 'unknown-option');
      } else if (wt) {
        c.weight = wt.value as number | undefined;
        c.weight_reverse = opt?.text === 'reverse';
      }
    } else if (kind === 'BFD_CHECK') {
      c.name_bfd = m.last('name')?.value as string | undefined;
      c.weight = m.last('weight')?.value as number | undefined;
    }
    return c;
  }

  /** url regex_options / regex_min_offset / regex_max_offset, and the pattern compiled as the checker will (keepalived check_http.c url_check). */
  private urlRegex(u: HttpUrl, last: (k: string) => { value: unknown; stmt: Stmt } | undefined): void {
    const opts = last('regex_options');
    if (opts) u.regex_options = (opts.value as string[]) ?? [];
    // keepalived reads the offsets with strtoul: no number (or none at all) is 0
    const ul = (v: unknown) => {
      const m = /^\s*(\d+)/.exec(((v as string[] | undefined) ?? [])[0] ?? '');
      return m ? Math.min(Number(m[1]), 4294967295) : 0;
    };
    const min = last('regex_min_offset');
    if (min) u.regex_min_offset = ul(min.value);
    const max = last('regex_max_offset');
    if (max) u.regex_max_offset = ul(max.value);
    const reStmt = last('regex');
    // a bare `regex` sets nothing in keepalived
    const re = reStmt && reStmt.value !== undefined ? reStmt : undefined;
    if (!re) {
      const stray = opts ?? min ?? max ?? last('regex_no_match');
      if (stray) this.d(stray.stmt.pos, 'note', 'regex parameters without a regex in this url block are ignored (as keepalived does, silently)', 'regex');
      return;
    }
    if (min && max && (u.regex_min_offset ?? 0) > (u.regex_max_offset ?? 0)) {
      this.d(min.stmt.pos, 'warning', `regex_min_offset ${u.regex_min_offset} is beyond regex_max_offset ${u.regex_max_offset}: keepalived ignores both`, 'regex');
      u.regex_min_offset = undefined;
      u.regex_max_offset = undefined;
    }
    try {
      compileRegex({ pattern: u.regex ?? '', options: u.regex_options });
    } catch (e) {
      this.d(this.argPos(re.stmt, 0), 'error', (e as Error).message, 'regex');
    }
  }

  private checkerFields(m: SeenTable, c: Checker): void {
    const last = (k: string) => m.last(k);
    for (let i = 0; i < CHECKER_IPS.length; i++) {
      const k = CHECKER_IPS[i];
      const x = last(k);
      if (x) c[k] = this.ip(x.stmt, 0, NO_PREFIX);
    }
    for (let i = 0; i < CHECKER_NUMBERS.length; i++) {
      const k = CHECKER_NUMBERS[i];
      const x = last(k);
      if (x && x.value !== undefined) c[k] = x.value as number;
    }
    const rt = last('retry') ?? last('nb_get_retry');
    if (rt && rt.value !== undefined) c.retry = rt.value as number;
    c.bind_if = last('bind_if')?.value as string | undefined;
    const al = last('alpha');
    if (al) c.alpha = al.value !== false;
  }

  private ssl(s: Stmt): SslDefs {
    const n: SslDefs = { pos: s.pos, at: {}, extra: [] };
    const m = this.walk(s.block ?? [], 'SSL', 'SSL', n);
    for (const k of ['password', 'ca', 'certificate', 'key'] as const) n[k] = m.last(k)?.value as string | undefined;
    return n;
  }
}

const TYPED_VRRP: Record<string, true> = Object.fromEntries(
  [
    'state',
    'interface',
    'virtual_router_id',
    'priority',
    'advert_int',
    'version',
    'authentication',
    'virtual_ipaddress',
    'virtual_ipaddress_excluded',
    'virtual_routes',
    'virtual_rules',
    'unicast_src_ip',
    'mcast_src_ip',
    'unicast_peer',
    'track_interface',
    'track_script',
    'track_file',
    'track_process',
    'track_bfd',
    'nopreempt',
    'preempt',
    'preempt_delay',
    'accept',
    'no_accept',
    'use_vmac',
    'vmac_xmit_base',
    'dont_track_primary',
    'garp_master_delay',
    'garp_master_repeat',
    'garp_master_refresh',
    'garp_master_refresh_repeat',
    'garp_lower_prio_delay',
    'garp_lower_prio_repeat',
    'debug',
    'lower_prio_no_advert',
    'higher_prio_send_advert',
    'smtp_alert',
    'strict_mode',
    'notify_master',
    'notify_backup',
    'notify_fault',
    'notify_stop',
    'notify_deleted',
    'notify_master_rx_lower_pri',
    'notify',
    'native_ipv6',
    'skip_check_adv_addr',
    'promote_secondaries',
    'unicast_ttl',
    'check_unicast_src',
    'lvs_sync_daemon_interface',
  ].map((k) => [k, true]),
);

/**
 * keepalived 2.2.7 reads a missing word through strvec_slot(), whose null_strvec handler reports
 * "*** Configuration line starting `KW` is missing a parameter ..." and exits at once with
 * KEEPALIVED_EXIT_CONFIG (2): nothing after that line is checked. That is what a bare keyword does,
 * except for the keywords below, whose handlers count the words first and report (or ignore) the
 * missing value themselves (exit 5 or 0). Found by running `keepalived -t` on every keyword of every
 * table bare (conf-keyword-sweep's bare configs, 2026-12-07): 204 aborted, these did not.
 */
const NO_PARSER_ABORT = new Set([
  'BFD_CHECK:name', 'FILE_CHECK:weight', 'HTTP_GET:http_protocol', 'HTTP_GET:virtualhost', 'MISC_CHECK:user', 'SMTP_CHECK:helo_name',
  'SSL:ca', 'SSL:certificate', 'SSL:key', 'SSL:password', 'UDP_CHECK:payload',
  'global_defs:bfd_cpu_affinity', 'global_defs:bfd_priority', 'global_defs:bfd_rt_priority', 'global_defs:checker_cpu_affinity',
  'global_defs:checker_priority', 'global_defs:checker_rt_priority', 'global_defs:dbus_service_name', 'global_defs:default_interface',
  'global_defs:lvs_netlink_cmd_rcv_bufs', 'global_defs:lvs_netlink_monitor_rcv_bufs', 'global_defs:lvs_notify_fifo',
  'global_defs:lvs_notify_fifo_script', 'global_defs:lvs_sync_daemon', 'global_defs:lvs_timeouts', 'global_defs:min_auto_priority_delay',
  'global_defs:notification_email_from', 'global_defs:notify_fifo', 'global_defs:notify_fifo_script', 'global_defs:process_monitor_rcv_bufs',
  'global_defs:reload_time_file', 'global_defs:router_id', 'global_defs:script_user', 'global_defs:shutdown_script',
  'global_defs:shutdown_script_timeout', 'global_defs:snmp_socket', 'global_defs:startup_script', 'global_defs:startup_script_timeout',
  'global_defs:tmp_config_directory', 'global_defs:vrrp_cpu_affinity', 'global_defs:vrrp_garp_extra_if', 'global_defs:vrrp_netlink_cmd_rcv_bufs',
  'global_defs:vrrp_netlink_monitor_rcv_bufs', 'global_defs:vrrp_notify_fifo', 'global_defs:vrrp_notify_fifo_script', 'global_defs:vrrp_priority',
  'global_defs:vrrp_rt_priority', 'global_defs:vrrp_rx_bufs_multiplier', 'global_defs:vrrp_rx_bufs_policy', 'global_defs:vrrp_vmac_garp_intvl',
  'real_server:snmp_name', 'real_server:virtualhost', 'top:instance', 'top:net_namespace', 'track_file:file', 'track_file:weight',
  'url:virtualhost', 'virtual_server:snmp_name', 'virtual_server:sorry_server_lvs_method', 'virtual_server:virtualhost',
  'vrrp_instance:garp_extra_if', 'vrrp_instance:kernel_rx_buf_size', 'vrrp_instance:vmac_garp_intvl', 'vrrp_track_process:weight',
]);
const ABORT_NOTE = ': keepalived -t stops reading the configuration here (exit 2) and checks nothing after this line';
let tableNames: Map<Record<string, Spec>, string> | undefined;

function parserAborts(table: Record<string, Spec>, keyword: string): boolean {
  if (!tableNames) tableNames = new Map(Object.entries(TABLES).map(([n, t]) => [t, n]));
  const name = tableNames.get(table);
  return name !== undefined && !NO_PARSER_ABORT.has(`${name}:${keyword}`);
}

const VS_SCRIPTS = ['quorum_up', 'quorum_down'] as const;
const ALGOS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh', 'twos'];
const LB_ALGO_KEYS = ['lb_algo', 'lvs_sched'];
const LB_FLAGS = ['hashed', 'flag-1', 'flag-2', 'flag-3', 'sh-port', 'sh-fallback', 'mh-port', 'mh-fallback'];
const RS_SCRIPTS = ['notify_up', 'notify_down'] as const;
const RS_NUMBERS = ['uthreshold', 'lthreshold', 'delay_loop', 'retry', 'delay_before_retry', 'warmup'] as const;
const RS_BOOLS = ['alpha', 'smtp_alert'] as const;
const CHECKER_IPS = ['connect_ip', 'bindto'] as const;
const CHECKER_NUMBERS = ['connect_port', 'bind_port', 'connect_timeout', 'delay_before_retry', 'warmup', 'delay_loop', 'fwmark'] as const;

export const CHECKER_KINDS: CheckerKind[] = ['HTTP_GET', 'SSL_GET', 'TCP_CHECK', 'SMTP_CHECK', 'MISC_CHECK', 'DNS_CHECK', 'UDP_CHECK', 'PING_CHECK', 'FILE_CHECK', 'BFD_CHECK'];

function emptyChecker(pos: Pos, kind: CheckerKind): Checker {
  return { pos, at: {}, extra: [], kind, url: [], host: [], misc_dynamic: false, end: undefined, bind_if: undefined };
}

export function emptyGlobal(pos: Pos): GlobalDefs {
  return {
    pos,
    at: {},
    extra: [],
    notification_email: [],
    enable_script_security: false,
    vrrp: { strict: false, skip_check_adv_addr: false, check_unicast_src: false, no_swap: false, min_garp: false },
    checker: { no_swap: false, log_all_failures: false },
    lvs_flush: false,
    dynamic_interfaces: false,
    enable_traps: false,
    enable_snmp_vrrp: false,
    enable_snmp_checker: false,
    enable_snmp_rfc: false,
    enable_dbus: false,
  };
}

export function raw(s: Stmt): RawEntry {
  const r: RawEntry = { keyword: s.keyword, args: s.args.map((t) => t.text), pos: s.pos };
  if (s.block) {
    // Iterative copy (blocks are depth-bounded, but avoid recursion anyway).
    r.block = [];
    const stack: [Stmt[], RawEntry[]][] = [[s.block, r.block]];
    while (stack.length) {
      const [src, dst] = stack.pop()!;
      for (const c of src) {
        const e: RawEntry = { keyword: c.keyword, args: c.args.map((t) => t.text), pos: c.pos };
        if (c.block) {
          e.block = [];
          stack.push([c.block, e.block]);
        }
        dst.push(e);
      }
    }
  }
  return r;
}

/** The objects a track_script / track_file / track_process reference names. */
function trackTargets(cfg: KeepalivedConfig, what: 'script' | 'file' | 'process'): readonly { name: string; pos: Pos }[] {
  return what === 'script' ? cfg.vrrp_scripts : what === 'file' ? cfg.track_files : cfg.vrrp_track_processes;
}
