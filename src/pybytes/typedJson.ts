// The typed-JSON value scheme of the golden vectors (docs/pybytes.md, "Tools"): one JSON
// object per Python value, discriminated by `t`. It lets JSON tools (the CLI, test vectors) name
// every pybytes type exactly.
import { ByteArray, MemoryView } from './values/binary.ts';
import { ChainMap, Counter, OrderedDict } from './values/mappings.ts';
import { Ellipsis, NamedTuple, Path, PurePath, Range, UUID } from './values/misc.ts';
import { Complex, Decimal, Float } from './values/numbers.ts';
import { Deque, FrozenSet, Tuple } from './values/sequences.ts';
import { CalendarDate, DateTime, Time, TimeDelta } from './values/temporal.ts';

/** One typed-JSON value: `{ t: 'int', v: '5' }`, `{ t: 'list', items: [...] }`, … */
export type TypedJson = { t: string; [field: string]: unknown };

const f64 = new DataView(new ArrayBuffer(8));

function floatJson(value: number, bits?: bigint): TypedJson {
  if (bits === undefined) {
    f64.setFloat64(0, value);
    bits = f64.getBigUint64(0);
  }
  const v = Number.isNaN(value) ? 'nan' : value === Infinity ? 'inf' : value === -Infinity ? '-inf' : Object.is(value, -0) ? '-0.0' : Number.isInteger(value) ? `${value}.0` : String(value);
  return { t: 'float', v, bits: bits.toString(16).padStart(16, '0') };
}

function floatValue(j: TypedJson): number | Float {
  const bits = BigInt(`0x${String(j.bits)}`);
  f64.setBigUint64(0, bits);
  const v = f64.getFloat64(0);
  if (Number.isNaN(v)) return new Float(v, bits);
  return Number.isSafeInteger(v) && !Object.is(v, -0) ? new Float(v) : v;
}

const hexOf = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

function bytesOf(j: TypedJson): Uint8Array {
  const r = j.repeat as { hex: string; count: number } | undefined;
  const hex = r ? r.hex.repeat(r.count) : String(j.hex);
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) throw new TypeError(`Cannot read typed JSON ${j.t}: "hex" is not hex`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

const intText = (v: number | bigint): string => String(v);
function intValue(text: unknown): number | bigint {
  if (typeof text !== 'string' || !/^-?\d+$/.test(text)) throw new TypeError(`Cannot read typed JSON int ${JSON.stringify(text)}: expected a decimal string`);
  const b = BigInt(text);
  return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b;
}

function temporalFields(v: DateTime | Time): Record<string, unknown> {
  return { hour: v.hour, minute: v.minute, second: v.second, microsecond: v.microsecond, utcoffset_us: v.utcOffset, fold: 0 };
}

/**
 * Describes a JS value (from either decoding mode, or one you would pass to `encode`) in typed JSON.
 * @throws {TypeError} the value has no pybytes form
 * @example
 * ```ts
 * import { toTypedJson, Tuple } from 'membridge/pybytes';
 * toTypedJson(Tuple.of(1)); // { t: 'tuple', items: [{ t: 'int', v: '1' }] }
 * ```
 */
export function toTypedJson(value: unknown): TypedJson {
  switch (typeof value) {
    case 'undefined': return { t: 'none' };
    case 'boolean': return { t: 'bool', v: value };
    case 'bigint': return { t: 'int', v: intText(value) };
    case 'string': return { t: 'str', v: value };
    case 'number': return Number.isSafeInteger(value) && !Object.is(value, -0) ? { t: 'int', v: intText(value) } : floatJson(value);
    case 'object': break;
    default: throw new TypeError(`Cannot describe a ${typeof value} in typed JSON`);
  }
  const v = value as object | null;
  if (v === null) return { t: 'none' };
  if (v === Ellipsis) return { t: 'ellipsis' };
  if (v instanceof Float) return floatJson(v.value, v.bits);
  if (v instanceof Complex) return { t: 'complex', re: floatJson(v.re), im: floatJson(v.im) };
  if (v instanceof Uint8Array) return { t: v instanceof ByteArray ? 'bytearray' : v instanceof MemoryView ? 'memoryview' : 'bytes', hex: hexOf(v) };
  if (Array.isArray(v)) return { t: v instanceof Tuple ? 'tuple' : v instanceof Deque ? 'deque' : 'list', items: v.map(toTypedJson) };
  if (v instanceof Set) return { t: v instanceof FrozenSet ? 'frozenset' : 'set', items: [...v].map(toTypedJson) };
  if (v instanceof Map) return { t: v instanceof Counter ? 'counter' : v instanceof OrderedDict ? 'ordereddict' : 'dict', items: [...v].map(([k, x]) => [toTypedJson(k), toTypedJson(x)]) };
  if (v instanceof ChainMap) return { t: 'chainmap', maps: v.maps.map(toTypedJson) };
  if (v instanceof NamedTuple) return { t: 'namedtuple', name: v.name, fields: v.fields.map(([k, x]) => [k, toTypedJson(x)]) };
  if (v instanceof Range) return { t: 'range', start: intText(v.start), stop: intText(v.stop), step: intText(v.step) };
  if (v instanceof Date) return toTypedJson(DateTime.fromDate(v));
  if (v instanceof DateTime) return { t: 'datetime', iso: v.isoformat(), year: v.year, month: v.month, day: v.day, ...temporalFields(v) };
  if (v instanceof CalendarDate) return { t: 'date', iso: v.isoformat(), year: v.year, month: v.month, day: v.day };
  if (v instanceof Time) return { t: 'time', iso: v.isoformat(), ...temporalFields(v) };
  if (v instanceof TimeDelta) return { t: 'timedelta', days: v.days, seconds: v.seconds, microseconds: v.microseconds };
  if (v instanceof Decimal) return { t: 'decimal', v: v.text };
  if (v instanceof UUID) return { t: 'uuid', v: v.value };
  if (v instanceof Path) return { t: 'path', v: v.path };
  if (v instanceof PurePath) return { t: 'purepath', v: v.path };
  if (ArrayBuffer.isView(v)) return { t: 'memoryview', hex: hexOf(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) {
    return { t: 'dict', items: Object.keys(v).map((k) => [{ t: 'str', v: k }, toTypedJson((v as Record<string, unknown>)[k])]) };
  }
  throw new TypeError('Cannot describe this object in typed JSON: pybytes has no form for it');
}

function need<T>(j: TypedJson, field: string, check: (x: unknown) => boolean): T {
  const x = j[field];
  if (!check(x)) throw new TypeError(`Cannot read typed JSON ${j.t}: field "${field}" is missing or has the wrong type`);
  return x as T;
}
const isArray = (x: unknown): boolean => Array.isArray(x);
const isNum = (x: unknown): boolean => typeof x === 'number';

/**
 * Builds the JS value (lossless value classes) that `encode` writes as the described Python value.
 * @throws {TypeError} the JSON is not typed JSON
 * @example
 * ```ts
 * import { encode, fromTypedJson } from 'membridge/pybytes';
 * encode(fromTypedJson({ t: 'tuple', items: [{ t: 'int', v: '1' }] })); // fd 27 01 05 01
 * ```
 */
export function fromTypedJson(json: unknown): unknown {
  if (typeof json !== 'object' || json === null || typeof (json as TypedJson).t !== 'string') {
    throw new TypeError(`Cannot read typed JSON: expected an object with a "t" field, got ${JSON.stringify(json)}`);
  }
  const j = json as TypedJson;
  const items = (): unknown[] => need<unknown[]>(j, 'items', isArray).map(fromTypedJson);
  const pairs = (): Array<[unknown, unknown]> =>
    need<unknown[][]>(j, 'items', isArray).map((p) => {
      if (!Array.isArray(p) || p.length !== 2) throw new TypeError(`Cannot read typed JSON ${j.t}: items must be [key, value] pairs`);
      return [fromTypedJson(p[0]), fromTypedJson(p[1])];
    });
  const offset = (): number | null => (j.utcoffset_us === null || j.utcoffset_us === undefined ? null : need<number>(j, 'utcoffset_us', isNum));
  switch (j.t) {
    case 'none': return null;
    case 'ellipsis': return Ellipsis;
    case 'bool': return need<boolean>(j, 'v', (x) => typeof x === 'boolean');
    case 'int': return intValue(j.v);
    case 'float': return floatValue(j);
    case 'complex': {
      const re = floatValue(need<TypedJson>(j, 're', (x) => typeof x === 'object' && x !== null));
      const im = floatValue(need<TypedJson>(j, 'im', (x) => typeof x === 'object' && x !== null));
      return new Complex(Number(re), Number(im));
    }
    case 'str': {
      const r = j.repeat as { v: string; count: number } | undefined;
      return r ? r.v.repeat(r.count) : need<string>(j, 'v', (x) => typeof x === 'string');
    }
    case 'bytes': return bytesOf(j);
    case 'bytearray': return new ByteArray(bytesOf(j));
    case 'memoryview': return new MemoryView(bytesOf(j));
    case 'datetime': return new DateTime(need(j, 'year', isNum), need(j, 'month', isNum), need(j, 'day', isNum), need(j, 'hour', isNum), need(j, 'minute', isNum), need(j, 'second', isNum), need(j, 'microsecond', isNum), offset());
    case 'date': return new CalendarDate(need(j, 'year', isNum), need(j, 'month', isNum), need(j, 'day', isNum));
    case 'time': return new Time(need(j, 'hour', isNum), need(j, 'minute', isNum), need(j, 'second', isNum), need(j, 'microsecond', isNum), offset());
    case 'timedelta': return new TimeDelta(need(j, 'days', isNum), need(j, 'seconds', isNum), need(j, 'microseconds', isNum));
    case 'decimal': return new Decimal(need(j, 'v', (x) => typeof x === 'string'));
    case 'uuid': return new UUID(need(j, 'v', (x) => typeof x === 'string'));
    case 'list': return items();
    case 'tuple': return Tuple.from(items());
    case 'deque': return Deque.from(items());
    case 'set': return new Set(items());
    case 'frozenset': return new FrozenSet(items());
    case 'dict': return new Map(pairs());
    case 'ordereddict': return new OrderedDict(pairs());
    case 'counter': return new Counter(pairs());
    case 'chainmap': return new ChainMap(need<unknown[]>(j, 'maps', isArray).map(fromTypedJson));
    case 'range': return new Range(intValue(j.start), intValue(j.stop), intValue(j.step));
    case 'namedtuple':
      return new NamedTuple(need(j, 'name', (x) => typeof x === 'string'), need<unknown[][]>(j, 'fields', isArray).map((p) => [String(p[0]), fromTypedJson(p[1])] as [string, unknown]));
    case 'path': return new Path(need(j, 'v', (x) => typeof x === 'string'));
    case 'purepath': return new PurePath(need(j, 'v', (x) => typeof x === 'string'));
    default: throw new TypeError(`Cannot read typed JSON: unknown type "${j.t}"`);
  }
}
