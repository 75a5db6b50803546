/** One identity for IPVS services and destinations (src/lib/ipvs/ids.ts): the planner, the LVS half, restore and /proc agree. */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IPPROTO_TCP, IPPROTO_UDP } from '../../src/lib/ipvs/constants';
import { addrId, destId, destTextId, procFwmarkId, serviceDestId, serviceId, serviceTextId, tableDestId } from '../../src/lib/ipvs/ids';
import { TableModel } from '../../src/lib/ipvs/plan';
import { desiredTable } from '../../src/lib/lvs/desired';
import { LvsState } from '../../src/lib/lvs/state';
import { rs, sorry, vs } from './lvs-helpers';

describe('IPVS ids', () => {
  it('the kernel form: one text per address, whatever the spelling', () => {
    assert.equal(addrId(10, '::FFFF:c000:201'), '::ffff:192.0.2.1');
    assert.equal(addrId(2, '2001:db8::1'), '2001:db8::1', 'not an address of that family: kept');
    const a = { af: 10 as const, protocol: IPPROTO_UDP, addr: '2001:DB8:0::1', port: 53, fwmark: 0 };
    assert.equal(serviceId(a), '17:[2001:db8::1]:53');
    assert.equal(serviceId(a), serviceTextId({ ...a, addr: '2001:db8::1' }));
    assert.equal(serviceId({ af: 2, protocol: 0, addr: '0.0.0.0', port: 0, fwmark: 7 }), 'fwm:2:7');
    assert.equal(destId({ af: 2, addr: '198.51.100.1', port: 8080 }), destTextId({ af: 2, addr: '198.51.100.1', port: 8080 }));
    assert.equal(serviceDestId(a, { af: 10, addr: '2001:db8::10', port: 5353 }), tableDestId(serviceId(a), '[2001:db8::10]:5353'));
    assert.equal(procFwmarkId(7), 'fwm:7');
  });

  it("the LVS half keys its wanted table by the planner's ids (services and destinations)", () => {
    const st = new LvsState();
    st.init({
      virtualServers: [
        vs('192.0.2.10', 80, [rs('198.51.100.1', 8080), rs('198.51.100.2', 8080)], { sorryServer: sorry('198.51.100.9', 80, { inhibit: true }) }),
        vs('2001:db8::10', 443, [rs('2001:db8::20', 443, { af: 10 })], { services: [{ af: 10, protocol: IPPROTO_TCP, addr: '2001:db8::10', port: 443, fwmark: 0 }] }),
      ],
    });
    const wanted = desiredTable(st);
    const model = TableModel.from([...wanted.values()].map((w) => ({ ...w.service, dests: [...w.dests.values()] })));
    assert.deepEqual([...wanted.keys()], [...model.svcs.keys()]);
    for (const [id, w] of wanted) assert.deepEqual([...w.dests.keys()], [...model.svcs.get(id)!.dests.keys()], id);
    assert.ok(wanted.has('6:192.0.2.10:80') && wanted.has('6:[2001:db8::10]:443'));
  });
});
