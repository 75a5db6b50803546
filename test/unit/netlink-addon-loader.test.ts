/**
 * src/lib/netlink/addon.ts: the one loader of native/packet's build outputs (addons and the
 * watchdog executable), and no other module looking for them itself.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { loadAddon, nativeCandidates, watchdogPath } from '../../src/lib/netlink/addon';

const ROOT = path.resolve(__dirname, '..', '..', '..');

function withEnv<T>(name: string, value: string | undefined, fn: () => T): T {
  const old = process.env[name];
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
  try {
    return fn();
  } finally {
    if (old === undefined) delete process.env[name];
    else process.env[name] = old;
  }
}

describe('native/packet loader', () => {
  it('looks at the override, then build/Release, then build/Debug', () => {
    const rel = (n: Parameters<typeof nativeCandidates>[0]) => nativeCandidates(n).map((p) => path.relative(ROOT, p));
    withEnv('HACTL_NETLINK_ADDON', undefined, () => {
      assert.deepEqual(rel('hactl_netlink'), ['native/packet/build/Release/hactl_netlink.node', 'native/packet/build/Debug/hactl_netlink.node']);
    });
    withEnv('HACTL_PACKET_ADDON', '/x/p.node', () => assert.equal(nativeCandidates('hactl_packet')[0], '/x/p.node'));
    withEnv('HACTL_WATCHDOG', '/x/wd', () => {
      assert.deepEqual(nativeCandidates('hactl-watchdog').slice(0, 2), ['/x/wd', path.join(ROOT, 'native/packet/build/Release/hactl-watchdog')]);
    });
  });

  it('skips a candidate that does not load or that the caller does not accept', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-addon-'));
    try {
      const bad = path.join(dir, 'bad.node');
      fs.writeFileSync(bad, 'not an addon');
      const built = fs.existsSync(path.join(ROOT, 'native/packet/build/Release/hactl_packet.node'));
      withEnv('HACTL_PACKET_ADDON', bad, () => {
        const m = loadAddon<{ open: unknown }>('hactl_packet');
        assert.equal(m !== null, built, 'the broken override is skipped for the built addon');
        assert.equal(
          loadAddon<{ open: unknown }>('hactl_packet', () => false),
          null,
        );
      });
      const notExec = path.join(dir, 'wd');
      fs.writeFileSync(notExec, '');
      withEnv('HACTL_WATCHDOG', notExec, () => assert.notEqual(watchdogPath(), notExec));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is the only module in src/lib that knows where the build outputs are', () => {
    const hits: string[] = [];
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.ts') && /build\/(Release|Debug)|\.node['"`]/.test(fs.readFileSync(p, 'utf8'))) hits.push(path.relative(ROOT, p));
      }
    };
    walk(path.join(ROOT, 'src'));
    assert.deepEqual(hits, ['src/lib/netlink/addon.ts']);
  });
});
