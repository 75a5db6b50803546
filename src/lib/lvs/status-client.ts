/**
 * Asking a running LVS half for its status over its control socket: what
 * `hactl vrrp status`, `drift` and the VRRP half need of src/lib/lvs without
 * loading the LVS daemon (checkers, reconciler, conf engine) at start-up
 * (issue 11). ./daemon re-exports these for its other users.
 */
import { queryLineJson } from '../cli/control-socket';
import type { LvsStatus } from './reconciler';

export const DEFAULT_LVS_CONTROL_SOCKET = '/run/hactl/lvs.sock';

/** The LVS control socket that goes with a VRRP control socket path. */
export function lvsSocketFor(vrrpSock: string | undefined): string {
  if (!vrrpSock) return DEFAULT_LVS_CONTROL_SOCKET;
  return vrrpSock.endsWith('.sock') ? `${vrrpSock.slice(0, -5)}-lvs.sock` : `${vrrpSock}-lvs`;
}

/** Ask a running LVS half for its status (undefined when none answers). */
export async function queryLvsStatus(p: string, timeoutMs = 3000): Promise<LvsStatus | undefined> {
  try {
    return ((await queryLineJson(p, 'lvs-status', timeoutMs)) as { lvs?: LvsStatus }).lvs ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * For `hactl vrrp status`: the LVS half's part, found next to the VRRP control
 * socket (`--control-socket X.sock` -> `X-lvs.sock`). Undefined when no LVS
 * half answers. Text from formatLvsStatus (loaded only then), or the object for --json.
 */
export async function lvsStatusForCli(vrrpSock: string | undefined): Promise<{ text: string; json: LvsStatus } | undefined> {
  const st = await queryLvsStatus(lvsSocketFor(vrrpSock));
  if (!st) return undefined;
  const { formatLvsStatus } = require('./reconciler') as typeof import('./reconciler');
  return { text: formatLvsStatus(st), json: st };
}
