/**
 * The quorum input of the BGP decision, end to end without IPVS: the LVS half's reconciler (fake
 * IPVS and checkers, keepalived's quorum/hysteresis/alpha/sorry-server semantics in lvs/state.ts)
 * reports its status, quorumOf() maps it to the VIP's virtual servers, decideAnnounce() decides.
 * Active-active: no vrrp_instance involved.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideAnnounce } from '../../src/lib/bgp/decide';
import { parseSettings } from '../../src/lib/bgp/settings';
import type { LvsSpec } from '../../src/lib/lvs/types';
import { quorumOf } from '../../src/lib/vrrp/bgp-hook';
import { chk, type Rig, rig, rs, sorry, startAndCheck, tick, vs } from './lvs-helpers';

const VIP = '203.0.113.10';
const spec = (...v: ReturnType<typeof vs>[]): LvsSpec => ({ virtualServers: v }) as unknown as LvsSpec;
const four = (extra = {}) => [rs('127.0.0.1', 80, extra), rs('127.0.0.2', 80, extra), rs('127.0.0.3', 80, extra), rs('127.0.0.4', 80, extra)];

function verdict(r: Rig, line = `vip ${VIP}`) {
  const a = parseSettings(`${line}\n`, 'bgp.conf').vips[0];
  return decideAnnounce({ announcement: a, virtualServers: quorumOf(r.rec.status(), VIP), vrrp: [] });
}

describe('bgp decision from the LVS half (active-active, fixed inputs)', () => {
  it('quorum 3 hysteresis 1: withdrawn below 2, announced again only at 4', async () => {
    const r = rig();
    await startAndCheck(r, spec(vs(VIP, 80, four(), { quorum: 3, hysteresis: 1 })));
    assert.deepEqual(verdict(r), { announce: true, reason: 'quorum, mode active-active' });
    r.checks.up.set('127.0.0.1|80', false);
    r.checks.up.set('127.0.0.2|80', false);
    await tick(r);
    assert.equal(verdict(r).announce, true, 'sum 2 is not < 3-1');
    r.checks.up.set('127.0.0.3|80', false);
    await tick(r);
    assert.deepEqual(verdict(r), { announce: false, reason: `quorum lost on [${VIP}]:tcp:80` });
    r.checks.up.set('127.0.0.1|80', true);
    r.checks.up.set('127.0.0.2|80', true);
    await tick(r);
    assert.equal(verdict(r).announce, false, 'sum 3 < 3+1: still withdrawn');
    r.checks.up.set('127.0.0.3|80', true);
    await tick(r);
    assert.equal(verdict(r).announce, true);
  });

  it('alpha: not announced before the first checks pass', async () => {
    const r = rig();
    const a = { checkers: [chk('TCP_CHECK#0', { alpha: true })] };
    await r.rec.start(spec(vs(VIP, 80, [rs('127.0.0.1', 80, a), rs('127.0.0.2', 80, a)], { quorum: 2, alpha: true })));
    await r.rec.idle();
    assert.deepEqual(verdict(r), { announce: false, reason: `quorum lost on [${VIP}]:tcp:80` });
    await tick(r);
    assert.equal(verdict(r).announce, true);
  });

  it('sorry server: withdrawn unless the VIP says sorry-server announce', async () => {
    const r = rig();
    await startAndCheck(r, spec(vs(VIP, 80, four(), { quorum: 2, sorryServer: sorry('127.0.0.9', 80) })));
    for (const k of ['127.0.0.1|80', '127.0.0.2|80', '127.0.0.3|80']) r.checks.up.set(k, false);
    await tick(r);
    assert.equal(verdict(r).announce, false);
    assert.deepEqual(verdict(r, `vip ${VIP} sorry-server announce`), { announce: true, reason: `quorum (sorry server on [${VIP}]:tcp:80), mode active-active` });
  });

  it('two virtual servers on the VIP: both must have quorum; another VIP does not count', async () => {
    const r = rig();
    await startAndCheck(r, spec(vs(VIP, 80, [rs('127.0.0.1')]), vs(VIP, 443, [rs('127.0.0.2', 443)]), vs('203.0.113.20', 80, [rs('127.0.0.3')])));
    assert.equal(verdict(r).announce, true);
    r.checks.up.set('127.0.0.2|443', false);
    await tick(r);
    assert.deepEqual(verdict(r), { announce: false, reason: `quorum lost on [${VIP}]:tcp:443` });
    r.checks.up.set('127.0.0.2|443', true);
    r.checks.up.set('127.0.0.3|80', false);
    await tick(r);
    assert.equal(verdict(r).announce, true);
  });

  it('the LVS half not answering: nothing announced', () => {
    const a = parseSettings(`vip ${VIP}\n`, 'bgp.conf').vips[0];
    assert.deepEqual(decideAnnounce({ announcement: a, virtualServers: quorumOf(undefined, VIP), vrrp: [] }), { announce: false, reason: 'quorum of LVS half not known yet' });
  });
});
