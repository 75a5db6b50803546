/**
 * url { regex } translation (src/lib/check/pcre.ts): fixed expectations, and a
 * differential run against PCRE2 itself (Debian's pcre2test, the library
 * keepalived links) on the same patterns, options and subjects.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { compileRegex, matchBody, RegexError } from '../../src/lib/pcre/pcre';

interface Case {
  pattern: string;
  options?: string[];
  subject: string;
  min?: number;
}

/** Subjects use only printable ASCII and \n, so pcre2test's data-line escapes are simple. */
const CASES: Case[] = [
  { pattern: 'ok', subject: 'status: ok\n' },
  { pattern: 'OK', subject: 'status: ok\n' },
  { pattern: 'OK', options: ['caseless'], subject: 'status: ok\n' },
  { pattern: '^status', subject: 'x\nstatus: ok' },
  { pattern: '^status', options: ['multiline'], subject: 'x\nstatus: ok' },
  { pattern: 'ok$', subject: 'ok\n' },
  { pattern: 'ok$', options: ['dollar_endonly'], subject: 'ok\n' },
  { pattern: 'ok$', subject: 'ok\nmore' },
  { pattern: 'ok$', options: ['multiline'], subject: 'ok\nmore' },
  { pattern: 'a.b', subject: 'a\nb' },
  { pattern: 'a.b', options: ['dotall'], subject: 'a\nb' },
  { pattern: 'a+', subject: 'caaat' },
  { pattern: 'a+', options: ['ungreedy'], subject: 'caaat' },
  { pattern: 'a+?', options: ['ungreedy'], subject: 'caaat' },
  { pattern: '<b>.*</b>', subject: '<b>x</b> <b>y</b>' },
  { pattern: '<b>.*</b>', options: ['ungreedy'], subject: '<b>x</b> <b>y</b>' },
  { pattern: 'a{2,3}', subject: 'aaaa' },
  { pattern: 'a{2,3}', options: ['ungreedy'], subject: 'aaaa' },
  { pattern: ' a b # comment\n c', options: ['extended'], subject: 'xabc' },
  { pattern: '(?i)healthy', subject: 'HEALTHY' },
  { pattern: '(?s)a.b', subject: 'a\nb' },
  { pattern: '\\Aab', subject: 'ab' },
  { pattern: '\\Aab', subject: 'xab' },
  { pattern: 'ab\\Z', subject: 'ab\n' },
  { pattern: 'ab\\z', subject: 'ab\n' },
  { pattern: '(?P<word>o)(?P=word)', subject: 'foo' },
  { pattern: '[[:digit:]]+', subject: 'v=123;' },
  { pattern: '[[:alpha:][:digit:]]+', subject: '--ab12--' },
  { pattern: '\\Qa.b\\E', subject: 'axb a.b' },
  { pattern: '\\d{3} OK', subject: 'HTTP 200 OK' },
  { pattern: '"status":\\s*"up"', subject: '{"status": "up"}' },
  { pattern: '(?<=id=)\\d+', subject: 'id=42' },
  { pattern: 'x{', subject: 'ax{' },
  { pattern: 'a\\x{41}', subject: 'aA' },
  { pattern: 'up', subject: 'up down up', min: 3 },
  { pattern: '^up', subject: 'up down up', min: 3 },
  { pattern: 'b', options: ['firstline'], subject: 'a\nb' },
  { pattern: 'a', options: ['firstline'], subject: 'xa\nb' },
  { pattern: '\\h+x', subject: 'a \tx' },
  { pattern: 'a/b', subject: 'xa/b' },
];

const MODIFIER: Record<string, string> = {
  caseless: 'i',
  multiline: 'm',
  dotall: 's',
  extended: 'x',
  ungreedy: 'ungreedy',
  dollar_endonly: 'dollar_endonly',
  firstline: 'firstline',
};

function pcre2test(cases: Case[]): (string | null)[] | string {
  const probe = spawnSync('pcre2test', ['-version'], { encoding: 'utf8' });
  if (probe.error) return 'pcre2test not installed (Debian package pcre2-utils; .ci/run installs it)';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-pcre-'));
  try {
    let input = '';
    for (const c of cases) {
      // '%' never occurs in the patterns, so it can delimit them.
      const mods = (c.options ?? []).map((o) => MODIFIER[o]).join(',');
      input += `%${c.pattern}%${mods}\n${c.subject.replace(/\n/g, '\\n')}${c.min ? `\\=offset=${c.min}` : ''}\n\n`;
    }
    fs.writeFileSync(path.join(dir, 'in'), input);
    const r = spawnSync('pcre2test', ['-q', path.join(dir, 'in')], { encoding: 'utf8' });
    // Output: each pattern line, its subject line, then " 0: TEXT" or "No match".
    const results: (string | null)[] = [];
    for (const line of r.stdout.split('\n')) {
      if (line.startsWith(' 0: ')) results.push(line.slice(4));
      else if (line === 'No match') results.push(null);
      else if (line.startsWith('Failed')) results.push(`FAILED ${line}`);
    }
    return results;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** pcre2test prints control characters in matched text as \xNN. */
const show = (s: string) => s.replace(/[\x00-\x1f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);

describe('url regex: PCRE2 pattern translation', () => {
  const ref = pcre2test(CASES);
  it('matches what PCRE2 (pcre2test) matches, case by case', { skip: typeof ref === 'string' ? ref : undefined }, () => {
    assert.ok(Array.isArray(ref));
    assert.equal(ref.length, CASES.length, 'one pcre2test result per case');
    CASES.forEach((c, k) => {
      const v = matchBody(compileRegex({ pattern: c.pattern, options: c.options, minOffset: c.min }), Buffer.from(c.subject, 'latin1'));
      const mine = v.matched ? show(v.text ?? '') : null;
      assert.equal(mine, ref[k], `case ${k}: /${c.pattern}/ ${c.options?.join(',') ?? ''} on ${JSON.stringify(c.subject)}`);
    });
  });

  it('regex_max_offset bounds where the match may start (inclusive); regex_no_match inverts', () => {
    const body = Buffer.from('0123456789 ready');
    assert.equal(matchBody(compileRegex({ pattern: 'ready', maxOffset: 11 }), body).ok, true);
    assert.equal(matchBody(compileRegex({ pattern: 'ready', maxOffset: 10 }), body).ok, false);
    assert.equal(matchBody(compileRegex({ pattern: 'ready', maxOffset: 10 }), body).at, 11);
    assert.equal(matchBody(compileRegex({ pattern: 'ready', noMatch: true }), body).ok, false);
    assert.equal(matchBody(compileRegex({ pattern: 'error', noMatch: true }), body).ok, true);
    assert.equal(matchBody(compileRegex({ pattern: 'ready', minOffset: 12 }), body).ok, false);
  });

  it('bytes are matched as bytes, and as UTF-8 text with the utf option (offsets stay in bytes)', () => {
    const body = Buffer.from('prix: 5 €; ok', 'utf8');
    assert.equal(matchBody(compileRegex({ pattern: '5 .;' }), body).matched, false);
    assert.equal(matchBody(compileRegex({ pattern: '5 .;', options: ['utf'] }), body).matched, true);
    assert.equal(matchBody(compileRegex({ pattern: 'ok', options: ['utf'] }), body).at, body.indexOf('ok'));
  });

  it('says what it cannot translate, naming the construct and its offset', () => {
    const err = (pattern: string, options?: string[]) => {
      try {
        compileRegex({ pattern, options });
      } catch (e) {
        assert.ok(e instanceof RegexError);
        return e.message;
      }
      assert.fail(`/${pattern}/ compiled`);
    };
    assert.match(err('a++b'), /possessive quantifier at offset 1/);
    assert.match(err('x(?>ab)'), /atomic groups .* at offset 1/);
    assert.match(err('(?R)'), /recursion/);
    assert.match(err('foo\\Kbar'), /\\K at offset 3/);
    assert.match(err('a(?i)b'), /option settings inside the pattern/);
    assert.match(err('ok', ['caseles']), /unknown regex option 'caseles'/);
    assert.match(err('a(b'), /invalid regex 'a\(b'/);
    assert.match(err('[abc'), /missing terminating \]/);
  });
});
