/**
 * A diagnostic list with a cap, so hostile input (millions of bad lines)
 * keeps memory and output bounded: after `limit` entries further ones are
 * only counted, and `finish()` appends one summary diagnostic. Pure.
 */
import type { Diagnostic } from './model';

export const DIAGNOSTIC_LIMIT = 5000;

export class DiagnosticList extends Array<Diagnostic> {
  dropped = 0;
  limit = DIAGNOSTIC_LIMIT;
  last?: Diagnostic;

  override push(...items: Diagnostic[]): number {
    for (const d of items) {
      if (this.length < this.limit) super.push(d);
      else {
        this.dropped++;
        this.last = d;
      }
    }
    return this.length;
  }

  /**
   * Append another capped list as if its diagnostics had been pushed here in
   * order (its dropped ones came after its kept ones, so the counts stay exact).
   */
  absorb(other: DiagnosticList): void {
    for (const d of other) this.push(d);
    if (other.dropped > 0) {
      this.dropped += other.dropped;
      this.last = other.last;
    }
  }

  /** Plain array of the kept diagnostics, plus a summary when some were dropped. */
  finish(): Diagnostic[] {
    const out: Diagnostic[] = Array.from(this);
    if (this.dropped > 0 && this.last) {
      const l = this.last;
      out.push({ file: l.file, line: l.line, col: l.col, severity: 'error', message: `${this.dropped} more diagnostics not shown (limit ${this.limit})`, rule: 'too-many-diagnostics' });
    }
    return out;
  }
}
