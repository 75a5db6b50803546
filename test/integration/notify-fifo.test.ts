/**
 * src/lib/notify/fifo.ts against the real kernel's FIFOs (no root needed): creation, the
 * script's arguments and the lines it reads, a full pipe, a path that is not a FIFO, stop.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { NotifyFifo } from '../../src/lib/notify/fifo';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(pred: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!pred() && Date.now() < end) await sleep(20);
}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-fifo-'));
}

describe('notify FIFO (keepalived notify_fifo / notify_fifo_script)', () => {
  it('creates the FIFO (0600), runs the script with the path as last argument, the script reads every line, SIGTERM at close', async () => {
    const d = tmp();
    try {
      const fifo = path.join(d, 'fifo');
      const out = path.join(d, 'out');
      const sh = path.join(d, 's.sh');
      fs.writeFileSync(
        sh,
        `#!/bin/sh\nfor last; do :; done\necho "args $#:$*" >> ${out}\ntrap 'echo term >> ${out}; exit 0' TERM\nwhile read -r l; do echo "line $l" >> ${out}; done < "$last"\n`,
        { mode: 0o755 },
      );
      const logs: string[] = [];
      const f = new NotifyFifo(fifo, 'notify_fifo', (lvl, m) => logs.push(`${lvl} ${m}`));
      assert.equal(f.open({ argv: [sh, 'a b'] }), true, logs.join('\n'));
      const st = fs.statSync(fifo);
      assert.ok(st.isFIFO());
      assert.equal(st.mode & 0o777, 0o600);
      f.write('INSTANCE "VI_1" BACKUP 100\n');
      f.write('INSTANCE "VI_1" MASTER 100\n');
      const read = () => (fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '');
      await until(() => read().includes('MASTER'), 5000);
      assert.equal(read(), `args 2:a b ${fifo}\nline INSTANCE "VI_1" BACKUP 100\nline INSTANCE "VI_1" MASTER 100\n`);
      f.close();
      await until(() => read().includes('term'), 5000);
      assert.ok(read().endsWith('term\n'), read());
      assert.ok(fs.statSync(fifo).isFIFO(), 'the FIFO is left in place, as keepalived does');
    } finally {
      fs.rmSync(d, { recursive: true, force: true });
    }
  });

  it('without a reader: writes never block; a full pipe drops lines with one warning', () => {
    const d = tmp();
    try {
      const logs: string[] = [];
      const f = new NotifyFifo(path.join(d, 'fifo'), 'vrrp_notify_fifo', (lvl, m) => logs.push(`${lvl} ${m}`));
      assert.equal(f.open(), true);
      const line = `${'x'.repeat(99)}\n`;
      for (let i = 0; i < 2000; i++) f.write(line); // 200 kB > the 64 kB pipe
      const full = logs.filter((l) => l.includes('is full'));
      assert.equal(full.length, 1, logs.join('\n'));
      f.close();
    } finally {
      fs.rmSync(d, { recursive: true, force: true });
    }
  });

  it('a path that is not a FIFO is left alone, with a warning', () => {
    const d = tmp();
    try {
      const p = path.join(d, 'plain');
      fs.writeFileSync(p, 'data\n');
      const logs: string[] = [];
      const f = new NotifyFifo(p, 'lvs_notify_fifo', (lvl, m) => logs.push(`${lvl} ${m}`));
      assert.equal(f.open(), false);
      assert.match(logs.join('\n'), /lvs_notify_fifo .*plain: exists and is not a FIFO/);
      f.write('RS x UP\n');
      assert.equal(fs.readFileSync(p, 'utf8'), 'data\n');
    } finally {
      fs.rmSync(d, { recursive: true, force: true });
    }
  });

  it('a script user that does not exist: the script does not run', async () => {
    const d = tmp();
    try {
      const out = path.join(d, 'ran');
      const sh = path.join(d, 's.sh');
      fs.writeFileSync(sh, `#!/bin/sh\ntouch ${out}\n`, { mode: 0o755 });
      const logs: string[] = [];
      const f = new NotifyFifo(path.join(d, 'fifo'), 'notify_fifo', (lvl, m) => logs.push(`${lvl} ${m}`));
      assert.equal(f.open({ argv: [sh], user: 'hactl-no-such-user' }), true);
      await sleep(300);
      assert.ok(!fs.existsSync(out));
      assert.match(logs.join('\n'), /unknown user 'hactl-no-such-user'; not run/);
      f.close();
    } finally {
      fs.rmSync(d, { recursive: true, force: true });
    }
  });
});
