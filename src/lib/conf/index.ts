/**
 * Public entry of the keepalived.conf engine: `loadConfig(path)` reads a
 * config (and its includes) through a FileReader and returns the typed model
 * plus every diagnostic. It never throws for config problems. Other areas
 * (vrrp daemon, checkers, dump) consume the model from here.
 */
import { ConfigBuilder } from './build';
import { LEAN_ABORT, LeanState } from './build-common';
import { DiagnosticList } from './diagnostics';
import type { Diagnostic, KeepalivedConfig, ScriptUse } from './model';
import { TreeBuilder } from './parser';
import { Preprocessor } from './preprocess';
import type { FileReader } from './reader';
import { validate } from './validate';

export type { Diagnostic, KeepalivedConfig } from './model';
export type { FileReader } from './reader';
export { memoryReader } from './reader';

export interface LoadOptions {
  /** `@id` conditional lines and ${_INSTANCE}; default: the hostname's first label (the caller passes it). */
  configId?: string;
  env?: Record<string, string | undefined>;
  reader?: FileReader;
  random?: () => number;
  /** Lint only: check virtual servers while reading and drop their real servers (see LeanState). */
  lean?: boolean;
}

export interface LoadResult {
  model: KeepalivedConfig;
  diagnostics: Diagnostic[];
  /** A main file could not be read (keepalived's "fatal", exit 4). */
  fatal: boolean;
  /** Loaded lean (LoadOptions.lean): the virtual servers have no real servers in `model`. */
  lean?: boolean;
  /** Lean only: the virtual servers' scripts (for the script-security rule). */
  vsScripts?: ScriptUse[];
}

function defaultReader(): FileReader {
  // Loaded lazily so that the pure engine does not pull node:fs for in-memory use.
  return (require('./node-reader') as typeof import('./node-reader')).nodeReader;
}

function defaultConfigId(): string {
  try {
    const os = require('node:os') as typeof import('node:os');
    return os.hostname().split('.')[0];
  } catch {
    return '';
  }
}

/** Parse one main config file (with its includes) into the typed model. */
export function loadConfig(path: string, opts: LoadOptions = {}): LoadResult {
  if (opts.lean) {
    try {
      return load(path, opts, new LeanState());
    } catch (e) {
      if (e !== LEAN_ABORT) throw e;
    }
  }
  return load(path, opts, undefined);
}

function load(path: string, opts: LoadOptions, lean: LeanState | undefined): LoadResult {
  const diagnostics = new DiagnosticList();
  const reader = opts.reader ?? defaultReader();
  // The model builder runs while the files are still being read; its findings
  // are kept apart and appended after the reader's and the block structure's,
  // so the capped list keeps the same ones as a build after parsing would.
  const buildDiags = new DiagnosticList();
  const builder = new ConfigBuilder(buildDiags);
  builder.lean = lean;
  // Top-level blocks go to the model builder as soon as they are complete (no whole-file statement tree).
  const tree = new TreeBuilder(diagnostics, (s) => builder.top(s));
  let lastFile = path;
  let lastLine = 0;
  const pre = new Preprocessor(
    reader,
    { configId: opts.configId ?? defaultConfigId, env: opts.env ?? (typeof process !== 'undefined' ? process.env : {}), random: opts.random },
    diagnostics,
    (l) => {
      lastFile = l.file;
      lastLine = l.line;
      tree.line(l);
    },
  );
  builder.begin(pre.files);
  pre.runMain(path);
  tree.end(lastFile, lastLine);
  const model = builder.finish();
  diagnostics.absorb(buildDiags);
  if (pre.fatal.length === 0) validate(model, tree.topCount, diagnostics, lean?.diags);
  const r: LoadResult = { model, diagnostics: diagnostics.finish(), fatal: pre.fatal.length > 0 };
  if (lean) {
    r.lean = true;
    r.vsScripts = lean.scripts;
  }
  return r;
}
