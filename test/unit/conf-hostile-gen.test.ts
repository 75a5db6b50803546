/**
 * The generators and statistics behind the hostile-input tests and the
 * benches (bench/lib): generated configs must be what they claim (unique
 * services, VRIDs and VIPs, documentation addresses only, the requested size),
 * and the percentiles must be right, or the measurements mean nothing.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { bigConfigChunks, virtualServersForSize, writeBigConfig, writeRepeated } from '../../bench/lib/gen';
import { median, percentile, summarize } from '../../bench/lib/stats';

describe('bench/lib/gen', () => {
  const text = [...bigConfigChunks({ virtualServers: 2000, realServersPerVs: 4, vrrpInstances: 1000 })].join('');

  it('generates unique virtual services with the requested real servers', () => {
    const vs = [...text.matchAll(/^virtual_server (\S+) (\d+) \{$/gm)].map((m) => `${m[1]}:${m[2]}`);
    assert.equal(vs.length, 2000);
    assert.equal(new Set(vs).size, 2000);
    assert.equal([...text.matchAll(/^ {4}real_server /gm)].length, 8000);
  });

  it('generates VRRP instances with a unique VRID per interface and family, and unique VIPs', () => {
    const blocks = [...text.matchAll(/interface (\S+)\n {4}virtual_router_id (\d+)\n[\s\S]*?virtual_ipaddress \{\n\s+(\S+)/g)];
    assert.equal(blocks.length, 1000);
    const key = blocks.map((m) => `${m[1]}/${m[2]}/${m[3]!.includes(':') ? 6 : 4}`);
    assert.equal(new Set(key).size, 1000);
    assert.equal(new Set(blocks.map((m) => m[3])).size, 1000);
    for (const m of blocks) assert.ok(Number(m[2]) >= 1 && Number(m[2]) <= 255, `VRID ${m[2]}`);
  });

  it('uses documentation addresses only', () => {
    const addrs = text.match(/\b\d+\.\d+\.\d+\.\d+\b|\b[0-9a-f]*:[0-9a-f:]+\b/g) ?? [];
    assert.ok(addrs.length > 0);
    for (const a of addrs) assert.match(a, /^(192\.0\.2\.|198\.51\.100\.|203\.0\.113\.|2001:db8:)/, a);
  });

  it('sizes a config as asked and writes it to disk', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-gen-'));
    try {
      const want = 2 * 1024 * 1024;
      const n = virtualServersForSize(want);
      const size = writeBigConfig(path.join(dir, 'a.conf'), { virtualServers: n, realServersPerVs: 4, vrrpInstances: 0 });
      assert.equal(fs.statSync(path.join(dir, 'a.conf')).size, size);
      assert.ok(size >= want && size < want * 1.1, `${size} bytes for ${want}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writeRepeated writes only whole repetitions (lines stay lines)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-gen-'));
    try {
      const p = path.join(dir, 'r');
      writeRepeated(p, '# seven\n', 3 * 1024 * 1024 + 3);
      const b = fs.readFileSync(p);
      assert.equal(b.length % 8, 0);
      assert.ok(b.length >= 3 * 1024 * 1024 + 3);
      assert.equal(b.subarray(-8).toString(), '# seven\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bench/lib/stats', () => {
  it('computes nearest-rank percentiles and medians', () => {
    const s = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    assert.equal(percentile(s, 90), 9);
    assert.equal(percentile(s, 100), 10);
    assert.equal(percentile(s, 0), 1);
    assert.equal(median(s), 5.5);
    assert.equal(median([3, 1, 2].sort((a, b) => a - b)), 2);
    const sum = summarize([10, 1, 5]);
    assert.deepEqual([sum.n, sum.min, sum.median, sum.max], [3, 1, 5, 10]);
    assert.ok(Number.isNaN(summarize([]).median));
  });
});
