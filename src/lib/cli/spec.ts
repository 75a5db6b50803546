/**
 * The command line's one description: every command, flag and argument as
 * oclif.manifest.json records them (scripts/manifest.js writes it from the
 * command classes in src/commands), plus the topics of package.json. Help,
 * parsing (./parse), completion and the man page all read this, so they
 * cannot disagree. Loading it is one JSON.parse: no oclif at run time.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface FlagSpec {
  name: string;
  char?: string;
  type: 'boolean' | 'option';
  multiple?: boolean;
  options?: string[];
  required?: boolean;
  default?: unknown;
  summary?: string;
  description?: string;
  helpValue?: string;
  helpGroup?: string;
  hidden?: boolean;
  allowNo?: boolean;
}

export interface ArgSpec {
  name: string;
  required?: boolean;
  description?: string;
  options?: string[];
}

export interface CommandSpec {
  /** oclif id: words joined by ':' (`vs:sync:start`); use `words()` for what users type */
  id: string;
  summary?: string;
  description?: string;
  examples?: string[];
  flags: Record<string, FlagSpec>;
  args: Record<string, ArgSpec>;
  /** false: extra positional arguments are allowed */
  strict?: boolean;
  hidden?: boolean;
}

export interface CliSpec {
  bin: string;
  version: string;
  /** package.json's description */
  description: string;
  topics: Record<string, { description: string }>;
  commands: Record<string, CommandSpec>;
}

/** What users type for an oclif id. */
export function words(id: string): string {
  return id.replace(/:/g, ' ');
}

/** The spec from a repository/package root (oclif.manifest.json and package.json). */
export function loadSpec(root: string): CliSpec {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    version: string;
    description?: string;
    oclif?: { bin?: string; topics?: Record<string, { description: string }> };
  };
  let manifest: { commands: Record<string, CommandSpec> };
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(root, 'oclif.manifest.json'), 'utf8'));
  } catch (e) {
    const { HactlError } = require('./errors') as typeof import('./errors');
    throw new HactlError(`cannot read ${path.join(root, 'oclif.manifest.json')}: ${(e as Error).message}`, { hint: `run \`npm run build\` in ${root}` });
  }
  return { bin: pkg.oclif?.bin ?? 'hactl', version: pkg.version, description: pkg.description ?? '', topics: pkg.oclif?.topics ?? {}, commands: manifest.commands };
}

/** The first line of a command's summary (or description). */
export function summaryOf(c: { summary?: string; description?: string }): string {
  return (c.summary ?? c.description ?? '').split('\n')[0].trim();
}

/** Visible flags, in declaration order. */
export function visibleFlags(c: CommandSpec): FlagSpec[] {
  return Object.values(c.flags).filter((f) => !f.hidden);
}

/** Every topic path (`vs`, `vs sync`, ...) implied by the command ids, with its description when package.json has one. */
export function topicsOf(spec: CliSpec): Map<string, string> {
  const out = new Map<string, string>();
  for (const id of Object.keys(spec.commands)) {
    const parts = id.split(':');
    for (let n = 1; n < parts.length; n++) {
      const t = parts.slice(0, n).join(' ');
      if (!out.has(t)) out.set(t, spec.topics[parts.slice(0, n).join(':')]?.description ?? '');
    }
  }
  return out;
}

const WORD_CHARS = /^[- |0-9A-Za-z]*$/;
/** Primary weights of ICU's root collation (what `localeCompare` uses for en, de, ...) for WORD_CHARS, case folded. */
const PRIMARY = ' -|0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * The order of command words, topics and completion keys in help, completion and
 * the man page: `a.localeCompare(b)`'s, computed here for the characters of the
 * spec's words and flags (ICU root collation: space, dash, bar, digits, letters
 * case-insensitively, then lower case first), falling back to localeCompare for
 * anything else. Initialising ICU's collator alone cost ~7 ms of each
 * `hactl --help` (issue 11, start-up); a unit test checks the two agree.
 */
export function compareWords(a: string, b: string): number {
  if (!WORD_CHARS.test(a) || !WORD_CHARS.test(b)) return a.localeCompare(b);
  let tertiary = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a[i];
    const cb = b[i];
    if (ca === cb) continue;
    const la = ca.toLowerCase();
    const lb = cb.toLowerCase();
    if (la !== lb) return PRIMARY.indexOf(la) - PRIMARY.indexOf(lb);
    if (tertiary === 0) tertiary = ca === la ? -1 : 1;
  }
  return a.length !== b.length ? a.length - b.length : tertiary;
}

/** Commands visible to users, sorted by their words. */
export function commandList(spec: CliSpec): CommandSpec[] {
  return Object.values(spec.commands)
    .filter((c) => !c.hidden)
    .sort((a, b) => compareWords(words(a.id), words(b.id)));
}
