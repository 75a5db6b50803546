/**
 * no_accept with nftables: `hactl vrrp run` as MASTER installs the same `table ip keepalived` /
 * `table ip6 keepalived` as keepalived 2.2.7 (run first in the same lab as the reference), a
 * client's ping to the VIP goes unanswered while the real address answers, the elements leave
 * the set when the instance leaves MASTER and the tables are gone after SIGTERM.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { HACTL } from '../helpers/cli';
import { Lab, netnsUnavailable } from '../helpers/netns';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function unavailable(): string | null {
  const r = netnsUnavailable();
  if (r) return r;
  for (const [bin, arg] of [
    ['nft', '--version'],
    ['ping', '-V'],
  ]) {
    try {
      execFileSync(bin, [arg], { stdio: 'ignore' });
    } catch {
      return `${bin} not installed (apt package ${bin === 'nft' ? 'nftables' : 'iputils-ping'})`;
    }
  }
  return null;
}

function hasKeepalived(): boolean {
  try {
    execFileSync('keepalived', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const CONF = `vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 100
  advert_int 1
  no_accept
  virtual_ipaddress {
    192.0.2.77/24
  }
}
vrrp_instance VI_6 {
  state MASTER
  interface eth0
  virtual_router_id 52
  priority 100
  advert_int 1
  no_accept
  virtual_ipaddress {
    2001:db8::77/64
  }
}
vrrp_instance VI_OWNER {
  state MASTER
  interface eth0
  virtual_router_id 53
  priority 255
  advert_int 1
  no_accept
  virtual_ipaddress {
    192.0.2.88/24
  }
}
vrrp_instance VI_ACCEPT {
  state MASTER
  interface eth0
  virtual_router_id 54
  priority 100
  advert_int 1
  accept
  virtual_ipaddress {
    192.0.2.99/24
  }
}
`;

/** keepalived's reference text (measured with 2.2.7), used when keepalived is not installed. */
const KEEPALIVED_IP = `table ip keepalived {
	set vips {
		type ipv4_addr
		elements = { 192.0.2.77 }
	}

	chain out {
		type filter hook output priority filter - 1; policy accept;
		ip saddr @vips drop
	}

	chain in {
		type filter hook input priority filter - 1; policy accept;
		ip daddr @vips drop
	}
}
`;

const skip = unavailable();

describe('vrrp no_accept: nftables like keepalived', { skip: skip ?? undefined, timeout: 90_000 }, () => {
  let lab: Lab | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-noaccept-'));
  after(() => {
    lab?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const table = (ns: string, fam: 'ip' | 'ip6') => lab!.nsExec(ns, 'nft', ['list', 'table', fam, 'keepalived'], { allowFail: true });
  async function until(what: string, f: () => boolean, ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (!f()) {
      if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
      await sleep(100);
    }
  }
  async function stop(p: ChildProcess, ms = 10_000): Promise<number | null> {
    if (p.exitCode !== null) return p.exitCode;
    const done = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
    p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), ms);
    const code = await done;
    clearTimeout(t);
    return code;
  }
  const ready = (ns: string) => table(ns, 'ip').includes('elements = { 192.0.2.77 }') && table(ns, 'ip6').includes('elements = { 2001:db8::77 }');

  it('MASTER: same tables as keepalived, VIP unreachable, real address reachable; leaving MASTER empties the set; SIGTERM deletes the tables', async () => {
    lab = new Lab('nfa');
    const m = lab.addHost('m', ['192.0.2.1/24']);
    const c = lab.addHost('c', ['192.0.2.2/24']);
    lab.nsExec(m.ns, 'ip', ['addr', 'add', '2001:db8::1/64', 'dev', 'eth0', 'nodad']);
    const conf = path.join(dir, 'vrrp.conf');
    fs.writeFileSync(conf, CONF);

    // reference: keepalived on the same host, same configuration
    let refIp = KEEPALIVED_IP;
    let refIp6: string | undefined;
    if (hasKeepalived()) {
      const k = lab.spawn(m.ns, 'keepalived', ['-n', '-l', '-D', '-P', '-f', conf, '-p', path.join(dir, 'k.pid'), '-r', path.join(dir, 'v.pid')]);
      try {
        await until('keepalived to install its VIP sets', () => ready(m.ns), 15_000);
        refIp = table(m.ns, 'ip');
        refIp6 = table(m.ns, 'ip6');
      } finally {
        await stop(k);
      }
      await until('keepalived to delete its tables', () => table(m.ns, 'ip') === '' && table(m.ns, 'ip6') === '', 5000);
    }
    assert.equal(refIp, KEEPALIVED_IP, 'keepalived 2.2.7 reference changed');

    const out: string[] = [];
    const h = lab.spawn(m.ns, process.execPath, [HACTL, 'vrrp', 'run', '-f', conf, '--control-socket', path.join(dir, 'ctl.sock'), '--pid-file', path.join(dir, 'hactl.pid')]);
    h.stderr?.on('data', (d: Buffer) => out.push(d.toString()));
    h.stdout?.on('data', (d: Buffer) => out.push(d.toString()));
    try {
      await until('hactl to install the VIP sets', () => ready(m.ns), 15_000).catch((e) => {
        throw new Error(`${(e as Error).message}\n${out.join('')}`);
      });
      assert.equal(table(m.ns, 'ip'), refIp, 'table ip keepalived');
      if (refIp6) assert.equal(table(m.ns, 'ip6'), refIp6, 'table ip6 keepalived');
      assert.doesNotMatch(out.join(''), /not enforced/);
      // the owner (255) and `accept` add nothing; their VIPs are up and answer
      await until('all VIPs on eth0', () => /192\.0\.2\.99\//.test(lab!.nsExec(m.ns, 'ip', ['-4', 'addr', 'show', 'dev', 'eth0'])), 10_000);
      const addrs = lab.nsExec(m.ns, 'ip', ['-4', 'addr', 'show', 'dev', 'eth0']);
      assert.match(addrs, /192\.0\.2\.77\//, 'the VIP is configured: only the firewall stops the ping');
      const ping = (dst: string) => {
        try {
          lab!.nsExec(c.ns, 'ping', ['-c', '1', '-W', '1', dst]);
          return true;
        } catch {
          return false;
        }
      };
      assert.equal(ping('192.0.2.1'), true, 'real address answers');
      assert.equal(ping('192.0.2.88'), true, 'owner VIP answers');
      assert.equal(ping('192.0.2.99'), true, 'accept VIP answers');
      assert.equal(ping('192.0.2.77'), false, 'no_accept VIP must not answer');
      // leaving MASTER (link down: FAULT): elements removed, tables stay
      lab.nsExec(m.ns, 'ip', ['link', 'set', 'eth0', 'down']);
      await until('the VIP to leave the set', () => !table(m.ns, 'ip').includes('192.0.2.77') && !table(m.ns, 'ip6').includes('2001:db8::77'), 5000).catch((e) => {
        throw new Error(`${(e as Error).message}\n${table(m.ns, 'ip')}${table(m.ns, 'ip6')}\n${out.join('')}`);
      });
      assert.match(table(m.ns, 'ip'), /set vips/);
    } finally {
      const code = await stop(h);
      assert.equal(code, 0, out.join(''));
    }
    assert.equal(table(m.ns, 'ip'), '', 'table ip keepalived deleted at exit');
    assert.equal(table(m.ns, 'ip6'), '', 'table ip6 keepalived deleted at exit');
  });
});
