/**
 * keepalived 2.2.7 checker defaults (keepalived.conf(5), check_*.c):
 * connect_timeout 5 s; retry 1 (DNS_CHECK 3, MISC_CHECK 0); delay_before_retry
 * 3 s for HTTP_GET/SSL_GET, delay_loop for DNS_CHECK, 1 s otherwise;
 * delay_loop 60 s; misc_timeout defaults to delay_loop; http_protocol 1.0;
 * status_code 200-299; DNS type SOA name "."; SMTP helo_name
 * smtpchecker.keepalived.org; UDP reply length 0..255.
 * warmup: keepalived waits a random time up to delay_loop before a checker's
 * first run; a one-shot `hactl check` does not wait unless --warmup is given.
 */
import type { CheckKind } from './types';

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
export const DEFAULT_DELAY_LOOP_MS = 60_000;

export function defaultRetry(kind: CheckKind): number {
  if (kind === 'dns') return 3;
  if (kind === 'misc') return 0;
  return 1;
}

export function defaultDelayBeforeRetryMs(kind: CheckKind, delayLoopMs = DEFAULT_DELAY_LOOP_MS): number {
  if (kind === 'http' || kind === 'ssl') return 3000;
  if (kind === 'dns') return delayLoopMs;
  return 1000;
}
