/**
 * `hactl conf lint` / `hactl conf dump` as a user runs them (the real binary,
 * fast path and oclif): output formats (text, the JSON contract, SARIF
 * 2.1.0), exit codes, usage errors, no colour without a TTY, dump output.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatSarif, formatText, sarifUri } from '../../../src/lib/conf/format';
import { painter } from '../../../src/lib/cli/color';
import { hactl } from '../../helpers/cli';
import { validateSchema } from '../../helpers/schema';

let dir = '';

const file = (name: string, content: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
};

const CLEAN = 'vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n priority 100\n virtual_ipaddress {\n  192.0.2.1/24\n }\n}\n';

describe('hactl conf lint (binary)', () => {
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-conf-cli-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a big config with many findings: the whole output (~0.7 MB) comes through a pipe (the early exit waits for it)', () => {
    let text = '';
    for (let i = 0; i < 12000; i++) text += `virtual_server 192.0.2.${(i % 250) + 1} ${1000 + i} {\n lb_algo rr\n lb_kind NAT\n real_server 198.51.100.1 80 {\n }\n}\n`;
    const p = file('many.conf', text);
    assert.ok(text.length > 1 << 20);
    const r = hactl(['conf', 'lint', p]);
    assert.equal(r.status, 5);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 5001);
    assert.match(lines[5000], /more diagnostics not shown/);
  });

  it('clean config: exit 0, no output', () => {
    const r = hactl(['conf', 'lint', file('clean.conf', CLEAN)]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
  });

  it('text diagnostics: file:line:col: severity: message [rule], with did-you-mean, exit 5', () => {
    const f = file('typo.conf', CLEAN.replace(' priority 100', ' priorty 100'));
    const r = hactl(['conf', 'lint', f]);
    assert.equal(r.status, 5);
    assert.equal(r.stdout, `${f}:4:2: error: unknown keyword 'priorty' in vrrp_instance VI_1; did you mean 'priority'? [unknown-keyword]\n`);
    assert.doesNotMatch(r.stdout, /\u001b\[/, 'no colour without a TTY');
  });

  it('JSON contract: {schemaVersion, tool, files, diagnostics[{file,line,col,severity,message,rule}], rules, exitCode}, valid against schemas/conf-lint.schema.json', () => {
    const f = file('json.conf', CLEAN.replace(' priority 100', ' priority 100 200'));
    const r = hactl(['conf', 'lint', '--format', 'json', f]);
    assert.equal(r.status, 5);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(j), ['schemaVersion', 'tool', 'files', 'diagnostics', 'rules', 'exitCode']);
    const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', 'schemas', 'conf-lint.schema.json'), 'utf8'));
    assert.deepEqual(validateSchema(schema, j), []);
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8'));
    assert.deepEqual(j.tool, { name: 'hactl conf lint', version: pkg.version });
    assert.deepEqual(j.rules, ['extra-args']);
    // the schema is not a formality: a wrong object fails it
    assert.notDeepEqual(validateSchema(schema, { ...j, exitCode: 3 }), []);
    assert.notDeepEqual(validateSchema(schema, { ...j, diagnostics: [{ ...j.diagnostics[0], severity: 'fatal' }] }), []);
    assert.notDeepEqual(validateSchema(schema, { ...j, extra: 1 }), []);
    const missing = hactl(['conf', 'lint', '--format', 'json', path.join(dir, 'gone.conf')]);
    assert.deepEqual(validateSchema(schema, JSON.parse(missing.stdout)), []);
    assert.deepEqual(j.files, [f]);
    assert.equal(j.exitCode, 5);
    assert.deepEqual(Object.keys(j.diagnostics[0]), ['file', 'line', 'col', 'severity', 'message', 'rule']);
    assert.deepEqual([j.diagnostics[0].line, j.diagnostics[0].col, j.diagnostics[0].severity, j.diagnostics[0].rule], [4, 15, 'warning', 'extra-args']);
  });

  it('--warnings-ok: only warnings exit 0', () => {
    const f = file('warn.conf', CLEAN.replace(' priority 100', ' priority 100 200'));
    assert.equal(hactl(['conf', 'lint', '--warnings-ok', f]).status, 0);
    const e = file('err.conf', CLEAN.replace(' priority 100', ' priority 300'));
    assert.equal(hactl(['conf', 'lint', '--warnings-ok', e]).status, 5);
  });

  it('missing file: exit 4, JSON still printed', () => {
    const r = hactl(['conf', 'lint', '--format', 'json', path.join(dir, 'nope.conf')]);
    assert.equal(r.status, 4);
    assert.equal(JSON.parse(r.stdout).exitCode, 4);
  });

  it('a directory: exit 4 with a precise message', () => {
    const r = hactl(['conf', 'lint', dir]);
    assert.equal(r.status, 4);
    assert.match(r.stdout, /is a directory/);
  });

  it('bad usage exits 1', () => {
    assert.equal(hactl(['conf', 'lint', '--format', 'xml', 'x.conf']).status, 1);
    assert.equal(hactl(['conf', 'lint', '--nope', 'x.conf']).status, 1);
    assert.equal(hactl(['conf', 'lint']).status, 1);
    assert.equal(hactl(['conf', 'lint', '--cluster', 'x.conf']).status, 1);
  });

  it('SARIF 2.1.0', () => {
    const f = file('sarif.conf', CLEAN.replace(' priority 100', ' priority 300'));
    const r = hactl(['conf', 'lint', '--format', 'sarif', f]);
    assert.equal(r.status, 5);
    const s = JSON.parse(r.stdout);
    assert.equal(s.version, '2.1.0');
    const res = s.runs[0].results[0];
    assert.equal(res.ruleId, 'range');
    assert.equal(res.level, 'error');
    assert.deepEqual(res.locations[0].physicalLocation.region, { startLine: 4, startColumn: 11 });
    assert.equal(s.runs[0].tool.driver.rules[res.ruleIndex].id, 'range');
  });

  it('--config-id selects @id lines', () => {
    const f = file('cond.conf', CLEAN.replace(' priority 100', '@lb1 priority 100\n@lb2 priority 300'));
    assert.equal(hactl(['conf', 'lint', '--config-id', 'lb1', f]).status, 0);
    assert.equal(hactl(['conf', 'lint', '--config-id', 'lb2', f]).status, 5);
  });

  it('--cluster compares nodes', () => {
    const a = file('a.conf', CLEAN);
    const b = file('b.conf', CLEAN);
    const r = hactl(['conf', 'lint', '--format', 'json', '--cluster', a, b]);
    assert.equal(r.status, 5);
    assert.ok(JSON.parse(r.stdout).diagnostics.some((d: { rule: string }) => d.rule === 'cluster-priority'));
  });

  it('the oclif command gives the same result as the fast path (--help is served)', () => {
    const h = hactl(['conf', 'lint', '--help']);
    assert.equal(h.status, 0);
    assert.match(h.stdout, /--cluster/);
  });

  it('examples/keepalived.conf lints clean', () => {
    const r = hactl(['conf', 'lint', 'examples/keepalived.conf']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  it('conf dump --json prints the typed model', () => {
    const r = hactl(['conf', 'dump', '--json', 'examples/keepalived.conf']);
    assert.equal(r.status, 0, r.stderr);
    const m = JSON.parse(r.stdout);
    assert.equal(m.vrrp_instances.length, 2);
    assert.equal(m.vrrp_instances[0].virtual_ipaddress[0].address.address, '192.0.2.100');
    assert.equal(m.virtual_servers[0].real_servers[0].checkers[0].kind, 'HTTP_GET');
  });

  it('conf dump (text) summarises', () => {
    const r = hactl(['conf', 'dump', 'examples/keepalived.conf']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /vrrp_instance VI_PUBLIC: BACKUP eth0 vrid 51 prio 150/);
  });
});

describe('formatters', () => {
  const out = { files: ['k.conf'], diagnostics: [{ file: 'k.conf', line: 2, col: 3, severity: 'error' as const, message: 'bad', rule: 'x' }], exitCode: 5 };
  it('text, plain and coloured', () => {
    assert.equal(formatText(out, painter(false)), 'k.conf:2:3: error: bad [x]\n');
    assert.match(formatText(out, painter(true)), /\u001b\[31merror\u001b\[39m/);
  });
  it('a file-level diagnostic (line 0) names only the file', () => {
    const d = { file: 'gone.conf', line: 0, col: 0, severity: 'error' as const, message: 'cannot read gone.conf: no such file', rule: 'file-unreadable' };
    assert.equal(formatText({ files: ['gone.conf'], diagnostics: [d], exitCode: 4 }, painter(false)), 'gone.conf: error: cannot read gone.conf: no such file [file-unreadable]\n');
  });
  it('sarif has one rule per id', () => {
    const s = JSON.parse(formatSarif(out, '1.2.3'));
    assert.deepEqual(
      s.runs[0].tool.driver.rules.map((r: { id: string }) => r.id),
      ['x'],
    );
    assert.equal(s.runs[0].tool.driver.version, '1.2.3');
  });
  it('sarif URIs are percent-encoded URI references (space, #, %, non-ASCII), absolute paths file://', () => {
    assert.equal(sarifUri('conf.d/my lb#1 100%.conf'), 'conf.d/my%20lb%231%20100%25.conf');
    assert.equal(sarifUri('/etc/keepalived/ü.conf'), 'file:///etc/keepalived/%C3%BC.conf');
    assert.equal(sarifUri('a:b.conf'), 'a%3Ab.conf');
    const d = { file: '/x y/k#.conf', line: 1, col: 1, severity: 'warning' as const, message: 'm', rule: 'r' };
    const s = JSON.parse(formatSarif({ files: [d.file], diagnostics: [d], exitCode: 5 }, '1.0.0'));
    assert.equal(s.runs[0].artifacts[0].location.uri, 'file:///x%20y/k%23.conf');
    assert.equal(s.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, 'file:///x%20y/k%23.conf');
    for (const u of [s.runs[0].artifacts[0].location.uri, sarifUri('conf.d/my lb#1 100%.conf')]) assert.doesNotThrow(() => new URL(u, 'file:///base/'));
  });
  it('sarif executionSuccessful says the tool ran: true with findings (5, 6), false when it could not (4)', () => {
    const run = (exitCode: number) => JSON.parse(formatSarif({ ...out, exitCode }, '1.0.0')).runs[0].invocations[0];
    assert.equal(run(0).executionSuccessful, true);
    assert.equal(run(5).executionSuccessful, true);
    assert.equal(run(6).executionSuccessful, true);
    assert.equal(run(4).executionSuccessful, false);
    assert.equal(run(5).exitCode, 5);
  });
});
