/**
 * Keyword sweep (a tool, not a test; run by hand, as root):
 *
 *   node dist/test/integration/conf-keyword-sweep.js [--table NAME] [--two] [--keep DIR]
 *
 * For every keyword of every block table hactl knows (src/lib/conf/schema.ts), writes a clean
 * config with that keyword added to a block of its kind in three forms - bare, with one number,
 * with one unknown word - and compares the verdict of `keepalived -t` with `hactl conf lint --host`
 * in the kt-verdict namespace. Prints each disagreement that is not one of hactl's deliberate
 * stricter rules. (This is how `notify_deleted` without a script was found: keepalived accepts it,
 * hactl said "missing a parameter".) Findings become mutants in test/fixtures/conf-mutants with
 * recorded verdicts. Exit 0 always; 2 when it cannot run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TABLES } from '../../src/lib/conf/schema';
import { compareVerdicts } from './conf-verdict-runner';


const SEC = 'global_defs {\n  enable_script_security\n  script_user root\n}\n';
const VI = (body = '') => `vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  priority 100\n  virtual_ipaddress {\n    192.0.2.1/24\n  }\n${body}}\n`;
const RS = (body: string) =>
  `virtual_server 192.0.2.10 80 {\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n  real_server 198.51.100.1 80 {\n${body}  }\n}\n`;
const CHECK = (kind: string, inner: string) => RS(`    ${kind} {\n${inner}    }\n`);

/** A clean config with `@@` where the keyword line goes, per table. */
const BASES: Record<string, string> = {
  top: `${SEC}${VI()}@@\n`,
  global_defs: `global_defs {\n  enable_script_security\n  script_user root\n@@\n}\n${VI()}`,
  vrrp_script: `${SEC}vrrp_script chk {\n  script "/bin/true"\n@@\n}\n${VI('  track_script {\n    chk\n  }\n')}`,
  vrrp_track_process: `${SEC}vrrp_track_process tp {\n  process sshd\n@@\n}\n${VI('  track_process {\n    tp\n  }\n')}`,
  track_file: `${SEC}track_file tf {\n  file /tmp/hactl-sweep-track\n@@\n}\n${VI('  track_file {\n    tf\n  }\n')}`,
  vrrp_sync_group: `${SEC}vrrp_sync_group G {\n  group {\n    VI_1\n  }\n@@\n}\n${VI()}`,
  garp_group: `${SEC}garp_group {\n  interface eth0\n@@\n}\n${VI()}`,
  vrrp_instance: `${SEC}${VI('@@\n')}`,
  authentication: `${SEC}${VI('  authentication {\n    auth_type PASS\n    auth_pass secret\n@@\n  }\n')}`,
  virtual_server: `${SEC}virtual_server 192.0.2.10 80 {\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n@@\n  real_server 198.51.100.1 80 {\n  }\n}\n`,
  real_server: `${SEC}${RS('@@\n')}`,
  HTTP_GET: `${SEC}${CHECK('HTTP_GET', '      url {\n        path /\n      }\n@@\n')}`,
  url: `${SEC}${CHECK('HTTP_GET', '      url {\n        path /\n@@\n      }\n')}`,
  TCP_CHECK: `${SEC}${CHECK('TCP_CHECK', '@@\n')}`,
  SMTP_CHECK: `${SEC}${CHECK('SMTP_CHECK', '@@\n')}`,
  SMTP_HOST: `${SEC}${CHECK('SMTP_CHECK', '      host {\n        connect_ip 198.51.100.1\n@@\n      }\n')}`,
  MISC_CHECK: `${SEC}${CHECK('MISC_CHECK', '      misc_path "/bin/true"\n@@\n')}`,
  DNS_CHECK: `${SEC}${CHECK('DNS_CHECK', '@@\n')}`,
  UDP_CHECK: `${SEC}${CHECK('UDP_CHECK', '@@\n')}`,
  PING_CHECK: `${SEC}${CHECK('PING_CHECK', '@@\n')}`,
  FILE_CHECK: `${SEC}track_file tf {\n  file /tmp/hactl-sweep-track\n}\n${CHECK('FILE_CHECK', '      track_file tf\n@@\n')}`,
  SSL: `${SEC}SSL {\n@@\n}\n${VI()}`,
};

function arg(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (process.getuid?.() !== 0) {
    process.stderr.write('conf-keyword-sweep: needs root (network namespace for keepalived -t)\n');
    process.exit(2);
  }
  const only = arg(argv, '--table');
  const keep = arg(argv, '--keep');
  const two = argv.includes('--two');
  const dir = keep ? path.resolve(keep) : fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-sweep-'));
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync('/tmp/hactl-sweep-track', '0\n');
  const cases: { file: string; table: string; line: string }[] = [];
  for (const [table, base] of Object.entries(BASES)) {
    if (only && table !== only) continue;
    for (const [kw, spec] of Object.entries(TABLES[table] ?? {})) {
      if (spec.k === 'block' || spec.k === 'vblock') continue;
      const forms = [
        ['bare', kw],
        ['num', `${kw} 1`],
        ['word', `${kw} hactlxyz`],
      ];
      // --two: also two numbers, a negative number and a fraction
      if (two) forms.push(['num2', `${kw} 1 2`], ['neg', `${kw} -1`], ['frac', `${kw} 1.5`]);
      for (const [form, line] of forms) {
        const file = `${table}-${kw}-${form}.conf`;
        fs.writeFileSync(path.join(dir, file), base.replace('@@', `    ${line}`));
        cases.push({ file, table, line });
      }
    }
  }
  try {
    const r = await compareVerdicts(dir, cases, 'sweep', (c) => `${c.table}: '${c.line}'`);
    for (const d of r.differ) process.stdout.write(d.text);
    process.stdout.write(`\n${cases.length} cases: verdict agrees on ${r.agree}, ${r.beyond} more are hactl's stricter rules, ${r.differ.length} to look at (${dir})\n`);
  } finally {
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`conf-keyword-sweep: ${(e as Error).message}\n`);
  process.exit(2);
});
