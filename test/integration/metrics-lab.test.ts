/**
 * /metrics of live daemons in a namespace lab: `promtool check metrics` passes on what they serve,
 * and the values follow the live state (MASTER/BACKUP per node, adverts counters increasing,
 * transitions counted when the master stops).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { sleep, VrrpLab, vrrpConf, vrrpLabUnavailable } from './vrrp-lab';
import type { Node } from './vrrp-lab';

const skip = vrrpLabUnavailable() ?? undefined;
const promtool = spawnSync('promtool', ['--version']).status === 0;
const PORT = 9651;

function scrape(l: VrrpLab, n: Node): string {
  return l.lab.nsExec(
    n.host.ns,
    process.execPath,
    ['-e', `require('http').get('http://127.0.0.1:${PORT}/metrics',r=>{let b='';r.on('data',d=>b+=d);r.on('end',()=>process.stdout.write(b))}).on('error',()=>{})`],
    { allowFail: true },
  );
}

/** The value of one sample, or undefined. */
function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((x) => x.startsWith(`${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('/metrics in a lab', { skip, timeout: 90_000 }, () => {
  it('passes promtool and follows the live state of a MASTER and a BACKUP', { timeout: 60_000 }, async () => {
    const l = new VrrpLab('met', 2);
    try {
      const [n1, n2] = l.nodes;
      l.startHactl(n1, vrrpConf({ prio: 150, version: 3, advert: 0.2 }), { args: ['--metrics', `127.0.0.1:${PORT}`] });
      l.startHactl(n2, vrrpConf({ prio: 100, version: 3, advert: 0.2 }), { args: ['--metrics', `127.0.0.1:${PORT}`] });
      await l.waitState(n1, 'MASTER', 15_000);
      await l.waitState(n2, 'BACKUP', 15_000);
      const I = 'instance="VI_1"';
      const a1 = scrape(l, n1);
      const a2 = scrape(l, n2);
      for (const [n, t] of [
        ['n1', a1],
        ['n2', a2],
      ]) {
        assert.match(t, /# TYPE hactl_vrrp_state gauge/, `${n} serves metrics`);
        if (promtool) {
          const r = spawnSync('promtool', ['check', 'metrics'], { input: t, encoding: 'utf8' });
          assert.equal(r.status, 0, `${n}: promtool check metrics: ${r.stdout}${r.stderr}`);
        }
      }
      if (!promtool) console.log('# promtool not installed: the exposition format check was skipped (apt-get install prometheus)');
      assert.equal(sample(a1, 'hactl_vrrp_state', I), 2, 'n1 MASTER');
      assert.equal(sample(a2, 'hactl_vrrp_state', I), 1, 'n2 BACKUP');
      assert.equal(sample(a1, 'hactl_vrrp_instance_state', `${I},state="MASTER"`), 1);
      assert.equal(sample(a2, 'hactl_vrrp_effective_priority', I), 100);
      assert.equal(sample(a1, 'hactl_vrrp_became_master_total', I), 1);
      assert.equal(sample(a2, 'hactl_vrrp_became_master_total', I), 0);
      // the same numbers as the control socket's status
      const s1 = await l.status(n1);
      assert.ok(s1);
      assert.equal(sample(a1, 'hactl_vrrp_transitions_total', I), s1.instances[0].counters.transitions);
      await sleep(1000); // 5 advert intervals
      const b1 = scrape(l, n1);
      const b2 = scrape(l, n2);
      const sent = [sample(a1, 'hactl_vrrp_adverts_sent_total', I) ?? -1, sample(b1, 'hactl_vrrp_adverts_sent_total', I) ?? -1];
      const rcvd = [sample(a2, 'hactl_vrrp_adverts_received_total', I) ?? -1, sample(b2, 'hactl_vrrp_adverts_received_total', I) ?? -1];
      assert.ok(sent[0] >= 1 && sent[1] > sent[0], `n1 adverts sent increase: ${sent}`);
      assert.ok(rcvd[0] >= 1 && rcvd[1] > rcvd[0], `n2 adverts received increase: ${rcvd}`);
      // the master stops (priority 0): n2 counts the priority-0 advert and its own transition to MASTER
      await l.stop(n1);
      await l.waitState(n2, 'MASTER', 10_000);
      const c2 = scrape(l, n2);
      assert.equal(sample(c2, 'hactl_vrrp_state', I), 2);
      assert.equal(sample(c2, 'hactl_vrrp_became_master_total', I), 1);
      assert.ok((sample(c2, 'hactl_vrrp_priority_zero_received_total', I) ?? 0) >= 1);
      const s2 = await l.status(n2);
      assert.ok(s2);
      // INIT -> BACKUP -> MASTER
      assert.equal(sample(c2, 'hactl_vrrp_transitions_total', I), 2);
      assert.equal(s2.instances[0].counters.transitions, 2);
    } finally {
      l.cleanup();
    }
  });
});
