// The status column of doctor's reports (the board check, the Wiegand loopback, the card reader check): `  [ok  ]`.
export type Status = 'ok' | 'warn' | 'fail' | 'info';

const MARKS: Readonly<Record<Status, string>> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', info: '    ' };

/** The mark a report line starts with. */
export function mark(status: Status): string {
  return `  [${MARKS[status]}]`;
}
