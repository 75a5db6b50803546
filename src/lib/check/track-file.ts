/**
 * keepalived 2.2.7 track_file / FILE_CHECK rules, pure (no I/O).
 *
 * The file holds an integer status. keepalived reads at most 127 bytes and
 * parses them with strtol(buf, NULL, 0): leading white space, an optional
 * sign, then decimal, 0x hex or leading-0 octal digits; anything after the
 * number is ignored and text without a number is 0. A missing, unreadable or
 * empty file is status 0. A value outside [INT32_MIN, INT32_MAX + 1] is
 * logged and ignored (the previous status stays): parseTrackFileStatus
 * returns null for it.
 */

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
/** keepalived's IPVS_WEIGHT_FAULT (INT_MIN): a weighted status this low means DOWN. */
export const IPVS_WEIGHT_FAULT = INT32_MIN;

/** Status of a track file's contents (undefined: missing/unreadable). null: invalid, keep the previous status. */
export function parseTrackFileStatus(text: string | undefined): number | null {
  if (text === undefined) return 0;
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)?/.exec(text.slice(0, 127));
  const digits = m?.[2];
  if (!digits) return 0;
  let v: bigint;
  if (/^0[xX]/.test(digits)) v = BigInt(digits);
  else if (digits.length > 1 && digits[0] === '0') v = BigInt(`0o${digits.slice(1)}`);
  else v = BigInt(digits);
  if (m?.[1] === '-') v = -v;
  if (v < BigInt(INT32_MIN) || v > BigInt(INT32_MAX) + 1n) return null;
  return Number(v);
}

function int32Range(v: number): number {
  return Math.max(INT32_MIN, Math.min(v, INT32_MAX));
}

export interface FileCheckResult {
  /** The checker's state. */
  up: boolean;
  /** Weight adjustment for the real server while up (status * weight, negated with reverse). */
  delta: number;
}

/**
 * One FILE_CHECK's state for a status (keepalived's update_track_file_status /
 * process_update_checker_track_file_status). Weight 0: DOWN when the status is
 * non-zero (reverse: when it is zero). Otherwise the adjustment is
 * status * weight (negated with reverse), clamped to int32; at IPVS_WEIGHT_FAULT it is DOWN.
 */
export function fileCheckResult(status: number, weight: number, reverse: boolean): FileCheckResult {
  if (weight === 0) return { up: (status !== 0) === reverse, delta: 0 };
  const d = int32Range(status * weight * (reverse ? -1 : 1));
  if (d <= IPVS_WEIGHT_FAULT) return { up: false, delta: 0 };
  return { up: true, delta: d };
}

/**
 * A FILE_CHECK's state at its first read (keepalived at start: init_service_rs,
 * set_track_file_checkers_down): an unweighted checker is DOWN when the status is
 * non-zero and `reverse` is not applied until the status changes; a weighted one
 * as fileCheckResult.
 */
export function fileCheckAtStart(status: number, weight: number, reverse: boolean): FileCheckResult {
  return weight === 0 ? { up: status === 0, delta: 0 } : fileCheckResult(status, weight, reverse);
}

/**
 * track_file `init_file [VALUE] [overwrite]` at configuration load (keepalived
 * 2.2.7 track_file_end_handler): without overwrite the file is created only
 * when missing; with overwrite it is (re)written at start when it is missing
 * or a regular file, but never on a reload. The value written is `VALUE\n` (default 0).
 */
export function trackFileInitAction(
  init: { value?: number; overwrite: boolean } | undefined,
  existing: 'missing' | 'regular' | 'other',
  reload: boolean,
): 'write' | 'keep' | 'not-regular' {
  if (!init) return 'keep';
  if (existing === 'missing') return 'write';
  if (!init.overwrite) return 'keep';
  if (existing === 'other') return 'not-regular';
  return reload ? 'keep' : 'write';
}
