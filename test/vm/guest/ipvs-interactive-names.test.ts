/**
 * Listings WITHOUT -n name hosts like ipvsadm (gethostbyaddr through NSS):
 * the guest's /etc/nsswitch.conf `hosts:` line is set to `files`, then
 * `files dns`, then `dns files`, with a small DNS server on 127.0.0.1:53
 * (a child process) answering PTR queries; `hactl vs list`, `hactl save` and
 * `hactl ipvsadm -L` must print byte for byte what ipvsadm prints. A DNS
 * server that never answers: hactl still finishes quickly (ipvsadm would wait
 * out every resolver timeout), names what /etc/hosts knows and warns. In the VM.
 */
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { flush, guestSkip, HACTL, hactl, ipvsadm, ipvsadmLines, run } from './ipvs-guest-lib';

const skip = guestSkip();

const FILES = ['/etc/hosts', '/etc/nsswitch.conf', '/etc/resolv.conf'];

const HOSTS = `127.0.0.1 localhost ipvs-vm
::1 localhost ip6-localhost
192.0.2.1 vip-files www-alias
198.51.100.1 rs-one
2001:db8::1 vip6-files
2001:db8::10 rs6-files
`;

/** PTR answers of the fake DNS server (anything else: NXDOMAIN). */
const PTR: Record<string, string> = {
  '2001:db8::1': 'vip6-dns.example',
  '2001:db8::20': 'rs6-dns.example',
  '192.0.2.1': 'vip-dns.example',
  '198.51.100.2': 'rs-two.example',
  '203.0.113.5': 'rs-five-with-a-long-name.dns.example',
};

const TABLE = `
-A -t 192.0.2.1:80 -s rr
-a -t 192.0.2.1:80 -r 198.51.100.1:80 -m
-a -t 192.0.2.1:80 -r 198.51.100.2:8080 -m -w 2
-a -t 192.0.2.1:80 -r 203.0.113.5:80 -m
-A -u 192.0.2.3:53 -s wlc
-a -u 192.0.2.3:53 -r 198.51.100.3:53 -m
-A -t 192.0.2.4:443 -s sh
-A -t [2001:db8::1]:443 -s wrr
-a -t [2001:db8::1]:443 -r [2001:db8::10]:443 -m
-a -t [2001:db8::1]:443 -r [2001:db8::20]:443 -m
-A -f 3 -s rr
-a -f 3 -r 198.51.100.2:0 -g
`;

/** A UDP DNS server on 127.0.0.1:53 (answers PTR from the map, or never answers with mute=1). */
const DNS_SERVER = `
const dgram = require('node:dgram');
const ptr = JSON.parse(process.env.PTR);
const mute = process.env.MUTE === '1';
const s = dgram.createSocket('udp4');
const expand6 = (a) => { const [h, t] = a.split('::'); const hs = h ? h.split(':') : []; const ts = t !== undefined && t ? t.split(':') : []; const mid = Array(8 - hs.length - ts.length).fill('0'); return [...hs, ...(t !== undefined ? mid : []), ...ts].map((g) => g.padStart(4, '0')).join(''); };
const name = (n) => Buffer.concat([...n.split('.').filter(Boolean).map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
s.on('message', (q, rinfo) => {
  let i = 12; const labels = [];
  while (q[i]) { labels.push(q.subarray(i + 1, i + 1 + q[i]).toString()); i += q[i] + 1; }
  const qend = i + 5;
  const qtype = q.readUInt16BE(i + 1);
  process.stderr.write('query ' + labels.join('.') + ' ' + qtype + '\\n');
  if (mute) return;
  const m = /^(\\d+)\\.(\\d+)\\.(\\d+)\\.(\\d+)\\.in-addr\\.arpa$/i.exec(labels.join('.'));
  let addr = m ? [m[4], m[3], m[2], m[1]].join('.') : undefined;
  if (!m && labels.length === 34 && /^ip6\\.arpa$/i.test(labels.slice(32).join('.'))) {
    const hex = labels.slice(0, 32).reverse().join('');
    addr = Object.keys(ptr).find((k) => k.includes(':') && expand6(k) === hex.toLowerCase());
  }
  const target = addr && qtype === 12 ? ptr[addr] : undefined;
  const h = Buffer.alloc(12);
  q.copy(h, 0, 0, 2);
  h.writeUInt16BE(target ? 0x8180 : 0x8183, 2);
  h.writeUInt16BE(1, 4);
  h.writeUInt16BE(target ? 1 : 0, 6);
  const parts = [h, q.subarray(12, qend)];
  if (target) {
    const rd = name(target);
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0); rr.writeUInt16BE(12, 2); rr.writeUInt16BE(1, 4); rr.writeUInt32BE(60, 6); rr.writeUInt16BE(rd.length, 10);
    parts.push(rr, rd);
  }
  s.send(Buffer.concat(parts), rinfo.port, rinfo.address);
});
s.bind(53, '127.0.0.1', () => process.stdout.write('ready\\n'));
`;

class FakeDns {
  child: ChildProcess | null = null;
  queries = '';
  async start(mute: boolean): Promise<void> {
    this.queries = '';
    const c = spawn(process.execPath, ['-e', DNS_SERVER], { env: { ...process.env, PTR: JSON.stringify(PTR), MUTE: mute ? '1' : '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = c;
    c.stderr?.on('data', (b: Buffer) => {
      this.queries += b.toString();
    });
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`fake DNS server did not start: ${this.queries}`)), 60_000);
      c.stdout?.on('data', (b: Buffer) => {
        if (b.toString().includes('ready')) {
          clearTimeout(t);
          resolve();
        }
      });
      c.on('exit', (code) => reject(new Error(`fake DNS server exited ${code}: ${this.queries}`)));
    });
  }
  /** The queries it logged (their pipe is only read while the event loop runs, not during spawnSync). */
  async waitFor(re: RegExp, ms = 10_000): Promise<string> {
    const end = Date.now() + ms;
    while (!re.test(this.queries) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    return this.queries;
  }
  stop(): void {
    this.child?.kill('SIGKILL');
    this.child = null;
  }
}

/** The listings compared, each as [what, ipvsadm args, hactl args]. */
const VIEWS: Array<[string, string[], string[]]> = [
  ['list', ['-L'], ['vs', 'list']],
  ['list --stats', ['-L', '--stats'], ['vs', 'list', '--stats']],
  ['list one service', ['-L', '-t', '192.0.2.1:80'], ['vs', 'list', '-t', '192.0.2.1:80']],
  ['save', ['-S'], ['save']],
  ['ipvsadm -L', ['-L'], ['ipvsadm', '-L']],
];

/** Every view, `hactl ipvsadm -L` included, against ipvsadm. */
function compareAll(label: string): string {
  let shown = '';
  for (const [what, ia, ha] of VIEWS) {
    const want = ipvsadm(...ia);
    assert.equal(want.status, 0, want.stderr);
    const got = hactl(ha);
    assert.equal(got.status, 0, `${label} ${what}: ${got.stderr}`);
    assert.equal(got.stdout, want.stdout, `${label}: hactl ${ha.join(' ')} vs ipvsadm ${ia.join(' ')}`);
    assert.equal(got.stderr, '', `${label} ${what}: no warning expected`);
    if (what === 'list') shown = want.stdout;
  }
  return shown;
}

describe('host names without -n follow nsswitch like ipvsadm (VM)', { skip }, () => {
  const saved = new Map<string, string | null>();
  const dns = new FakeDns();
  before(() => {
    for (const f of FILES) saved.set(f, fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : null);
    fs.writeFileSync('/etc/hosts', HOSTS);
    fs.writeFileSync('/etc/resolv.conf', 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
    flush();
    ipvsadmLines(TABLE);
  });
  after(() => {
    dns.stop();
    flush();
    for (const [f, text] of saved) {
      if (text === null) fs.rmSync(f, { force: true });
      else fs.writeFileSync(f, text);
    }
  });

  it('hosts: files (the guest default): names from /etc/hosts, IPv6 included', () => {
    fs.writeFileSync('/etc/nsswitch.conf', 'hosts: files\nservices: files\n');
    const shown = compareAll('files');
    assert.match(shown, /TCP {2}vip-files:http rr/);
    assert.match(shown, /TCP {2}\[vip6-files\]:https wrr/);
    assert.match(shown, /-> rs-one:http/);
    assert.match(shown, /-> 198\.51\.100\.2:http-alt/);
  });

  it('hosts: files dns, with a DNS server answering PTR: files first, DNS for the rest', async () => {
    fs.writeFileSync('/etc/nsswitch.conf', 'hosts: files dns\nservices: files\n');
    await dns.start(false);
    try {
      const shown = compareAll('files dns');

      assert.match(shown, /TCP {2}vip-files:http rr/);
      assert.match(shown, /-> rs-two\.example:http-alt/);
      assert.match(shown, /-> \[rs6-dns\.example\]:https/);
      assert.match(await dns.waitFor(/2\.100\.51\.198\.in-addr\.arpa 12/), /2\.100\.51\.198\.in-addr\.arpa 12/, 'DNS was really asked');
      assert.doesNotMatch(dns.queries, /1\.2\.0\.192\.in-addr\.arpa/, '/etc/hosts answered 192.0.2.1');
    } finally {
      dns.stop();
    }
  });

  it('hosts: dns files: DNS first', async () => {
    fs.writeFileSync('/etc/nsswitch.conf', 'hosts: dns files\nservices: files\n');
    await dns.start(false);
    try {
      const shown = compareAll('dns files');
      assert.match(shown, /TCP {2}vip-dns\.example:http rr/);
      assert.match(shown, /TCP {2}\[vip6-dns\.example\]:https wrr/);
      assert.match(shown, /-> rs-one:http/);
    } finally {
      dns.stop();
    }
  });

  it('a DNS server that never answers: hactl finishes within its deadline, names what files know, warns (ipvsadm would wait)', async () => {
    fs.writeFileSync('/etc/nsswitch.conf', 'hosts: files\nservices: files\n');
    const filesOnly = ipvsadm('-L').stdout;
    fs.writeFileSync('/etc/nsswitch.conf', 'hosts: files dns\nservices: files\n');
    await dns.start(true);
    try {
      const t0 = Date.now();
      const r = run(process.execPath, [HACTL, 'vs', 'list']);
      const took = Date.now() - t0;
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, filesOnly);
      assert.match(r.stderr, /^hactl: warning: no DNS answer within 2 s for \d+ addresses: shown as numbers \(use -n to skip name lookups\)\n$/);
      assert.match(await dns.waitFor(/in-addr\.arpa 12/), /in-addr\.arpa 12/);
      assert.ok(took < 30_000, `took ${took} ms`);
      const n = hactl(['vs', 'list', '-n']);
      assert.equal(n.stderr, '', '-n never asks DNS');
    } finally {
      dns.stop();
    }
  });
});
