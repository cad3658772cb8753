// decode.ts's fast path for the datetime / date texts writers produce (`YYYY-MM-DD`, then
// optionally `THH:MM:SS`, `.ffffff`, `±HH:MM`), read straight from the bytes: returns the instant in ms, or
// NaN for anything else (other shapes, out-of-range fields, years before 100 where Date.UTC
// differs), which then takes the general path with its exact checks and error messages.
function digits2(u8: Uint8Array, p: number): number {
  const d1 = u8[p]! - 48, d0 = u8[p + 1]! - 48;
  return d1 >= 0 && d1 <= 9 && d0 >= 0 && d0 <= 9 ? d1 * 10 + d0 : NaN;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function isoInstant(u8: Uint8Array, p: number, n: number, dateOnly: boolean): number {
  if (dateOnly ? n !== 10 : n !== 10 && n !== 19 && n !== 25 && n !== 26 && n !== 32) return NaN;
  if (u8[p + 4] !== 45 || u8[p + 7] !== 45) return NaN; // '-'
  const year = digits2(u8, p) * 100 + digits2(u8, p + 2);
  const month = digits2(u8, p + 5);
  const day = digits2(u8, p + 8);
  if (!(year >= 100 && month >= 1 && month <= 12 && day >= 1)) return NaN;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > MONTH_DAYS[month - 1]! + (leap ? 1 : 0)) return NaN;
  if (n === 10) return Date.UTC(year, month - 1, day);
  const sep = u8[p + 10];
  if ((sep !== 84 && sep !== 32) || u8[p + 13] !== 58 || u8[p + 16] !== 58) return NaN; // 'T' or ' ', ':'
  const hour = digits2(u8, p + 11), minute = digits2(u8, p + 14), second = digits2(u8, p + 17);
  if (!(hour <= 23 && minute <= 59 && second <= 59)) return NaN;
  let ms = 0;
  let q = p + 19;
  if (n === 26 || n === 32) {
    if (u8[q] !== 46) return NaN; // '.'
    const hi = digits2(u8, q + 1) * 10000 + digits2(u8, q + 3) * 100 + digits2(u8, q + 5);
    if (!(hi >= 0)) return NaN;
    ms = Math.floor(hi / 1000);
    q += 7;
  }
  let offset = 0;
  if (n === 25 || n === 32) {
    const sign = u8[q];
    if ((sign !== 43 && sign !== 45) || u8[q + 3] !== 58) return NaN; // '+' or '-', ':'
    const oh = digits2(u8, q + 1), om = digits2(u8, q + 4);
    if (!(oh <= 23 && om <= 59)) return NaN;
    offset = (oh * 60 + om) * 60000 * (sign === 45 ? -1 : 1);
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset;
}
