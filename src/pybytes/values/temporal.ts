// Python's datetime types with microseconds and fixed UTC offsets. Each renders the exact text of
// Python's isoformat(), which is what goes on the wire (docs/pybytes.md, "JavaScript mapping").

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** Python's `_format_offset`: ±HH:MM, then :SS and .ffffff only when non-zero. */
export function formatOffset(offsetUs: number): string {
  const sign = offsetUs < 0 ? '-' : '+';
  let rest = Math.abs(offsetUs);
  const us = rest % 1_000_000;
  rest = (rest - us) / 1_000_000;
  const ss = rest % 60;
  rest = (rest - ss) / 60;
  const mm = rest % 60;
  const hh = (rest - mm) / 60;
  let s = `${sign}${pad(hh, 2)}:${pad(mm, 2)}`;
  if (ss || us) s += `:${pad(ss, 2)}`;
  if (us) s += `.${pad(us, 6)}`;
  return s;
}

function checkInt(name: string, v: number, lo: number, hi: number): void {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`Cannot use ${name} ${v}: expected an integer from ${lo} to ${hi}`);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 29 : 28;
  return [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

function checkDate(year: number, month: number, day: number): void {
  checkInt('year', year, 1, 9999);
  checkInt('month', month, 1, 12);
  checkInt('day', day, 1, daysInMonth(year, month));
}

function checkTime(hour: number, minute: number, second: number, microsecond: number, utcOffset: number | null): void {
  checkInt('hour', hour, 0, 23);
  checkInt('minute', minute, 0, 59);
  checkInt('second', second, 0, 59);
  checkInt('microsecond', microsecond, 0, 999_999);
  if (utcOffset !== null) checkInt('UTC offset (µs)', utcOffset, -86_399_999_999, 86_399_999_999);
}

function timeText(h: number, m: number, s: number, us: number, off: number | null): string {
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}${us ? `.${pad(us, 6)}` : ''}${off === null ? '' : formatOffset(off)}`;
}

/**
 * A Python `datetime.datetime`: fields with microseconds, and a fixed UTC offset in microseconds
 * (`null` = naive). `fold` and zone names are not on the wire.
 * @example
 * ```ts
 * import { DateTime } from 'membridge/pybytes';
 * new DateTime(2024, 1, 2, 3, 4, 5, 123456, 3_600_000_000).isoformat(); // '2024-01-02T03:04:05.123456+01:00'
 * ```
 */
export class DateTime {
  constructor(
    readonly year: number, readonly month: number, readonly day: number,
    readonly hour = 0, readonly minute = 0, readonly second = 0, readonly microsecond = 0,
    readonly utcOffset: number | null = null,
  ) {
    checkDate(year, month, day);
    checkTime(hour, minute, second, microsecond, utcOffset);
  }

  /** The value of a JS Date (an instant) as an aware datetime in UTC. */
  static fromDate(date: Date): DateTime {
    const t = date.getTime();
    if (Number.isNaN(t)) throw new RangeError('Cannot encode an invalid Date');
    return new DateTime(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(),
      date.getUTCMinutes(), date.getUTCSeconds(), date.getUTCMilliseconds() * 1000, 0);
  }

  /** Python's `isoformat()`: the text on the wire. */
  isoformat(): string {
    return `${pad(this.year, 4)}-${pad(this.month, 2)}-${pad(this.day, 2)}T${timeText(this.hour, this.minute, this.second, this.microsecond, this.utcOffset)}`;
  }

  /** The instant as a JS Date (milliseconds; a naive datetime is read as UTC). */
  toDate(): Date {
    const d = new Date(0);
    d.setUTCFullYear(this.year, this.month - 1, this.day);
    d.setUTCHours(this.hour, this.minute, this.second, Math.floor(this.microsecond / 1000));
    return new Date(d.getTime() - Math.trunc((this.utcOffset ?? 0) / 1000));
  }

  toString(): string { return this.isoformat(); }
}

/**
 * A Python `datetime.date` (named so that it does not shadow the global `Date`).
 * @example
 * ```ts
 * import { CalendarDate } from 'membridge/pybytes';
 * new CalendarDate(2008, 6, 8).isoformat(); // '2008-06-08'
 * ```
 */
export class CalendarDate {
  constructor(readonly year: number, readonly month: number, readonly day: number) {
    checkDate(year, month, day);
  }
  isoformat(): string { return `${pad(this.year, 4)}-${pad(this.month, 2)}-${pad(this.day, 2)}`; }
  /** Midnight UTC of that day. */
  toDate(): Date {
    const d = new Date(0);
    d.setUTCFullYear(this.year, this.month - 1, this.day);
    return d;
  }
  toString(): string { return this.isoformat(); }
}

/**
 * A Python `datetime.time` with microseconds and an optional fixed UTC offset (µs).
 * @example
 * ```ts
 * import { Time } from 'membridge/pybytes';
 * new Time(12, 30, 15, 500000, 3_600_000_000).isoformat(); // '12:30:15.500000+01:00'
 * ```
 */
export class Time {
  constructor(readonly hour = 0, readonly minute = 0, readonly second = 0, readonly microsecond = 0, readonly utcOffset: number | null = null) {
    checkTime(hour, minute, second, microsecond, utcOffset);
  }
  isoformat(): string { return timeText(this.hour, this.minute, this.second, this.microsecond, this.utcOffset); }
  toString(): string { return this.isoformat(); }
}

/** Largest |days| of a Python timedelta. */
export const MAX_TIMEDELTA_DAYS = 999_999_999;

/**
 * A Python `datetime.timedelta`, normalised as Python does: 0 ≤ seconds < 86 400,
 * 0 ≤ microseconds < 10⁶, |days| ≤ 999 999 999.
 * @example
 * ```ts
 * import { TimeDelta } from 'membridge/pybytes';
 * new TimeDelta(0, 0, -1); // { days: -1, seconds: 86399, microseconds: 999999 }
 * ```
 */
export class TimeDelta {
  readonly days: number;
  readonly seconds: number;
  readonly microseconds: number;
  constructor(days = 0, seconds = 0, microseconds = 0) {
    for (const [n, v] of [['days', days], ['seconds', seconds], ['microseconds', microseconds]] as const) {
      if (!Number.isSafeInteger(v)) throw new RangeError(`Cannot use ${n} ${v} in a TimeDelta: expected a safe integer`);
    }
    let us = microseconds % 1_000_000;
    let s = seconds + (microseconds - us) / 1_000_000;
    if (us < 0) { us += 1_000_000; s -= 1; }
    let sec = s % 86_400;
    let d = days + (s - sec) / 86_400;
    if (sec < 0) { sec += 86_400; d -= 1; }
    if (Math.abs(d) > MAX_TIMEDELTA_DAYS) throw new RangeError(`Cannot make a TimeDelta of ${d} days: the magnitude must be at most ${MAX_TIMEDELTA_DAYS}`);
    this.days = d + 0;
    this.seconds = sec + 0;
    this.microseconds = us + 0;
  }
}
