import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NftBatch } from '../../src/lib/net/nft';
import { VrrpDaemon } from '../../src/lib/vrrp/daemon';
import { VipFirewall } from '../../src/lib/vrrp/firewall';
import { daemonConfig, FakeLink, instance, makeNode, VirtualClock } from './vrrp-fakes';

/** Message types (NFT_MSG_*) of each batch sent, with their family (2 ip, 10 ip6). */
function fakeSocket(answer: (b: NftBatch) => number[] = (b) => Array(b.count).fill(0)) {
  const sent: string[][] = [];
  const sock = {
    closed: false,
    apply(b: NftBatch) {
      const types: string[] = [];
      let off = 20;
      for (let i = 0; i < b.count; i++) {
        const len = b.buf.readUInt32LE(off);
        const t = b.buf.readUInt16LE(off + 4) & 0xff;
        const name = { 0: 'NEWTABLE', 2: 'DELTABLE', 3: 'NEWCHAIN', 6: 'NEWRULE', 9: 'NEWSET', 12: 'NEWSETELEM', 14: 'DELSETELEM' }[t] ?? String(t);
        types.push(`${name}/${b.buf[off + 16]}`);
        off += (len + 3) & ~3;
      }
      sent.push(types);
      return answer(b);
    },
    close() {
      sock.closed = true;
    },
  };
  return { sock, sent };
}

describe('VipFirewall (no_accept with nftables, fake socket)', () => {
  it('table on first need, elements follow MASTER, shared addresses stay until the last owner leaves, tables deleted at close', () => {
    const { sock, sent } = fakeSocket();
    const logs: string[] = [];
    let opened = 0;
    const fw = new VipFirewall(
      (l, m) => logs.push(`${l} ${m}`),
      () => {
        opened++;
        return sock;
      },
    );
    fw.update('VI_1', []);
    assert.equal(opened, 0, 'no socket while nothing is needed');
    fw.update('VI_1', ['192.0.2.77']);
    assert.equal(opened, 1);
    assert.deepEqual(sent[0], ['NEWTABLE/2', 'DELTABLE/2'], 'a stale table is replaced');
    assert.equal(sent[1].filter((t) => t === 'NEWRULE/2').length, 2);
    assert.equal(sent[1].at(-1), 'NEWSETELEM/2');
    fw.update('VI_2', ['192.0.2.77', '2001:db8::77']);
    assert.deepEqual(sent[2], ['NEWTABLE/10', 'DELTABLE/10']);
    assert.equal(sent[3].at(-1), 'NEWSETELEM/10');
    assert.equal(sent.length, 4, '192.0.2.77 already installed');
    fw.update('VI_1', []);
    assert.equal(sent.length, 4, 'VI_2 still needs 192.0.2.77');
    fw.update('VI_2', []);
    assert.deepEqual(sent.slice(4), [['DELSETELEM/2'], ['DELSETELEM/10']]);
    fw.close();
    assert.deepEqual(sent.at(-1), ['DELTABLE/2', 'DELTABLE/10']);
    assert.ok(sock.closed);
    assert.equal(logs.filter((l) => l.startsWith('info')).length, 2);
  });

  it('a kernel refusal is one logged sentence, no throw; a missing socket is logged once', () => {
    const { sock } = fakeSocket((b) => [1, ...Array(b.count - 1).fill(0)]);
    const logs: string[] = [];
    const fw = new VipFirewall((l, m) => logs.push(`${l} ${m}`), () => sock);
    fw.update('VI_1', ['192.0.2.77']);
    assert.equal(logs.length, 1, logs.join('\n'));
    assert.match(logs[0], /^error no_accept: cannot create table ip keepalived: operation not permitted/);
    fw.close();

    const logs2: string[] = [];
    const fw2 = new VipFirewall(
      (l, m) => logs2.push(`${l} ${m}`),
      () => {
        throw Object.assign(new Error('socket: Protocol not supported'), { code: 'EPROTONOSUPPORT' });
      },
    );
    fw2.update('VI_1', ['192.0.2.77']);
    fw2.update('VI_2', ['192.0.2.78']);
    assert.equal(logs2.length, 1, logs2.join('\n'));
    assert.match(logs2[0], /no_accept is not enforced: cannot open the nf_tables netlink socket \(nf_tables is not available/);
    fw2.close();
  });

  it('daemon: only a non-owner without accept gets elements, when MASTER; elements removed and tables deleted at stop; no "not enforced" warning', async () => {
    const { sock, sent } = fakeSocket();
    const clock = new VirtualClock();
    const link = new FakeLink(clock);
    const a = makeNode(link, 'a', '192.0.2.1');
    const fw = new VipFirewall(a.deps.log, () => sock);
    const d = new VrrpDaemon(
      daemonConfig([
        instance({ accept: false }),
        instance({ name: 'VI_2', vrid: 52, accept: false, priority: 255, vips: [{ address: '192.0.2.102', prefix: 24, family: 4 }] }),
        instance({ name: 'VI_3', vrid: 53, accept: true, vips: [{ address: '192.0.2.103', prefix: 24, family: 4 }] }),
      ]),
      { ...a.deps, firewall: fw },
    );
    await d.start();
    assert.equal(sent.length, 0, 'nothing before MASTER');
    await clock.advance(5000);
    const elems = sent.filter((b) => b.includes('NEWSETELEM/2'));
    assert.equal(elems.length, 1, JSON.stringify(sent));
    assert.equal(sent.flat().filter((t) => t === 'NEWSETELEM/2').length, 1, 'one element message: VI_1 only');
    assert.equal(a.logs.filter((l) => /not enforced/.test(l)).length, 0);
    await d.stop();
    assert.deepEqual(sent.at(-2), ['DELSETELEM/2']);
    assert.deepEqual(sent.at(-1), ['DELTABLE/2']);
  });
});
