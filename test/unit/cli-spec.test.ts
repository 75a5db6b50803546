/** The spec-driven CLI pieces (src/lib/cli): parser, suggestions, command resolution, help, completion, man page. */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { bashCompletion, zshCompletion } from '../../src/lib/cli/completion';
import { UsageError } from '../../src/lib/cli/errors';
import { commandHelp } from '../../src/lib/cli/help';
import { manPage } from '../../src/lib/cli/man';
import { parseArgv } from '../../src/lib/cli/parse';
import { jsonError } from '../../src/lib/cli/report-cli';
import { resolveCommand } from '../../src/lib/cli/resolve';
import { type CliSpec, type CommandSpec, commandList, compareWords, loadSpec, topicsOf, visibleFlags, words } from '../../src/lib/cli/spec';
import { closest, editDistance } from '../../src/lib/cli/suggest';
import { HACTL, hactl, ROOT } from '../helpers/cli';

const cmd: CommandSpec = {
  id: 'check:http',
  flags: {
    server: { name: 'server', char: 's', type: 'option', required: true },
    mode: { name: 'mode', char: 'm', type: 'option', options: ['a', 'b'], default: 'a' },
    code: { name: 'code', type: 'option', multiple: true },
    ssl: { name: 'ssl', char: 'S', type: 'boolean' },
    sni: { name: 'sni', char: 'I', type: 'boolean' },
    retry: { name: 'retry', type: 'option' },
    json: { name: 'json', type: 'boolean' },
  },
  args: { target: { name: 'target', required: true, description: 'Real server' } },
};

const usage = (fn: () => unknown, re: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof UsageError && e.exitCode === 2 && re.test(e.message), `expected UsageError ${re}`);

describe('parseArgv', () => {
  it('flags and arguments in any order, every spelling', () => {
    const p = parseArgv(cmd, ['--code', '200', 'T', '-s', 'h', '--code=301', '-SI', '-mb', '--retry', '-1'], 'see help');
    assert.deepEqual(p.args, { target: 'T' });
    assert.deepEqual(p.flags, { code: ['200', '301'], server: 'h', ssl: true, sni: true, mode: 'b', retry: '-1', json: false });
    assert.deepEqual(parseArgv(cmd, ['-s', 'h', '--', '-T'], '').args, { target: '-T' });
    assert.equal(parseArgv(cmd, ['-s', 'h', 'T'], '').flags.mode, 'a');
  });
  it('usage errors name the flag with its dashes', () => {
    usage(() => parseArgv(cmd, ['T'], ''), /^missing required flag -s\/--server$/);
    usage(() => parseArgv(cmd, ['-s', 'h'], ''), /^missing TARGET: real server$/);
    usage(() => parseArgv(cmd, ['-s', 'h', 'T', '--mode', 'c'], ''), /^--mode must be one of a, b \(got 'c'\)$/);
    usage(() => parseArgv(cmd, ['-s', 'h', 'T', '--sevrer', 'x'], ''), /^unknown flag --sevrer$/);
    usage(() => parseArgv(cmd, ['-s', 'h', 'T', '-x'], ''), /^unknown flag -x$/);
    usage(() => parseArgv(cmd, ['-s', 'h', 'T', 'U'], ''), /^unexpected argument 'U'$/);
    usage(() => parseArgv(cmd, ['-s', 'h', 'T', '--retry'], ''), /^--retry needs a value$/);
    usage(() => parseArgv(cmd, ['-s', 'h', 'T', '--retry', '--json'], ''), /^--retry needs a value$/);
    usage(() => parseArgv(cmd, ['-s', 'h', '-s', 'i', 'T'], ''), /can be given only once/);
    usage(() => parseArgv(cmd, ['-s', 'h', 'T', '--ssl=yes'], ''), /--ssl takes no value/);
  });
  it('an unknown long flag gets the nearest one as a hint', () => {
    try {
      parseArgv(cmd, ['--sevrer', 'x'], 'see `hactl check http --help`');
      assert.fail('no error');
    } catch (e) {
      assert.equal((e as UsageError).hint, 'did you mean --server? (see `hactl check http --help`)');
    }
  });
});

describe('suggestions', () => {
  it('adjacent swaps count as one edit', () => {
    assert.equal(editDistance('lsit', 'list'), 1);
    assert.equal(editDistance('htp', 'http'), 1);
    assert.equal(closest('vs lsit', ['vs list', 'vs add', 'vs del']), 'vs list');
    assert.equal(closest('zzzz', ['vs list', 'vs add']), undefined);
  });
});

describe('resolveCommand over the real spec', () => {
  const spec: CliSpec = loadSpec(ROOT);
  it('finds commands, topics and typos (never internal ids)', () => {
    const r = resolveCommand(spec, ['vs', 'list', '-n']);
    assert.equal(r.kind === 'command' && r.cmd.id, 'vs:list');
    assert.deepEqual(resolveCommand(spec, ['vs', 'sync']), { kind: 'topic', topic: 'vs sync', rest: [] });
    assert.deepEqual(resolveCommand(spec, ['vs', 'lsit']), { kind: 'unknown', typed: 'vs lsit', suggestion: 'vs list' });
    assert.deepEqual(resolveCommand(spec, ['check', 'htp', '127.0.0.1:1']), { kind: 'unknown', typed: 'check htp', suggestion: 'check http' });
    const bare = resolveCommand(spec, ['check', '--real-server', 'x']);
    assert.equal(bare.kind === 'command' && bare.cmd.id, 'check');
  });
  it('help shows usage, flags with dashes and examples with the binary name', () => {
    const h = commandHelp(spec, spec.commands['genhash']);
    assert.match(h, /^ {2}\$ hactl genhash -s VALUE -p VALUE -u VALUE \[FLAGS\]$/m);
    assert.match(h, /^ {2}-s, --server=VALUE/m);
    assert.match(h, /^ {2}\$ hactl genhash -s 192\.0\.2\.10 -p 80 -u \/health$/m);
    assert.doesNotMatch(h, /<%=/);
  });
});

describe('completion and man page from the same spec', () => {
  const spec = loadSpec(ROOT);
  const complete = (line: string[]): string[] => {
    const script = `${bashCompletion(spec)}\nCOMP_WORDS=(${line.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${line.length - 1}; _hactl; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', cwd: os.tmpdir() });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split('\n').filter(Boolean);
  };
  it('bash completes commands, subcommands, flags and flag values', () => {
    assert.ok(complete(['hactl', '']).includes('vs'));
    assert.deepEqual(complete(['hactl', 'vs', 'li']), ['list']);
    assert.deepEqual(complete(['hactl', 'vs', 'sync', 'st']).sort(), ['start', 'status', 'stop']);
    assert.ok(complete(['hactl', 'check', 'http', '--status']).includes('--status-code'));
    assert.deepEqual(complete(['hactl', 'conf', 'lint', '--format', '']).sort(), ['json', 'sarif', 'text']);
    assert.deepEqual(complete(['hactl', 'help', 'vs', 'ad']), ['add']);
  });
  it('help, completion and man page keep localeCompare order without ICU (compareWords agrees on every key of the spec)', () => {
    const keys = ['', 'help', ...topicsOf(spec).keys()];
    for (const c of commandList(spec)) {
      const w = words(c.id);
      keys.push(w);
      for (const f of visibleFlags(c)) for (const n of [`--${f.name}`, ...(f.char ? [`-${f.char}`] : [])]) keys.push(`${w}|${n}`);
    }
    assert.deepEqual([...keys].sort(compareWords), [...keys].sort((a, b) => a.localeCompare(b)));
    // and on random words over the same characters, pair by pair
    const chars = ' -|09azAZbB';
    let seed = 1;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const word = () => Array.from({ length: rnd(4) }, () => chars[rnd(chars.length)]).join('');
    for (let i = 0; i < 5000; i++) {
      const a = word();
      const b = word();
      assert.equal(Math.sign(compareWords(a, b)), Math.sign(a.localeCompare(b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }
    assert.equal(compareWords('a_b', 'a.b'), 'a_b'.localeCompare('a.b'));
  });
  it('the scripts are deterministic and zsh gets a #compdef script', () => {
    assert.equal(bashCompletion(spec), bashCompletion(loadSpec(ROOT)));
    assert.match(zshCompletion(spec), /^#compdef hactl\n/);
    assert.match(zshCompletion(spec), /'vs sync'\) echo 'start status stop' ;;/);
  });
  it('a reader that goes away ends the output silently (EPIPE: no stack trace, no crash)', () => {
    // `true` exits before node has started, so every write of hactl meets a closed pipe
    for (const args of ['completion bash', '--help', 'help vs list']) {
      const r = spawnSync('bash', ['-c', `"${process.execPath}" "${HACTL}" ${args} | true; echo "exit \${PIPESTATUS[0]}"`], { encoding: 'utf8' });
      assert.equal(r.stdout, 'exit 0\n', `${args}: ${r.stderr}`);
      assert.equal(r.stderr, '', args);
    }
  });
  it('start-up: help, completion and the IPVS listing load no net/stream/tty module and no ICU collator work (issue 11)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-mods-'));
    try {
      const pre = path.join(dir, 'mods.js');
      // the built-in modules loaded beyond a bare node, printed at exit
      fs.writeFileSync(
        pre,
        "const base = new Set(process.moduleLoadList); process.on('exit', () => require('fs').writeSync(2, 'MODS ' + process.moduleLoadList.filter((m) => !base.has(m)).join(',') + '\\n'));",
      );
      for (const args of [['--help'], ['help', 'vs', 'list'], ['completion', 'bash'], ['vs', 'list', '-n'], ['save', '-n'], ['nonsense']]) {
        const r = spawnSync(process.execPath, ['-r', pre, HACTL, ...args], { encoding: 'utf8', cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
        const mods = (/^MODS (.*)$/m.exec(r.stderr)?.[1] ?? '').split(',');
        assert.ok(mods.length > 0 && /MODS/.test(r.stderr), `${args.join(' ')}: ${r.stderr}`);
        for (const m of ['NativeModule net', 'NativeModule stream', 'NativeModule tty']) assert.ok(!mods.includes(m), `${args.join(' ')} loads ${m}`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  it('`hactl completion bash` prints the script; man -l renders the page', () => {
    const r = hactl(['completion', 'bash']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, bashCompletion(spec));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-man-'));
    try {
      const f = path.join(dir, 'hactl.1');
      fs.writeFileSync(f, manPage(spec));
      const m = spawnSync('man', ['-l', f], { encoding: 'utf8', env: { ...process.env, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '100' } });
      assert.equal(m.status, 0, m.stderr);
      assert.match(m.stdout, /hactl vs list/);
      assert.match(m.stdout, /EXIT STATUS/);
      assert.doesNotMatch(m.stderr, /warning/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('JSON errors, conf lint from stdin, SARIF version', () => {
  it('the JSON error document', () => {
    assert.deepEqual(JSON.parse(jsonError('bad\nthing', undefined, 2)), { error: { message: 'bad thing', hint: null, exitCode: 2 } });
  });
  it('conf lint - reads standard input', () => {
    const conf = fs.readFileSync(path.join(ROOT, 'examples', 'keepalived.conf'), 'utf8');
    assert.equal(hactl(['conf', 'lint', '-'], { input: conf }).status, 0);
    const bad = hactl(['conf', 'lint', '-'], { input: 'vrrp_instance X {\n  state SOMETIMES\n}\n' });
    assert.equal(bad.status, 5, bad.stdout + bad.stderr);
  });
  it('SARIF reports the package version', () => {
    const r = hactl(['conf', 'lint', '--format', 'sarif', 'examples/keepalived.conf']);
    const version = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    assert.equal(JSON.parse(r.stdout).runs[0].tool.driver.version, version);
  });
});
