/**
 * The `save -n` fast path (fastSaveFrom + parseProcIpvs4) must print exactly
 * what the general path prints (services + /proc destinations through
 * formatTable), and give the same JSON; tables it does not handle go to the
 * general path (null).
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serviceTextId } from '../../src/lib/ipvs/ids';
import { formatTable, tableJson } from '../../src/lib/ipvs/format';
import { parseProcIpvs, parseProcIpvs4, v4Key } from '../../src/lib/ipvs/procfs';
import { fastSaveFrom } from '../../src/lib/ipvs/run';
import type { Service, ServiceWithDests } from '../../src/lib/ipvs/types';

const HEAD = 'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n';
const FWD = ['Masq', 'Local', 'Tunnel', 'Route'];
const PROTO: Record<number, string> = { 6: 'TCP', 17: 'UDP', 132: 'SCTP' };

function hex(n: number, w: number): string {
  return n.toString(16).toUpperCase().padStart(w, '0');
}
function v4(s: string): number {
  return s.split('.').reduce((a, p) => a * 256 + Number(p), 0);
}

/** /proc/net/ip_vs as the kernel prints it. */
function procText(table: ServiceWithDests[]): string {
  let t = HEAD;
  for (const s of table) {
    t += `${PROTO[s.protocol]}  ${hex(v4(s.addr), 8)}:${hex(s.port, 4)} ${s.sched} ${s.flags & 1 ? `persistent ${s.timeout} ${hex(s.netmask, 8)}` : ''}\n`;
    for (const d of s.dests) t += `  -> ${hex(v4(d.addr), 8)}:${hex(d.port, 4)}      ${FWD[d.fwd].padEnd(7)} ${String(d.weight).padEnd(6)} ${String(d.activeConns).padEnd(10)} ${String(d.inactConns).padEnd(10)}\n`;
  }
  return t;
}

/** What getTableForSave builds: services with their destinations from parseProcIpvs. */
function general(svcs: Service[], text: string): ServiceWithDests[] {
  const proc = parseProcIpvs(text);
  assert.ok(proc);
  const by = new Map(proc.map((p) => [p.key, p.dests]));
  return svcs.map((s) => ({ ...s, dests: by.get(serviceTextId(s)) ?? [] }));
}

function prng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x * 1664525 + 1013904223) >>> 0;
    return x / 4294967296;
  };
}

function randomTable(seed: number, n: number): ServiceWithDests[] {
  const r = prng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const addr = () => `${pick([1, 10, 127, 128, 192, 200, 255])}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}`;
  const out: ServiceWithDests[] = [];
  const seen = new Set<string>();
  while (out.length < n) {
    const protocol = pick([6, 6, 17, 132]);
    const s: Service = { af: 2, protocol, addr: addr(), port: Math.floor(r() * 65536), fwmark: 0, sched: pick(['wlc', 'rr', 'sh', 'mh']), flags: 0, timeout: 0, netmask: 0xffffffff, pe: '' };
    const x = r();
    if (x < 0.15) Object.assign(s, { flags: 1, timeout: 300, netmask: pick([0xffffffff, 0xffffff00]) });
    else if (x < 0.2) s.flags = 4; // one-packet
    else if (x < 0.25) s.flags = 8; // sh-fallback
    if (seen.has(serviceTextId(s))) continue;
    seen.add(serviceTextId(s));
    const dests = [];
    const dseen = new Set<string>();
    for (let k = Math.floor(r() * 6); k > 0; k--) {
      const d = { af: 2 as const, addr: addr(), port: Math.floor(r() * 65536), fwd: pick([0, 1, 3]), weight: Math.floor(r() * 100), uThresh: 0, lThresh: 0, tunType: 0, tunPort: 0, tunFlags: 0, activeConns: Math.floor(r() * 9), inactConns: 0 };
      if (dseen.has(`${d.addr}:${d.port}`)) continue;
      dseen.add(`${d.addr}:${d.port}`);
      dests.push(d);
    }
    out.push({ ...s, dests });
  }
  return out;
}

describe('ipvs save fast path', () => {
  it('prints what the general path prints, with the same JSON (random IPv4 tables)', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const table = randomTable(seed, 200);
      const text = procText(table);
      const svcs: Service[] = table.map(({ dests: _d, ...s }) => ({ ...s, stats: { conns: 1, inpkts: 2, outpkts: 3, inbytes: 4, outbytes: 5, cps: 0, inpps: 0, outpps: 0, inbps: 0, outbps: 0 }, stats64: true }));
      const fast = fastSaveFrom(svcs, text);
      assert.ok(fast, `seed ${seed}: fast path taken`);
      const gen = general(svcs, text);
      assert.equal(fast.text, formatTable(gen, null, { rule: true, numeric: true }), `seed ${seed}`);
      assert.deepEqual(fast.json, tableJson(gen));
    }
  });

  it('parseProcIpvs4 reads numbers; SCTP lines are wider', () => {
    const text = `${HEAD}TCP  C0000201:0050 rr \n  -> C6336401:1F90      Masq    3      1          2         \nSCTP  C0000202:0D3C sh \n  -> C633640A:0D3C      Route   -1     0          0         \n`;
    const p = parseProcIpvs4(text);
    assert.ok(p);
    const dests = (key: number) => {
      const i = p.svc.get(key);
      assert.notEqual(i, undefined);
      const out = [];
      for (let j = p.start[i as number]; j < p.start[(i as number) + 1]; j++)
        out.push({ addr: p.addr[j], port: p.port[j], fwd: p.fwd[j], weight: p.weight[j], active: p.active[j], inact: p.inact[j] });
      return out;
    };
    assert.deepEqual(dests(v4Key(6, 0xc0000201, 80)), [{ addr: 0xc6336401, port: 8080, fwd: 0, weight: 3, active: 1, inact: 2 }]);
    assert.deepEqual(dests(v4Key(132, 0xc0000202, 3388)), [{ addr: 0xc633640a, port: 3388, fwd: 3, weight: -1, active: 0, inact: 0 }]);
    assert.equal(parseProcIpvs4(text.replace('C6336401', 'c6336401')), null);
    assert.equal(parseProcIpvs4(text.replace('Masq ', 'Mask ')), null);
    assert.equal(parseProcIpvs4(text.replace('3      1', 'x      1')), null);
  });

  it('leaves IPv6, fwmark and tunnel tables (and a mismatch with the services) to the general path', () => {
    const base = randomTable(9, 3);
    const svcs: Service[] = base.map(({ dests: _d, ...s }) => s);
    const text = procText(base);
    assert.ok(fastSaveFrom(svcs, text));
    assert.equal(fastSaveFrom(svcs, `${text}UDP  [2001:0db8:0000:0000:0000:0000:0000:0001]:0035 wrr \n`), null);
    assert.equal(fastSaveFrom(svcs, `${text}FWM  00000007 sh \n`), null);
    assert.equal(fastSaveFrom(svcs, text.replace(/Masq {3}|Route {2}|Local {2}/, 'Tunnel ')), null);
    assert.equal(fastSaveFrom(svcs.slice(1), text), null);
    assert.equal(fastSaveFrom([...svcs, { ...svcs[0], af: 10, addr: '2001:db8::1' }], text), null);
  });
});
