/**
 * src/lib/proc pure parts: the command line as keepalived 2.2.7 reads it (alloc_strvec_quoted_escaped,
 * once for the configuration line and once more for the script's first word) and who runs a script
 * (the default-script-user rule, uid/gid from the user database).
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkersFor } from '../../src/lib/check/from-conf';
import { loadConfig, memoryReader } from '../../src/lib/conf';
import { splitCommand, unreadableCommand } from '../../src/lib/proc/argv';
import { DEFAULT_SCRIPT_USER, dbNames, defaultScriptUser, idsFromDb, scriptUserFor } from '../../src/lib/proc/user';
import { fromModel } from '../../src/lib/vrrp/config';

const load = (text: string) => loadConfig('/k.conf', { reader: memoryReader({ '/k.conf': text }), configId: 'x', env: {} });

/** The argv hactl's MISC_CHECK runs for a `misc_path` line, and the one of a vrrp_script with the same `script` line. */
function argvs(line: string): { misc: string[]; track: string[] } {
  const r = load(`vrrp_script chk {
  script ${line}
}
vrrp_instance V {
  interface lo
  virtual_router_id 9
  priority 100
  track_script {
    chk
  }
}
virtual_server 192.0.2.1 80 {
  real_server 192.0.2.2 80 {
    MISC_CHECK {
      misc_path ${line}
    }
  }
}
`);
  const sel = checkersFor(r.model, '192.0.2.2:80');
  const o = sel.matches[0]?.options;
  assert.ok(o && o.kind === 'misc', 'a MISC_CHECK');
  const vrrp = fromModel(r.model);
  return { misc: splitCommand(o.miscPath), track: vrrp.config.scripts[0]?.command.argv ?? [] };
}

describe('command line as keepalived reads it', () => {
  it('blanks, quotes and backslashes', () => {
    assert.deepEqual(splitCommand(`/bin/sh -c 'exit 7'`), ['/bin/sh', '-c', 'exit 7']);
    assert.deepEqual(splitCommand('a  "b c"\\ d'), ['a', 'b c d']);
    assert.deepEqual(splitCommand('a ""'), ['a', '']);
    // escapes work inside single quotes too (not a shell)
    assert.deepEqual(splitCommand(String.raw`'a\tb' "\x41"`), ['a\tb', 'A']);
  });
  it('splitCommand: escapes (\\t \\x41 \\101 \\cA), quotes inside words, unterminated quote or trailing backslash: nothing', () => {
    assert.deepEqual(splitCommand(String.raw`a\tb "c d"e 'f \' g' \x41\101\cA`), ['a\tb', 'c de', "f ' g", 'AA\x01']);
    assert.deepEqual(splitCommand('"open'), []);
    assert.deepEqual(splitCommand('x \\'), []);
    assert.deepEqual(splitCommand('  '), []);
  });
  it('unreadable: a quote without its end or a backslash at the end: no words, and why', () => {
    assert.deepEqual(splitCommand('a "b'), []);
    assert.match(unreadableCommand('a "b') ?? '', /quote without its end/);
    assert.match(unreadableCommand('x \\') ?? '', /backslash at the end/);
    assert.match(unreadableCommand('  ') ?? '', /empty/);
    assert.equal(unreadableCommand('/bin/true'), undefined);
  });
  it('misc_path is read like vrrp_script script (keepalived 2.2.7: both alloc_strvec_quoted_escaped + set_script_params_array)', () => {
    // configuration text `"S a\\tb \\x41 'c d' \\"e f\\""`: the first reading leaves `S a\tb \x41 'c d' "e f"`,
    // the second turns \t into a TAB inside the word and \x41 into A
    const a = argvs(String.raw`"/s.sh a\\tb \\x41\\102 'c d' \"e f\" \\cA"`);
    assert.deepEqual(a.misc, ['/s.sh', 'a\tb', 'AB', 'c d', 'e f', '\x01']);
    assert.deepEqual(a.track, a.misc);
    const b = argvs(`"/s.sh 'x y'z"`);
    assert.deepEqual(b.misc, ['/s.sh', 'x yz']);
    assert.deepEqual(b.track, b.misc);
  });
});

describe('who runs a script', () => {
  const exists = (names: string[]) => (n: string) => names.includes(n);
  it('default script user: script_user, else keepalived_script when it exists, else root', () => {
    assert.deepEqual(defaultScriptUser({ script_user: { user: 'u', group: 'g' } }, exists([])), { user: 'u', group: 'g', missing: false });
    assert.deepEqual(defaultScriptUser({ script_user: { user: 'u' } }), { user: 'u', group: undefined, missing: false });
    assert.deepEqual(defaultScriptUser({}, exists([DEFAULT_SCRIPT_USER])), { user: DEFAULT_SCRIPT_USER, missing: false });
    assert.equal(defaultScriptUser({}, exists([])), undefined, 'root');
    assert.equal(defaultScriptUser({}), undefined, 'nothing known about the host: root');
  });
  it('enable_script_security insists on keepalived_script: missing when it does not exist', () => {
    assert.deepEqual(defaultScriptUser({ enable_script_security: true }, exists([])), { user: DEFAULT_SCRIPT_USER, missing: true });
    assert.deepEqual(defaultScriptUser({ enable_script_security: true }, exists([DEFAULT_SCRIPT_USER])), { user: DEFAULT_SCRIPT_USER, missing: false });
  });
  it("the script's own user (with its own group) wins over the default", () => {
    const d = { user: 'd', group: 'dg' };
    assert.deepEqual(scriptUserFor({ user: 'u' }, d), { user: 'u', group: undefined });
    assert.deepEqual(scriptUserFor({ user: 'u', group: 'g' }, d), { user: 'u', group: 'g' });
    assert.deepEqual(scriptUserFor({}, d), { user: 'd', group: 'dg' });
    assert.equal(scriptUserFor({}, undefined), undefined);
  });
  it('uid/gid from /etc/passwd and /etc/group text', () => {
    const passwd = 'root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/:/usr/sbin/nologin\nw:x:1001:1002::/:/bin/sh\n';
    const group = 'root:x:0:\nstaff:x:50:\n';
    assert.deepEqual(idsFromDb(passwd, group, 'w'), { uid: 1001, gid: 1002 }, 'primary group');
    assert.deepEqual(idsFromDb(passwd, group, 'w', 'staff'), { uid: 1001, gid: 50 });
    assert.deepEqual(idsFromDb(passwd, group, '1234'), { uid: 1234, gid: 1234 }, 'a number is an id');
    assert.throws(() => idsFromDb(passwd, group, 'nosuch'), /^Error: unknown user 'nosuch'$/);
    assert.throws(() => idsFromDb(passwd, group, 'w', 'nogroup'), /^Error: unknown group 'nogroup'$/);
    assert.throws(() => idsFromDb(undefined, undefined, 'w'), /unknown user/);
    assert.deepEqual([...dbNames(passwd)], ['root', 'nobody', 'w'], 'names for lint (a number is not a name there)');
  });
});
