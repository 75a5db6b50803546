/**
 * Regenerates test/unit/fixtures/ipvs-ipvsadm-1.31.json: run INSIDE the IPVS VM
 *   ../shared/ipvs-vm/run-in-vm.sh -C . -- node dist/test/vm/tools/capture-ipvsadm-fixture.js test/unit/fixtures/ipvs-ipvsadm-1.31.json
 * It builds a table with real ipvsadm (test/vm/tools/ipvsadm-fixture-cmds.txt),
 * sends some traffic through a local service so counters are not zero, and
 * stores ipvsadm 1.31's output for each list flag together with the table
 * hactl decodes at the same moment (re-read until the counters are stable).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { IpvsClient } from '../../../src/lib/ipvs/client';
import type { ServiceWithDests } from '../../../src/lib/ipvs/types';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

function sh(c: string): void {
  const r = spawnSync('bash', ['-c', c], { encoding: 'utf8' });
  if (r.status) process.stderr.write(`FAIL ${c}: ${r.stderr}`);
}

async function main(outFile: string): Promise<void> {
  const cmds = fs.readFileSync(path.join(ROOT, 'test', 'vm', 'tools', 'ipvsadm-fixture-cmds.txt'), 'utf8').trim().split('\n');
  sh('ipvsadm -C; ip link add d0 type dummy; ip link set d0 up; ip addr add 192.0.2.100/32 dev d0');
  for (const c of cmds) sh(c);
  const srv = net
    .createServer((s) => {
      s.on('data', (d) => s.write(d));
      s.on('end', () => s.end());
    })
    .listen(8080, '192.0.2.100');
  await new Promise((r) => srv.on('listening', r));
  for (let i = 0; i < 5; i++) {
    await new Promise<void>((res) => {
      const s = net.connect(8080, '192.0.2.100', () => {
        s.write('x'.repeat(1000 * (i + 1)));
        s.end();
      });
      s.on('data', () => {});
      s.on('close', () => res());
    });
  }
  await new Promise((r) => setTimeout(r, 2500));
  const c = await IpvsClient.open();
  const info = await c.getInfo();
  const flagsets = [['-n'], ['-n', '--stats'], ['-n', '--rate'], ['-n', '--stats', '--exact'], ['-n', '--rate', '--exact'], ['-n', '--thresholds'], ['-n', '--persistent-conn'], ['-n', '--tun-info'], ['-n', '--nosort'], ['-n', '--stats', '--nosort'], ['-S', '-n'], ['-S']];
  const outputs: Record<string, string> = {};
  const tables: Record<string, ServiceWithDests[]> = {};
  for (const f of flagsets) {
    const args = f[0] === '-S' ? f : ['-L', ...f];
    const key = args.join(' ');
    for (let tries = 0; tries < 20 && !outputs[key]; tries++) {
      const t1 = JSON.stringify(await c.getTable());
      const out = execFileSync('ipvsadm', args, { encoding: 'utf8' });
      const t2 = JSON.stringify(await c.getTable());
      if (t1 === t2) {
        outputs[key] = out;
        tables[key] = JSON.parse(t2);
      }
    }
    if (!outputs[key]) throw new Error(`counters never stable for ${key}`);
  }
  const table = await c.getTable();
  outputs['-L --timeout'] = execFileSync('ipvsadm', ['-L', '--timeout'], { encoding: 'utf8' });
  const conn = fs.readFileSync('/proc/net/ip_vs_conn', 'latin1');
  outputs['-L -n -c'] = execFileSync('ipvsadm', ['-L', '-n', '-c'], { encoding: 'utf8' });
  const conn2 = fs.readFileSync('/proc/net/ip_vs_conn', 'latin1');
  const fixture = { info, table, tables, hosts: fs.readFileSync('/etc/hosts', 'utf8'), services: fs.readFileSync('/etc/services', 'utf8'), timeouts: await c.getTimeouts(), conn, conn2, outputs };
  fs.writeFileSync(outFile, `${JSON.stringify(fixture, null, 1)}\n`);
  c.close();
  srv.close();
  process.stdout.write(`captured ${Object.keys(outputs).length} outputs; ${table.length} services\n`);
}

main(process.argv[2] ?? path.join(ROOT, 'test', 'unit', 'fixtures', 'ipvs-ipvsadm-1.31.json')).catch((e) => {
  process.stderr.write(`capture failed: ${e instanceof Error ? e.message : e}\n`);
  process.exitCode = 1;
});
