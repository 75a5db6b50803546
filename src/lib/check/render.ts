/** Text and JSON rendering of check results (pure). */
import type { Painter } from '../cli/color';
import type { CheckResult } from './types';

export const KIND_NAMES: Record<CheckResult['kind'], string> = {
  http: 'HTTP_GET',
  ssl: 'SSL_GET',
  tcp: 'TCP_CHECK',
  smtp: 'SMTP_CHECK',
  misc: 'MISC_CHECK',
  dns: 'DNS_CHECK',
  udp: 'UDP_CHECK',
  ping: 'PING_CHECK',
  file: 'FILE_CHECK',
};

const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`);

export function renderResult(r: CheckResult, p: Painter, label?: string): string {
  const state = r.up ? p.green('UP') : p.red('DOWN');
  const lines: string[] = [];
  const n = r.attempts.length;
  const w = r.weight !== undefined ? `, weight ${r.weight}` : '';
  lines.push(
    `${label ? `${label} ` : ''}${KIND_NAMES[r.kind]} ${r.target}: ${state} - ${r.reason} (${ms(r.totalMs)}, ${n} attempt${n === 1 ? '' : 's'}${w})`,
  );
  if (n > 1) {
    r.attempts.forEach((a, i) => {
      lines.push(`  attempt ${i + 1} at +${ms(a.startMs)}: ${a.ok ? 'ok' : 'failed'} in ${ms(a.durationMs)} - ${a.reason}`);
    });
  }
  return `${lines.join('\n')}\n`;
}

function roundTimes(v: unknown): unknown {
  if (typeof v === 'number' && !Number.isInteger(v)) return Math.round(v * 1000) / 1000;
  if (Array.isArray(v)) return v.map(roundTimes);
  if (v && typeof v === 'object' && !Buffer.isBuffer(v)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, roundTimes(x)]));
  }
  return v;
}

export function resultJson(r: CheckResult): Record<string, unknown> {
  return roundTimes({ checker: KIND_NAMES[r.kind], ...r }) as Record<string, unknown>;
}
