/**
 * The argv of a script line with quotes and escapes, against keepalived 2.2.7.
 *
 * keepalived reads every script line the same way: alloc_strvec_quoted_escaped on the
 * configuration line, then set_script_params_array splits its first word again with
 * alloc_strvec_quoted_escaped (check_misc.c misc_path_handler, vrrp_parser.c
 * vrrp_vscript_script_handler, lib/notify.c notify_script_init). keepalived's MISC_CHECK needs
 * IPVS (the checker process), which this host lacks, so keepalived's argv is taken from a
 * vrrp_script and a notify_master with the same line (same reader, see above), and hactl's
 * MISC_CHECK (built from a `misc_path` with that line, run as the LVS half runs it), hactl's
 * vrrp_script and its notify_master must pass exactly the same bytes.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { checkersFor } from '../../src/lib/check/from-conf';
import { runCheck } from '../../src/lib/check/index';
import { loadConfig } from '../../src/lib/conf';
import { fastMaster, keepalivedUnavailable, sleep, VrrpLab, vrrpLabUnavailable } from './vrrp-lab';

const skip = vrrpLabUnavailable() ?? keepalivedUnavailable() ?? undefined;

/** The script line, as written in keepalived.conf (one word in double quotes). */
const line = (script: string) => String.raw`"${script} a\\tb \\x41\\102 'c d' \"e f\" \\cA plain"`;

/** A script that writes each of its arguments as hex, one a line, to NAME.out. */
function argvScript(dir: string, name: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, `#!/bin/sh\nfor a; do printf '%s' "$a" | od -An -tx1 | tr -d ' \\n'; echo; done > ${p}.out.tmp\nmv ${p}.out.tmp ${p}.out\n`, { mode: 0o755 });
  return p;
}

function vrrpConf(dir: string, vrid: number, vip: string): string {
  return `global_defs {
  router_id argv_${vrid}
  script_user root
}
vrrp_script chk {
  script ${line(argvScript(dir, 'track.sh'))}
  interval 1
}
${fastMaster('A', vrid, vip, `  notify_master ${line(argvScript(dir, 'notify.sh'))}\n  track_script {\n    chk\n  }\n`)}`;
}

async function output(file: string, ms: number): Promise<string | undefined> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
    await sleep(100);
  }
  return undefined;
}

const hex = (words: string[]) => words.map((w) => `${Buffer.from(w, 'latin1').toString('hex')}\n`).join('');

describe('script argv: hactl (MISC_CHECK, vrrp_script, notify) against keepalived 2.2.7', { skip, timeout: 60_000 }, () => {
  it('the same quoted/escaped line gives the same argv bytes', { timeout: 50_000 }, async () => {
    const l = new VrrpLab('argv', 2);
    try {
      const [k, h] = l.nodes;
      const kd = path.join(l.dir, 'k');
      const hd = path.join(l.dir, 'h');
      for (const d of [kd, hd]) fs.mkdirSync(d);
      l.startKeepalived(k, vrrpConf(kd, 31, '203.0.113.31'));
      l.startHactl(h, vrrpConf(hd, 32, '203.0.113.32'));

      // MISC_CHECK from a misc_path with the same line, run the way the LVS half runs it
      const misc = argvScript(hd, 'misc.sh');
      const cf = path.join(hd, 'lvs.conf');
      fs.writeFileSync(cf, `global_defs {\n  script_user root\n}\nvirtual_server 192.0.2.1 80 {\n  real_server 192.0.2.2 80 {\n    MISC_CHECK {\n      misc_path ${line(misc)}\n    }\n  }\n}\n`);
      const r = loadConfig(cf, { env: {} });
      const sel = checkersFor(r.model, '192.0.2.2:80');
      const opts = sel.matches[0]?.options;
      assert.ok(opts?.kind === 'misc', 'a MISC_CHECK');
      const res = await runCheck(opts);
      assert.equal(res.up, true, res.reason);

      const want = hex(['a\tb', 'AB', 'c d', 'e f', '\x01', 'plain']);
      const got: Record<string, string | undefined> = {};
      for (const [who, d] of [
        ['keepalived', kd],
        ['hactl', hd],
      ] as const)
        for (const s of ['track', 'notify']) got[`${who} ${s}`] = await output(path.join(d, `${s}.sh.out`), 15_000);
      got['hactl misc'] = await output(`${misc}.out`, 1000);
      console.log(`# argv (hex, one a line): ${JSON.stringify(got)}`);
      assert.equal(got['keepalived track'], want, `keepalived 2.2.7's vrrp_script argv\n${k.logs.map((x) => x.line).join('\n')}`);
      assert.equal(got['keepalived notify'], want, "keepalived 2.2.7's notify_master argv");
      assert.equal(got['hactl misc'], got['keepalived track'], 'MISC_CHECK argv as keepalived reads misc_path');
      assert.equal(got['hactl track'], got['keepalived track'], 'vrrp_script argv');
      assert.equal(got['hactl notify'], got['keepalived notify'], 'notify_master argv');
    } finally {
      l.cleanup();
    }
  });
});
