/**
 * Walks EVERY command of oclif.manifest.json through bin/hactl (no root
 * needed, nothing reaches the kernel or the network): `--help`, `-h`,
 * `help CMD`, a typo of it, a missing required flag/argument, a bad value,
 * `--json` (a JSON error object where offered, refused where not). Every error
 * must be one `hactl: error:` line plus at most a `hint:` line, with the usage
 * exit code, no stack trace and no internal command id (`vs:list`).
 * Spawns run in parallel so the walk takes a few seconds.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { HACTL, ROOT } from '../helpers/cli';

interface Spec {
  id: string;
  flags: Record<string, { name: string; char?: string; type: string; required?: boolean; options?: string[] }>;
  args: Record<string, { name: string; required?: boolean }>;
}
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, Spec> };
const commands = Object.values(manifest.commands);
const words = (id: string) => id.split(':');

interface Result {
  status: number;
  stdout: string;
  stderr: string;
}

/** Run with a bounded number of processes at once (the machine has 2 cores). */
let running = 0;
const queue: (() => void)[] = [];
function hactlAsync(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    const start = () => {
      running++;
      execFile(
        process.execPath,
        [HACTL, ...args],
        { cwd: ROOT, timeout: 30_000, env: { ...process.env, NO_COLOR: '1', HACTL_DEBUG: '' }, maxBuffer: 4 << 20 },
        (err, stdout, stderr) => {
          running--;
          queue.shift()?.();
          const code = (err as { code?: unknown } | null)?.code;
          resolve({ status: err ? (typeof code === 'number' ? code : -1) : 0, stdout, stderr });
        },
      ).stdin?.end();
    };
    if (running < 6) start();
    else queue.push(start);
  });
}

/** The usage exit status of a command (conf lint keeps keepalived's 1). */
const usageExit = (id: string) => (id === 'conf:lint' ? 1 : 2);

/** An id with ':' in what a user sees is an internal name leaking out. */
const INTERNAL_ID = new RegExp(
  `(^|[\\s\`'"])(${commands
    .filter((c) => c.id.includes(':'))
    .map((c) => c.id.replace(/:/g, ':'))
    .join('|')})\\b`,
);

function assertOneLineError(r: Result, what: string, exit: number): void {
  assert.equal(r.status, exit, `${what}: exit ${r.status}, expected ${exit}\n${r.stderr}`);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.ok(lines.length >= 1 && lines.length <= 2, `${what}: expected one error line (+ hint), got:\n${r.stderr}`);
  assert.match(lines[0], /^hactl: error: \S/, `${what}: ${lines[0]}`);
  if (lines[1] !== undefined) assert.match(lines[1], /^hint: \S/, `${what}: ${lines[1]}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /, `${what}: stack trace`);
  assert.doesNotMatch(r.stderr, INTERNAL_ID, `${what}: internal command id in\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /Nonexistent flag|Missing required flag|to be one of:|See more help/, `${what}: raw oclif message`);
}

/** A typo of the last word: its last two letters swapped (or a letter doubled when that changes nothing). */
function typo(w: string): string {
  const a = w.slice(0, -2);
  const b = w.slice(-2);
  return b[0] === b[1] ? `${w}${w[w.length - 1]}` : `${a}${b[1]}${b[0]}`;
}

/** A bad value (or missing value) per command; ipvsadm's own syntax for the IPVS commands. */
const BAD_VALUE: Record<string, string[]> = {
  genhash: ['-s', '127.0.0.1', '-p', '0', '-u', '/'],
  ipvsadm: ['-A', '-t', '300.1.1.1:80'],
  restore: ['--no-such-flag'],
  save: ['--no-such-flag'],
  'arp:director-setup': ['--vip', '198.51.100.1', '--iface', 'lo', '--mode', 'bogus'],
  'arp:director-status': ['--mode', 'bogus'],
  'arp:director-teardown': ['--state-dir'],
  'arp:realserver-setup': ['--vip', '198.51.100.1', '--mode', 'nat'],
  'arp:realserver-status': ['--mode', 'bogus'],
  'arp:realserver-teardown': ['--state-dir'],
  'check:config': ['--real-server', '192.0.2.1:80', '--config'],
  check: ['--real-server'],
  'check:dns': ['127.0.0.1', '--type', 'SRV'],
  'check:http': ['--status-code', '200', '127.0.0.1:1', '--bindto', '300.1.1.1'],
  'check:misc': ['--misc-path', '/bin/true', '--misc-timeout', '-1'],
  'check:ping': ['127.0.0.1:80'],
  'check:smtp': ['127.0.0.1:1', '--connect-timeout', '99999999999'],
  'check:ssl': ['127.0.0.1:1', '--http-protocol', '2.0'],
  'check:tcp': ['127.0.0.1:1', '--bindto', '300.1.1.1'],
  'check:udp': ['127.0.0.1:1', '--min-reply-length', '9', '--max-reply-length', '3'],
  'conf:dump': ['examples/keepalived.conf', '--config-id'],
  'conf:lint': ['--format', 'xml', 'examples/keepalived.conf'],
  'rs:add': ['-t', '192.0.2.1:80', '-r', '300.1.1.1'],
  'rs:del': ['-t', '300.1.1.1:80', '-r', '192.0.2.2'],
  'rs:edit': ['-t', '192.0.2.1:80', '-r', '192.0.2.2', '-w', 'x'],
  'rs:drain': ['-t', '300.1.1.1:80', '-r', '192.0.2.2'],
  'rs:undrain': ['-t', '192.0.2.1:80', '-r', '192.0.2.2', '-w', 'x'],
  'vrrp:run': ['-f', 'examples/keepalived.conf', '--log-format', 'xml'],
  'vrrp:plan': ['-f'],
  'vrrp:reload': ['--control-socket'],
  'vrrp:status': ['--control-socket'],
  'vrrp:drill': ['--instance', 'VI_1', '--timeout', 'x'],
  'vrrp:drain': ['--instance', 'VI_1', '--timeout', 'x'],
  'vrrp:undrain': ['--instance', 'VI_1', '--timeout', 'x'],
  status: ['--watch', '--interval', 'x'],
  drift: ['-f', 'examples/keepalived.conf', '--control-socket'],
  'vs:add': ['-t', '300.1.1.1:80'],
  'vs:clear': ['--no-such-flag'],
  'vs:del': ['-t', '300.1.1.1:80', '--yes'],
  'vs:edit': ['-t', '192.0.2.1:80', '-s', 'nosuchsched'],
  'vs:list': ['-t', '300.1.1.1:80'],
  'vs:timeout': ['--set', '-1', '0', '0'],
  'vs:zero': ['-t', '300.1.1.1:80'],
  'vs:sync:start': ['--mcast-interface', 'lo'],
  'vs:sync:status': ['--no-such-flag'],
  'vs:sync:stop': ['--syncid', '1'],
  'bgp:announce': ['--all', '203.0.113.1'],
  'bgp:withdraw': ['--all', '203.0.113.1'],
  'bgp:status': ['--frr-config', '--asn', 'x'],
  completion: ['fish'],
  help: ['vs', 'nosuchcommand'],
};

/** Commands that need something the spec cannot mark required (ipvsadm syntax): run bare, they must say what is missing. */
const MISSING_BARE = new Set(['vs:add', 'vs:edit', 'vs:del', 'rs:add', 'rs:edit', 'rs:del', 'vs:sync:start', 'vs:sync:stop', 'check', 'bgp:announce', 'bgp:withdraw', 'rs:drain', 'rs:undrain', 'vrrp:drain', 'vrrp:undrain']);

describe('every command walked through bin/hactl', () => {
  it('the walk covers the whole manifest', () => {
    for (const c of commands) assert.ok(Object.hasOwn(BAD_VALUE, c.id), `no bad-value case for \`${words(c.id).join(' ')}\``);
  });

  for (const c of commands) {
    const w = words(c.id);
    const name = w.join(' ');
    const hasRequired = Object.values(c.flags).some((f) => f.required) || Object.values(c.args).some((a) => a.required) || MISSING_BARE.has(c.id);
    it(`hactl ${name}`, async () => {
      const [help, dashH, helpCmd, mistyped, missing, bad, json] = await Promise.all([
        hactlAsync([...w, '--help']),
        hactlAsync([...w, '-h']),
        hactlAsync(['help', ...w]),
        hactlAsync([...w.slice(0, -1), typo(w[w.length - 1]), ...(BAD_VALUE[c.id] ?? [])]),
        hasRequired ? hactlAsync(w) : Promise.resolve(undefined),
        hactlAsync([...w, ...(BAD_VALUE[c.id] ?? [])]),
        hactlAsync([...w, ...(BAD_VALUE[c.id] ?? []), '--json']),
      ]);
      // --help, -h and `help CMD` print the same help, exit 0 (`hactl ipvsadm -h/--help` are ipvsadm's)
      assert.equal(helpCmd.status, 0, `help ${name}: ${helpCmd.stderr}`);
      assert.match(helpCmd.stdout, new RegExp(`^USAGE\\n  \\$ hactl ${name}\\b`, 'm'), `help ${name}`);
      assert.doesNotMatch(helpCmd.stdout, INTERNAL_ID, `help ${name} shows an internal id`);
      if (c.id === 'ipvsadm') {
        for (const r of [help, dashH]) assert.doesNotMatch(r.stdout + r.stderr, /^USAGE$/m, "`hactl ipvsadm -h` is ipvsadm's -h");
      } else {
        for (const [r, how] of [
          [help, '--help'],
          [dashH, '-h'],
        ] as const) {
          assert.equal(r.status, 0, `${name} ${how}: ${r.stderr}`);
          assert.equal(r.stdout, helpCmd.stdout, `${name} ${how} differs from \`help ${name}\``);
        }
      }
      // a typo: one line, the nearest command suggested, exit 2
      assertOneLineError(mistyped, `typo of ${name}`, 2);
      assert.match(mistyped.stderr, new RegExp(`did you mean \`hactl ${name}\``), `typo of ${name}: ${mistyped.stderr}`);
      // missing required input
      if (missing) {
        assertOneLineError(missing, `${name} without its required input`, usageExit(c.id));
        assert.match(missing.stderr, /missing|needs|give /, `${name}: ${missing.stderr}`);
      }
      // a bad value: usage error (ipvsadm: ipvsadm's own words and exit 2)
      if (c.id === 'ipvsadm') assert.equal(bad.status, 2, bad.stderr);
      else assertOneLineError(bad, `${name} ${BAD_VALUE[c.id].join(' ')}`, usageExit(c.id));
      // --json: a JSON error object on stdout where offered, refused where not
      if (c.id === 'ipvsadm') return;
      if (Object.hasOwn(c.flags, 'json')) {
        assertOneLineError(json, `${name} ... --json`, usageExit(c.id));
        const doc = JSON.parse(json.stdout) as { error: { message: string; hint: string | null; exitCode: number } };
        assert.equal(doc.error.exitCode, json.status);
        assert.equal(typeof doc.error.message, 'string');
        assert.ok(json.stderr.includes(doc.error.message), `${name}: JSON message differs from the stderr line`);
      } else {
        assertOneLineError(json, `${name} --json`, usageExit(c.id));
        assert.match(json.stderr, /no JSON output/, `${name} --json: ${json.stderr}`);
        assert.equal(json.stdout, '', `${name} --json refused: nothing on stdout`);
      }
    });
  }

  it('hactl help, hactl --help and hactl (alone) list the commands, exit 0', async () => {
    const [a, b, c] = await Promise.all([hactlAsync(['help']), hactlAsync(['--help']), hactlAsync([])]);
    for (const r of [a, b, c]) {
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^COMMANDS$/m);
      assert.doesNotMatch(r.stdout, INTERNAL_ID);
    }
  });

  it('the examples of issue 11', async () => {
    const [lsit, htp, helpList, anyOrder] = await Promise.all([
      hactlAsync(['vs', 'lsit']),
      hactlAsync(['check', 'htp', '127.0.0.1:1']),
      hactlAsync(['help', 'vs', 'list']),
      hactlAsync(['check', 'http', '--status-code', '200', '--path', '/', '127.0.0.1:1', '--retry', '0', '--connect-timeout', '1', '--json']),
    ]);
    assertOneLineError(lsit, 'vs lsit', 2);
    assert.match(lsit.stderr, /did you mean `hactl vs list`/);
    assertOneLineError(htp, 'check htp', 2);
    assert.match(htp.stderr, /did you mean `hactl check http`/);
    assert.equal(helpList.status, 0);
    assert.match(helpList.stdout, /\$ hactl vs list/);
    // flags before the positional argument: the check runs (port 1 refuses: down, exit 1)
    assert.equal(anyOrder.status, 1, anyOrder.stderr);
    assert.equal(JSON.parse(anyOrder.stdout).up, false);
  });
});
