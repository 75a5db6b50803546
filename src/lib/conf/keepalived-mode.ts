/**
 * `conf lint --keepalived`: keepalived -t's own verdict and exit code. Which
 * diagnostics are hactl's extra rules (keepalived 2.2.7 -t says nothing there,
 * or says it and still exits 0), and where keepalived -t does not exit with a
 * code its error levels give (it crashes). Pure: one home for "is this
 * finding keepalived's or hactl's own", used by lint.ts and the rule table
 * test (docs/lint-rules.md).
 */
import type { Diagnostic, KeepalivedConfig } from './model';

/**
 * Rules that never stand for a keepalived -t message that counts (true), or only
 * those of their messages that match (a pattern): keepalived accepts the file there.
 */
export const HACTL_ONLY_RULES: Readonly<Record<string, true | RegExp>> = {
  // keepalived keeps the last one silently
  'duplicate-keyword': /keepalived uses the last one/,
  'duplicate-vip': true,
  'duplicate-virtual-server': true,
  'empty-config': true,
  // words after a value keepalived reads without a message (not 'Block ... has extra parameters',
  // not 'VMAC interface name already specified')
  'extra-args': /^extra words? after/,
  'unicast-peer-prefix': true,
  crlf: true,
  // keepalived prints "Config files missing" for a missing include, nothing for a glob matching
  // nothing, and exits 0 in both cases; only hactl's checked include words (includem ...) fail
  'missing-include': /^include /,
  // keepalived follows the cycle until it runs out of descriptors and exits 0
  'include-cycle': true,
  'undefined-reference': /^Virtual server group \S+ specified but not configured$/,
  // keepalived defaults these silently ('no protocol set' it does report)
  'vs-defaults': /no scheduler set|no forwarding method set/,
  // --host: keepalived -t checks only vrrp_script programs, not notify / MISC_CHECK ones
  'script-not-found': /^(check|notify) script /,
  // cluster checks compare several files: keepalived -t reads one
  'cluster-auth': true,
  'cluster-virtual-servers': true,
  'cluster-vips': true,
  'cluster-version': true,
  'cluster-unicast-peer': true,
  'cluster-priority': true,
  'cluster-missing-instance': true,
  'cluster-advert-int': true,
};

/** Is this finding one of hactl's extra rules (keepalived -t does not count it)? */
export function isHactlOnly(d: Pick<Diagnostic, 'rule' | 'message'>): boolean {
  const r = HACTL_ONLY_RULES[d.rule];
  if (r === undefined) return false;
  return r === true || r.test(d.message);
}

/** The shell's code for a process killed by SIGSEGV (how keepalived 2.2.7 -t ends on these files). */
export const KEEPALIVED_CRASH_EXIT = 139;

/**
 * keepalived 2.2.7 -t dereferences the missing url list of an HTTP_GET / SSL_GET checker that has
 * none left (none given, or each without a path) and dies with SIGSEGV after reporting it.
 */
export function keepalivedCrashes(d: Pick<Diagnostic, 'rule' | 'message'>): boolean {
  return d.rule === 'checker-incomplete' && /^HTTP\/SSL_GET checker has no urls specified/.test(d.message);
}

/** The note an extra rule's finding becomes in --keepalived mode. */
export function asExtraNote(d: Diagnostic): Diagnostic {
  return { ...d, severity: 'note', message: `${d.message} [hactl rule; keepalived -t does not count it]` };
}

/**
 * keepalived's parent process still reads the body of a `global_defs` written without `{` (it
 * reports the missing brace and the extra `}`), so an `enable_script_security` there is in effect
 * for its script-security check, although hactl (like keepalived's subsystems) reads those lines
 * as unknown top-level keywords. Measured: such a file exits 5, the same without that line 6.
 */
export function braceLessGlobalSecurity(diags: readonly Diagnostic[]): boolean {
  for (const b of diags) {
    if (b.rule !== 'brace' || !b.message.startsWith("missing '{' at beginning of 'global_defs' block")) continue;
    const close = diags.find((x) => x.rule === 'brace' && x.file === b.file && x.line >= b.line && /^extra '}'/.test(x.message));
    const found = diags.some(
      (x) =>
        x.rule === 'unknown-keyword' &&
        x.file === b.file &&
        x.line >= b.line &&
        (!close || x.line < close.line) &&
        x.message.startsWith("unknown keyword 'enable_script_security' in the top level"),
    );
    if (found) return true;
  }
  return false;
}

/**
 * keepalived follows an include cycle until it runs out of file descriptors (about 1,000 opens),
 * so it reads every file of the cycle again and again: each vrrp_instance and vrrp_sync_group
 * defined in one of them is then "already defined" (an error), where hactl reads each file once
 * and reports the cycle (its own rule). Returns those errors, at the definitions, as keepalived names them.
 */
export function cycleRedefinitions(cfg: Pick<KeepalivedConfig, 'vrrp_instances' | 'vrrp_sync_groups'>, diags: readonly Diagnostic[]): Diagnostic[] {
  const inCycle = new Set<string>();
  for (const x of diags) if (x.rule === 'include-cycle' && x.message.startsWith('include cycle: ')) for (const f of x.message.slice(15).split(' -> ')) inCycle.add(f);
  if (inCycle.size === 0) return [];
  const out: Diagnostic[] = [];
  const again = (pos: Diagnostic | { file: string; line: number; col: number }, what: string) =>
    out.push({ file: pos.file, line: pos.line, col: pos.col, severity: 'error', message: `${what} already defined (keepalived reads this file again through the include cycle)`, rule: 'duplicate-name' });
  // the chain names files by absolute path, positions by the name they were given (maybe relative)
  const cyclic = (file: string) => [...inCycle].some((f) => f === file || (!file.startsWith('/') && f.endsWith(`/${file.replace(/^\.\//, '')}`)));
  for (const i of cfg.vrrp_instances) if (cyclic(i.pos.file)) again(i.pos, `vrrp instance ${i.name}`);
  for (const g of cfg.vrrp_sync_groups) if (cyclic(g.pos.file)) again(g.pos, `vrrp sync group ${g.name}`);
  return out;
}
