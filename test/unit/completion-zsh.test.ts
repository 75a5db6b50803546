/**
 * The generated zsh completion, loaded the way users load it: an interactive
 * `zsh -f` (in a pty, zsh/zpty) runs compinit, sources `hactl completion zsh`
 * and gets TAB typed after `hactl vs li` and `hactl vrrp status --control-s`.
 * A `hactl` shell function prints the line completion produced. Skips with a
 * reason when zsh is not installed (.ci/run installs it).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { zshCompletion } from '../../src/lib/cli/completion';
import { loadSpec } from '../../src/lib/cli/spec';

const ROOT = path.resolve(__dirname, '..', '..', '..');

const DRIVER = String.raw`
zmodload zsh/zpty || { print -u2 'no zsh/zpty module'; exit 3 }
zpty -b z 'zsh -f -i'
zpty -w z "PS1='%% '; autoload -Uz compinit; compinit -u -D; source $1; hactl() { print -r -- \"GOT<\$*>\" }"
zpty -w -n z $'hactl vs li\t\n'
zpty -w -n z $'hactl vrrp status --control-s\t\n'
zpty -w -n z $'exit\n'
out=''
SECONDS=0
while (( SECONDS < 15 )); do
  if zpty -r -t z chunk; then out+=$chunk; else sleep 0.05; fi
  [[ $out == *'GOT<vrrp status'* ]] && break
done
zpty -d z
print -r -- "$out" | tr -d '\r' | grep -ao 'GOT<[^>$]*>'
`;

/** The lines the `hactl` function got after TAB completion with `script` loaded. */
function completedLines(script: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-zsh-'));
  try {
    fs.writeFileSync(path.join(dir, '_hactl'), script);
    fs.writeFileSync(path.join(dir, 'drive.zsh'), DRIVER);
    const r = spawnSync('zsh', ['-f', path.join(dir, 'drive.zsh'), path.join(dir, '_hactl')], { encoding: 'utf8', cwd: dir, timeout: 30_000, env: { ...process.env, HOME: dir } });
    assert.equal(r.error, undefined);
    return r.stdout.split('\n').filter(Boolean);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const haveZsh = !spawnSync('zsh', ['-fc', 'true']).error;
if (!haveZsh) process.stdout.write('# skipped zsh completion test: zsh is not installed (apt-get install zsh)\n');

describe('zsh completion', { skip: haveZsh ? false : 'zsh is not installed' }, () => {
  const script = zshCompletion(loadSpec(ROOT));
  it('completes a subcommand and a flag in an interactive zsh -f', () => {
    assert.deepEqual(completedLines(script), ['GOT<vs list>', 'GOT<vrrp status --control-socket>']);
  });
  it('a broken script completes nothing (the test above can fail)', () => {
    const broken = script.replace("'vs') echo 'add clear del edit list", "'vs') echo 'add clear del edit");
    assert.notDeepEqual(completedLines(broken), ['GOT<vs list>', 'GOT<vrrp status --control-socket>']);
    assert.notDeepEqual(completedLines(script.replace('compdef _hactl hactl', 'true')), ['GOT<vs list>', 'GOT<vrrp status --control-socket>']);
  });
});
