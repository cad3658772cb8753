// `membridge ls`: membridge's segments in /dev/shm, with layout, kind, size, creator and liveness.
import { HostVariable } from '../values/HostVariable.ts';
import { SegmentKind } from '../segments/SegmentKind.ts';
import { SharedMemory } from '../values/SharedMemory.ts';
import type { Command } from './Command.ts';
import { checkNamePrefix, formatBytes, formatOwner, kindLabel, paint, rowJson, scanSegments, segmentUsers, table, valueNameOf, type SegmentRow } from './valueSegments.ts';

const HELP = `Usage: membridge ls [--json] [PREFIX]

Lists membridge's segments in /dev/shm. Every segment in membridge's own layout starts with
"mb." ("mb.<name>" for values, channels, shared functions, dispatchers and frame buffers,
"mbd.<generation>.<name>" for the data of named memory); values in Python sysframe's layout
sit at the bare name and are listed with LAYOUT "sysframe". For each: kind, size, the process
that created it and whether it still runs, which processes map it now, and its state.
With PREFIX, only segments whose name (without "mb.") starts with it.`;

// What a value holds now, read through the normal API (never writes).
function detail(row: SegmentRow): string {
  if (row.layout === 'sysframe') return `capacity ${formatBytes(row.size - 48)}`;
  if (row.state !== 'ready') return row.problem ? `${row.state}: ${row.problem}` : row.state;
  const name = valueNameOf(row.segment);
  if (!name) return row.state;
  try {
    if (row.kind === SegmentKind.MEMORY && row.segment.startsWith('mb.')) {
      const m = SharedMemory.open(name, { openTimeoutMs: 0 });
      try {
        return `ready, generation ${m.generation}, version ${m.version}`;
      } finally {
        m.close();
      }
    }
    if (row.kind === SegmentKind.VARIABLE) {
      const v = new HostVariable(name, { create: false, openTimeoutMs: 0 });
      try {
        return `ready, version ${v.version}, ${v.slots} slots of ${formatBytes(v.maxSize)}`;
      } finally {
        v.close();
      }
    }
    if (row.kind === SegmentKind.MEMORY_DATA) return `ready, generation ${row.generation}`;
    if (row.kind === SegmentKind.CHANNEL || row.kind === SegmentKind.FUNCTION || row.kind === SegmentKind.DISPATCHER || row.kind === SegmentKind.FRAMEBUFFER) {
      return row.alive ? `ready, served, generation ${row.generation}` : 'ready, its server is dead (membridge reap removes it)';
    }
  } catch (err) {
    return `ready (${(err as Error).message})`;
  }
  return row.state;
}

export const lsCommand: Command = {
  name: 'ls',
  summary: 'list membridge segments (layout, kind, size, owner, liveness, who maps them)',
  usage: HELP,
  positionals: { min: 0, max: 1, name: 'prefix' },
  async run(ctx) {
    const prefix = checkNamePrefix(ctx.positionals[0] ?? '');
    const rows = scanSegments(prefix);
    const users = segmentUsers();
    const pids = (r: SegmentRow): number[] => users.get(r.segment) ?? [];
    if (ctx.json) {
      ctx.out(JSON.stringify(rows.map((r) => rowJson(r, { mappedBy: pids(r), detail: detail(r) }))));
      return 0;
    }
    if (rows.length === 0) {
      ctx.out(prefix ? `No membridge segments whose name starts with "${prefix}" in /dev/shm.` : 'No membridge segments in /dev/shm.');
      return 0;
    }
    const c = paint(ctx.io.color);
    const mappedBy = (r: SegmentRow): string => {
      const p = pids(r);
      return p.length === 0 ? '-' : p.length <= 3 ? p.join(',') : `${p.slice(0, 3).join(',')} +${p.length - 3}`;
    };
    const owner = (r: SegmentRow): string => (r.layout === 'sysframe' ? 'unknown' : formatOwner(r));
    const lines = table([['SEGMENT', 'LAYOUT', 'KIND', 'SIZE', 'OWNER', 'MAPPED BY', 'STATE'], ...rows.map((r) => [r.segment, r.layout, kindLabel(r), formatBytes(r.size), owner(r), mappedBy(r), detail(r)])]).split('\n');
    // Colour after aligning, so escape codes do not shift the columns.
    ctx.out(c.bold(lines[0]!));
    rows.forEach((r, i) => {
      const line = lines[i + 1]!;
      ctx.out(r.creatorPid && !r.alive ? line.replace('(dead)', c.red('(dead)')) : r.alive ? line.replace('(alive)', c.green('(alive)')) : line);
    });
    return 0;
  },
};
