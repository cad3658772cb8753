// What the segment commands (ls, inspect, rm, reap) know about membridge's segments in /dev/shm:
// each one's header, read without expectations, and whether its creator still runs.
import { readdirSync, readFileSync } from 'node:fs';
import process from 'node:process';
import { IpcError } from '../errors/IpcError.ts';
import { listSegments, SegmentMapping } from '../segments/SegmentMapping.ts';
import { segmentStatus } from '../segments/staleSegment.ts';
import { runtime } from '../platform/runtime.ts';
import { kindName, SegmentKind } from '../segments/SegmentKind.ts';
import { parseDataSegmentName, VALUE_PREFIX } from '../values/valueNames.ts';

/** Output streams of a command. */
export interface CommandIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

export interface SegmentRow {
  readonly segment: string;
  /** Bytes of the file; -1 when it could not be opened. */
  readonly size: number;
  readonly kind: number;
  /** Layout version of the kind. */
  readonly version: number;
  readonly state: 'initialising' | 'ready' | 'closed' | 'foreign' | 'unreadable';
  readonly creatorPid: number;
  readonly creatorStamp: number;
  readonly alive: boolean;
  readonly generation: number;
  readonly created: Date | undefined;
  /** Why the segment could not be read, for unreadable ones. */
  readonly problem?: string;
}

const STATES = ['initialising', 'ready', 'closed'] as const;

/** Reads one segment's header, whatever it says. */
export function describeSegment(segment: string): SegmentRow {
  let seg: SegmentMapping;
  try {
    seg = SegmentMapping.open(segment);
  } catch (err) {
    const problem = err instanceof IpcError ? (err.code === 'PERMISSION_DENIED' ? 'permission denied' : err.code === 'NOT_READY' ? 'empty file (being created)' : err.message) : String(err);
    return { segment, size: -1, kind: 0, version: 0, state: 'unreadable', creatorPid: 0, creatorStamp: 0, alive: false, generation: 0, created: undefined, problem };
  }
  try {
    const core = runtime().core;
    const p = seg.ptr;
    const status = segmentStatus(seg);
    if (status.header === 'foreign') {
      return { segment, size: seg.size, kind: 0, version: 0, state: 'foreign', creatorPid: 0, creatorStamp: 0, alive: false, generation: 0, created: undefined, problem: 'not a membridge segment' };
    }
    const { creatorPid: pid, creatorStamp: stamp } = status;
    const created = Number(core.segCreated(p));
    return {
      segment,
      size: seg.size,
      kind: core.segKind(p),
      version: core.segVersion(p),
      state: STATES[core.segState(p)] ?? 'foreign',
      creatorPid: pid,
      creatorStamp: stamp,
      alive: status.alive,
      generation: core.segGeneration(p),
      created: created > 0 ? new Date(created) : undefined,
    };
  } finally {
    seg.unmap();
  }
}

/**
 * Every membridge segment in /dev/shm, sorted by name: value segments ("mb.*", "mbd.*", whatever
 * state they are in) and every other file that carries a membridge header (channels, functions,
 * frame buffers). With `prefix`, those whose name, or value name, starts with it.
 */
export function scanSegments(prefix = ''): SegmentRow[] {
  const rows: SegmentRow[] = [];
  for (const n of listSegments('').sort()) {
    const value = valueNameOf(n);
    if (value !== undefined ? !value.startsWith(prefix) && !n.startsWith(prefix) : !n.startsWith(prefix)) continue;
    const row = describeSegment(n);
    // Files that are not ours are none of our business unless they use our value names.
    if (value === undefined && (row.state === 'foreign' || row.state === 'unreadable')) continue;
    rows.push(row);
  }
  return rows;
}

/** "memory", "variable", "memory data", … */
export function kindLabel(row: SegmentRow): string {
  if (row.state === 'unreadable' || row.state === 'foreign') return '?';
  return row.kind === SegmentKind.MEMORY_DATA ? 'memory data' : kindName(row.kind);
}

/** "4 KiB", "1.5 MiB", "512 B". */
export function formatBytes(n: number): string {
  if (n < 0) return '?';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 || Number.isInteger(v) ? Math.round(v) : v.toFixed(1).replace(/\.0$/, '')} ${units[u]}`;
}

/** "pid 1234 (alive)", "pid 99 (dead)", "unknown". */
export function formatOwner(row: SegmentRow): string {
  return row.creatorPid ? `pid ${row.creatorPid} (${row.alive ? 'alive' : 'dead'})` : 'unknown';
}

/** Left-aligned columns separated by two spaces. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  // A multi-line last cell continues under its own column.
  return rows
    .map((r) => {
      const lead = r.slice(0, -1).map((c, i) => c.padEnd(widths[i]!) + '  ').join('');
      return lead + (r[r.length - 1] ?? '').split('\n').join('\n' + ' '.repeat(lead.length));
    })
    .join('\n');
}

/** The value name a segment belongs to: "config" for "mb.config" and "mbd.3.config". */
export function valueNameOf(segment: string): string | undefined {
  if (segment.startsWith(VALUE_PREFIX)) return segment.slice(VALUE_PREFIX.length);
  return parseDataSegmentName(segment)?.name;
}

/** A value for people: bytes as a hex preview, anything else as util.inspect shows it. */
export function formatValue(value: unknown, inspect: (v: unknown) => string): string {
  if (value instanceof Uint8Array) {
    const shown = Array.from(value.subarray(0, 32), (b) => b.toString(16).padStart(2, '0')).join(' ');
    return `${value.length} bytes: ${shown}${value.length > 32 ? ' …' : ''}`;
  }
  return inspect(value);
}

/**
 * Which processes map which value segments now, from /proc/<pid>/maps (processes of other users
 * are not readable and are missed). A segment someone maps is in use whoever created it.
 */
export function segmentUsers(): Map<string, number[]> {
  const users = new Map<string, number[]>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return users;
  }
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    let maps: string;
    try {
      maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
    } catch {
      continue;
    }
    const seen = new Set<string>();
    for (const m of maps.matchAll(/\/dev\/shm\/([^\s/]+)/g)) seen.add(m[1]!);
    for (const seg of seen) {
      const list = users.get(seg) ?? [];
      list.push(Number(pid));
      users.set(seg, list);
    }
  }
  return users;
}
