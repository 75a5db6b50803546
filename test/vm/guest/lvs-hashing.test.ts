/**
 * Runs INSIDE the IPVS VM: two directors (namespaces) with the same IPVS table send a flow to the
 * same real server with mh and sh, not with wlc; when one of M real servers leaves, mh remaps about
 * 1/M of the flows (test/vm/guest/hashing-lab.ts measures; bench/hashing.ts prints the figures with
 * more flows). Skips outside the VM.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatFigures, measureHashing } from './hashing-lab';
import { guestSkip } from './ipvs-guest-lib';

describe('consistent hashing across directors (IPVS VM)', { skip: guestSkip() }, () => {
  it('mh and sh pick the same real server on both directors, wlc does not; mh remaps ~1/M when one leaves', { timeout: 150_000 }, () => {
    const M = 5;
    const rows = measureHashing(300, M);
    process.stdout.write(formatFigures(rows, M));
    const by = Object.fromEntries(rows.map((r) => [r.sched, r]));
    assert.equal(by.mh.differSameOrder, 0, 'mh: same table, same real server');
    assert.equal(by.sh.differSameOrder, 0, 'sh: same table, same real server');
    assert.ok(by.wlc.differSameOrder > 0.3, `wlc depends on arrival order: ${by.wlc.differSameOrder}`);
    // Maglev is near-minimal: the leaving server's ~1/M of flows, plus a little
    assert.ok(by.mh.remapped >= 1 / M - 0.08 && by.mh.remapped <= 1 / M + 0.1, `mh remapped ${by.mh.remapped}`);
    // sh's buckets go round-robin over the list: removing one moves most flows
    assert.ok(by.sh.remapped > 0.5, `sh remapped ${by.sh.remapped}`);
  });
});
