/**
 * bench/lvs-sync: what the kernel's IPVS sync daemon carries per connection (issue 14's "on paper"
 * numbers), measured on the real kernel in ../shared/ipvs-vm.
 *
 *   node dist/bench/lvs-sync.js [--conns 1000] [--json]
 *
 * On a host without IPVS it boots the VM once (--copy) and re-runs itself inside with --guest.
 * There: namespaces client -- director A (IPVS NAT, VIP 198.51.100.100:80 -> real server) -- real
 * server, and director B on a sync link (veth) from A. A runs the master sync daemon on that link,
 * B the backup (syncid 1, protocol version as the kernel's default, sync_version 1). The client
 * opens --conns TCP connections to the VIP, sends one byte on each and keeps them open: the kernel
 * syncs a TCP connection once it is ESTABLISHED and its packet count reaches sync_threshold (3: SYN,
 * ACK, the first data; a connection that never sends data after the handshake is not synced, seen
 * here). Reported: the connections B learned, the bytes and packets A sent on the sync link
 * (Ethernet frames, from the link counters), and so bytes per connection and connections per packet.
 * Not a timing figure.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const ROOT = path.resolve(__dirname, '..', '..');
const NS = { c: 'sy-client', a: 'sy-dira', b: 'sy-dirb', r: 'sy-rs' };
const VIP = '198.51.100.100';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sh(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error}`);
  return r.stdout;
}
const inNs = (ns: string, cmd: string, args: string[], input?: string) => sh('ip', ['netns', 'exec', ns, cmd, ...args], input);

function veth(a: string, aDev: string, aAddr: string, b: string, bDev: string, bAddr: string): void {
  sh('ip', ['-n', a, 'link', 'add', aDev, 'type', 'veth', 'peer', 'name', bDev, 'netns', b]);
  sh('ip', ['-n', a, 'addr', 'add', aAddr, 'dev', aDev]);
  sh('ip', ['-n', b, 'addr', 'add', bAddr, 'dev', bDev]);
  sh('ip', ['-n', a, 'link', 'set', aDev, 'up']);
  sh('ip', ['-n', b, 'link', 'set', bDev, 'up']);
}

function txOf(ns: string, dev: string): { bytes: number; packets: number } {
  const j = JSON.parse(sh('ip', ['-n', ns, '-s', '-j', 'link', 'show', dev]))[0];
  return { bytes: j.stats64.tx.bytes, packets: j.stats64.tx.packets };
}

const connCount = (ns: string) => inNs(ns, 'cat', ['/proc/net/ip_vs_conn']).split('\n').filter((l) => / ESTABLISHED /.test(l)).length;

async function guest(): Promise<void> {
  const n = Number(opt('--conns', '1000'));
  const procs: ChildProcess[] = [];
  try {
    for (const ns of Object.values(NS)) {
      spawnSync('ip', ['netns', 'del', ns]);
      sh('ip', ['netns', 'add', ns]);
      sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    veth(NS.c, 'eth0', '198.51.100.2/24', NS.a, 'c0', '198.51.100.1/24');
    veth(NS.a, 'r0', '192.0.2.1/24', NS.r, 'eth0', '192.0.2.2/24');
    veth(NS.a, 's0', '203.0.113.1/24', NS.b, 's0', '203.0.113.2/24');
    sh('ip', ['-n', NS.a, 'addr', 'add', `${VIP}/32`, 'dev', 'c0']);
    sh('ip', ['-n', NS.c, 'route', 'add', 'default', 'via', '198.51.100.1']);
    sh('ip', ['-n', NS.r, 'route', 'add', 'default', 'via', '192.0.2.1']);
    inNs(NS.a, 'sh', ['-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward']);
    const table = `-A -t ${VIP}:80 -s mh -b mh-port\n-a -t ${VIP}:80 -r 192.0.2.2:80 -m -w 1\n`;
    for (const ns of [NS.a, NS.b]) inNs(ns, 'ipvsadm', ['-R'], table);
    inNs(NS.b, 'ipvsadm', ['--start-daemon', 'backup', '--mcast-interface', 's0', '--syncid', '1']);
    inNs(NS.a, 'ipvsadm', ['--start-daemon', 'master', '--mcast-interface', 's0', '--syncid', '1']);
    const version = inNs(NS.a, 'cat', ['/proc/sys/net/ipv4/vs/sync_version']).trim();
    const server = spawn('ip', ['netns', 'exec', NS.r, 'sh', '-c', `ulimit -n 65536; exec ${process.execPath} -e "require('net').createServer(() => {}).listen(80, '192.0.2.2', () => console.log('up'))"`], { stdio: ['ignore', 'pipe', 'inherit'] });
    procs.push(server);
    await new Promise<void>((r) => server.stdout?.once('data', () => r()));
    await sleep(1500);
    const before = txOf(NS.a, 's0');
    const client = spawn(
      'ip',
      ['netns', 'exec', NS.c, 'sh', '-c', `ulimit -n 65536; exec ${process.execPath} -e "const net=require('net');let k=0;const s=[];for(let i=0;i<${n};i++){const c=net.connect(80,'${VIP}',()=>{c.write('x');if(++k===${n})setTimeout(()=>console.log('all'),500)});c.on('error',(e)=>{console.error(e.message);process.exit(1)});s.push(c)}setInterval(()=>{},1e6)"`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    procs.push(client);
    await new Promise<void>((r, j) => {
      client.stdout?.once('data', () => r());
      client.once('exit', (c) => j(new Error(`client exited ${c}`)));
    });
    const t0 = Date.now();
    while (connCount(NS.b) < n && Date.now() - t0 < 20_000) await sleep(500);
    await sleep(2500);
    const after = txOf(NS.a, 's0');
    if (process.env.SYNC_DEBUG) {
      for (const ns of [NS.a, NS.b]) process.stderr.write(`${ns}: ${inNs(ns, 'ipvsadm', ['-L', '--daemon'])}${inNs(ns, 'ipvsadm', ['-Ln'])}`);
      process.stderr.write(sh('sh', ['-c', 'dmesg | grep -i ipvs | tail -20; for f in sync_version sync_threshold sync_refresh_period sync_ports sync_persist_mode sync_qlen_max sync_sock_size; do echo $f=$(cat /proc/sys/net/ipv4/vs/$f 2>&1); done']));
      process.stderr.write(inNs(NS.a, 'sh', ['-c', 'for f in sync_version sync_threshold sync_refresh_period conntrack; do echo A $f=$(cat /proc/sys/net/ipv4/vs/$f); done; ip -s link show s0; head -3 /proc/net/ip_vs_conn']));
    }
    const res = {
      connections: n,
      establishedOnA: connCount(NS.a),
      learnedByB: connCount(NS.b),
      syncVersion: Number(version),
      syncBytes: after.bytes - before.bytes,
      syncPackets: after.packets - before.packets,
    };
    const per = res.syncBytes / res.learnedByB;
    const perPkt = res.learnedByB / res.syncPackets;
    if (argv.includes('--json')) process.stdout.write(`${JSON.stringify({ ...res, bytesPerConnection: per, connectionsPerPacket: perPkt }, null, 2)}\n`);
    else
      process.stdout.write(
        `sync_version ${res.syncVersion}: ${res.connections} ESTABLISHED connections through director A (${res.establishedOnA} in its table), ${res.learnedByB} learned by director B; ` +
          `A sent ${res.syncBytes} bytes in ${res.syncPackets} packets on the sync link: ${per.toFixed(1)} bytes per connection (frames included), ${perPkt.toFixed(1)} connections per packet\n`,
      );
  } finally {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
    for (const ns of Object.values(NS)) spawnSync('ip', ['netns', 'del', ns]);
  }
}

function host(): void {
  const harness = path.resolve(ROOT, '..', 'shared', 'ipvs-vm', 'run-in-vm.sh');
  if (!fs.existsSync(harness)) {
    process.stdout.write(`bench/lvs-sync: cannot run: ${harness} not found (needs a kernel with IPVS)\n`);
    return;
  }
  const r = spawnSync(harness, ['--copy', '-C', ROOT, '-t', '900', '--', 'node', 'dist/bench/lvs-sync.js', '--guest', ...argv], { stdio: 'inherit' });
  process.exitCode = r.status ?? 1;
}

if (argv.includes('--guest') || fs.existsSync('/proc/net/ip_vs')) {
  guest().catch((e) => {
    process.stderr.write(`bench/lvs-sync: ${e instanceof Error ? e.message : e}\n`);
    process.exitCode = 1;
  });
} else host();
