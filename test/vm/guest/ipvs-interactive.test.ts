/**
 * The interactive `hactl vs|rs` commands on a REAL pseudo-terminal (util-linux
 * `script` allocates it; the answers are key presses written after each
 * question shows up) against the real kernel, in the VM: missing arguments are
 * asked for (the live services offered as a list), `vs clear`/`vs del` ask for
 * confirmation unless --yes, Ctrl-C changes nothing, and without a terminal
 * nothing is asked: the missing flag is named and nothing changes.
 */
import * as assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { after, before, beforeEach, describe, it } from 'node:test';
import { flush, guestSkip, HACTL, hactl, ipvsadmLines, ROOT, saveN } from './ipvs-guest-lib';

const DOWN = '\x1b[B';
const ENTER = '\r';
const CTRL_C = '\x03';

function skipReason(): string | undefined {
  const g = guestSkip();
  if (g) return g;
  if (spawnSync('script', ['--version'], { encoding: 'utf8' }).status !== 0) return 'util-linux `script` is not in the guest (IPVS_VM_EXTRA_BINS=script)';
  return undefined;
}
const skip = skipReason();

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
// CSI/OSC sequences and other escapes inquirer draws with.
const strip = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[()][A-Z0-9]|\x1b[=>]/g, '').replace(/\r/g, '');

/** `hactl ARGS` on a fresh pty; `expect` waits for text to show up after the previous match. */
class PtyRun {
  readonly child: ChildProcessWithoutNullStreams;
  raw = '';
  private mark = 0;
  private readonly exited: Promise<number>;
  constructor(args: string[]) {
    const cmd = [process.execPath, HACTL, ...args].map(shq).join(' ');
    this.child = spawn('script', ['-qfec', cmd, '/dev/null'], {
      cwd: ROOT,
      env: { ...process.env, TERM: 'xterm', NO_COLOR: '1', SHELL: '/bin/sh' },
    });
    this.child.stdout.on('data', (b: Buffer) => {
      this.raw += b.toString('utf8');
    });
    this.child.stderr.on('data', (b: Buffer) => {
      this.raw += b.toString('utf8');
    });
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code ?? -1)));
  }
  get text(): string {
    return strip(this.raw);
  }
  async expect(re: RegExp, timeoutMs = 90_000): Promise<string> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const t = this.text;
      const m = re.exec(t.slice(this.mark));
      if (m) {
        this.mark += m.index + m[0].length;
        return m[0];
      }
      if (this.child.exitCode !== null || Date.now() > end) assert.fail(`waited for ${re} (exit ${this.child.exitCode}); screen so far:\n${t}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  /** Keys, one write each, a little apart (a person typing). */
  async keys(...ks: string[]): Promise<void> {
    for (const k of ks) {
      this.child.stdin.write(k);
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  async exit(timeoutMs = 90_000): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const t = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        resolve(-999);
      }, timeoutMs);
    });
    const code = await Promise.race([this.exited, t]);
    clearTimeout(timer);
    this.child.stdin.end();
    assert.notEqual(code, -999, `no exit within ${timeoutMs} ms; screen:\n${this.text}`);
    return code;
  }
}

const runs: PtyRun[] = [];
function pty(...args: string[]): PtyRun {
  const r = new PtyRun(args);
  runs.push(r);
  return r;
}

const TWO = `
-A -t 192.0.2.60:80 -s wlc
-A -t 192.0.2.50:80 -s rr
-a -t 192.0.2.50:80 -r 198.51.100.1 -g
`;

describe('interactive vs/rs on a pseudo-terminal (VM)', { skip }, () => {
  before(() => flush());
  beforeEach(() => flush());
  after(() => {
    for (const r of runs) if (r.child.exitCode === null) r.child.kill('SIGKILL');
    flush();
  });

  it('vs add with nothing: protocol, address (a bad one is asked again), scheduler → the service exists', async () => {
    const r = pty('vs', 'add');
    await r.expect(/Protocol/);
    await r.keys(ENTER); // TCP, the default
    await r.expect(/Virtual address:port/);
    await r.keys('300.1.2.3:80', ENTER);
    await r.expect(/not an address\[:port\]: 300\.1\.2\.3:80/);
    await r.keys('\x7f'.repeat(12), '192.0.2.50:80', ENTER);
    await r.expect(/Scheduler/);
    await r.expect(/wlc \(default\)/);
    await r.keys(DOWN, ENTER); // rr
    assert.equal(await r.exit(), 0, r.text);
    assert.equal(saveN(), '-A -t 192.0.2.50:80 -s rr\n');
  });

  it('rs add with nothing offers the live services (sorted) and adds the real server to the one picked', async () => {
    ipvsadmLines(TWO);
    const before = saveN();
    const r = pty('rs', 'add');
    await r.expect(/Virtual service/);
    await r.expect(/TCP {2}192\.0\.2\.50:80 rr \(1 real server\)[\s\S]*TCP {2}192\.0\.2\.60:80 wlc \(0 real servers\)/);
    await r.keys(DOWN, ENTER);
    await r.expect(/Real server address/);
    await r.keys('198.51.100.7', ENTER);
    assert.equal(await r.exit(), 0, r.text);
    const now = saveN();
    assert.match(now, /^-a -t 192\.0\.2\.60:80 -r 198\.51\.100\.7:80 -g -w 1$/m);
    assert.equal(now.split('\n').length, before.split('\n').length + 1, now);
  });

  it('rs del with nothing: the service, then one of its real servers from a list', async () => {
    ipvsadmLines(`${TWO}\n-a -t 192.0.2.50:80 -r 198.51.100.2 -g -w 5`);
    const r = pty('rs', 'del');
    await r.expect(/Virtual service/);
    await r.keys(ENTER); // 192.0.2.50:80 (first)
    await r.expect(/Real server to delete/);
    await r.expect(/198\.51\.100\.1:80 weight 1[\s\S]*198\.51\.100\.2:80 weight 5/);
    await r.keys(DOWN, ENTER);
    assert.equal(await r.exit(), 0, r.text);
    const now = saveN();
    assert.match(now, /-r 198\.51\.100\.1:80 /);
    assert.doesNotMatch(now, /198\.51\.100\.2/);
  });

  it('vs clear: No leaves the table as it was, Yes clears it', async () => {
    ipvsadmLines(TWO);
    const before = saveN();
    const no = pty('vs', 'clear');
    await no.expect(/Delete ALL 2 virtual services and their 1 real server\?/);
    await no.keys('n', ENTER);
    assert.equal(await no.exit(), 1, no.text);
    assert.match(no.text, /cancelled: nothing was changed/);
    assert.equal(saveN(), before);
    const bare = pty('vs', 'clear');
    await bare.expect(/Delete ALL/);
    await bare.keys(ENTER); // the default is No
    assert.equal(await bare.exit(), 1, bare.text);
    assert.equal(saveN(), before);
    const yes = pty('vs', 'clear');
    await yes.expect(/Delete ALL/);
    await yes.keys('y', ENTER);
    assert.equal(await yes.exit(), 0, yes.text);
    assert.equal(saveN(), '');
  });

  it('vs del with nothing: pick the service, confirm; a service that does not exist fails before asking', async () => {
    ipvsadmLines(TWO);
    const r = pty('vs', 'del');
    await r.expect(/Virtual service to delete/);
    await r.keys(DOWN, ENTER);
    await r.expect(/Delete the virtual service TCP {2}192\.0\.2\.60:80 wlc \(0 real servers\)\?/);
    await r.keys('y', ENTER);
    assert.equal(await r.exit(), 0, r.text);
    assert.doesNotMatch(saveN(), /192\.0\.2\.60/);
    assert.match(saveN(), /192\.0\.2\.50/);
    const before = saveN();
    const missing = pty('vs', 'del', '-t', '192.0.2.99:80');
    assert.equal(await missing.exit(), 1, missing.text);
    assert.match(missing.text, /hactl: error: No such service/);
    assert.doesNotMatch(missing.text, /\?/);
    assert.equal(saveN(), before);
  });

  it('--yes never asks, even on a terminal', async () => {
    ipvsadmLines(TWO);
    const d = pty('vs', 'del', '-t', '192.0.2.50:80', '--yes');
    assert.equal(await d.exit(), 0, d.text);
    assert.equal(d.text.trim(), '');
    assert.equal(saveN(), '-A -t 192.0.2.60:80 -s wlc\n');
    const c = pty('vs', 'clear', '--yes');
    assert.equal(await c.exit(), 0, c.text);
    assert.equal(c.text.trim(), '');
    assert.equal(saveN(), '');
  });

  it('Ctrl-C at a question: exit 1, nothing changed', async () => {
    ipvsadmLines(TWO);
    const before = saveN();
    const r = pty('rs', 'add');
    await r.expect(/Virtual service/);
    await r.keys(ENTER);
    await r.expect(/Real server address/);
    await r.keys('198.51', CTRL_C);
    assert.equal(await r.exit(), 1, r.text);
    assert.match(r.text, /cancelled: nothing was changed/);
    assert.equal(saveN(), before);
  });

  it('without a terminal nothing is asked: the missing flag is named, exit non-zero, table unchanged', () => {
    ipvsadmLines(TWO);
    const before = saveN();
    const cases: Array<[string[], RegExp]> = [
      [['vs', 'add'], /missing the virtual service: give -t\|-u\|--sctp ADDR:PORT or -f MARK/],
      [['vs', 'add', '-s', 'rr'], /missing the virtual service/],
      [['vs', 'edit'], /missing the virtual service/],
      [['vs', 'del'], /missing the virtual service/],
      [['rs', 'add'], /missing the virtual service/],
      [['rs', 'add', '-t', '192.0.2.60:80'], /missing the real server: give -r ADDR\[:PORT\]/],
      [['rs', 'edit', '-t', '192.0.2.50:80', '-w', '3'], /missing the real server/],
      [['rs', 'del', '-t', '192.0.2.50:80'], /missing the real server/],
      [['vs', 'clear'], /`hactl vs clear` needs confirmation: add --yes/],
      [['vs', 'del', '-t', '192.0.2.50:80'], /`hactl vs del` needs confirmation: add --yes/],
    ];
    for (const [args, re] of cases) {
      const r = hactl(args, '192.0.2.1:80\n\ny\n'); // answers on a pipe are never read as answers
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re, args.join(' '));
      assert.doesNotMatch(r.stdout + r.stderr, /\?/, `${args.join(' ')} asked something`);
      assert.equal(saveN(), before, `${args.join(' ')} changed the table`);
    }
  });
});
