/**
 * Statement tree -> typed KeepalivedConfig. Checks every keyword against the
 * tables in schema.ts (unknown keyword with "did you mean", missing values,
 * extra words, duplicates, ranges, types, deprecations) and fills the model.
 * Keyword-level problems only; cross-object validation lives in validate.ts.
 * Pure; iterative over blocks of bounded depth.
 *
 * Split along keepalived's own parsers: this file only composes (the top level, begin, finish);
 * build-common.ts is the shared context (the Builder: keyword walk, values, diagnostics, scripts,
 * references); build-global.ts (global_defs), build-static.ts (addresses, routes, rules),
 * build-vrrp.ts (vrrp_*), build-lvs.ts (virtual_server, real_server), build-check.ts (checkers,
 * SSL). The section functions take the Builder as their first argument and import only
 * build-common.ts, never this file.
 */
import type { KeepalivedConfig, Pos } from './model';
import type { Stmt } from './parser';
import { TABLES } from './schema';
import { Builder, raw, type Seen, type SeenSink } from './build-common';

import { globalDefs, emptyGlobal } from './build-global';
import { vip, route, rule } from './build-static';
import { bfdInstance, vrrpScript, trackProcess, trackFile, syncGroup, garpGroup, vrrpInstance } from './build-vrrp';
import { leanCheck, vsGroup, virtualServer } from './build-lvs';
import { ssl } from './build-check';

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

/** The whole builder: the shared context (./build-common) plus the top level that hands each block to its section. */
export class ConfigBuilder extends Builder {

  /** Top-level keywords seen so far; only the last occurrence is kept (duplicate check). */
  readonly topSeen = new LastSeen();

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

  config(): KeepalivedConfig {
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
        globalDefs(this, body, cfg.global_defs, s);
        break;
      case 'static_ipaddress':
        for (const e of body) {
          const v = vip(this, e, 'static_ipaddress');
          if (v) cfg.static_ipaddress.push(v);
        }
        break;
      case 'static_routes':
        for (const e of body) cfg.static_routes.push(route(this, e));
        break;
      case 'static_rules':
        for (const e of body) cfg.static_rules.push(rule(this, e));
        break;
      case 'vrrp_script':
        if (this.named(s, kw)) cfg.vrrp_scripts.push(vrrpScript(this, s, name!));
        break;
      case 'vrrp_track_process':
        if (this.named(s, kw)) cfg.vrrp_track_processes.push(trackProcess(this, s, name!));
        break;
      case 'track_file':
      case 'vrrp_track_file':
        if (this.named(s, kw)) cfg.track_files.push(trackFile(this, s, name!));
        break;
      case 'vrrp_sync_group':
        if (this.named(s, kw)) cfg.vrrp_sync_groups.push(syncGroup(this, s, name!));
        break;
      case 'garp_group':
        cfg.garp_groups.push(garpGroup(this, s));
        break;
      case 'vrrp_instance':
        if (this.named(s, kw)) cfg.vrrp_instances.push(vrrpInstance(this, s, name!));
        break;
      case 'virtual_server_group':
        if (this.named(s, kw)) cfg.virtual_server_groups.push(vsGroup(this, s, name!));
        break;
      case 'virtual_server': {
        const vs = virtualServer(this, s);
        if (vs) {
          cfg.virtual_servers.push(vs);
          if (this.lean) leanCheck(this, vs, this.lean, cfg);
        }
        break;
      }
      case 'SSL':
        cfg.ssl = ssl(this, s);
        break;
      case 'bfd_instance':
        if (this.named(s, kw)) bfdInstance(this, s, name!);
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
}
