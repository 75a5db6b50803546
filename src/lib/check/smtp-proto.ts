/**
 * SMTP_CHECK dialogue (keepalived check_smtp.c): read the banner (status 220),
 * send "HELO <helo_name>\r\n", read the reply (status 250), send "QUIT\r\n",
 * read one more line (any status). A line is complete at the first LF; the
 * status is the first three characters when they are all digits.
 */
export const SMTP_DEFAULT_HELO = 'smtpchecker.keepalived.org';

export function smtpStatus(line: Buffer | string): number {
  const s = typeof line === 'string' ? line : line.subarray(0, 3).toString('latin1');
  return /^\d{3}/.test(s) ? Number(s.slice(0, 3)) : -1;
}

export type SmtpStep =
  | { expect: 'banner'; status: 220 }
  | { send: string }
  | { expect: 'helo'; status: 250 }
  | { expect: 'quit'; status: null };

export function smtpScript(heloName: string): SmtpStep[] {
  return [
    { expect: 'banner', status: 220 },
    { send: `HELO ${heloName}\r\n` },
    { expect: 'helo', status: 250 },
    { send: 'QUIT\r\n' },
    { expect: 'quit', status: null },
  ];
}
