/**
 * Lean lint (`lint({lean: true})`, what `hactl conf lint` runs) must find
 * exactly what the full model build finds: same diagnostics in the same order,
 * same exit code, for every corpus sample, every differential mutant and a few
 * configs made to exercise the fall-back to the full build (virtual server
 * groups, FILE_CHECK/BFD_CHECK references, duplicate virtual servers) and the
 * diagnostic cap.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../src/lib/conf/index';
import { lint } from '../../../src/lib/conf/lint';
import { memoryReader } from '../../../src/lib/conf/reader';
import { ROOT, SHARED } from '../../helpers/cli';

const DIRS = [path.join(SHARED, 'corpus', 'keepalived-samples'), path.join(ROOT, 'test', 'fixtures', 'conf-mutants')];

function configs(): string[] {
  const out: string[] = [];
  for (const dir of DIRS) {
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      if (!fs.statSync(p).isFile() || /\.(txt|tsv|md)$/.test(name)) continue;
      out.push(p);
    }
  }
  return out;
}

function same(files: string[], reader?: ReturnType<typeof memoryReader>): void {
  const opts = { files, configId: 'lb1', env: {}, reader };
  const full = lint({ ...opts, lean: false });
  const lean = lint({ ...opts, lean: true });
  assert.deepEqual(lean.diagnostics, full.diagnostics, files.join(' '));
  assert.equal(lean.exitCode, full.exitCode, files.join(' '));
}

const vs = (i: number, body = ' real_server 192.0.2.10 80 {\n  TCP_CHECK {\n   connect_timeout 3\n  }\n }\n') =>
  `virtual_server 198.51.100.${i} 80 {\n lb_algo rr\n lb_kind NAT\n protocol TCP\n${body}}\n`;

describe('lean lint finds what the full build finds', () => {
  const list = configs();
  it('has configs to compare', () => assert.ok(list.length >= 60, `only ${list.length} configs`));
  it('every corpus sample and differential mutant', () => {
    for (const f of list) same([f]);
  });
  it('virtual server groups, FILE_CHECK and BFD_CHECK references, duplicates (fall back to the full build)', () => {
    const cases: Record<string, string> = {
      group: `${vs(1)}virtual_server group G {\n lb_kind DR\n protocol TCP\n real_server 192.0.2.10 81 {\n }\n}\nvirtual_server_group G {\n 198.51.100.9 80\n}\n`,
      missingGroup: `${vs(1)}virtual_server group NOPE {\n protocol TCP\n}\n`,
      fileCheck: `${vs(1)}${vs(2, ' real_server 192.0.2.11 80 {\n  FILE_CHECK {\n   track_file TF\n  }\n }\n')}track_file TF {\n file /tmp/x\n}\n`,
      bfdCheck: `${vs(1, ' real_server 192.0.2.11 80 {\n  BFD_CHECK {\n   name B1\n  }\n }\n')}`,
      identical: `${vs(1)}${vs(2)}${vs(1)}`,
      twice: `${vs(1)}${vs(1, ' real_server 192.0.2.12 80 {\n }\n')}`,
      findings: `${vs(1, ' real_server 192.0.2.10 80 {\n }\n real_server 192.0.2.10 80 {\n }\n quorum 9\n')}${vs(2, '')}`,
      repeatedCheckers: [1, 2, 3, 4]
        .map((i) =>
          vs(
            i,
            [
              ' real_server 192.0.2.10 80 {\n  TCP_CHECK {\n   connect_timeout 3\n   retry 2\n  }\n }\n',
              ' real_server 192.0.2.11 80 {\n  TCP_CHECK {\n   connect_timeout 3\n   retry 2\n  }\n }\n',
              ` real_server 192.0.2.12 80 {\n  TCP_CHECK {\n   connect_timeout ${i === 3 ? 'x' : '3'}\n   retry 2\n   nb_get_retry 2\n  }\n }\n`,
              ' real_server 192.0.2.13 80 {\n  TCP_CHECK {\n   connect_timeout "3"\n   retry 2 2\n  }\n }\n',
              ' real_server 192.0.2.14 80 {\n  MISC_CHECK {\n   misc_path "/usr/bin/true"\n  }\n  MISC_CHECK {\n   misc_path "/usr/bin/true"\n  }\n }\n',
              ' real_server 192.0.2.15 80 {\n  TCP_CHECK {\n   connect_timeout 3\n   retry 2\n   bogus 1\n  }\n }\n',
            ].join(''),
          ),
        )
        .join(''),
    };
    for (const [name, text] of Object.entries(cases)) same([`/c/${name}.conf`], memoryReader({ [`/c/${name}.conf`]: text }, '/c'));
  });
  it('more findings than the diagnostic cap', () => {
    let text = '';
    for (let i = 0; i < 3000; i++) text += `virtual_server 198.51.100.${i % 250} ${1000 + i} {\n real_server 192.0.2.10 80 {\n }\n}\n`;
    text += 'bogus_keyword 1\n';
    const files = { '/c/many.conf': text };
    same(['/c/many.conf'], memoryReader(files, '/c'));
  });
  it('a lean load keeps the virtual servers but not their real servers', () => {
    const r = loadConfig('/c/k.conf', { reader: memoryReader({ '/c/k.conf': vs(1) }, '/c'), configId: 'x', env: {}, lean: true });
    assert.equal(r.lean, true);
    assert.equal(r.model.virtual_servers.length, 1);
    assert.equal(r.model.virtual_servers[0].real_servers.length, 0);
    const g = loadConfig('/c/g.conf', { reader: memoryReader({ '/c/g.conf': `${vs(1)}${vs(1)}` }, '/c'), configId: 'x', env: {}, lean: true });
    assert.equal(g.lean, undefined, 'a duplicate virtual server falls back to the full build');
    assert.equal(g.model.virtual_servers[0].real_servers.length, 1);
  });
});
