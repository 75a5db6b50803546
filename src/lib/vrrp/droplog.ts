/**
 * Rate limit for the log lines of dropped VRRP packets. keepalived 2.2.7
 * logs every dropped advert (vrrp_check_packet: "(VI_1) ... " per packet);
 * a flood of bad packets must not fill the log, so per reason the first
 * `burst` drops of a window are logged one by one and the rest are summed
 * up in one line when the window ends. Pure: time comes in as `now` (ms).
 */

interface Window {
  start: number;
  logged: number;
  suppressed: number;
  last: string;
}

export class DropLogLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    readonly burst = 5,
    readonly windowMs = 60_000,
  ) {}

  /** A drop for `key` (the reason) described by `line`: true when this one is to be logged. */
  record(key: string, line: string, now: number): boolean {
    let w = this.windows.get(key);
    if (w && now - w.start >= this.windowMs && w.suppressed === 0) {
      this.windows.delete(key);
      w = undefined;
    }
    if (!w) {
      w = { start: now, logged: 0, suppressed: 0, last: line };
      this.windows.set(key, w);
    }
    w.last = line;
    if (w.logged < this.burst) {
      w.logged++;
      return true;
    }
    w.suppressed++;
    return false;
  }

  /** When flush() has a summary to give (null: nothing suppressed). */
  nextFlush(): number | null {
    let t: number | null = null;
    for (const w of this.windows.values()) if (w.suppressed > 0 && (t === null || w.start + this.windowMs < t)) t = w.start + this.windowMs;
    return t;
  }

  /** One summary line per reason whose window has ended with suppressed drops; those windows start again. */
  flush(now: number): string[] {
    const out: string[] = [];
    for (const [key, w] of this.windows) {
      if (now - w.start < this.windowMs) continue;
      if (w.suppressed > 0)
        out.push(`${w.suppressed} more VRRP packet(s) dropped (${key}) in the last ${Math.round((now - w.start) / 1000)} s, not logged one by one; last: ${w.last}`);
      this.windows.delete(key);
    }
    return out;
  }
}
