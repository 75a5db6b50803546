/**
 * Runs INSIDE the IPVS VM: `hactl drift` on an IPVS table (no daemon: every real server is wanted
 * at its configured weight). A clean table reports nothing; a destination added by hand and a
 * weight changed by hand are found, and nothing else. Skips outside the VM.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { flush, guestSkip, hactl, ipvsadmLines } from './ipvs-guest-lib';

const CONF = `virtual_server 192.0.2.10 80 {
  lb_algo wlc
  lb_kind NAT
  protocol TCP
  real_server 198.51.100.11 80 {
    weight 3
  }
  real_server 198.51.100.12 80 {
    weight 1
  }
}
`;

describe('hactl drift: IPVS (VM)', { skip: guestSkip() }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-drift-'));
  const conf = path.join(dir, 'keepalived.conf');
  fs.writeFileSync(conf, CONF);
  after(() => {
    flush();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const drift = () => {
    const r = hactl(['drift', '-f', conf, '--control-socket', path.join(dir, 'none.sock'), '--json']);
    const j = JSON.parse(r.stdout) as { differences: { kind: string; what: string; expected?: string; actual?: string }[]; notes: string[] };
    return { status: r.status, kinds: j.differences.map((d) => `${d.kind} ${d.what} ${d.expected} -> ${d.actual}`), notes: j.notes };
  };

  it('clean table: no drift; a hand-added destination and a changed weight are found', () => {
    flush();
    ipvsadmLines(`
      -A -t 192.0.2.10:80 -s wlc
      -a -t 192.0.2.10:80 -r 198.51.100.11:80 -m -w 3
      -a -t 192.0.2.10:80 -r 198.51.100.12:80 -m -w 1
    `);
    let r = drift();
    assert.deepEqual(r.kinds, [], `clean: ${r.kinds.join('; ')} ${r.notes.join('; ')}`);
    assert.equal(r.status, 0);
    assert.doesNotMatch(r.notes.join('\n'), /IPVS: cannot read/);
    ipvsadmLines(`
      -a -t 192.0.2.10:80 -r 198.51.100.99:80 -m -w 1
      -e -t 192.0.2.10:80 -r 198.51.100.11:80 -m -w 5
    `);
    r = drift();
    assert.equal(r.status, 1);
    assert.deepEqual(r.kinds, [
      'ipvs-dest-weight 198.51.100.11:80 in TCP 192.0.2.10:80 weight 3 -> weight 5',
      'ipvs-dest-unexpected 198.51.100.99:80 in TCP 192.0.2.10:80 absent -> masq weight 1',
    ]);
  });
});
