/**
 * Applies a plan in order; on the first failure rolls back (in reverse order)
 * every change already applied, so bad input or a kernel refusal never leaves
 * a partial setup. I/O goes through the injected Ops (real: system.ts; tests: fakes).
 */
import type { Family } from '../addr';
import { type Change, describe, inverse } from './plan';

export interface Ops {
  writeSysctl(key: string, value: string): Promise<void>;
  createLink(ifname: string, linkKind: string): Promise<void>;
  deleteLink(ifname: string): Promise<void>;
  setLinkUp(ifname: string, up: boolean): Promise<void>;
  addAddress(ifname: string, address: string, prefix: number, family: Family, label?: string): Promise<void>;
  delAddress(ifname: string, address: string, prefix: number): Promise<void>;
  writeFile(path: string, content: string): Promise<void>;
  removeFile(path: string): Promise<void>;
  symlink(path: string, target: string): Promise<void>;
  announce(ifname: string, addresses: string[]): Promise<void>;
}

export async function applyChange(c: Change, ops: Ops): Promise<void> {
  switch (c.kind) {
    case 'sysctl':
      return ops.writeSysctl(c.key, c.to);
    case 'link-create':
      return ops.createLink(c.ifname, c.linkKind);
    case 'link-delete':
      return ops.deleteLink(c.ifname);
    case 'link-up':
      return ops.setLinkUp(c.ifname, true);
    case 'link-down':
      return ops.setLinkUp(c.ifname, false);
    case 'addr-add':
      return ops.addAddress(c.ifname, c.address, c.prefix, c.family, c.label);
    case 'addr-del':
      return ops.delAddress(c.ifname, c.address, c.prefix);
    case 'file-write':
      return ops.writeFile(c.path, c.content);
    case 'file-remove':
      return ops.removeFile(c.path);
    case 'symlink':
      return ops.symlink(c.path, c.target);
    case 'unlink':
      return ops.removeFile(c.path);
    case 'announce':
      return ops.announce(c.ifname, c.addresses);
  }
}

export class ApplyError extends Error {
  constructor(
    message: string,
    readonly failed: Change,
    readonly applied: Change[],
    readonly rollbackErrors: string[],
  ) {
    super(message);
    this.name = 'ApplyError';
  }
}

/**
 * Apply `changes` in order. Returns the applied list. On failure: undo the
 * applied ones in reverse and throw ApplyError (message says what failed and
 * whether the rollback was complete). A failing 'announce' is not fatal
 * (the addresses are in place; the next GARP refresh fixes neighbours) and
 * is reported through `onWarning`.
 */
export async function applyPlan(changes: Change[], ops: Ops, onWarning: (msg: string) => void = () => {}): Promise<Change[]> {
  const applied: Change[] = [];
  for (const c of changes) {
    try {
      await applyChange(c, ops);
      applied.push(c);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      if (c.kind === 'announce') {
        onWarning(`could not ${describe(c)}: ${why}`);
        continue;
      }
      const rollbackErrors: string[] = [];
      for (const done of [...applied].reverse()) {
        const inv = inverse(done);
        if (!inv) continue;
        try {
          await applyChange(inv, ops);
        } catch (re) {
          rollbackErrors.push(`${describe(inv)}: ${re instanceof Error ? re.message : String(re)}`);
        }
      }
      const rb = applied.length === 0 ? 'nothing was changed' : rollbackErrors.length === 0 ? `rolled back the ${applied.length} change(s) already applied` : `rollback incomplete: ${rollbackErrors.join('; ')}`;
      throw new ApplyError(`${describe(c)} failed: ${why}; ${rb}`, c, applied, rollbackErrors);
    }
  }
  return applied;
}
