import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { queryLineJson, serveLineJson } from '../../src/lib/cli/control-socket';

describe('control socket: one request line, one JSON answer', () => {
  it('answers `VERB ARG` with answers[VERB](ARG), waits for a promise, and words a throw as {error}', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-ctl-'));
    const p = path.join(dir, 's.sock');
    const srv = serveLineJson(p, {
      status: () => ({ ok: true }),
      plan: async (f?: string) => ({ file: f }),
      reload: () => {
        throw new Error('no');
      },
    });
    try {
      await new Promise((r) => srv.once('listening', r));
      assert.deepEqual(await queryLineJson(p, 'status'), { ok: true });
      assert.deepEqual(await queryLineJson(p, 'plan /etc/a b.conf'), { file: '/etc/a b.conf' });
      assert.deepEqual(await queryLineJson(p, 'reload'), { error: 'no' });
      assert.deepEqual(await queryLineJson(p, 'nope x'), { error: 'unknown request "nope x"' });
    } finally {
      srv.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
