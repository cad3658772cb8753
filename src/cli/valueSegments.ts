// What the segment commands (ls, inspect, rm, reap, watch) know about membridge's segments in /dev/shm:
// each one's header, read without expectations, and whether its creator still runs.
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import process from 'node:process';
import { IpcError } from '../errors/IpcError.ts';
import { listSegments, SegmentMapping } from '../segments/SegmentMapping.ts';
import { segmentStatus } from '../segments/staleSegment.ts';
import { runtime } from '../platform/runtime.ts';
import { kindName, SegmentKind } from '../segments/SegmentKind.ts';
import { checkValueName, parseDataSegmentName, VALUE_PREFIX } from '../values/valueNames.ts';


export interface SegmentRow {
  readonly segment: string;
  /** "membridge" (a membridge header at "mb.*") or "sysframe" (Python's layout at a bare name). */
  readonly layout: 'membridge' | 'sysframe';
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
    return { segment, layout: 'membridge', size: -1, kind: 0, version: 0, state: 'unreadable', creatorPid: 0, creatorStamp: 0, alive: false, generation: 0, created: undefined, problem };
  }
  try {
    const core = runtime().core;
    const p = seg.ptr;
    const status = segmentStatus(seg);
    if (status.header === 'foreign') {
      return { segment, layout: 'membridge', size: seg.size, kind: 0, version: 0, state: 'foreign', creatorPid: 0, creatorStamp: 0, alive: false, generation: 0, created: undefined, problem: 'not a membridge segment' };
    }
    const { creatorPid: pid, creatorStamp: stamp } = status;
    const created = Number(core.segCreated(p));
    return {
      segment,
      layout: 'membridge',
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

/** Where `ls PREFIX` looks: a prefix of names, checked like a name (exit 2 when it cannot match one). */
export function checkNamePrefix(prefix: string): string {
  if (prefix !== '' && !/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(prefix)) {
    throw new IpcError('INVALID_NAME', `Cannot list names starting with "${prefix}": names use only A-Z a-z 0-9 . _ - and do not start with "." or "-"`, { name: prefix });
  }
  return prefix;
}

const SYSFRAME_HEADER = 48;

/**
 * A file in Python sysframe's basic memory layout (src/values/sysframeMemory.ts): a u64 capacity
 * equal to the file size less the 48-byte header. Read with plain file I/O, never mapped.
 */
export function describeSysframe(segment: string): SegmentRow | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(`/dev/shm/${segment}`, 'r');
    const size = fstatSync(fd).size;
    if (size < SYSFRAME_HEADER) return undefined;
    const head = new Uint8Array(8);
    if (readSync(fd, head, 0, 8, 0) < 8) return undefined;
    const capacity = new DataView(head.buffer).getBigUint64(0, true);
    if (capacity !== BigInt(size - SYSFRAME_HEADER)) return undefined;
    return { segment, layout: 'sysframe', size, kind: 0, version: 0, state: 'ready', creatorPid: 0, creatorStamp: 0, alive: false, generation: 0, created: undefined };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * membridge's segments in /dev/shm, sorted by name: every "mb.*" and "mbd.*" file whatever state
 * it is in (src/segments/segmentName.ts), and, with `sysframe`, files in Python sysframe's value
 * layout at bare names. With `prefix`, those whose name, or value name, starts with it.
 */
export function scanSegments(prefix = '', sysframe = true): SegmentRow[] {
  const rows: SegmentRow[] = [];
  for (const n of listSegments('').sort()) {
    const value = valueNameOf(n);
    if (value !== undefined) {
      if (value.startsWith(prefix) || n.startsWith(prefix)) rows.push(describeSegment(n));
    } else if (sysframe && n.startsWith(prefix)) {
      const row = describeSysframe(n);
      if (row) rows.push(row);
    }
  }
  return rows;
}

/** "memory", "variable", "memory data", … */
export function kindLabel(row: SegmentRow): string {
  if (row.layout === 'sysframe') return 'sysframe memory';
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

/**
 * The segment a user means by NAME: "mb.NAME" (a value, channel, function, dispatcher or frame
 * buffer); a full segment name ("mb.x", "mbd.2.x") as it is; with `sysframe`, the bare NAME in
 * Python's layout. NOT_FOUND when there is none; INVALID_NAME when NAME cannot be a name.
 */
export function resolveSegment(name: string, sysframe = false): SegmentRow {
  if (sysframe) {
    if (!/^\/?[A-Za-z0-9_][A-Za-z0-9._-]{0,254}$/.test(name)) throw new IpcError('INVALID_NAME', `Cannot use "${name}" as a sysframe memory name: use A-Z a-z 0-9 . _ - , do not start with "." or "-", optionally after one "/"`, { name });
    const bare = name.replace(/^\//, '');
    const row = describeSysframe(bare);
    if (!row) throw new IpcError('NOT_FOUND', `no sysframe memory "${bare}" in /dev/shm`, { name });
    return row;
  }
  checkValueName(name, 'value, function, channel or frame buffer');
  const exists = (segment: string): boolean => listSegments(segment).includes(segment);
  if (/^mbd?\./.test(name) && exists(name)) return describeSegment(name);
  const segment = VALUE_PREFIX + name;
  if (!exists(segment)) {
    const hint = describeSysframe(name) ? ` (there is a sysframe memory "${name}": add --sysframe)` : '';
    throw new IpcError('NOT_FOUND', `nothing named "${name}": no segment ${segment} in /dev/shm${hint}`, { name });
  }
  return describeSegment(segment);
}

/** ANSI colours, used only when the CLI's output is a terminal without NO_COLOR. */
export function paint(on: boolean | undefined): { bold: (s: string) => string; green: (s: string) => string; red: (s: string) => string; dim: (s: string) => string } {
  const wrap = (code: string) => (s: string): string => (on ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { bold: wrap('1'), green: wrap('32'), red: wrap('31'), dim: wrap('2') };
}

/** A row as JSON for --json output. */
export function rowJson(row: SegmentRow, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    segment: row.segment,
    name: row.layout === 'sysframe' ? row.segment : valueNameOf(row.segment) ?? row.segment,
    layout: row.layout,
    kind: kindLabel(row),
    size: row.size,
    state: row.state,
    ...(row.problem ? { problem: row.problem } : {}),
    creatorPid: row.creatorPid || null,
    creatorAlive: row.creatorPid ? row.alive : null,
    created: row.created?.toISOString() ?? null,
    ...extra,
  };
}
