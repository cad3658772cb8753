// JSON in and out of the CLI. Input is parsed by lossless-json, so integers beyond 2^53 stay
// exact (as bigint, which encode() writes as a Python int) instead of being rounded to a float.
import { isInteger, parse } from 'lossless-json';
import { UsageError } from './Command.ts';

/** Integers → number when exact, bigint beyond; other numbers → number (float). */
function parseNumber(text: string): number | bigint {
  if (isInteger(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  }
  return Number(text);
}

/** Parses JSON text, keeping big integers exact; a UsageError when it is not JSON. */
export function parseJsonArgument(text: string, what = 'the input'): unknown {
  try {
    return parse(text, null, parseNumber);
  } catch (err) {
    throw new UsageError(`${what} is not JSON: ${(err as Error).message}`);
  }
}

// JSON for idiomatic values: bigint as a decimal string, Map as an object (or [key, value] pairs
// when a key is not a string), Set as an array, bytes as hex.
export function jsonReplacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Map) {
    const entries = [...value];
    return entries.every(([k]) => typeof k === 'string') ? Object.fromEntries(entries) : entries;
  }
  if (value instanceof Set) return [...value];
  if (value instanceof Uint8Array) return Array.from(value, (b) => b.toString(16).padStart(2, '0')).join('');
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date) && typeof (value as { toString?: unknown }).toString === 'function') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null && Object.prototype.hasOwnProperty.call(proto, 'toString')) return String(value);
  }
  return value;
}

/** A value as JSON text (`indent` spaces, or one line). */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, jsonReplacer, indent) ?? 'null';
}
