/** `hactl status`: the one view from fixed daemon answers, its JSON Schema, the table, the watch mode's change lines. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { painter } from '../../src/lib/cli/color';
import type { LvsStatus } from '../../src/lib/lvs/reconciler';
import type { DaemonStatus } from '../../src/lib/vrrp/daemon';
import { buildOverview, factChanges, overviewFacts, renderOverview } from '../../src/lib/vrrp/overview';
import { ROOT } from '../helpers/cli';
import { validateSchema } from '../helpers/schema';

const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', 'status.schema.json'), 'utf8'));

const inst = (o: Partial<DaemonStatus['instances'][number]> = {}): DaemonStatus['instances'][number] => ({
  name: 'VI_1',
  interface: 'eth0',
  vrid: 51,
  version: 3,
  family: 4,
  state: 'MASTER',
  basePriority: 150,
  effectivePriority: 150,
  advertIntervalMs: 1000,
  masterAddr: '192.0.2.1',
  masterPriority: 150,
  fault: null,
  vips: ['192.0.2.100/24'],
  lastTransition: null,
  drillHold: false,
  counters: { rxAdverts: 1, txAdverts: 2, rxPriorityZero: 0, txPriorityZero: 0, becameMaster: 1, releasedMaster: 0, transitions: 2, addrMismatch: 0, drops: {} },
  ...o,
});

const vrrp = (o: Partial<DaemonStatus> = {}): DaemonStatus => ({
  pid: 42,
  uptimeMs: 12_345,
  stalls: 0,
  maxStallMs: 0,
  drops: {},
  instances: [inst()],
  halves: [{ name: 'LVS', state: 'up', pid: 43, restarts: 0, lastExit: null, nextStartInMs: null } as unknown as NonNullable<DaemonStatus['halves']>[number]],
  ...o,
});

const lvs = (alive = true): LvsStatus => ({
  virtualServers: [
    {
      id: '192.0.2.100:80',
      services: ['TCP 192.0.2.100:80'],
      sched: 'wrr',
      quorum: 1,
      hysteresis: 0,
      quorumUp: alive,
      weightSum: alive ? 3 : 0,
      realServers: [
        {
          addr: '198.51.100.11',
          port: 80,
          alive,
          weight: 3,
          effectiveWeight: 3,
          inhibitOnFailure: false,
          inIpvs: alive,
          ipvsWeight: alive ? 3 : undefined,
          checkers: [{ id: 'c1', type: 'TCP_CHECK', up: alive, runs: 4, lastReason: alive ? 'connected' : 'connection refused' }],
        },
      ],
    },
  ],
  ipvsOps: 3,
  syncPending: false,
});

const bgp = [{ vip: '203.0.113.10', mode: 'master-only', announced: true, reason: 'VI_1 is MASTER', error: null }];

describe('hactl status: one view', () => {
  it('VRRP + LVS + checkers + BGP, valid against schemas/status.schema.json; the schema refuses a wrong object', () => {
    const o = buildOverview({ ...vrrp(), bgp }, lvs());
    assert.deepEqual(validateSchema(schema, o), []);
    assert.equal(o.exitCode, 0);
    assert.equal(o.daemon.state, 'running');
    assert.deepEqual(o.lvs[0].realServers[0], { address: '198.51.100.11', port: 80, alive: true, weight: 3, ipvsWeight: 3, drained: false, checkers: [{ type: 'TCP_CHECK', up: true, last: 'connected' }] });
    assert.deepEqual(o.bgp, bgp);
    assert.notDeepEqual(validateSchema(schema, { ...o, extra: 1 }), []);
    assert.notDeepEqual(validateSchema(schema, { ...o, vrrp: [{ ...o.vrrp[0], state: 'UP' }] }), []);
    assert.notDeepEqual(validateSchema(schema, { ...o, daemon: { ...o.daemon, pid: 'x' } }), []);
    // down real server (not in IPVS), LVS-only daemon: still valid
    const l = buildOverview(undefined, lvs(false));
    assert.deepEqual(validateSchema(schema, l), []);
    assert.equal(l.daemon.state, 'lvs-only');
    assert.equal(l.lvs[0].realServers[0].ipvsWeight, null);
  });
  it('a drained real server (hactl rs drain): drained in the JSON, DRAINED in the table, a --watch change', () => {
    const base = lvs();
    const d: LvsStatus = { ...base, virtualServers: [{ ...base.virtualServers[0], realServers: [{ ...base.virtualServers[0].realServers[0], ipvsWeight: 0, drained: true }] }] };
    const o = buildOverview(vrrp(), d);
    assert.deepEqual(validateSchema(schema, o), []);
    assert.equal(o.schemaVersion, 2);
    assert.equal(o.lvs[0].realServers[0].drained, true);
    assert.match(renderOverview(o, painter(false)), /198\.51\.100\.11:80 {2}UP DRAINED {2}0 \(3\)/);
    assert.deepEqual(factChanges(overviewFacts(buildOverview(vrrp(), base)), overviewFacts(o)).length, 1);
  });
  it('a supervised half not up: degraded, exit 3 as vrrp status', () => {
    const h = vrrp().halves as NonNullable<DaemonStatus['halves']>;
    const o = buildOverview(vrrp({ halves: [{ ...h[0], state: 'restarting' }] }), undefined);
    assert.equal(o.daemon.state, 'degraded');
    assert.equal(o.exitCode, 3);
    assert.deepEqual(validateSchema(schema, o), []);
    assert.match(renderOverview(o, painter(false)), /^daemon: pid 42, up 12 s, LVS half restarting - DEGRADED\n/);
  });
  it('the table: sections, no colour with a plain painter, colour with an ANSI one', () => {
    const o = buildOverview({ ...vrrp(), bgp }, lvs());
    const text = renderOverview(o, painter(false));
    assert.equal(
      text,
      [
        'daemon: pid 42, up 12 s, LVS half up',
        '',
        'VRRP',
        'INSTANCE  IF    VRID  STATE   PRIO  MASTER     VIPS',
        'VI_1      eth0  51    MASTER  150   192.0.2.1  192.0.2.100/24',
        '',
        'LVS',
        'VIRTUAL SERVER      REAL SERVER       STATE  WEIGHT  CHECKERS',
        '192.0.2.100:80 wrr  198.51.100.11:80  UP     3       TCP_CHECK up',
        '',
        'BGP',
        'VIP           MODE         ANNOUNCED  WHY',
        '203.0.113.10  master-only  yes        VI_1 is MASTER',
        '',
      ].join('\n'),
    );
    assert.doesNotMatch(text, /\u001b/);
    assert.match(renderOverview(o, painter(true)), /\u001b\[32mMASTER/);
  });
  it('--watch: one line per change, no line for counters or clocks', () => {
    const a = overviewFacts(buildOverview({ ...vrrp(), bgp }, lvs()));
    const same = overviewFacts(buildOverview({ ...vrrp({ uptimeMs: 99_000, instances: [inst({ counters: { ...inst().counters, txAdverts: 99 } })] }), bgp }, lvs()));
    assert.deepEqual(factChanges(a, same), []);
    const b = overviewFacts(
      buildOverview({ ...vrrp({ instances: [inst({ state: 'BACKUP', drillHold: true, masterAddr: '192.0.2.2' })] }), bgp: [{ ...bgp[0], announced: false, reason: 'VI_1 is BACKUP' }] }, lvs(false)),
    );
    assert.deepEqual(factChanges(a, b), [
      'VI_1 state: MASTER -> BACKUP (drill hold)',
      'VI_1 master: 192.0.2.1 -> 192.0.2.2',
      '192.0.2.100:80 quorum: UP -> DOWN',
      '192.0.2.100:80 198.51.100.11:80: UP weight 3 -> DOWN weight not in IPVS',
      '192.0.2.100:80 198.51.100.11:80 TCP_CHECK: up -> down',
      'bgp 203.0.113.10: announced -> withdrawn (VI_1 is BACKUP)',
    ]);
    assert.deepEqual(factChanges(b, overviewFacts(undefined)).slice(0, 2), ['daemon: running -> absent', 'LVS half: up -> gone']);
    assert.equal(factChanges(undefined, a).length, a.size);
  });
});
