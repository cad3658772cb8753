// `membridge reap`: removes membridge segments that nobody alive is responsible for.
import { HostVariable } from '../values/HostVariable.ts';
import { removeStaleByName } from '../segments/staleSegment.ts';
import { listSegments } from '../segments/SegmentMapping.ts';
import { SegmentKind } from '../segments/SegmentKind.ts';
import { parseDataSegmentName } from '../values/valueNames.ts';
import { SharedMemory } from '../values/SharedMemory.ts';
import type { Command } from './Command.ts';
import { formatBytes, scanSegments, segmentUsers, type CommandIo, type SegmentRow } from './valueSegments.ts';

const HELP = `Usage: membridge reap [--dry-run] [PREFIX]

Removes membridge segments whose owners are dead and that no running process maps:
  - channels, shared functions, dispatchers and frame buffers whose creator is dead;
  - segments still initialising whose creator died before finishing them;
  - shared variables whose creator is dead;
  - named memory whose directory creator and current data creator are both dead;
  - data generations of named memory that were replaced, belong to no memory any more, or were
    left half-made by a process that died while growing the memory.
With PREFIX, only values whose name starts with it are considered. With --dry-run, only says
what it would remove.`;

interface Verdict {
  readonly row: SegmentRow;
  readonly why: string;
  readonly remove: () => void;
}

function segmentExists(segment: string): boolean {
  return listSegments(segment).includes(segment);
}

function judge(rows: SegmentRow[], users: Map<string, number[]>): Verdict[] {
  const verdicts: Verdict[] = [];
  const inUse = (segment: string): boolean => (users.get(segment)?.length ?? 0) > 0;
  const byName = new Map(rows.map((r) => [r.segment, r]));
  // Under a claim (docs/layout.md, "Taking over a stale name"): a restarting owner may be taking
  // the same name over right now.
  const unlink = (segment: string) => () => void removeStaleByName(segment);
  const dead = (r: SegmentRow): boolean => r.creatorPid !== 0 && !r.alive;
  for (const row of rows) {
    if (row.state === 'initialising') {
      if (dead(row)) verdicts.push({ row, why: `its creator (pid ${row.creatorPid}) died while initialising it`, remove: unlink(row.segment) });
      continue;
    }
    if (row.state !== 'ready' && row.state !== 'closed') continue;
    if (row.kind === SegmentKind.MEMORY_DATA) {
      const parsed = parseDataSegmentName(row.segment);
      if (!parsed) continue;
      const dir = byName.get(`mb.${parsed.name}`);
      if (!dir || dir.kind !== SegmentKind.MEMORY) {
        verdicts.push({ row, why: `named memory "${parsed.name}" does not exist any more`, remove: unlink(row.segment) });
        continue;
      }
      let current: number;
      try {
        const m = SharedMemory.open(parsed.name, { openTimeoutMs: 0 });
        current = m.generation;
        m.close();
      } catch {
        continue;
      }
      if (parsed.gen < current) verdicts.push({ row, why: `replaced by generation ${current}`, remove: unlink(row.segment) });
      else if (parsed.gen > current && dead(row)) verdicts.push({ row, why: `left by pid ${row.creatorPid}, which died while growing the memory`, remove: unlink(row.segment) });
      continue;
    }
    if (inUse(row.segment)) continue;
    if (row.kind === SegmentKind.VARIABLE && dead(row)) {
      const name = row.segment.slice(3);
      verdicts.push({ row, why: `its creator (pid ${row.creatorPid}) is dead`, remove: () => void HostVariable.remove(name) });
    }
    if (row.kind !== SegmentKind.MEMORY && row.kind !== SegmentKind.VARIABLE && dead(row)) {
      // Channels, functions, dispatchers, frame buffers: owned by the process that created them.
      verdicts.push({ row, why: `its owner (pid ${row.creatorPid}) is dead and nobody maps it`, remove: unlink(row.segment) });
      continue;
    }
    if (row.kind === SegmentKind.MEMORY && dead(row)) {
      const name = row.segment.slice(3);
      let data: SegmentRow | undefined;
      try {
        const m = SharedMemory.open(name, { openTimeoutMs: 0 });
        data = byName.get(`mbd.${m.generation}.${name}`);
        m.close();
      } catch {
        // unreadable data: the directory's creator decides
      }
      if (data && (!dead(data) || inUse(data.segment))) continue;
      verdicts.push({ row, why: `its creator (pid ${row.creatorPid})${data ? ` and the creator of its data (pid ${data.creatorPid})` : ''} are dead`, remove: () => void SharedMemory.remove(name) });
    }
  }
  return verdicts;
}

/** The command with plain output streams (one line per call); tested directly. */
export async function runReapCommand(args: string[], io: CommandIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(HELP);
    return 0;
  }
  const dryRun = args.includes('--dry-run');
  const rest = args.filter((a) => a !== '--dry-run');
  if (rest.length > 1 || rest[0]?.startsWith('-')) {
    io.err(`membridge reap: unexpected argument "${rest[rest[0]?.startsWith('-') ? 0 : 1]}"\n\n${HELP}`);
    return 2;
  }
  const verdicts = judge(scanSegments(rest[0]), segmentUsers());
  if (verdicts.length === 0) {
    io.out('Nothing to reap.');
    return 0;
  }
  let failed = 0;
  let freed = 0;
  for (const v of verdicts) {
    if (dryRun) {
      io.out(`would remove ${v.row.segment} (${formatBytes(v.row.size)}): ${v.why}`);
      continue;
    }
    try {
      if (!segmentExists(v.row.segment)) continue; // went with its memory
      v.remove();
      freed += Math.max(0, v.row.size);
      io.out(`removed ${v.row.segment} (${formatBytes(v.row.size)}): ${v.why}`);
    } catch (err) {
      failed++;
      io.err(`membridge reap: cannot remove ${v.row.segment}: ${(err as Error).message}`);
    }
  }
  if (!dryRun) io.out(`Reaped ${verdicts.length - failed} segment${verdicts.length - failed === 1 ? '' : 's'}, ${formatBytes(freed)} freed.`);
  return failed ? 1 : 0;
}

/** `membridge reap` in the command table (src/cli/main.ts). */
export const reapCommand: Command = {
  name: 'reap',
  summary: 'remove value segments whose owners are dead',
  usage: HELP,
  run: (args, io) => runReapCommand(args, { out: (s) => io.stdout(s + '\n'), err: (s) => io.stderr(s + '\n') }),
};
