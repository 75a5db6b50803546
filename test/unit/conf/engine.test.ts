// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is keepalived.conf syntax in these fixtures
/**
 * Unit tests of the keepalived.conf engine: lexer, pre-processor (with an
 * in-memory FileReader), typed values and ranges, block structure, model.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig, memoryReader } from '../../../src/lib/conf/index';
import { type LexProblem, tokenizeLine } from '../../../src/lib/conf/lexer';
import { expandBraces, globToRegExp, normalize, resolvePath } from '../../../src/lib/conf/reader';
import { editDistance, parseBool, parseDecimal, parseInteger, parseIp, parseIpv6, suggest } from '../../../src/lib/conf/values';

function toks(line: string): string[] {
  return tokenizeLine(line, []).map((t) => t.text);
}

function load(files: Record<string, string | Uint8Array>, main = '/etc/k.conf', configId = 'lb1', env: Record<string, string> = {}) {
  return loadConfig(main, { reader: memoryReader(files, '/etc'), configId, env, random: () => 0.5 });
}

const VI = (body: string) => `vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  priority 100\n  virtual_ipaddress {\n    192.0.2.1/24\n  }\n${body}\n}\n`;

describe('lexer', () => {
  it('splits on spaces and tabs', () => assert.deepEqual(toks('  priority\t100  '), ['priority', '100']));
  it('drops # and ! comments anywhere outside quotes', () => {
    assert.deepEqual(toks('priority 10#0'), ['priority', '10']);
    assert.deepEqual(toks('priority 10 ! x'), ['priority', '10']);
    assert.deepEqual(toks('script "a # b"'), ['script', 'a # b']);
  });
  it('joins quoted and unquoted parts; single quotes are not quotes', () => {
    assert.deepEqual(toks('priority "1"0'), ['priority', '10']);
    assert.deepEqual(toks("priority '10'"), ['priority', "'10'"]);
  });
  it('makes braces words of their own', () => assert.deepEqual(toks('a{b}c'), ['a', '{', 'b', '}', 'c']));
  it('keeps columns', () => assert.deepEqual(tokenizeLine('  ab  cd', []).map((t) => t.col), [3, 7]));
  it('reports an unterminated quote', () => {
    const p: LexProblem[] = [];
    tokenizeLine('priority 1"0', p);
    assert.equal(p[0]?.rule, 'unterminated-quote');
  });
  it('reports non-breaking spaces and typographic quotes', () => {
    const p: LexProblem[] = [];
    tokenizeLine('priority\u00a0100', p);
    tokenizeLine('script \u201c/bin/true\u201d', p);
    assert.deepEqual(
      p.map((x) => x.rule),
      ['nbsp', 'smart-quote'],
    );
  });
});

describe('values', () => {
  it('integers: decimal, sign, range', () => {
    assert.deepEqual(parseInteger('010', 1, 255), { ok: true, value: 10 });
    assert.deepEqual(parseInteger('+10', 1, 255), { ok: true, value: 10 });
    assert.equal(parseInteger('0x10', 1, 255).ok, false);
    assert.equal(parseInteger('10.0', 1, 255).ok, false);
    const r = parseInteger('300', 1, 255);
    assert.ok(!r.ok && r.message === "number '300' outside range [1, 255]");
  });
  it('decimals (timers)', () => {
    assert.deepEqual(parseDecimal('1.5', 0.01, 255), { ok: true, value: 1.5 });
    const r = parseDecimal('0', 0.000001, 4294.967295);
    assert.ok(!r.ok && r.message === "number '0' outside range [0.000001, 4294.967295]");
  });
  it('booleans as keepalived accepts them', () => {
    for (const t of ['on', 'true', 'yes', 'YES']) assert.deepEqual(parseBool(t), { ok: true, value: true });
    for (const f of ['off', 'false', 'no']) assert.deepEqual(parseBool(f), { ok: true, value: false });
    assert.equal(parseBool('maybe').ok, false);
  });
  it('addresses with family and prefix', () => {
    assert.deepEqual(parseIp('192.0.2.1/24'), { ok: true, value: { family: 'inet', address: '192.0.2.1', prefix: 24, text: '192.0.2.1/24' } });
    assert.deepEqual(parseIp('2001:DB8:0:0::1'), { ok: true, value: { family: 'inet6', address: '2001:db8::1', prefix: undefined, text: '2001:DB8:0:0::1' } });
    assert.equal(parseIp('192.168.100./24').ok, false);
    assert.equal(parseIp('192.0.2.1/33').ok, false);
    assert.equal(parseIp('192.0.2.1/24', { allowPrefix: false }).ok, false);
    // inet_ntop's mixed notation, as keepalived, ipvsadm and iproute2 print it (was RFC 5952's ::ffff:c000:201)
    assert.equal(parseIpv6('::ffff:192.0.2.1'), '::ffff:192.0.2.1');
    assert.equal(parseIpv6('::ffff:c000:201'), '::ffff:192.0.2.1');
    assert.equal(parseIpv6('1:2:3:4:5:6:7:8:9'), null);
  });
  it('edit distance and suggestions', () => {
    assert.equal(editDistance('priorty', 'priority'), 1);
    assert.equal(suggest('priorty', ['priority', 'state']), 'priority');
    assert.equal(suggest('zzzzzz', ['priority', 'state']), undefined);
  });
});

describe('paths and globs', () => {
  it('brace expansion (glob GLOB_BRACE): order kept, nested, unmatched left alone', () => {
    assert.deepEqual(expandBraces('/e/{b,a}.conf'), ['/e/b.conf', '/e/a.conf']);
    assert.deepEqual(expandBraces('a{b,c{d,e}}f'), ['abf', 'acdf', 'acef']);
    assert.deepEqual(expandBraces('{x,y}/{1,2}'), ['x/1', 'x/2', 'y/1', 'y/2']);
    assert.deepEqual(expandBraces('a{b'), ['a{b']);
    assert.deepEqual(expandBraces('plain.conf'), ['plain.conf']);
  });
  it('normalises and resolves', () => {
    assert.equal(normalize('/a/./b/../c'), '/a/c');
    assert.equal(resolvePath('/etc/k', 'conf.d/x.conf'), '/etc/k/conf.d/x.conf');
  });
  it('glob patterns with braces', () => {
    assert.ok(globToRegExp('/e/*.conf').test('/e/a.conf'));
    assert.ok(!globToRegExp('/e/*.conf').test('/e/d/a.conf'));
    assert.ok(globToRegExp('/e/{a,b}.conf').test('/e/b.conf'));
  });
});

describe('pre-processor', () => {
  const vi = (n: string) => `vrrp_instance ${n} {\n interface eth0\n virtual_router_id 51\n priority 100\n virtual_ipaddress {\n  192.0.2.1/24\n }\n}\n`;
  const names = (r: ReturnType<typeof load>) => r.model.vrrp_instances.map((i) => i.name);
  it('include lines are substituted first, as keepalived checks for include last: ${DIR}, ${_PWD}, a $VAR before a comma', () => {
    const r = load({ '/etc/k.conf': '$DIR=sub\ninclude ${DIR}/a.conf\ninclude ${_PWD}/sub/b.conf\n', '/etc/sub/a.conf': vi('A'), '/etc/sub/b.conf': vi('B') });
    assert.deepEqual(names(r), ['A', 'B']);
    assert.deepEqual(r.diagnostics.filter((d) => d.rule === 'missing-include'), []);
  });
  it('brace globs: each alternative in the order written (GLOB_BRACE), with wildcards inside', () => {
    const files = { '/etc/sub/a.conf': vi('A'), '/etc/sub/b.conf': vi('B'), '/etc/lb/x.conf': vi('X'), '/etc/vrrp/y.conf': vi('Y') };
    assert.deepEqual(names(load({ ...files, '/etc/k.conf': 'include sub/{b,a}.conf\n' })), ['B', 'A']);
    assert.deepEqual(names(load({ ...files, '/etc/k.conf': 'include /etc/{vrrp,lb}/*.conf\n' })), ['Y', 'X']);
    // an alternative that does not exist is skipped, as glob(3) does
    assert.deepEqual(names(load({ ...files, '/etc/k.conf': 'include sub/{a,nope,b}.conf\n' })), ['A', 'B']);
  });
  it("keepalived's 1024-byte line buffer: a longer line is read in pieces of 1023 bytes, each a line (keepalived -t: Unknown keyword 'xxxxxxxxx')", () => {
    const long = `# ${'x'.repeat(1030)} tailword\n`; // 1041 bytes: the comment ends at byte 1023
    const r = load({ '/etc/k.conf': `${long}global_defs {\n router_id ${'é'.repeat(600)}\n}\n` });
    const d = r.diagnostics.filter((x) => x.rule === 'line-buffer' || x.rule === 'unknown-keyword').map((x) => [x.line, x.col, x.rule, x.message.slice(0, 40)]);
    assert.deepEqual(d.filter((x) => x[0] === 1), [
      [1, 1024, 'line-buffer', 'line is 1041 bytes long: keepalived read'],
      [1, 1024, 'unknown-keyword', "unknown keyword 'xxxxxxxxx' in the top l"],
    ]);
    // bytes, not characters: 600 two-byte characters make a 1211-byte line
    assert.ok(r.diagnostics.some((x) => x.line === 3 && x.rule === 'line-buffer' && /1211 bytes/.test(x.message)));
    // 1023 bytes exactly: one line
    const exact = load({ '/etc/k.conf': `# ${'x'.repeat(1021)}\n` });
    assert.deepEqual(exact.diagnostics.filter((x) => x.rule === 'line-buffer' || x.rule === 'unknown-keyword'), []);
  });
  it('a virtual_server with an invalid address is skipped whole, as keepalived does: one error, no follow-up noise', () => {
    const r = load({ '/etc/k.conf': 'virtual_server 192.0.2.999 443 {\n lb_algo rr\n protocol TCP\n}\nvirtual_server 192.0.2.998 443 {\n lb_algo rr\n}\n' });
    assert.deepEqual(
      r.diagnostics.map((d) => [d.line, d.message]),
      [
        [1, "Invalid virtual server IP address/port 192.0.2.999/443 - skipping (invalid IP address '192.0.2.999')"],
        [5, "Invalid virtual server IP address/port 192.0.2.998/443 - skipping (invalid IP address '192.0.2.998')"],
      ],
    );
    assert.equal(r.model.virtual_servers.length, 0);
  });
  it('~SEQ bounds from definitions: ~SEQ(i,$START,$END)', () => {
    const r = load({ '/etc/k.conf': '$START=2\n$END=4\n~SEQ(i,$START,$END) bogus_$i\n' });
    assert.deepEqual(
      r.diagnostics.filter((d) => d.rule === 'unknown-keyword').map((d) => d.message),
      ['bogus_2', 'bogus_3', 'bogus_4'].map((k) => `unknown keyword '${k}' in the top level`),
    );
    assert.deepEqual(r.diagnostics.filter((d) => d.rule === 'seq-syntax'), []);
  });
  it('includes nested 499 deep are read; deeper stops at 500 with an error naming the level', () => {
    const files: Record<string, string> = {};
    for (let i = 1; i <= 600; i++) files[`/etc/d${i}.conf`] = `include d${i + 1}.conf\n`;
    files['/etc/d499.conf'] = vi('DEEP');
    const ok = load(files, '/etc/d1.conf');
    assert.deepEqual(names(ok), ['DEEP']);
    files['/etc/d499.conf'] = 'include d500.conf\n';
    const deep = load(files, '/etc/d1.conf');
    assert.match(deep.diagnostics.find((d) => d.rule === 'include-depth')?.message ?? '', /nested deeper than 500 levels/);
  });
  it('follows include relative to the including file, with globs, in order', () => {
    const r = load({
      '/etc/k.conf': 'include conf.d/*.conf\n',
      '/etc/conf.d/a.conf': 'global_defs {\n router_id A\n}\n',
      '/etc/conf.d/b.conf': VI(''),
    });
    assert.deepEqual(r.model.files, ['/etc/k.conf', '/etc/conf.d/a.conf', '/etc/conf.d/b.conf']);
    assert.equal(r.model.global_defs.router_id, 'A');
    assert.equal(r.model.vrrp_instances[0].pos.file, '/etc/conf.d/b.conf');
    assert.deepEqual(r.diagnostics, []);
  });
  it('reports a missing include and an include cycle', () => {
    const a = load({ '/etc/k.conf': 'include nope.conf\n' });
    assert.equal(a.diagnostics[0].rule, 'missing-include');
    const b = load({ '/etc/k.conf': 'include b.conf\n', '/etc/b.conf': 'include k.conf\n' });
    assert.ok(b.diagnostics.some((d) => d.rule === 'include-cycle' && d.message.includes('/etc/k.conf -> /etc/b.conf -> /etc/k.conf')));
  });
  it('an include cycle is named on every include line in it (keepalived fails on whichever one runs out of descriptors)', () => {
    const r = load({
      '/etc/k.conf': 'global_defs {\n}\ninclude b.conf\n',
      '/etc/b.conf': '# b\ninclude c.conf\n',
      '/etc/c.conf': '\n\ninclude k.conf\n',
    });
    assert.deepEqual(
      r.diagnostics.filter((d) => d.rule === 'include-cycle').map((d) => [d.file, d.line, d.severity]),
      [
        ['/etc/c.conf', 3, 'error'],
        ['/etc/k.conf', 3, 'warning'],
        ['/etc/b.conf', 2, 'warning'],
      ],
    );
    // a file included twice without a cycle gets no cycle diagnostic
    const twice = load({ '/etc/k.conf': 'include b.conf\ninclude b.conf\n', '/etc/b.conf': 'global_defs {\n}\n' });
    assert.deepEqual(twice.diagnostics.filter((d) => d.rule === 'include-cycle'), []);
  });
  it('checked include variants are errors when nothing matches', () => {
    const r = load({ '/etc/k.conf': 'includea d/*.conf\nincluder d/*.conf\n' });
    assert.deepEqual(
      r.diagnostics.map((d) => [d.rule, d.severity]),
      [
        ['missing-include', 'error'],
        ['empty-config', 'warning'],
      ],
    );
  });
  it('@id and @^id conditional lines', () => {
    const src = 'global_defs {\n@lb1 router_id one\n@lb2 router_id two\n}\nvrrp_script s {\n@^lb1 script /bin/false\n}\n';
    const a = load({ '/etc/k.conf': src }, '/etc/k.conf', 'lb1');
    assert.equal(a.model.global_defs.router_id, 'one');
    assert.equal(a.model.vrrp_scripts[0].script, undefined);
    const b = load({ '/etc/k.conf': src }, '/etc/k.conf', 'lb2');
    assert.equal(b.model.global_defs.router_id, 'two');
    assert.equal(b.model.vrrp_scripts[0].script?.command, '/bin/false');
  });
  it('$NAME definitions, ${NAME}, recursion at use time, built-ins', () => {
    const src = '$BASE=10.2.${SUB}\n$SUB=0\nglobal_defs {\n router_id ${BASE}.1\n notification_email_from ${_INSTANCE}@${_ENV HOSTDOM}\n smtp_helo_name $SUB\n}\n';
    const r = load({ '/etc/k.conf': src }, '/etc/k.conf', 'lb9', { HOSTDOM: 'example.org' });
    assert.equal(r.model.global_defs.router_id, '10.2.0.1');
    assert.equal(r.model.global_defs.notification_email_from, 'lb9@example.org');
    assert.equal(r.model.global_defs.smtp_helo_name, '0');
  });
  it('${_PWD}, ${_HASH} and ${_RANDOM}: an unquoted ${_HASH} / ${_BANG} starts a comment (keepalived decomments after substitution), a quoted one is the character', () => {
    const r = load({ '/etc/k.conf': 'global_defs {\n router_id ${_PWD}${_HASH}${_RANDOM 10 20}\n}\n' });
    assert.equal(r.model.global_defs.router_id, '/etc');
    const q = load({ '/etc/k.conf': 'global_defs {\n router_id "${_PWD}${_HASH}${_RANDOM 10 20}"\n}\n' });
    assert.equal(q.model.global_defs.router_id, '/etc#15');
    // keepalived 2.2.7 -t: no "Unknown keyword '!'" for a line that is only ${_BANG} and words
    const b = load({ '/etc/k.conf': 'global_defs {\n router_id x\n}\n${_BANG} a whole line comment\nbogus${_HASH}tail\n' });
    assert.deepEqual(
      b.diagnostics.filter((d) => d.rule === 'unknown-keyword').map((d) => [d.line, d.message]),
      [[5, "unknown keyword 'bogus' in the top level"]],
    );
  });
  it('multi-line definitions expand to several lines', () => {
    const src = '$VI= \\\nvrrp_instance VI_${N} { \\\n interface eth0 \\\n virtual_router_id ${N} \\\n virtual_ipaddress { \\\n 192.0.2.${N} \\\n } \\\n}\n$N=1\n$VI\n$N=2\n$VI\n';
    const r = load({ '/etc/k.conf': src });
    assert.deepEqual(
      r.model.vrrp_instances.map((i) => [i.name, i.virtual_router_id, i.virtual_ipaddress[0].address.address]),
      [
        ['VI_1', 1, '192.0.2.1'],
        ['VI_2', 2, '192.0.2.2'],
      ],
    );
  });
  it('~SEQ, ~SEQx and ~LST', () => {
    const src = 'vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n ~SEQ(N, 1, 3) 192.0.2.${N}\n ~SEQx(H, 0x90, 0x10, 0xa0) 2001:db8::${H}\n ~LST({A,B}, {1,2},{3,4}) 198.51.100.${A}${B}\n }\n}\n';
    const r = load({ '/etc/k.conf': src });
    assert.deepEqual(
      r.model.vrrp_instances[0].virtual_ipaddress.map((v) => v.address.address),
      ['192.0.2.1', '192.0.2.2', '192.0.2.3', '2001:db8::90', '2001:db8::a0', '198.51.100.12', '198.51.100.34'],
    );
  });
  it('CRLF is a warning, a BOM an error, binary data an error', () => {
    assert.deepEqual(
      load({ '/etc/k.conf': VI('').replace(/\n/g, '\r\n') }).diagnostics.map((d) => d.rule),
      ['crlf'],
    );
    assert.ok(load({ '/etc/k.conf': `\ufeff${VI('')}` }).diagnostics.some((d) => d.rule === 'bom' && d.line === 1));
    assert.equal(load({ '/etc/k.conf': new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1]) }).diagnostics[0].rule, 'binary-file');
  });
  it('a directory or a missing file is fatal', () => {
    const r = load({ '/etc/k.conf/x': 'a' });
    assert.ok(r.fatal);
    assert.match(r.diagnostics[0].message, /is a directory/);
    assert.ok(load({}).fatal);
  });
  it('self-referencing definitions stop with an error, in bounded time', () => {
    const t0 = Date.now();
    const r = load({ '/etc/k.conf': '$A=x $A\nglobal_defs {\n router_id $A\n}\n$I= \\\n~SEQ(N, 1, 3) $I\n$I\n' });
    assert.ok(r.diagnostics.some((d) => d.rule === 'definition-loop'));
    assert.ok(Date.now() - t0 < 5000);
  });
  it('undefined parameters stay as written', () => {
    const r = load({ '/etc/k.conf': 'global_defs {\n router_id ab$UNDEF\n}\n' });
    assert.equal(r.model.global_defs.router_id, 'ab$UNDEF');
  });
  it('expansion bombs stop with an error', () => {
    const r = loadConfig('/k.conf', { reader: memoryReader({ '/k.conf': '~SEQ(a,1,2000) ~SEQ(b,1,2000) x\n' }), configId: 'x', env: {} });
    const limit = r.diagnostics.find((d) => d.rule === 'expansion-limit');
    assert.ok(limit);
    // keepalived 2.2.7 -t finishes a 10,000,000-step ~SEQ (12 s, 10 MiB measured): the message must not say it cannot
    assert.doesNotMatch(limit.message, /out of memory|hang/);
    assert.match(limit.message, /keepalived reads every line/);
  });
});

describe('block structure', () => {
  it('positions stay exact around non-ASCII and invalid UTF-8 bytes (byte and character offsets)', () => {
    const enc = (parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
    const cases: [string, Uint8Array][] = [
      ['utf8 comment', enc(['# caf', [0xc3, 0xa9], '\nglobal_defs {\n  bogus_kw 1\n}\n'])],
      ['lone byte in comment', enc(['# ', [0x80], '\nglobal_defs {\n  bogus_kw 1\n}\n'])],
      ['lone byte in a value', enc(['global_defs {\n  router_id A', [0x80], 'B\n  bogus_kw 1\n}\n'])],
    ];
    for (const [name, data] of cases) {
      const r = load({ '/etc/k.conf': data });
      const d = r.diagnostics.find((x) => x.rule === 'unknown-keyword');
      assert.deepEqual(d && [d.line, d.col], [3, 3], name);
    }
  });
  it('words named like Object.prototype members are unknown keywords (as in keepalived)', () => {
    const r = load({ '/etc/k.conf': 'global_defs {\n constructor x\n toString y\n}\nconstructor {\n}\n' });
    const at = r.diagnostics.map((d) => `${d.line}:${d.rule}`);
    for (const want of ['2:unknown-keyword', '3:unknown-keyword', '5:unknown-keyword', '5:brace', '6:brace']) assert.ok(at.includes(want), `${want} in ${at}`);
  });
  it('accepts braces on the next line and on one line', () => {
    const r = load({ '/etc/k.conf': 'global_defs\n{\n router_id A }\nvrrp_instance VI_1 { interface eth0\n virtual_router_id 3\n virtual_ipaddress { 192.0.2.1 }\n}\n' });
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.model.vrrp_instances[0].virtual_router_id, 3);
  });
  it("after an unknown keyword '{' is ignored like keepalived does", () => {
    const r = load({ '/etc/k.conf': 'vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 5\n virtual_ipaddres {\n  192.0.2.1\n }\n priority 100\n}\n' });
    const at = r.diagnostics.map((d) => `${d.line}:${d.rule}`);
    for (const want of ['4:unknown-keyword', '4:brace', '5:unknown-keyword', '7:unknown-keyword', '8:brace']) assert.ok(at.includes(want), `${want} in ${at}`);
    assert.match(r.diagnostics.find((d) => d.line === 4 && d.rule === 'unknown-keyword')!.message, /did you mean 'virtual_ipaddress'/);
  });
  it('missing and extra braces are reported', () => {
    assert.ok(load({ '/etc/k.conf': 'global_defs {\n router_id A\n' }).diagnostics.some((d) => d.rule === 'brace' && /missing '\}'/.test(d.message)));
    assert.ok(load({ '/etc/k.conf': 'global_defs {\n}\n}\n' }).diagnostics.some((d) => d.rule === 'brace' && d.line === 3));
  });
  it('deep nesting is bounded, without recursion', () => {
    const src = `global_defs {\n${'track_group {\n'.repeat(10)}}\n`;
    const deep = `${'garp_group {\n'.repeat(10000)}${'}\n'.repeat(10000)}`;
    assert.doesNotThrow(() => load({ '/etc/k.conf': src }));
    const r = load({ '/etc/k.conf': deep });
    assert.ok(r.diagnostics.length > 0);
  });
});

describe('typed model', () => {
  it('fills instance, VIP and virtual server fields with positions', () => {
    const src = `${VI(' state MASTER\n advert_int 2\n authentication {\n  auth_type PASS\n  auth_pass abc\n }\n unicast_src_ip 192.0.2.5\n unicast_peer {\n  192.0.2.6\n }\n track_interface {\n  eth1 weight -10\n }')}virtual_server 192.0.2.1 80 {\n delay_loop 6\n lb_algo rr\n lb_kind DR\n protocol TCP\n persistence_timeout 50\n real_server 192.0.2.10 80 {\n  weight 3\n  HTTP_GET {\n   url {\n    path /\n    status_code 200-299\n   }\n   nb_get_retry 3\n  }\n }\n}\n`;
    const r = load({ '/etc/k.conf': src });
    const i = r.model.vrrp_instances[0];
    assert.equal(i.state, 'MASTER');
    assert.equal(i.advert_int, 2);
    assert.deepEqual([i.authentication?.auth_type, i.authentication?.auth_pass], ['PASS', 'abc']);
    assert.equal(i.unicast_peer[0].address.address, '192.0.2.6');
    assert.deepEqual([i.track_interface[0].name, i.track_interface[0].weight], ['eth1', -10]);
    assert.deepEqual(i.virtual_ipaddress[0].pos, { file: '/etc/k.conf', line: 6, col: 5 });
    assert.deepEqual(i.at.priority, { file: '/etc/k.conf', line: 4, col: 3 });
    const vs = r.model.virtual_servers[0];
    assert.deepEqual([vs.lb_algo, vs.lb_kind, vs.protocol, vs.persistence_timeout, vs.delay_loop], ['rr', 'DR', 'TCP', 50, 6]);
    const c = vs.real_servers[0].checkers[0];
    assert.deepEqual([c.kind, c.retry, c.url[0].path, c.url[0].status_code], ['HTTP_GET', 3, '/', [{ from: 200, to: 299 }]]);
    assert.ok(r.diagnostics.some((d) => d.rule === 'deprecated' && /nb_get_retry/.test(d.message)));
  });
});
