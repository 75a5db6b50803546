/** TCP_CHECK: up when a TCP connection completes within connect_timeout (check_tcp.c). */
import { monoMs } from './types';
import { ConnectFailure, connectTcp } from './net';
import type { AttemptResult, TcpCheckOptions } from './types';

export async function tcpAttempt(o: TcpCheckOptions): Promise<AttemptResult> {
  const t0 = monoMs();
  try {
    const s = await connectTcp(o);
    s.destroy();
    return { ok: true, reason: 'TCP connection succeeded', detail: { connectMs: monoMs() - t0 } };
  } catch (e) {
    const msg = e instanceof ConnectFailure ? e.message : String(e);
    return { ok: false, reason: `TCP connection failed: ${msg}` };
  }
}
