/**
 * The shared context of the keepalived.conf builder (see ./build: the top level that composes the
 * sections): the keyword walk against schema.ts, value parsing and diagnostics, script lines, the
 * model being filled, track references resolved at the end, lean lint state, and the helpers the
 * section builders (build-global, build-static, build-vrrp, build-lvs, build-check) share. Every
 * section imports this, never ./build, so the conf/ modules form no cycle. Pure.
 */
import type { Checker, CheckerKind, Diagnostic, IpAddress, KeepalivedConfig, NodeBase, Pos, RawEntry, ScriptRef, ScriptUse, TrackRef } from './model';
import { DiagnosticList } from './diagnostics';
import type { Stmt } from './parser';
import { readCommand, splitCommand } from '../proc/argv';
import { type Spec, TABLES } from './schema';
import type { VsCheckState } from './validate';
import { parseBool, parseDecimal, parseInteger, parseIp, suggest } from './values';

type Value = number | boolean | string | string[] | undefined;

/** Marker for a keyword written without its required value. */
const MISSING = Symbol('missing');

/** An accepted statement and its parsed value: the statement itself (Stmt.stmt is the statement, Stmt.value the value). */
export type Seen = Stmt;

/** Where walkOne records the statements it accepted. */
export interface SeenSink {
  /** The last accepted statement with this keyword. */
  last(k: string): Seen | undefined;
  add(x: Seen): void;
}

/**
 * The accepted statements of one block, in order. Blocks are small, so
 * lookups scan the list (no Map, no per-keyword lists); a block with many
 * statements gets an index of the last one per keyword.
 */
export class SeenTable implements SeenSink {
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

/** Thrown by a lean build that meets a config it cannot check one virtual server at a time. */
export const LEAN_ABORT = new Error('lean lint does not apply to this config');

export const NO_NAMES: ReadonlySet<string> = new Set();
/** parseIp options for single addresses (shared, never mutated). */
export const NO_PREFIX = { allowPrefix: false } as const;

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

/**
 * The shared context every section builder takes as its first argument: the keyword walk, values,
 * diagnostics, scripts and addresses, the model being filled, references resolved at the end.
 */
export abstract class Builder {
  /** Set for a lean build (lint only). */
  lean: LeanState | undefined;

  constructor(readonly diags: Diagnostic[]) {}

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
  walkOne(s: Stmt, table: Record<string, Spec>, where: string, seen: SeenSink, node?: NodeBase): boolean {
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
  extraWords(s: Stmt, spec: Spec, n: number): void {
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

  value(s: Stmt, spec: Spec, where: string, table?: Record<string, Spec>): Value | typeof MISSING {
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

  cfg: KeepalivedConfig | undefined;
  files: string[] = [];

  /** The model being filled (created on first use by ./build's ConfigBuilder, with global_defs' defaults). */
  abstract config(): KeepalivedConfig;

  /**
   * Track references to objects not defined yet when the instance or sync group was read.
   * keepalived 2.2.7 looks them up while it parses the track_* block (alloc_track_script,
   * vrrp_alloc_track_file, alloc_track_process), so an object defined further down is "not found"
   * and the reference is dropped: the model drops it too, so the daemon tracks what keepalived tracks.
   * References to objects defined nowhere stay for validate's "not found" (and are ignored at run time).
   */
  readonly pendingRefs: { owner: string; what: 'script' | 'file' | 'process'; list: TrackRef[]; ref: TrackRef }[] = [];

  deferUndefined(owner: string, what: 'script' | 'file' | 'process', list: TrackRef[]): void {
    const known = trackTargets(this.config(), what);
    for (const ref of list) if (!known.some((k) => k.name === ref.name)) this.pendingRefs.push({ owner, what, list, ref });
  }

  resolveLaterDefinitions(cfg: KeepalivedConfig): void {
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

  named(s: Stmt, kw: string): boolean {
    if (s.args.length === 0) {
      this.d(s.pos, 'error', `${kw} must have a name`, 'missing-name');
      return false;
    }
    if (s.args.length > 1) this.d(this.argPos(s, 1), 'warning', `extra words after '${kw} ${s.args[0].text}': '${s.args.slice(1).map((t) => t.text).join(' ')}'`, 'extra-args');
    return !!s.block;
  }

  /**
   * A script line as keepalived 2.2.7 reads it (notify_script_init / set_script_params_array):
   * the first word, quoted or not, is the whole command line and is split again into argv;
   * where a user may follow (`withUser`: notify scripts) the next words are
   * `username [groupname]`. keepalived ignores further words without a message, so they get a
   * note: `notify_master /usr/bin/logger vrrp-master` runs logger as user vrrp-master, and
   * `script /bin/check arg` (vrrp_script, misc_path) runs /bin/check without `arg`.
   */
  script(s: Stmt, withUser: boolean): ScriptRef {
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

  ip(s: Stmt, i: number, opts: { allowPrefix?: boolean } = {}): IpAddress | undefined {
    const t = s.args[i];
    if (!t) return undefined;
    const r = parseIp(t.text, opts);
    if (!r.ok) {
      this.d(this.argPos(s, i), 'error', `${s.keyword}: ${r.message}`, 'address');
      return undefined;
    }
    return r.value;
  }

  /** Keep keywords without a typed field in `extra` (nothing is lost). */
  keepExtras(m: SeenTable, node: NodeBase, typed: string[] | Record<string, true>): void {
    for (const [k, list] of m.groups()) {
      if (Array.isArray(typed) ? typed.includes(k) : Object.hasOwn(typed, k)) continue;
      for (const { stmt } of list) node.extra.push(raw(stmt));
    }
  }

  /** Diagnostics reported so far (kept or dropped by a capped list). */
  diagCount(): number {
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
  readonly checkerMemo = new Map<CheckerKind, { block: Stmt[]; c: Checker }[]>();

}

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

export const ABORT_NOTE = ': keepalived -t stops reading the configuration here (exit 2) and checks nothing after this line';

let tableNames: Map<Record<string, Spec>, string> | undefined;

function parserAborts(table: Record<string, Spec>, keyword: string): boolean {
  if (!tableNames) tableNames = new Map(Object.entries(TABLES).map(([n, t]) => [t, n]));
  const name = tableNames.get(table);
  return name !== undefined && !NO_PARSER_ABORT.has(`${name}:${keyword}`);
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
