// `membridge reap`: removes membridge segments that nobody alive is responsible for, and never a
// complete, readable value unless asked (--values): named values outlive their writers.
import { HostVariable } from '../values/HostVariable.ts';
import { removeStaleByName } from '../segments/staleSegment.ts';
import { listSegments } from '../segments/SegmentMapping.ts';
import { SegmentKind } from '../segments/SegmentKind.ts';
import { parseDataSegmentName } from '../values/valueNames.ts';
import { SharedMemory } from '../values/SharedMemory.ts';
import type { Command } from './Command.ts';
import { checkNamePrefix, formatBytes, scanSegments, segmentUsers, type SegmentRow } from './valueSegments.ts';

const HELP = `Usage: membridge reap [--dry-run] [--values] [--json] [PREFIX]

Removes membridge segments that nobody alive is responsible for, and prints each removal:
  - channels, shared functions, dispatchers and frame buffers whose server is dead and that no
    running process maps;
  - segments still initialising whose creator died before finishing them (half-made);
  - data generations of named memory that were replaced, belong to no memory any more, or were
    left half-made by a process that died while growing the memory.
Complete named memory and shared variables are data: they are meant to outlive their writers and
are never removed because a writer exited. With --values, those whose creators are all dead and
that no running process maps are removed too.
With PREFIX, only segments whose name (without "mb.") starts with it. With --dry-run, only says
what it would remove.`;

interface Verdict {
  readonly row: SegmentRow;
  readonly why: string;
  readonly remove: () => void;
}

function segmentExists(segment: string): boolean {
  return listSegments(segment).includes(segment);
}

function judge(rows: SegmentRow[], users: Map<string, number[]>, values: boolean): Verdict[] {
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
    if (row.layout === 'sysframe') continue; // Python's values: never ours to judge
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
    if (row.kind === SegmentKind.VARIABLE && dead(row) && values) {
      const name = row.segment.slice(3);
      verdicts.push({ row, why: `its creator (pid ${row.creatorPid}) is dead`, remove: () => void HostVariable.remove(name) });
    }
    if (row.kind !== SegmentKind.MEMORY && row.kind !== SegmentKind.VARIABLE && dead(row)) {
      // Channels, functions, dispatchers, frame buffers: owned by the process that created them.
      verdicts.push({ row, why: `its owner (pid ${row.creatorPid}) is dead and nobody maps it`, remove: unlink(row.segment) });
      continue;
    }
    if (row.kind === SegmentKind.MEMORY && dead(row) && values) {
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

export const reapCommand: Command = {
  name: 'reap',
  summary: 'remove segments of dead servers and half-made segments (values only with --values)',
  usage: HELP,
  options: { 'dry-run': { type: 'boolean' }, values: { type: 'boolean' } },
  positionals: { min: 0, max: 1, name: 'prefix' },
  async run(ctx) {
    const dryRun = ctx.values['dry-run'] === true;
    const prefix = checkNamePrefix(ctx.positionals[0] ?? '');
    const verdicts = judge(scanSegments(prefix, false), segmentUsers(), ctx.values.values === true);
    const report: Array<{ segment: string; size: number; why: string; removed: boolean; error?: string }> = [];
    let failed = 0;
    let freed = 0;
    for (const v of verdicts) {
      if (dryRun) {
        report.push({ segment: v.row.segment, size: v.row.size, why: v.why, removed: false });
        if (!ctx.json) ctx.out(`would remove ${v.row.segment} (${formatBytes(v.row.size)}): ${v.why}`);
        continue;
      }
      try {
        if (!segmentExists(v.row.segment)) continue; // went with its memory
        v.remove();
        freed += Math.max(0, v.row.size);
        report.push({ segment: v.row.segment, size: v.row.size, why: v.why, removed: true });
        if (!ctx.json) ctx.out(`removed ${v.row.segment} (${formatBytes(v.row.size)}): ${v.why}`);
      } catch (err) {
        failed++;
        report.push({ segment: v.row.segment, size: v.row.size, why: v.why, removed: false, error: (err as Error).message });
        if (!ctx.json) ctx.err(`membridge reap: cannot remove ${v.row.segment}: ${(err as Error).message}`);
      }
    }
    if (ctx.json) ctx.out(JSON.stringify({ dryRun, segments: report }));
    else if (verdicts.length === 0) ctx.out('Nothing to reap.');
    else if (!dryRun) ctx.out(`Reaped ${report.filter((r) => r.removed).length} segment${report.filter((r) => r.removed).length === 1 ? '' : 's'}, ${formatBytes(freed)} freed.`);
    else ctx.out(`${verdicts.length} segment${verdicts.length === 1 ? '' : 's'} would be removed (--dry-run: nothing was removed).`);
    return failed ? 1 : 0;
  },
};
