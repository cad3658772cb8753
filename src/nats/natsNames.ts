// How membridge names become NATS KV keys, subject tokens and bucket names (docs/nats.md).
//
// NATS refuses keys such as ".x", "x." or "a..b", and a "." inside a subject token would split
// it, so a name is written in a reduced alphabet: A-Z a-z 0-9 "_" and "-" stay as they are,
// every other UTF-8 byte (including "." and "=") becomes "=" and two upper-case hex digits.
// "sensor.temp" is the key "sensor=2Etemp". The result never holds ".", "*", ">" or spaces, so it
// is a valid KV key and a valid single subject token, and decoding gives the name back.
import { IpcError } from '../errors/IpcError.ts';

const PLAIN = /[A-Za-z0-9_-]/;
const MAX_NAME = 255;

/** Encodes `name` (a non-empty string) into a KV key / subject token. */
export function encodeName(name: string, what = 'name'): string {
  if (typeof name !== 'string') throw new TypeError(`Cannot use ${typeof name} as a ${what}: a string is required`);
  if (name.length === 0 || name.length > MAX_NAME) throw new IpcError('INVALID_NAME', `Cannot use "${name.slice(0, 60)}" as a ${what}: use 1 to ${MAX_NAME} characters`, { name });
  let out = '';
  for (const ch of name) {
    if (PLAIN.test(ch)) out += ch;
    else for (const b of new TextEncoder().encode(ch)) out += '=' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** The name `encodeName` made `key` from; undefined when `key` is not such an encoding. */
export function decodeName(key: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < key.length; i++) {
    const c = key[i]!;
    if (c === '=') {
      const hex = key.slice(i + 1, i + 3);
      if (!/^[0-9A-F]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (PLAIN.test(c)) bytes.push(c.charCodeAt(0));
    else return undefined;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
  } catch {
    return undefined;
  }
}

const NAMESPACE = /^[A-Za-z0-9_-]{1,64}$/;

/** Checks a namespace: 1-64 characters of A-Z a-z 0-9 _ - (it becomes part of bucket names). */
export function checkNamespace(ns: unknown): string {
  if (typeof ns !== 'string' || !NAMESPACE.test(ns)) {
    throw new IpcError('INVALID_NAME', `Cannot use ${JSON.stringify(ns)} as a membridge/nats namespace: use 1 to 64 characters from A-Z a-z 0-9 _ -`);
  }
  return ns;
}

/** The subjects and buckets of one namespace. */
export class NatsNames {
  constructor(readonly namespace: string) {}
  /** KV bucket of the values. */
  get valueBucket(): string {
    return `mb_${this.namespace}`;
  }
  /** KV bucket of the ownership leases of functions and channels. */
  get leaseBucket(): string {
    return `mb_${this.namespace}_owners`;
  }
  /** Subject a function's owner listens on. */
  fn(name: string): string {
    return `mb.${this.namespace}.fn.${encodeName(name, 'function name')}`;
  }
  /** Subject a channel's server listens on. */
  channel(name: string): string {
    return `mb.${this.namespace}.ch.${encodeName(name, 'channel name')}`;
  }
  /** Inbox prefix of one connection. */
  inbox(id: string): string {
    return `mb.${this.namespace}.in.${id}`;
  }
  /** KV key of a value. */
  valueKey(name: string): string {
    return encodeName(name, 'value name');
  }
  /** Lease keys. */
  fnLease(name: string): string {
    return `f.${encodeName(name, 'function name')}`;
  }
  channelLease(name: string): string {
    return `c.${encodeName(name, 'channel name')}`;
  }
}
