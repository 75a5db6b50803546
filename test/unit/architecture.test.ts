/**
 * ARCHITECTURE.md's dependency rule, checked on the TypeScript sources
 * (read with the TypeScript compiler's parser, no other dependency):
 * - the folders of src/lib form a DAG (a cycle is printed with the imports
 *   that make it);
 * - src/lib never imports oclif (@oclif/*) except cli/base.ts;
 * - src/lib never writes to stdout except the command handlers that render
 *   (`*-cli.ts`);
 * - the pure modules import no I/O module (node:fs, node:net, node:dgram,
 *   node:child_process, the native addon), directly or through src/lib.
 * Type-only imports count for the folder order (they are a dependency of
 * the code's design) and not for I/O (they run nothing); nor does a lazy
 * require() inside a function (conf/index.ts's default node reader: the engine
 * loads node:fs only when no reader is injected).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as ts from 'typescript';

function repoRoot(): string {
  let d = __dirname;
  while (!fs.existsSync(path.join(d, 'package.json')) || !fs.existsSync(path.join(d, 'src', 'lib'))) {
    const up = path.dirname(d);
    if (up === d) throw new Error(`no repository root above ${__dirname}`);
    d = up;
  }
  return d;
}

const ROOT = repoRoot();
const LIB = path.join(ROOT, 'src', 'lib');

interface Dep {
  /** as written */
  spec: string;
  /** the src/lib file it resolves to (relative to src/lib), for relative imports */
  target?: string;
  typeOnly: boolean;
  /** a require()/import() inside a function: loaded when called, not when imported */
  lazy?: boolean;
  line: number;
}

interface SourceInfo {
  /** relative to src/lib, e.g. conf/build.ts */
  file: string;
  deps: Dep[];
  /** lines that write to stdout */
  stdoutWrites: number[];
}

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listTs(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function resolveLocal(fromAbs: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(fromAbs), spec);
  for (const c of [`${base}.ts`, path.join(base, 'index.ts'), base]) {
    if (c.endsWith('.ts') && fs.existsSync(c) && c.startsWith(LIB + path.sep)) return path.relative(LIB, c).split(path.sep).join('/');
  }
  return undefined;
}

/** Does this node write to stdout? process.stdout.write, console.log & co, .pipe(process.stdout), writeSync(1, ...), '/dev/stdout'. */
function writesStdout(n: ts.Node, sf: ts.SourceFile): boolean {
  if (ts.isPropertyAccessExpression(n)) return n.getText(sf).replace(/\s+/g, '') === 'process.stdout.write';
  if (ts.isCallExpression(n)) {
    const callee = n.expression.getText(sf).replace(/\s+/g, '');
    if (/^console\.(?:log|info|dir|table|debug)$/.test(callee)) return true;
    if (/(?:^|\.)pipe$/.test(callee) && n.arguments.some((a) => a.getText(sf) === 'process.stdout')) return true;
    if (/(?:^|\.)writeSync$/.test(callee) && n.arguments[0]?.getText(sf) === '1') return true;
    return false;
  }
  return ts.isStringLiteralLike(n) && n.text === '/dev/stdout';
}

function scan(abs: string): SourceInfo {
  return scanText(abs, fs.readFileSync(abs, 'utf8'));
}

function scanText(abs: string, text: string): SourceInfo {
  const sf = ts.createSourceFile(abs, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const deps: Dep[] = [];
  let depth = 0;
  const add = (spec: string, typeOnly: boolean, node: ts.Node) =>
    deps.push({ spec, target: resolveLocal(abs, spec), typeOnly, lazy: depth > 0, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 });
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier)) {
      const c = n.importClause;
      const typeOnly =
        !!c &&
        (c.isTypeOnly ||
          (!c.name && !!c.namedBindings && ts.isNamedImports(c.namedBindings) && c.namedBindings.elements.length > 0 && c.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(n.moduleSpecifier.text, typeOnly, n);
    } else if (ts.isExportDeclaration(n) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) {
      add(n.moduleSpecifier.text, n.isTypeOnly, n);
    } else if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference) && ts.isStringLiteral(n.moduleReference.expression)) {
      add(n.moduleReference.expression.text, n.isTypeOnly, n);
    } else if (ts.isCallExpression(n) && n.arguments.length >= 1 && ts.isStringLiteralLike(n.arguments[0])) {
      const callee = n.expression;
      if ((ts.isIdentifier(callee) && callee.text === 'require') || callee.kind === ts.SyntaxKind.ImportKeyword) add((n.arguments[0] as ts.StringLiteralLike).text, false, n);
    } else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) {
      add(n.argument.literal.text, true, n);
    }
    if (writesStdout(n, sf)) stdoutWrites.push(sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1);
    const fn = ts.isFunctionLike(n);
    if (fn) depth++;
    ts.forEachChild(n, visit);
    if (fn) depth--;
  };
  const stdoutWrites: number[] = [];
  visit(sf);
  return { file: path.relative(LIB, abs).split(path.sep).join('/'), deps, stdoutWrites };
}

const SOURCES = listTs(LIB).map(scan);
const BY_FILE = new Map(SOURCES.map((s) => [s.file, s]));
const folderOf = (file: string) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '.');

/** Folder edges with one import that makes each. */
function folderGraph(): Map<string, Map<string, string>> {
  const g = new Map<string, Map<string, string>>();
  for (const s of SOURCES) {
    const from = folderOf(s.file);
    if (!g.has(from)) g.set(from, new Map());
    for (const d of s.deps) {
      if (!d.target) continue;
      const to = folderOf(d.target);
      if (to === from) continue;
      const edges = g.get(from)!;
      if (!edges.has(to)) edges.set(to, `${s.file}:${d.line} imports ${d.spec}`);
    }
  }
  return g;
}

/** Cycles of the folder graph: every mutual pair, and the shortest cycle back to each folder of a strongly connected component (Tarjan); none when it is a DAG. */
export function folderCycles(g: Map<string, Map<string, string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const sccs: string[][] = [];
  const strong = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v)?.keys() ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1) sccs.push(c);
    }
  };
  for (const v of [...g.keys()].sort()) if (!idx.has(v)) strong(v);
  // every pair of folders that import each other, then the shortest cycle through each other folder
  const cycles: string[][] = [];
  for (const comp of sccs) {
    const inComp = new Set(comp);
    const seen = new Set<string>();
    for (const a of [...comp].sort())
      for (const b of [...comp].sort())
        if (a < b && g.get(a)?.has(b) && g.get(b)?.has(a)) {
          cycles.push([a, b]);
          seen.add(`${a},${b}`);
        }
    for (const a of [...comp].sort()) {
      // shortest way back from each folder to itself, inside the component
      const prev = new Map<string, string>();
      const q = [a];
      let found: string[] | undefined;
      while (q.length && !found) {
        const v = q.shift()!;
        for (const w of [...(g.get(v)?.keys() ?? [])].sort()) {
          if (!inComp.has(w)) continue;
          if (w === a) {
            const p = [v];
            while (p[0] !== a) p.unshift(prev.get(p[0])!);
            found = p;
            break;
          }
          if (!prev.has(w) && w !== a) {
            prev.set(w, v);
            q.push(w);
          }
        }
      }
      if (!found) continue;
      const key = [...found].sort().join(',');
      if (seen.has(key)) continue;
      seen.add(key);
      cycles.push(found);
    }
  }
  return cycles;
}

/**
 * Module edges inside each folder (both ends in one folder), with one import that makes each.
 * Type-only imports count here too (a design dependency); lazy require()s inside functions do not.
 */
function moduleGraph(): Map<string, Map<string, string>> {
  const g = new Map<string, Map<string, string>>();
  for (const s of SOURCES) {
    if (!g.has(s.file)) g.set(s.file, new Map());
    for (const d of s.deps) {
      if (!d.target || d.lazy || d.target === s.file || folderOf(d.target) !== folderOf(s.file)) continue;
      const edges = g.get(s.file)!;
      if (!edges.has(d.target)) edges.set(d.target, `${s.file}:${d.line} imports ${d.spec}`);
    }
  }
  return g;
}

/** The folders by layer when the graph is a DAG: a leaf is layer 0, any other one above the highest it imports. */
export function folderLayers(g: Map<string, Map<string, string>>): string[] {
  const layer = new Map<string, number>();
  const of = (f: string): number => {
    if (layer.has(f)) return layer.get(f)!;
    layer.set(f, 0);
    const l = Math.max(-1, ...[...(g.get(f)?.keys() ?? [])].map(of)) + 1;
    layer.set(f, l);
    return l;
  };
  for (const f of g.keys()) of(f);
  const rows: string[] = [];
  for (let l = Math.max(...layer.values()); l >= 0; l--)
    rows.push(`  ${l}: ${[...layer].filter(([, x]) => x === l).map(([f]) => `${f} -> ${[...(g.get(f)?.keys() ?? [])].sort().join(' ') || '-'}`).sort().join('; ')}`);
  return rows;
}

function describeCycle(g: Map<string, Map<string, string>>, c: string[]): string {
  const hops = c.map((f, i) => {
    const to = c[(i + 1) % c.length];
    return `  ${f} -> ${to}  (${g.get(f)!.get(to)})`;
  });
  return `${[...c, c[0]].join(' -> ')}\n${hops.join('\n')}`;
}

/** ARCHITECTURE.md's pure modules: a folder ends in '/', `!` excepts a file. */
const PURE = [
  'addr/',
  'conf/',
  '!conf/node-reader.ts',
  '!conf/host-probe.ts',
  '!conf/lint-cli.ts',
  'vrrp/packet.ts',
  'vrrp/fsm.ts',
  'vrrp/drill.ts',
  'vrrp/overview.ts',
  'ipvs/codec.ts',
  'ipvs/diff.ts',
  'ipvs/plan.ts',
  'ipvs/format.ts',
  'ipvs/argv.ts',
  'ipvs/options.ts',
  'ipvs/rules.ts',
  'ipvs/ids.ts',
  'check/*-proto.ts',
  'check/dns-codec.ts',
  'check/track-file.ts',
  'daemon/supervisor.ts',
  'arp/plan.ts',
  'net/nft.ts',
];

function isPure(file: string): boolean {
  const match = (p: string) => (p.endsWith('/') ? file.startsWith(p) : p.includes('*') ? new RegExp(`^${p.replace(/[.]/g, '\\.').replace('*', '[^/]*')}$`).test(file) : file === p);
  return PURE.some((p) => !p.startsWith('!') && match(p)) && !PURE.some((p) => p.startsWith('!') && match(p.slice(1)));
}

const IO_BUILTINS = new Set(['fs', 'net', 'dgram', 'child_process', 'fs/promises']);
/** The native addon and its loaders. */
const ADDON_MODULES = new Set(['netlink/addon.ts', 'net/netlink-addon.ts']);

function ioOf(d: Dep): string | undefined {
  const bare = d.spec.replace(/^node:/, '');
  if (IO_BUILTINS.has(bare)) return d.spec;
  if (/\.node$/.test(d.spec) || /build\/Release/.test(d.spec)) return d.spec;
  if (d.target && ADDON_MODULES.has(d.target)) return `the native addon (${d.target})`;
  return undefined;
}

/** The first chain of runtime imports from a pure file to an I/O module, or undefined. */
function ioChain(file: string): string[] | undefined {
  const seen = new Set<string>([file]);
  const q: { file: string; path: string[] }[] = [{ file, path: [file] }];
  while (q.length) {
    const { file: f, path: p } = q.shift()!;
    for (const d of BY_FILE.get(f)?.deps ?? []) {
      if (d.typeOnly || d.lazy) continue;
      const io = ioOf(d);
      if (io) return [...p, `${f}:${d.line} imports ${io}`];
      if (d.target && !seen.has(d.target)) {
        seen.add(d.target);
        q.push({ file: d.target, path: [...p, d.target] });
      }
    }
  }
  return undefined;
}

/**
 * Files allowed to break the oclif or stdout rule: none since issue 12's CLI item (the flags moved
 * to src/flags, the printing to *-cli.ts modules). The lists may only shrink: a listed file that no
 * longer breaks the rule fails the test until it is taken off.
 */
/** Folder cycles allowed today: none (issue 12 removed daemon <-> lvs, daemon <-> vrrp, lvs <-> vrrp). Same rule: the list may only shrink. */
const KNOWN_CYCLES = new Set<string>([]);
/**
 * Module cycles inside a folder allowed today (same rule). conf/build.ts and its sections were one
 * (the sections imported the shared context back from build.ts) until build-common.ts; what is
 * left is type-only, through vrrp/daemon.ts's DaemonStatus, due to go with that file's split.
 */
const KNOWN_MODULE_CYCLES = new Set<string>(['vrrp/control.ts <-> vrrp/daemon.ts']);
const KNOWN_OCLIF = new Set<string>([]);
const KNOWN_STDOUT = new Set<string>([]);

describe('architecture: the dependency rule (ARCHITECTURE.md)', () => {
  it('reads the sources', () => {
    assert.ok(SOURCES.length > 100, `only ${SOURCES.length} files under ${LIB}`);
    assert.ok(BY_FILE.get('conf/build-common.ts')?.deps.some((d) => d.target === 'conf/diagnostics.ts'));
  });

  it('src/lib folders form a DAG', (t) => {
    const g = folderGraph();
    const cycles = folderCycles(g);
    if (!cycles.length) for (const row of ['folder layers (each imports only lower ones):', ...folderLayers(g)]) t.diagnostic(row);
    const key = (c: string[]) => [...c].sort().join(' <-> ');
    const unexpected = cycles.filter((c) => !KNOWN_CYCLES.has(key(c)));
    assert.equal(unexpected.length, 0, `src/lib folder cycles:\n${unexpected.map((c) => describeCycle(g, c)).join('\n')}`);
    const gone = [...KNOWN_CYCLES].filter((k) => !cycles.some((c) => key(c) === k));
    assert.deepEqual(gone, [], 'this cycle is gone: take it off KNOWN_CYCLES');
  });

  it('no module cycle inside a folder either', () => {
    const g = moduleGraph();
    const cycles = folderCycles(g);
    const key = (c: string[]) => [...c].sort().join(' <-> ');
    const unexpected = cycles.filter((c) => !KNOWN_MODULE_CYCLES.has(key(c)));
    assert.equal(unexpected.length, 0, `src/lib module cycles:\n${unexpected.map((c) => describeCycle(g, c)).join('\n')}`);
    const gone = [...KNOWN_MODULE_CYCLES].filter((k) => !cycles.some((c) => key(c) === k));
    assert.deepEqual(gone, [], 'this module cycle is gone: take it off KNOWN_MODULE_CYCLES');
  });

  it('src/lib never imports oclif (only cli/base.ts, under the commands)', () => {
    const offenders = SOURCES.filter((s) => s.file !== 'cli/base.ts' && s.deps.some((d) => d.spec === '@oclif' || d.spec.startsWith('@oclif/')));
    const unexpected = offenders.filter((s) => !KNOWN_OCLIF.has(s.file));
    assert.deepEqual(
      unexpected.map((s) => `${s.file}:${s.deps.find((d) => d.spec.startsWith('@oclif'))!.line} imports ${s.deps.find((d) => d.spec.startsWith('@oclif'))!.spec}`),
      [],
    );
    const fixed = [...KNOWN_OCLIF].filter((f) => !offenders.some((s) => s.file === f));
    assert.deepEqual(fixed, [], 'no longer imports oclif: take it off KNOWN_OCLIF');
  });

  it('src/lib never writes to stdout except the render modules (*-cli.ts)', () => {
    const offenders = SOURCES.filter((s) => !s.file.endsWith('-cli.ts') && s.stdoutWrites.length > 0);
    const unexpected = offenders.filter((s) => !KNOWN_STDOUT.has(s.file));
    assert.deepEqual(
      unexpected.map((s) => `${s.file}:${s.stdoutWrites.join(',')} writes to stdout`),
      [],
    );
    const fixed = [...KNOWN_STDOUT].filter((f) => !offenders.some((s) => s.file === f));
    assert.deepEqual(fixed, [], 'no longer writes to stdout: take it off KNOWN_STDOUT');
  });

  it('pure modules import no I/O module, directly or through src/lib', () => {
    const pure = SOURCES.filter((s) => isPure(s.file));
    assert.ok(pure.length >= 20, `the pure list matches ${pure.length} files`);
    for (const p of PURE) if (!p.startsWith('!') && !p.includes('*') && !p.endsWith('/')) assert.ok(BY_FILE.has(p), `ARCHITECTURE.md lists ${p} as pure, but there is no such file`);
    const bad = pure.map((s) => ioChain(s.file)).filter((c): c is string[] => c !== undefined);
    assert.deepEqual(
      bad.map((c) => c.join(' -> ')),
      [],
    );
  });

  it('the checker finds a cycle and an I/O import when there is one', () => {
    const g = new Map([
      ['a', new Map([['b', 'a/x.ts:1 imports ../b/y']])],
      ['b', new Map([['c', 'b/y.ts:2 imports ../c/z']])],
      ['c', new Map([['a', 'c/z.ts:3 imports ../a/x']])],
      ['d', new Map([['a', 'd/w.ts:1 imports ../a/x']])],
    ]);
    assert.deepEqual(folderCycles(g), [['a', 'b', 'c']]);
    assert.match(describeCycle(g, ['a', 'b', 'c']), /^a -> b -> c -> a\n {2}a -> b {2}\(a\/x\.ts:1 imports \.\.\/b\/y\)/);
    assert.equal(ioOf({ spec: 'node:child_process', typeOnly: false, line: 1 }), 'node:child_process');
    assert.equal(ioOf({ spec: 'node:path', typeOnly: false, line: 1 }), undefined);
    assert.equal(ioOf({ spec: '../netlink/addon', target: 'netlink/addon.ts', typeOnly: false, line: 1 }), 'the native addon (netlink/addon.ts)');
    const writes = (code: string) => scanText('x.ts', code).stdoutWrites;
    assert.deepEqual(writes('process.stdout.write(x);\nconsole.log(1);\n// process.stdout.write(y)\nif (process.stdout.isTTY) r.pipe(process.stdout);\nfs.writeSync(1, b);\nfs.writeSync(2, b);'), [1, 2, 4, 5]);
  });
});
