/**
 * The only door to the file system for the config engine. The engine is pure
 * and receives a FileReader; the CLI passes the Node implementation
 * (node-reader.ts), tests pass `memoryReader`.
 */

export type ReadResult =
  | { ok: true; data: Uint8Array }
  /** ENOTREG: a FIFO, socket, device or executable file, which keepalived 2.2.7 skips without reading */
  | { ok: false; code: 'ENOENT' | 'EISDIR' | 'EACCES' | 'ETOOBIG' | 'ENOTREG' | 'EOTHER'; message: string };

export interface FileReader {
  /** Read a whole file. Never throws. `maxBytes` caps what is read. */
  read(path: string, maxBytes: number): ReadResult;
  /**
   * Expand a glob (absolute pattern): matching paths, sorted. No match: []. `missed`, when given,
   * counts what glob(3) with keepalived's gl_opendir / gl_lstat hooks counts (lib/parser.c): each
   * directory the pattern needed that could not be opened, and each literal name that is not there.
   */
  glob(pattern: string, missed?: { count: number }): string[];
  /** Current directory (relative main files resolve against it). */
  cwd(): string;
}

/** Minimal POSIX path helpers (no node:path, so the engine stays portable). */
export function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  if (i < 0) return '.';
  if (i === 0) return '/';
  return p.slice(0, i);
}

export function normalize(p: string): string {
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
      continue;
    }
    out.push(part);
  }
  const s = out.join('/');
  return abs ? `/${s}` : s || '.';
}

export function resolvePath(base: string, p: string): string {
  if (p.startsWith('/')) return normalize(p);
  return normalize(`${base}/${p}`);
}

/** Glob pattern (`*`, `?`, `[...]`, `{a,b}`) to a RegExp for one path. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const j = pattern.indexOf(']', i + 1);
      if (j < 0) re += '\\[';
      else {
        let cls = pattern.slice(i + 1, j);
        if (cls.startsWith('!')) cls = `^${cls.slice(1)}`;
        re += `[${cls.replace(/\\/g, '\\\\')}]`;
        i = j;
      }
    } else if (c === '{') {
      depth++;
      re += '(?:';
    } else if (c === '}' && depth > 0) {
      depth--;
      re += ')';
    } else if (c === ',' && depth > 0) re += '|';
    else re += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  while (depth-- > 0) re += ')';
  return new RegExp(`^${re}$`);
}

/**
 * Brace expansion as glob(3) with GLOB_BRACE does it, before any wildcard: `a{b,c{d,e}}f` ->
 * [abf, acdf, acef], in the order written (each alternative is then globbed on its own, so
 * `{b,a}.conf` reads b.conf before a.conf). No braces, or an unmatched one: [pattern].
 */
export function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  let depth = 0;
  const commas: number[] = [];
  let close = -1;
  for (let i = open; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) {
        close = i;
        break;
      }
    } else if (c === ',' && depth === 1) commas.push(i);
  }
  if (close < 0) return [pattern];
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  const bounds = [open, ...commas, close];
  const out: string[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const alt = pattern.slice(bounds[k] + 1, bounds[k + 1]);
    for (const rest of expandBraces(`${alt}${tail}`)) out.push(...expandBraces(`${head}${rest}`));
  }
  return out;
}

export function hasGlob(p: string): boolean {
  return /[*?[{]/.test(p);
}

/** In-memory reader for tests: a map of absolute path to content. */
export function memoryReader(files: Record<string, string | Uint8Array>, cwd = '/'): FileReader {
  const enc = new TextEncoder();
  const dirs = new Set<string>();
  for (const f of Object.keys(files)) {
    let d = dirname(f);
    while (d !== '/' && d !== '.') {
      dirs.add(d);
      d = dirname(d);
    }
    dirs.add('/');
  }
  return {
    read(path, maxBytes) {
      const v = files[path];
      if (v === undefined) {
        if (dirs.has(path)) return { ok: false, code: 'EISDIR', message: 'is a directory' };
        return { ok: false, code: 'ENOENT', message: 'no such file or directory' };
      }
      const data = typeof v === 'string' ? enc.encode(v) : v;
      if (data.length > maxBytes) return { ok: false, code: 'ETOOBIG', message: `larger than ${maxBytes} bytes` };
      return { ok: true, data };
    },
    glob(pattern, missed) {
      const re = globToRegExp(pattern);
      const out = Object.keys(files)
        .filter((f) => re.test(f))
        .sort();
      if (missed && out.length === 0) {
        // the directory before the first wildcard, or the literal name itself
        const wild = pattern.search(/[*?[]/);
        const need = wild < 0 ? pattern : dirname(pattern.slice(0, wild + 1));
        if (wild < 0 ? files[need] === undefined && !dirs.has(need) : !dirs.has(need)) missed.count++;
      }
      return out;
    },
    cwd: () => cwd,
  };
}
