import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseIpvsadmArgs } from '../../src/lib/ipvs/argv';
import { filesResolver, formatConnections, formatDaemons, formatTable, formatTimeouts, largeNum, noNames, tableJson } from '../../src/lib/ipvs/format';
import type { Info, ServiceWithDests, Timeouts } from '../../src/lib/ipvs/types';

// Captured in the IPVS VM (tmp capture script): the decoded table and real ipvsadm 1.31 output for it.
const FIX = path.resolve(__dirname, '..', '..', '..', 'test', 'unit', 'fixtures', 'ipvs-ipvsadm-1.31.json');
const fx = JSON.parse(fs.readFileSync(FIX, 'utf8')) as {
  info: Info;
  table: ServiceWithDests[];
  timeouts: Timeouts;
  tables: Record<string, ServiceWithDests[]>;
  hosts: string;
  services: string;
  conn2: string;
  outputs: Record<string, string>;
};
// Name lookups as the VM's glibc did them (its /etc/hosts and /etc/services were captured too).
const vmNames = filesResolver(fx.hosts, fx.services);

describe('ipvs format: byte-identical to captured ipvsadm 1.31 output', () => {
  for (const [cmd, want] of Object.entries(fx.outputs)) {
    if (cmd === '-L --timeout' || cmd === '-L -n -c') continue;
    it(`ipvsadm ${cmd}`, () => {
      const ce = parseIpvsadmArgs(cmd.split(' '));
      const fmt = { ...ce.fmt, rule: ce.cmd === 'save' };
      const got = formatTable(fx.tables[cmd], ce.cmd === 'save' ? null : fx.info, fmt, ce.fmt.numeric ? noNames : vmNames);
      assert.equal(got, want);
    });
  }
  it('ipvsadm -L --timeout', () => {
    assert.equal(formatTimeouts(fx.timeouts), fx.outputs['-L --timeout']);
  });
  it('ipvsadm -L -n -c (expiry column normalised: the clock ran between the reads)', () => {
    const norm = (s: string) => s.replace(/^(\w+\s+)\d\d:\d\d/gm, '$1MM:SS');
    assert.equal(norm(formatConnections(fx.conn2, { numeric: true })), norm(fx.outputs['-L -n -c']));
  });
});

describe('ipvs format: details', () => {
  it('print_largenum thresholds and --exact widths', () => {
    assert.equal(largeNum(99999999, false), ' 99999999');
    assert.equal(largeNum(100000000, false), '  100000K');
    assert.equal(largeNum(999999999, false), '  999999K');
    assert.equal(largeNum(1000000000, false), '    1000M');
    assert.equal(largeNum(100000000000, false), '     100G');
    assert.equal(largeNum(100000000000000, false), '     100T');
    assert.equal(largeNum(12, true), '       12');
    assert.equal(largeNum(123456789, true), ' 123456789');
  });
  it('connection expiry is MM:SS and the pe columns appear with --persistent-conn', () => {
    const proc = 'Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\nUDP C0000201 0035 C0000202 0035 C0000203 0035 UDP              125 sip abc\n';
    const plain = formatConnections(proc, { numeric: true });
    assert.match(plain, /^UDP 02:05 {2}UDP {9}192\.0\.2\.1:53 {7}192\.0\.2\.2:53 {7}192\.0\.2\.3:53\n/m);
    const pc = formatConnections(proc, { numeric: true, persistentConn: true });
    assert.match(pc, /pe name {10}pe_data\n/);
    assert.match(pc, /192\.0\.2\.3:53 {5}sip {16}abc\n$/);
  });
  it('daemon lines', () => {
    assert.equal(
      formatDaemons([{ state: 1, ifname: 'd0', syncId: 7, maxLen: 1472, group: '224.0.0.81', port: 8848, ttl: 1 }, { state: 2, ifname: 'd1', syncId: 0 }]),
      'master sync daemon (mcast=d0, syncid=7, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)\nbackup sync daemon (mcast=d1, syncid=0)\n',
    );
  });
  it('JSON view names every field and sorts like the text', () => {
    const j = tableJson(fx.table) as Array<{ fwmark?: number; address?: string; dests: unknown[] }>;
    assert.equal(j.length, fx.table.length);
    assert.equal(j[0].fwmark, 4294967295);
    assert.equal(j[1].address, '192.0.2.1');
    assert.equal(j[1].dests.length, 3);
  });
});
