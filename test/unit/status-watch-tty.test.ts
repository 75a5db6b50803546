/**
 * `hactl status --watch` on a terminal (a pty, test/helpers/pty.ts): the table is redrawn (cursor
 * home + clear) when something changes and only then, with the "(watching ...; last change" footer.
 * The daemon is a fake one on a unix socket in this process: its instance goes MASTER -> BACKUP
 * once, while its uptime (a clock, not a change) moves on every answer.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { serveLineJson } from '../../src/lib/cli/control-socket';
import { HACTL } from '../helpers/cli';
import { ptyOutput, ptyUnavailable } from '../helpers/pty';

const CLEAR = '\u001b[H\u001b[2J';

function status(state: string, uptimeMs: number) {
  return {
    pid: 4242,
    uptimeMs,
    stalls: 0,
    maxStallMs: 0,
    drops: {},
    instances: [
      {
        name: 'VI_1',
        interface: 'eth0',
        vrid: 51,
        version: 3,
        family: 4,
        state,
        basePriority: 150,
        effectivePriority: 150,
        advertIntervalMs: 1000,
        masterAddr: state === 'MASTER' ? null : '192.0.2.2',
        masterPriority: null,
        fault: null,
        vips: ['192.0.2.100/24'],
        lastTransition: null,
        counters: { rxAdverts: 0, txAdverts: uptimeMs, rxPriorityZero: 0, txPriorityZero: 0, becameMaster: 1, releasedMaster: 0, transitions: 1, addrMismatch: 0, drops: {} },
      },
    ],
  };
}

describe('hactl status --watch on a terminal', { skip: ptyUnavailable() }, () => {
  it('redraws the table on a change, only then, with the footer', { timeout: 30_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-watch-'));
    const sock = path.join(dir, 'vrrp.sock');
    const t0 = Date.now();
    let state = 'MASTER';
    const srv = serveLineJson(sock, { status: () => status(state, Date.now() - t0) });
    try {
      const flip = setTimeout(() => {
        state = 'BACKUP';
      }, 2500);
      const out = (await ptyOutput([process.execPath, HACTL, 'status', '--watch', '--interval', '0.2', '--control-socket', sock], 5, { NO_COLOR: '1' })).replace(/\r/g, '');
      clearTimeout(flip);
      const frames = out.split(CLEAR).slice(1);
      assert.equal(frames.length, 2, `one redraw at start and one for the change, none for the clock:\n${JSON.stringify(out)}`);
      assert.match(frames[0], /^VI_1 +eth0 +51 +MASTER +150 +- +192\.0\.2\.100\/24$/m);
      assert.match(frames[1], /^VI_1 +eth0 +51 +BACKUP +150 +192\.0\.2\.2 +192\.0\.2\.100\/24$/m);
      assert.match(frames[1], new RegExp(`^\\(watching ${sock.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}; last change \\S+Z: 2 change\\(s\\); Ctrl-C stops\\)$`, 'm'));
      assert.doesNotMatch(out, /^\S+Z VI_1 state:/m, 'no pipe-style change lines on a terminal');
    } finally {
      srv.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
