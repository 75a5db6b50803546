/**
 * The interactive flow of `hactl vs|rs` (src/lib/ipvs/interactive) over a
 * scripted Prompter and a fixed table, the inquirer adapter over injected
 * streams (real key presses), and the NSS host-name walk of ./names.
 * The same flows on a real pseudo-terminal against the kernel: test/vm/guest/ipvs-interactive.test.ts.
 */
import * as assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { IpvsadmArgError, parseIpvsadmArgs } from '../../src/lib/ipvs/argv';
import { type Choice, clearQuestion, completeArgs, type FlowDeps, inquirerPrompter, PromptFailure, type Prompter, type PromptVerb } from '../../src/lib/ipvs/interactive';
import { type DnsAnswer, hostSources, lookupHost, lookupHostNoDns, lookupHosts, parseNsswitch } from '../../src/lib/ipvs/names';
import type { Dest, ServiceWithDests } from '../../src/lib/ipvs/types';

const PREFIX: Record<PromptVerb, string> = { 'vs add': '-A', 'vs edit': '-E', 'vs del': '-D', 'rs add': '-a', 'rs edit': '-e', 'rs del': '-d' };

function dest(addr: string, port: number, af: 2 | 10 = 2): Dest {
  return { af, addr, port, fwd: 2, weight: 1, uThresh: 0, lThresh: 0, tunType: 0, tunPort: 0, tunFlags: 0 };
}
function svc(p: Partial<ServiceWithDests>): ServiceWithDests {
  return { af: 2, protocol: 6, addr: '0.0.0.0', port: 0, fwmark: 0, sched: 'wlc', flags: 0, timeout: 0, netmask: 0xffffffff, pe: '', dests: [], ...p };
}

/** Kernel order on purpose: the prompt lists them in ipvsadm's sorted order. */
const TABLE: ServiceWithDests[] = [
  svc({ protocol: 17, addr: '192.0.2.3', port: 53, sched: 'rr' }),
  svc({ addr: '192.0.2.1', port: 80, dests: [dest('198.51.100.2', 80), dest('198.51.100.1', 80)] }),
  svc({ af: 10, addr: '2001:db8::1', port: 443, dests: [dest('2001:db8::10', 443, 10)] }),
  svc({ fwmark: 7, protocol: 0 }),
];

interface Asked {
  kind: 'select' | 'input' | 'confirm';
  message: string;
  choices?: string[];
  rejected?: string[];
}

/** Answers in order: select → index into the choices, input → list of tries (all but the last must be rejected), confirm → boolean. */
function scripted(answers: Array<number | string[] | boolean>): { p: Prompter; asked: Asked[] } {
  const asked: Asked[] = [];
  const next = () => {
    if (answers.length === 0) throw new Error(`unexpected question after ${JSON.stringify(asked)}`);
    return answers.shift();
  };
  const p: Prompter = {
    async select<T>(message: string, choices: Choice<T>[]) {
      asked.push({ kind: 'select', message, choices: choices.map((c) => c.name) });
      const i = next();
      assert.equal(typeof i, 'number', `answer for select "${message}"`);
      return choices[i as number].value;
    },
    async input(message: string, validate: (s: string) => string | true) {
      const tries = next() as string[];
      const rejected: string[] = [];
      for (const t of tries.slice(0, -1)) {
        const v = validate(t);
        assert.notEqual(v, true, `"${t}" should be rejected at "${message}"`);
        rejected.push(v as string);
      }
      assert.equal(validate(tries[tries.length - 1]), true, `"${tries[tries.length - 1]}" accepted at "${message}"`);
      asked.push({ kind: 'input', message, rejected });
      return tries[tries.length - 1];
    },
    async confirm(message: string) {
      asked.push({ kind: 'confirm', message });
      return next() as boolean;
    },
  };
  return { p, asked };
}

function deps(verb: PromptVerb, p: Prompter, table = TABLE): FlowDeps & { reads: number } {
  const d = {
    reads: 0,
    prompter: p,
    table: async () => {
      d.reads++;
      return table;
    },
    parse: (argv: string[]) => parseIpvsadmArgs([PREFIX[verb], ...argv]),
  };
  return d;
}

describe('interactive completion of vs/rs command lines', () => {
  it('vs add with nothing: protocol, address (re-asked until valid), scheduler; no table read', async () => {
    const { p, asked } = scripted([0, ['', '999.0.2.1:80', '192.0.2.50', '192.0.2.50:80'], 1]);
    const d = deps('vs add', p);
    const argv = await completeArgs('vs add', [], d);
    assert.deepEqual(argv, ['-t', '192.0.2.50:80', '-s', 'rr']);
    assert.deepEqual(
      asked.map((a) => a.message),
      ['Protocol', 'Virtual address:port (e.g. 192.0.2.10:80, [2001:db8::10]:80)', 'Scheduler'],
    );
    assert.deepEqual(asked[1].rejected, ['not an address[:port]: (empty)', 'not an address[:port]: 999.0.2.1:80', 'give the port too, e.g. 192.0.2.10:80']);
    assert.equal(asked[2].choices?.[0], 'wlc (default)');
    assert.equal(d.reads, 0);
    assert.equal(parseIpvsadmArgs(['-A', ...argv]).svc.sched, 'rr');
  });

  it('vs add keeps the flags given (-s, -p) and asks only for what is missing', async () => {
    const { p, asked } = scripted([1, [' [2001:db8::5]:53 ']]);
    const argv = await completeArgs('vs add', ['-s', 'sh', '-p', '60'], deps('vs add', p));
    assert.deepEqual(argv, ['-s', 'sh', '-p', '60', '-u', '[2001:db8::5]:53']);
    assert.equal(asked.length, 2);
  });

  it('vs add fwmark IPv6', async () => {
    const { p } = scripted([4, ['0', 'x', '42'], 0]);
    assert.deepEqual(await completeArgs('vs add', [], deps('vs add', p)), ['-f', '42', '-6', '-s', 'wlc']);
  });

  it('rs add with nothing: the live services in ipvsadm order, then the real server', async () => {
    const { p, asked } = scripted([2, ['nope', '203.0.113.9:8080']]);
    const d = deps('rs add', p);
    const argv = await completeArgs('rs add', ['-m'], d);
    assert.deepEqual(asked[0].choices, [
      'TCP  192.0.2.1:80 wlc (2 real servers)',
      'UDP  192.0.2.3:53 rr (0 real servers)',
      'TCP  [2001:db8::1]:443 wlc (1 real server)',
      'FWM  7 wlc (0 real servers)',
    ]);
    assert.deepEqual(argv, ['-m', '-t', '[2001:db8::1]:443', '-r', '203.0.113.9:8080']);
    assert.equal(d.reads, 1);
  });

  it('rs add with the service given asks only for the real server', async () => {
    const { p, asked } = scripted([['198.51.100.9']]);
    assert.deepEqual(await completeArgs('rs add', ['-f', '7'], deps('rs add', p)), ['-f', '7', '-r', '198.51.100.9']);
    assert.deepEqual(
      asked.map((a) => a.kind),
      ['input'],
    );
  });

  it('rs del offers the real servers of the service (sorted), IPv6 services included', async () => {
    const a = scripted([0]);
    assert.deepEqual(await completeArgs('rs del', ['-t', '192.0.2.1:80'], deps('rs del', a.p)), ['-t', '192.0.2.1:80', '-r', '198.51.100.1:80']);
    assert.deepEqual(a.asked[0].choices, ['198.51.100.1:80 weight 1', '198.51.100.2:80 weight 1']);
    const b = scripted([0]);
    assert.deepEqual(await completeArgs('rs edit', ['-t', '[2001:db8::1]:443', '-w', '5'], deps('rs edit', b.p)), [
      '-t',
      '[2001:db8::1]:443',
      '-w',
      '5',
      '-r',
      '[2001:db8::10]:443',
    ]);
  });

  it('rs del with nothing: service, then its real server', async () => {
    const { p, asked } = scripted([0, 1]);
    assert.deepEqual(await completeArgs('rs del', [], deps('rs del', p)), ['-t', '192.0.2.1:80', '-r', '198.51.100.2:80']);
    assert.equal(asked.length, 2);
  });

  it('rs del on a service without real servers, and any verb on an empty table: a clear failure, no question', async () => {
    await assert.rejects(completeArgs('rs del', ['-u', '192.0.2.3:53'], deps('rs del', scripted([]).p)), (e: unknown) => e instanceof PromptFailure && /has no real servers/.test(e.message));
    for (const v of ['vs del', 'vs edit', 'rs add'] as PromptVerb[])
      await assert.rejects(completeArgs(v, [], deps(v, scripted([]).p, [])), (e: unknown) => e instanceof PromptFailure && e.message === 'there are no virtual services to choose from');
  });

  it('other errors are not questions: argv comes back unchanged for the caller to report', async () => {
    const { p, asked } = scripted([]);
    assert.deepEqual(await completeArgs('vs add', ['-t', '192.0.2.1:80', '-w', '3'], deps('vs add', p)), ['-t', '192.0.2.1:80', '-w', '3']);
    assert.deepEqual(await completeArgs('vs del', ['-t', '192.0.2.1:80'], deps('vs del', p)), ['-t', '192.0.2.1:80']);
    assert.equal(asked.length, 0);
    assert.throws(() => parseIpvsadmArgs(['-A', '-t', '192.0.2.1:80', '-w', '3']), IpvsadmArgError);
  });

  it('the vs clear question counts what would go', () => {
    assert.equal(clearQuestion(TABLE), 'Delete ALL 4 virtual services and their 3 real servers?');
    assert.equal(clearQuestion([TABLE[2]]), 'Delete ALL 1 virtual service and their 1 real server?');
  });
});

/** An output that survives inquirer ending it after each prompt. */
function sink(): { out: Writable; text: () => string } {
  let text = '';
  const out = new Writable({
    write(chunk, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  out.end = (() => out) as typeof out.end;
  return { out, text: () => text };
}

describe('inquirer adapter on injected streams (real key presses)', () => {
  it('arrow keys + enter pick, validation re-asks, y confirms, a bare enter declines', async () => {
    const input = new PassThrough();
    const { out, text } = sink();
    const p = await inquirerPrompter({ input, output: out });
    const keys = (seq: string[], step = 30) => {
      seq.forEach((k, i) => {
        setTimeout(() => input.write(k), step * (i + 1));
      });
    };
    keys(['\x1b[B', '\x1b[B', '\x1b[A', '\r']);
    assert.equal(await p.select('Pick one', [{ name: 'alpha', value: 'a' }, { name: 'beta', value: 'b' }, { name: 'gamma', value: 'c' }], 'a'), 'b');
    keys(['bad', '\r', '\x7f\x7f\x7f', '192.0.2.1:80', '\r']);
    assert.equal(await p.input('Addr', (s) => (/^192\./.test(s) ? true : `not an address: ${s}`)), '192.0.2.1:80');
    assert.match(text(), /not an address: bad/);
    keys(['y', '\r']);
    assert.equal(await p.confirm('Sure?'), true);
    keys(['\r']);
    assert.equal(await p.confirm('Really?'), false);
    assert.match(text(), /Pick one/);
    assert.match(text(), /Really\?/);
  });
});

describe('host names through the nsswitch hosts: sources', () => {
  const files = (af: number, addr: string) => (af === 2 && addr === '192.0.2.1' ? 'web-files' : undefined);
  const dnsTable: Record<string, DnsAnswer> = {
    '192.0.2.1': { status: 'success', name: 'web-dns' },
    '192.0.2.2': { status: 'success', name: 'two.example' },
    '192.0.2.3': { status: 'notfound', timedOut: true },
    '192.0.2.4': { status: 'unavail' },
  };
  const calls: string[] = [];
  const dns = async (addr: string): Promise<DnsAnswer> => {
    calls.push(addr);
    return dnsTable[addr] ?? { status: 'notfound' };
  };

  it('parses sources and [STATUS=ACTION] items, with glibc defaults', () => {
    const s = parseNsswitch('# c\npasswd: files\nhosts:  files [NOTFOUND=return] myhostname dns [!UNAVAIL=return]\n', 'hosts');
    assert.deepEqual(
      s?.map((x) => x.name),
      ['files', 'myhostname', 'dns'],
    );
    assert.deepEqual(s?.[0].actions, { success: 'return', notfound: 'return', unavail: 'continue', tryagain: 'continue' });
    assert.deepEqual(s?.[2].actions, { success: 'return', notfound: 'return', unavail: 'continue', tryagain: 'return' });
    assert.equal(parseNsswitch('passwd: files\n', 'hosts'), null);
    assert.deepEqual(
      hostSources(null).map((x) => x.name),
      ['dns', 'files'],
    );
  });

  it('files then dns: files wins, dns fills the rest, IPv6 too', async () => {
    calls.length = 0;
    const src = hostSources('hosts: files dns\n');
    assert.equal(await lookupHost(2, '192.0.2.1', src, { files, dns }), 'web-files');
    assert.equal(await lookupHost(2, '192.0.2.2', src, { files, dns }), 'two.example');
    assert.equal(await lookupHost(10, '2001:db8::1', src, { files: () => 'v6name', dns }), 'v6name');
    assert.equal(await lookupHost(10, '2001:db8::2', src, { files, dns }), undefined);
    assert.deepEqual(calls, ['192.0.2.2', '2001:db8::2']);
  });

  it('the order of the line is followed; [NOTFOUND=return] stops; unknown sources are skipped', async () => {
    assert.equal(await lookupHost(2, '192.0.2.1', hostSources('hosts: dns files'), { files, dns }), 'web-dns');
    assert.equal(await lookupHost(2, '192.0.2.2', hostSources('hosts: files [NOTFOUND=return] dns'), { files, dns }), undefined);
    assert.equal(await lookupHost(2, '192.0.2.2', hostSources('hosts: mdns4_minimal files dns'), { files, dns }), 'two.example');
    assert.equal(await lookupHost(2, '192.0.2.1', hostSources('hosts: files'), { files, dns: () => assert.fail('no dns') }), 'web-files');
    // UNAVAIL continues to files even with [!UNAVAIL=return]
    assert.equal(await lookupHost(2, '192.0.2.1', hostSources('hosts: dns [!UNAVAIL=return] files'), { files, dns: async () => ({ status: 'unavail' }) }), 'web-files');
  });

  it('lookupHostNoDns answers without DNS or says it needs it', () => {
    const src = hostSources('hosts: files dns');
    assert.deepEqual(lookupHostNoDns(2, '192.0.2.1', src, files), { name: 'web-files', needsDns: false });
    assert.deepEqual(lookupHostNoDns(2, '192.0.2.9', src, files), { needsDns: true });
    assert.deepEqual(lookupHostNoDns(10, '2001:db8::1', src, files), { needsDns: true });
    assert.deepEqual(lookupHostNoDns(2, '192.0.2.9', hostSources('hosts: files'), files), { needsDns: false });
  });

  it('lookupHosts: all at once, timeouts reported', async () => {
    const r = await lookupHosts(
      ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4', '192.0.2.5'].map((addr) => ({ af: 2, addr })),
      hostSources('hosts: files dns'),
      { files, dns },
    );
    assert.deepEqual([...r.names.entries()].sort(), [
      ['2/192.0.2.1', 'web-files'],
      ['2/192.0.2.2', 'two.example'],
    ]);
    assert.deepEqual(r.timedOut, ['192.0.2.3']);
  });
});
