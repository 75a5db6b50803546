/**
 * The /metrics endpoint both halves of `vrrp run` serve: Prometheus text exposition (one renderer
 * for the VRRP metrics in vrrp/control.ts and the LVS metrics in lvs/metrics.ts), the last reload's
 * gauges, the `--metrics ADDR:PORT` reader and the HTTP server.
 */
import type * as http from 'node:http';
import { splitHostPort } from '../addr';

export interface PromMetric {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  rows: [Record<string, string>, number][];
}

/** Prometheus text exposition format (one home for both halves' /metrics). */
export function promText(metrics: PromMetric[]): string {
  const out: string[] = [];
  const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  for (const { name, help, type, rows } of metrics) {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of rows) {
      const l = Object.entries(labels)
        .map(([k, x]) => `${k}="${esc(x)}"`)
        .join(',');
      out.push(`${name}${l ? `{${l}}` : ''} ${v}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** The last reload's result as two gauges (PREFIX_last_reload_success, PREFIX_last_reload_timestamp_seconds). */
export function reloadMetrics(
  prefix: string,
  r: { ok: boolean; atMs: number },
  metric: (name: string, help: string, type: PromMetric['type'], rows: PromMetric['rows']) => void,
): void {
  metric(`${prefix}_last_reload_success`, 'The last reload applied the new configuration (1) or was refused and the old one kept (0)', 'gauge', [[{}, r.ok ? 1 : 0]]);
  metric(`${prefix}_last_reload_timestamp_seconds`, 'When the last reload was attempted (Unix time)', 'gauge', [[{}, r.atMs / 1000]]);
}

/** `--metrics ADDR:PORT` ([v6]:port, :port = 127.0.0.1): the listen address, or undefined when malformed. */
export function parseMetricsAddr(addr: string): { host: string; port: number } | undefined {
  const hp = splitHostPort(addr);
  if (!hp || hp.port === undefined || !/^\d+$/.test(hp.port) || (hp.bracketed && hp.host === '')) return undefined;
  const port = Number(hp.port);
  if (port < 1 || port > 65535) return undefined;
  return { host: hp.host || '127.0.0.1', port };
}

/** A /metrics HTTP server for `text()` (not listening yet). */
export function metricsServer(text: () => string | Promise<string>): http.Server {
  // node:http is required here: `vrrp status` loads the modules that import this one and never serves (issue 11)
  return (require('node:http') as typeof http).createServer((req, res) => {
    if (req.url === '/metrics') {
      Promise.resolve()
        .then(text)
        .then(
          (body) => {
            res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
            res.end(body);
          },
          (e: Error) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(`metrics: ${e.message}\n`);
          },
        );
    } else {
      res.writeHead(404);
      res.end('not found\n');
    }
  });
}

/** Serve `text()` on /metrics at `addr`; resolves once listening, rejects with one sentence when it cannot bind. */
export async function bindMetrics(addr: string, text: () => string | Promise<string>): Promise<http.Server> {
  const a = parseMetricsAddr(addr);
  if (!a) throw new Error(`--metrics: expected ADDR:PORT, got "${addr}"`);
  const srv = metricsServer(text);
  await new Promise<void>((resolve, reject) => {
    srv.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`cannot serve metrics on ${addr}: ${e.code ?? e.message}`)));
    srv.listen(a.port, a.host, () => resolve());
  });
  return srv;
}
