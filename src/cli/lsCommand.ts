// `membridge ls`: the value segments in /dev/shm, with kind, size, creator and its liveness.
import { HostVariable } from '../values/HostVariable.ts';
import { SegmentKind } from '../segments/SegmentKind.ts';
import { SharedMemory } from '../values/SharedMemory.ts';
import type { Command } from './Command.ts';
import { formatBytes, formatOwner, kindLabel, scanSegments, segmentUsers, table, valueNameOf, type CommandIo, type SegmentRow } from './valueSegments.ts';

const HELP = `Usage: membridge ls [PREFIX]

Lists membridge's segments in /dev/shm: value segments ("mb.<name>" for named memory and shared
variables, "mbd.<generation>.<name>" for the data of named memory) and every other segment with a
membridge header (channels, shared functions, dispatchers, frame buffers): kind, size, the
process that created each one and whether it still runs, and which other processes map it now.
With PREFIX, only segments (or values) whose name starts with it.`;

// What a value holds now, read through the normal API (never writes).
function detail(row: SegmentRow): string {
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
  } catch (err) {
    return `ready (${(err as Error).message})`;
  }
  return row.state;
}

/** The command with plain output streams (one line per call); tested directly. */
export async function runLsCommand(args: string[], io: CommandIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(HELP);
    return 0;
  }
  if (args.length > 1 || args[0]?.startsWith('-')) {
    io.err(`membridge ls: unexpected argument "${args[args[0]?.startsWith('-') ? 0 : 1]}"\n\n${HELP}`);
    return 2;
  }
  const rows = scanSegments(args[0]);
  const users = segmentUsers();
  const mappedBy = (r: SegmentRow): string => {
    const pids = users.get(r.segment) ?? [];
    return pids.length === 0 ? '-' : pids.length <= 3 ? pids.join(',') : `${pids.slice(0, 3).join(',')} +${pids.length - 3}`;
  };
  if (rows.length === 0) {
    io.out('No membridge segments in /dev/shm.');
    return 0;
  }
  io.out(table([['SEGMENT', 'KIND', 'SIZE', 'OWNER', 'MAPPED BY', 'STATE'], ...rows.map((r) => [r.segment, kindLabel(r), formatBytes(r.size), formatOwner(r), mappedBy(r), detail(r)])]));
  return 0;
}

/** `membridge ls` in the command table (src/cli/main.ts). */
export const lsCommand: Command = {
  name: 'ls',
  summary: 'list membridge segments (kind, size, owner, liveness, who maps them)',
  usage: HELP,
  run: (args, io) => runLsCommand(args, { out: (s) => io.stdout(s + '\n'), err: (s) => io.stderr(s + '\n') }),
};
