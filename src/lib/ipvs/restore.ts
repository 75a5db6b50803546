/**
 * `hactl restore`: read ipvsadm -S rules, compute what to change (diff
 * against the live table by default, every line in order with --append),
 * apply it in one pipelined batch, and roll back if anything fails.
 */
import * as fs from 'node:fs';
import { IpvsadmArgError, parseIpvsadmArgs, parseSavedLineFast, type RuleLine, ruleLines } from './argv';
import type { IpvsClient } from './client';
import { destId, serviceId, serviceKey } from './codec';
import { opToRule, type PlannedOp, planDiff, rollbackOps, TableModel } from './diff';
import { ipvsStrerror } from './errors';
import { commandToOp, type Io, systemParseOptions } from './run';
import type { Op, ServiceWithDests } from './types';

export interface LineError {
  line: number;
  text: string;
  message: string;
}

export interface RestorePlan {
  ops: PlannedOp[];
  errors: LineError[];
}

/**
 * Plan a restore from rule text against the live table (pure).
 * Diff mode: the file describes the whole wanted table (a -C line resets it).
 * Append mode: every line is an operation applied in order (ipvsadm -R).
 */
export function planRestore(text: string, live: ServiceWithDests[], append: boolean, parsedLines?: RuleLine[]): RestorePlan {
  const errors: LineError[] = [];
  const lineOps: PlannedOp[] = [];
  const popts = { ...systemParseOptions(), readingStdin: true };
  const all = parsedLines ?? ruleLines(text);
  for (const l of all) {
    try {
      const ce = parseSavedLineFast(l.args) ?? parseIpvsadmArgs(l.args, popts);
      if (ce.cmd === 'list' || ce.cmd === 'save' || ce.cmd === 'help' || ce.cmd === 'version' || ce.cmd === 'restore') {
        errors.push({ line: l.line, text: l.text, message: `a ${ce.cmd} command cannot be restored` });
        continue;
      }
      const op = commandToOp(ce);
      if (op) lineOps.push({ op, line: l.line });
    } catch (e) {
      if (e instanceof IpvsadmArgError) errors.push({ line: l.line, text: l.text, message: (e.message || 'unknown option').replace(/\n+$/, '') });
      else throw e;
    }
  }
  const textOf = new Map(all.map((l) => [l.line, l.text]));
  if (append) {
    const m = TableModel.from(live);
    for (const p of lineOps) {
      const r = m.apply(p.op);
      if (r.errno !== 0) errors.push({ line: p.line ?? 0, text: textOf.get(p.line ?? 0) ?? '', message: ipvsStrerror(p.op.kind, r.errno) });
    }
    return { ops: lineOps, errors };
  }
  // Diff mode: build the wanted table on an empty model.
  const wanted = new TableModel();
  const lines = new Map<string, number>();
  const extra: PlannedOp[] = [];
  for (const p of lineOps) {
    const op = p.op;
    if (op.kind === 'set-timeout' || op.kind === 'start-daemon' || op.kind === 'stop-daemon' || op.kind === 'zero') {
      extra.push(p);
      continue;
    }
    const r = wanted.apply(op);
    if (r.errno !== 0) {
      errors.push({ line: p.line ?? 0, text: textOf.get(p.line ?? 0) ?? '', message: ipvsStrerror(op.kind, r.errno) });
      continue;
    }
    if (op.kind === 'add-service' || op.kind === 'edit-service') lines.set(serviceId(op.svc), p.line ?? 0);
    if (op.kind === 'add-dest' || op.kind === 'edit-dest') lines.set(`${serviceId(op.svc)}|${destId(op.dest)}`, p.line ?? 0);
  }
  if (live.length === 0) {
    // Cleared kernel: the plan is the file's own additions, in order (already checked on the model).
    const adds = lineOps.filter((p) => p.op.kind !== 'set-timeout' && p.op.kind !== 'start-daemon' && p.op.kind !== 'stop-daemon' && p.op.kind !== 'zero');
    if (adds.every((p) => p.op.kind === 'add-service' || p.op.kind === 'add-dest')) return { ops: [...adds, ...extra], errors };
  }
  return { ops: [...planDiff(live, wanted, lines), ...extra], errors };
}

export interface RestoreResult {
  exitCode: number;
  applied: number;
  failed: LineError[];
  rolledBack: boolean;
}

/** Apply a plan in one pipelined batch; on any failure undo what was applied. */
export async function applyPlan(c: IpvsClient, live: ServiceWithDests[], plan: PlannedOp[], textOf: Map<number, string>): Promise<RestoreResult> {
  const ops = plan.map((p) => p.op);
  const results = await c.apply(ops, { stopOnError: true });
  const failed: LineError[] = [];
  const ok: Op[] = [];
  results.forEach((r, i) => {
    if (r.errno === 0) ok.push(ops[i]);
    else if (r.errno > 0) {
      const line = plan[i].line ?? 0;
      failed.push({ line, text: textOf.get(line) ?? opToRule(ops[i]), message: ipvsStrerror(ops[i].kind, r.errno) });
    }
  });
  if (failed.length === 0) return { exitCode: 0, applied: ok.length, failed, rolledBack: false };
  const undo = rollbackOps(live, ok);
  const undoRes = await c.apply(undo);
  const undoFailed = undoRes.filter((r) => r.errno !== 0).length;
  return { exitCode: undoFailed ? 3 : 1, applied: ok.length, failed, rolledBack: undoFailed === 0 };
}

/** Read the rules: FILE, or standard input for "-" / no FILE. */
export function readRules(file: string | undefined): string {
  if (!file || file === '-') return fs.readFileSync(0, 'latin1');
  return fs.readFileSync(file, 'latin1');
}

/** Whole `hactl restore` flow; returns the exit status. */
export async function restoreRun(c: IpvsClient, text: string, opts: { append: boolean; dryRun: boolean; json?: boolean }, io: Io): Promise<number> {
  const live = await c.getTable();
  const lines = ruleLines(text);
  const plan = planRestore(text, live, opts.append, lines);
  const textOf = new Map(lines.map((l) => [l.line, l.text]));
  if (plan.errors.length > 0) {
    for (const e of plan.errors.sort((a, b) => a.line - b.line)) io.err(`line ${e.line}: ${e.message}: ${e.text.trim()}\n`);
    io.err(`hactl: error: ${plan.errors.length} line(s) failed; nothing was changed\n`);
    return 1;
  }
  if (opts.dryRun) {
    if (opts.json) io.out(`${JSON.stringify(plan.ops.map((p) => ({ line: p.line ?? null, op: p.op.kind, rule: opToRule(p.op) })), null, 2)}\n`);
    else for (const p of plan.ops) io.out(`${opToRule(p.op)}\n`);
    return 0;
  }
  if (plan.ops.length === 0) return 0;
  const r = await applyPlan(c, live, plan.ops, textOf);
  for (const f of r.failed) io.err(`line ${f.line}: ${f.message}: ${f.text.trim()}\n`);
  if (r.exitCode !== 0) {
    io.err(
      r.rolledBack
        ? `hactl: error: ${r.failed.length} line(s) failed; the ${r.applied} change(s) already made were rolled back, the table is as before\n`
        : 'hactl: error: restore failed and the rollback failed too: check `hactl save`\n',
    );
  }
  if (opts.json) io.out(`${JSON.stringify({ applied: r.exitCode === 0 ? r.applied : 0, failed: r.failed, rolledBack: r.rolledBack })}\n`);
  return r.exitCode;
}

export { serviceKey };
