// What Python's constructors accept and how Python prints a value, where the encoder must write
// what the reference writes (or refuse what Python cannot build): namedtuple names, Decimal text,
// POSIX path text.
import type { NamedTuple } from './values/misc.ts';

// keyword.kwlist of CPython 3.12 / 3.13 (soft keywords such as `match` are allowed as names)
const KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif',
  'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or',
  'pass', 'raise', 'return', 'try', 'while', 'with', 'yield',
]);
// str.isidentifier(): XID_Start or '_', then XID_Continue
const IDENTIFIER = /^[\p{XID_Start}_]\p{XID_Continue}*$/u;

/**
 * Throws a TypeError for the names `collections.namedtuple` refuses: a type or field name that is
 * not an identifier or is a keyword, a field name starting with '_', a repeated field name.
 */
export function checkNamedTupleNames(v: NamedTuple): void {
  const bad = (what: string, name: unknown, why: string): never => {
    throw new TypeError(`Cannot encode namedtuple ${JSON.stringify(v.name)}: ${what} ${JSON.stringify(name)} ${why} (Python's collections.namedtuple refuses it)`);
  };
  const check = (what: string, name: unknown): void => {
    if (typeof name !== 'string') bad(what, String(name), 'is not a str');
    if (!IDENTIFIER.test(name as string)) bad(what, name, 'is not an identifier');
    if (KEYWORDS.has(name as string)) bad(what, name, 'is a keyword');
  };
  check('the type name', v.name);
  if (!Array.isArray(v.fields)) throw new TypeError(`Cannot encode namedtuple ${JSON.stringify(v.name)}: its fields must be an array of [name, value] pairs`);
  const seen = new Set<string>();
  for (const field of v.fields) {
    if (!Array.isArray(field)) throw new TypeError(`Cannot encode namedtuple ${JSON.stringify(v.name)}: its fields must be an array of [name, value] pairs`);
    const name = field[0] as string;
    check('the field name', name);
    if (name.startsWith('_')) bad('the field name', name, 'starts with an underscore');
    if (seen.has(name)) bad('the field name', name, 'is repeated');
    seen.add(name);
  }
}

/**
 * `str(Decimal(text))`: the text Python writes for a Decimal made from `text` (which must match
 * DECIMAL_SYNTAX): `1e5` → `1E+5`, `.5` → `0.5`, `inf` → `Infinity`, `nan012` → `NaN12`, `1_000` → `1000`.
 * The algorithm is the decimal module's to-scientific-string.
 */
export function pythonDecimalText(text: string): string {
  let s = text.trim().replace(/_/g, '');
  let sign = '';
  if (s[0] === '+' || s[0] === '-') {
    if (s[0] === '-') sign = '-';
    s = s.slice(1);
  }
  const lower = s.toLowerCase();
  if (lower === 'inf' || lower === 'infinity') return `${sign}Infinity`;
  const nan = /^(s?)nan(\d*)$/.exec(lower);
  if (nan) return `${sign}${nan[1] ? 'sNaN' : 'NaN'}${nan[2]!.replace(/^0+/, '')}`;
  const m = /^(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/.exec(lower);
  if (!m) return text; // not reachable for DECIMAL_SYNTAX text; leave it to Python to refuse
  const intPart = m[1] ?? '';
  const frac = m[2] ?? '';
  // exponents beyond ±2^53 do not occur in practice; BigInt keeps the arithmetic exact anyway
  const exp = BigInt(m[3] ?? '0') - BigInt(frac.length);
  const digits = (intPart + frac).replace(/^0+(?=\d)/, '') || '0';
  const leftDigits = exp + BigInt(digits.length);
  let dot: bigint;
  if (exp <= 0n && leftDigits > -6n) dot = leftDigits;
  else dot = 1n;
  let intText: string;
  let fracText: string;
  if (dot <= 0n) {
    intText = '0';
    fracText = '.' + '0'.repeat(Number(-dot)) + digits;
  } else if (dot >= BigInt(digits.length)) {
    intText = digits + '0'.repeat(Number(dot - BigInt(digits.length)));
    fracText = '';
  } else {
    intText = digits.slice(0, Number(dot));
    fracText = '.' + digits.slice(Number(dot));
  }
  const e = leftDigits - dot;
  const expText = e === 0n ? '' : `E${e > 0n ? '+' : '-'}${e < 0n ? -e : e}`;
  return sign + intText + fracText + expText;
}

/**
 * `str(PurePosixPath(text))`: repeated slashes and `.` parts dropped, no trailing slash, `''` →
 * `'.'`; exactly two leading slashes are kept (POSIX leaves their meaning to the system).
 */
export function posixPathText(text: string): string {
  let root = '';
  if (text.startsWith('/')) root = text.startsWith('//') && !text.startsWith('///') ? '//' : '/';
  const parts = text.split('/').filter((p) => p !== '' && p !== '.');
  const out = root + parts.join('/');
  return out === '' ? '.' : out;
}
