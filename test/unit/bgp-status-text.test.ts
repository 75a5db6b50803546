/** `hactl vrrp status` (text) shows each announced VIP and FRR's view, not only --json. */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DaemonStatus } from '../../src/lib/vrrp/daemon';
import { renderStatus } from '../../src/lib/vrrp/control';

const base = { pid: 7, uptimeMs: 5000, instances: [], drops: {}, stalls: 0 } as unknown as DaemonStatus;

describe('vrrp status text: BGP', () => {
  it('one line per VIP (announced or why not, error) and FRR: peers, advertised to', () => {
    const s = {
      ...base,
      bgp: [
        { vip: '203.0.113.10', mode: 'active-active', announced: true, reason: 'every virtual server on 203.0.113.10 has quorum', error: null },
        { vip: '203.0.113.20', mode: 'master-only', announced: false, reason: 'VI_1 is BACKUP', error: 'bgp: announce 203.0.113.20 failed: EPERM' },
      ],
      bgpRouting: {
        ok: true,
        checkedAt: '2026-12-08T03:00:00.000Z',
        peers: [{ peer: '198.51.100.50', remoteAs: 64500, state: 'Established', prefixesSent: 1 }],
        vips: [
          { vip: '203.0.113.10', inBgp: true, advertisedTo: ['198.51.100.50'] },
          { vip: '203.0.113.20', inBgp: false, advertisedTo: [] },
        ],
      },
    } as DaemonStatus;
    const t = renderStatus(s);
    assert.match(t, /^BGP 203\.0\.113\.10 \(active-active\): ANNOUNCED \(every virtual server on 203\.0\.113\.10 has quorum\); FRR: in BGP, advertised to 198\.51\.100\.50$/m);
    assert.match(t, /^BGP 203\.0\.113\.20 \(master-only\): withdrawn \(VI_1 is BACKUP\), error: bgp: announce 203\.0\.113\.20 failed: EPERM; FRR: not in BGP$/m);
    assert.match(t, /^BGP peer 198\.51\.100\.50 AS64500: Established, 1 prefixes sent$/m);
  });

  it('FRR not answering: said once, per VIP "FRR unknown"', () => {
    const s = {
      ...base,
      bgp: [{ vip: '203.0.113.10', mode: 'active-active', announced: false, reason: 'quorum down', error: null }],
      bgpRouting: { ok: false, error: 'vtysh: cannot connect to FRR', checkedAt: '2026-12-08T03:00:00.000Z', peers: [], vips: [] },
    } as DaemonStatus;
    const t = renderStatus(s);
    assert.match(t, /^BGP 203\.0\.113\.10 \(active-active\): withdrawn \(quorum down\); FRR unknown$/m);
    assert.match(t, /^BGP: FRR not answering: vtysh: cannot connect to FRR$/m);
  });

  it('no --bgp: no BGP lines', () => {
    assert.doesNotMatch(renderStatus(base), /BGP/);
  });
});
