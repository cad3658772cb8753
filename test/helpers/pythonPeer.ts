// The Python reference sysframe as a test peer (test/fixtures/python/sysframe_peer.py), and the
// random values membridge sends it. The reference is found and built by
// optionalComponent('python-sysframe'); without it the interop tests are skipped with the reason.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import {
  ByteArray, CalendarDate, ChainMap, Complex, Counter, DateTime, Decimal, Deque, Ellipsis, Float, FrozenSet, MemoryView, NamedTuple,
  OrderedDict, Path, PurePath, Range, Time, TimeDelta, Tuple, UUID, encode,
} from '../../src/pybytes.ts';
import { optionalComponent, type Component } from './optionalComponent.ts';
import { toHex } from './vectors.ts';

const here = dirname(fileURLToPath(import.meta.url));
/** The peer script (also found from a test bundle in build/test/). */
export const PEER_SCRIPT = (() => {
  for (let dir = here, i = 0; i < 5; i++, dir = dirname(dir)) {
    const p = join(dir, 'test', 'fixtures', 'python', 'sysframe_peer.py');
    if (existsSync(p)) return p;
  }
  return join(here, '..', 'fixtures', 'python', 'sysframe_peer.py');
})();

export function sysframeComponent(): Component {
  return optionalComponent('python-sysframe');
}

function env(c: Component & { available: true }): NodeJS.ProcessEnv {
  return { ...process.env, PYTHONPATH: c.path, PYTHONDONTWRITEBYTECODE: '1' };
}

/** Runs the peer to completion and returns its stdout. */
export function runPeer(c: Component & { available: true }, args: string[], input?: string): string {
  return execFileSync(c.python!, [PEER_SCRIPT, ...args], { env: env(c), input, encoding: 'utf8', maxBuffer: 256 << 20, timeout: 120_000 });
}

/** A long-running peer process. */
export function spawnPeer(c: Component & { available: true }, args: string[]): ChildProcess {
  return spawn(c.python!, [PEER_SCRIPT, ...args], { env: env(c), stdio: ['pipe', 'pipe', 'inherit'] });
}

/** The Python peer process ended while a command was pending (the reference crashed). */
export class PeerCrashed extends Error {
  constructor(readonly how: string) {
    super(`the python peer ended (${how})`);
  }
}

/** The peer's `serve` mode: one command line in, one reply line out. */
export class PythonPeer {
  private readonly child: ChildProcess;
  private buffered = '';
  private waiting: Array<{ resolve: (line: string) => void; reject: (err: Error) => void }> = [];
  private lines: string[] = [];
  /** Set when the Python process ended (a crash of the reference shows here). */
  exited: string | undefined;

  constructor(c: Component & { available: true }) {
    this.child = spawnPeer(c, ['serve']);
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (d: string) => {
      this.buffered += d;
      let i: number;
      while ((i = this.buffered.indexOf('\n')) >= 0) {
        const line = this.buffered.slice(0, i);
        this.buffered = this.buffered.slice(i + 1);
        const w = this.waiting.shift();
        if (w) w.resolve(line);
        else this.lines.push(line);
      }
    });
    this.child.stdin!.on('error', () => {}); // EPIPE after a crash: reported through `exited`
    this.child.once('exit', (code, signal) => {
      this.exited = signal ?? `exit ${code}`;
      for (const w of this.waiting.splice(0)) w.reject(new PeerCrashed(this.exited));
    });
  }

  ask(command: string): Promise<string> {
    if (this.exited) return Promise.reject(new PeerCrashed(this.exited));
    this.child.stdin!.write(command + '\n');
    const ready = this.lines.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`python peer did not answer "${command.slice(0, 60)}"`)), 30_000);
      this.waiting.push({
        resolve: (line) => {
          clearTimeout(t);
          resolve(line);
        },
        reject: (err) => {
          clearTimeout(t);
          reject(err);
        },
      });
    });
  }

  close(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.stdin!.end('quit\n');
    });
  }
}

/** Known defects of the reference decoder (docs/python.md) a value runs into when Python decodes it. */
export type ReferenceBug = 'B1' | 'B2' | 'B3';

/**
 * Random values of every pybytes type, nested, as membridge writes them (value classes included).
 * `bugs` collects the reference-decoder defects the value touches, so a mismatch can be blamed
 * on the reference only where it is known to be wrong.
 */
export function randomValue(next: () => number, depth: number, bugs: Set<ReferenceBug>, inContainer = false): unknown {
  const pick = (n: number): number => next() % n;
  const str = (n = 10): string => {
    const pools = ['abcxyz', 'äöüßé', 'Ωπλ', '中文字', '😀🎉', ' \t\n\\"'];
    let s = '';
    const len = pick(n + 1);
    for (let i = 0; i < len; i++) s += [...pools[pick(pools.length)]!][0 + pick(2)] ?? 'q';
    return s;
  };
  const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => pick(256));
  const float = (): number | Float => {
    switch (pick(8)) {
      case 0: return [0.5, -0, Infinity, -Infinity, NaN][pick(5)]!;
      case 1: return new Float(pick(1000) - 500);
      case 2: return new Float(NaN, 0x7ff0000000000000n | BigInt(next() | 1));
      default: return (next() - 2 ** 31) / 1024 + 0.25;
    }
  };
  const int = (): number | bigint => (pick(3) === 0 ? BigInt(next()) * BigInt(next()) * BigInt(next()) * (pick(2) ? 1n : -1n) : pick(100000) - 50000);
  if (depth <= 0 || pick(3) === 0) {
    switch (pick(24)) {
      case 0: return null;
      case 1: return pick(2) === 0;
      case 2: return int();
      case 3: return float();
      case 4: return new Complex(Number(float()), Number(float()));
      case 5: return str();
      case 6: return bytes(1 + pick(12));
      case 7: return ByteArray.from(bytes(1 + pick(12)));
      case 8: {
        const n = pick(6);
        if (n === 0 && inContainer) bugs.add('B2');
        return MemoryView.from(bytes(n));
      }
      case 9: return new DateTime(1 + pick(9999), 1 + pick(12), 1 + pick(28), pick(24), pick(60), pick(60), pick(2) ? 0 : pick(1e6), [null, 0, (pick(2879) - 1439) * 60e6][pick(3)]!);
      case 10: return new CalendarDate(1 + pick(9999), 1 + pick(12), 1 + pick(28));
      case 11: return new Time(pick(24), pick(60), pick(60), pick(2) ? 0 : pick(1e6), pick(2) ? null : (pick(2879) - 1439) * 60e6);
      case 12: return new TimeDelta(pick(1999999) - 999999, pick(86400), pick(1e6));
      case 13: return new Decimal(['1.5', '-0', '1e5', '.25', '1_000', 'inf', '-nan', 'sNaN12', `${pick(1000)}.${pick(1000)}e${pick(60) - 30}`][pick(9)]!);
      case 14: return new UUID(Array.from({ length: 32 }, () => '0123456789abcdef'[pick(16)]).join(''));
      case 15: return new Range(int(), int(), [1, -1, 7, 1000][pick(4)]!);
      case 16: return Ellipsis;
      case 17: {
        const long = pick(20) === 0;
        if (long) bugs.add('B3');
        return new Path('/a//b/' + (long ? 'p'.repeat(300) : str(6).replace(/\//g, '') || 'x') + '/');
      }
      case 18: return new PurePath('x/./' + (str(5).replace(/\//g, '') || 'y'));
      case 19: {
        bugs.add('B1');
        return pick(2) ? new Uint8Array(0) : new ByteArray(0);
      }
      case 20: return new Date(Date.UTC(2000 + pick(30), pick(12), 1 + pick(28), pick(24), pick(60), pick(60), pick(1000)));
      default: return str(3);
    }
  }
  const n = pick(5);
  const items = (): unknown[] => Array.from({ length: n }, () => randomValue(next, depth - 1, bugs, true));
  const key = (): unknown => {
    switch (pick(5)) {
      case 0: return int();
      case 1: return Tuple.from([str(3), int()]);
      case 2: return new NamedTuple('K', [['a', [int()]]]); // an array in a key: written as a tuple
      default: return `${str(4)}#${next()}`;
    }
  };
  const keys = (): unknown[] => Array.from({ length: n }, key);
  switch (pick(13)) {
    case 0: return items();
    case 1: return Tuple.from(items());
    case 2: return new Set(keys());
    case 3: return new FrozenSet(keys());
    case 4: return new Map(keys().map((k) => [k, randomValue(next, depth - 1, bugs, true)]));
    case 5: return Deque.from(items());
    case 6: return new Counter<unknown, unknown>(keys().map((k) => [k, int()]));
    case 7: return new OrderedDict(keys().map((k) => [k, randomValue(next, depth - 1, bugs, true)]));
    case 8: return new ChainMap(Array.from({ length: pick(3) }, () => new Map([[str(3), randomValue(next, depth - 2, bugs, true)]])));
    case 9: return new NamedTuple(['Point', 'Rec'][pick(2)]!, ['x', 'y', 'z'].slice(0, 1 + pick(3)).map((f) => [f, randomValue(next, depth - 1, bugs, true)] as [string, unknown]));
    case 10: return Object.fromEntries(keys().map((k) => [String(k), randomValue(next, depth - 1, bugs, true)]));
    default: return Array.from({ length: n }, () => Number(float()));
  }
}

/**
 * A comparison key for a decoded (lossless) value that ignores the order of set items, which
 * Python's sets do not keep. Everything else (types, dict order, bits) counts.
 */
export function canonical(v: unknown): string {
  if (v instanceof Set) return `${v instanceof FrozenSet ? 'frozenset' : 'set'}{${[...v].map(canonical).sort().join(',')}}`;
  if (v instanceof Map) return `${v.constructor.name}{${[...v].map(([k, x]) => `${canonical(k)}:${canonical(x)}`).join(',')}}`;
  if (Array.isArray(v) && !(v instanceof Uint8Array)) return `${v.constructor.name}[${v.map(canonical).join(',')}]`;
  if (v instanceof NamedTuple) return `nt ${v.name}(${v.fields.map(([n, x]) => `${n}=${canonical(x)}`).join(',')})`;
  if (v instanceof ChainMap) return `ChainMap[${v.maps.map(canonical).join(',')}]`;
  return toHex(encode(v));
}
