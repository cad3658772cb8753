// Parsing of the ISO texts Python's fromisoformat() accepts for the forms the reference writes,
// plus the variants seen from other encoders (a `Z` suffix, a date-only datetime, 1–6 fraction
// digits). Anything else is rejected: a message we accept must be one Python accepts.
import { CalendarDate, DateTime, Time } from './values/temporal.ts';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?)?(?:(Z)|([+-])(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{6}))?)?)?$/;

function fraction(text: string | undefined): number {
  return text ? Number(text.padEnd(6, '0')) : 0;
}

function offsetOf(m: RegExpExecArray): number | null {
  if (m[5]) return 0;
  if (!m[6]) return null;
  const us = ((Number(m[7]) * 60 + Number(m[8])) * 60 + Number(m[9] ?? 0)) * 1_000_000 + Number(m[10] ?? 0);
  return m[6] === '-' ? -us : us;
}

/** Throws RangeError on out-of-range fields and TypeError on bad syntax (decode turns both into DecodeError). */
export function parseDate(text: string): CalendarDate {
  const m = DATE.exec(text);
  if (!m) throw new TypeError(`invalid isoformat string ${JSON.stringify(text)}`);
  return new CalendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

export function parseTime(text: string): Time {
  const m = TIME.exec(text);
  if (!m) throw new TypeError(`invalid isoformat string ${JSON.stringify(text)}`);
  return new Time(Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0), fraction(m[4]), offsetOf(m));
}

export function parseDateTime(text: string): DateTime {
  if (text.length === 10) {
    const d = parseDate(text);
    return new DateTime(d.year, d.month, d.day);
  }
  const sep = text[10];
  if (text.length < 13 || (sep !== 'T' && sep !== ' ')) throw new TypeError(`invalid isoformat string ${JSON.stringify(text)}`);
  const d = parseDate(text.slice(0, 10));
  const t = parseTime(text.slice(11));
  return new DateTime(d.year, d.month, d.day, t.hour, t.minute, t.second, t.microsecond, t.utcOffset);
}
