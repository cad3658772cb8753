// `membridge inspect NAME`: any membridge segment's header and what it holds, decoded.
import { inspect } from 'node:util';
import { HostVariable } from '../values/HostVariable.ts';
import { SegmentKind } from '../segments/SegmentKind.ts';
import { sysframeRead } from '../values/sysframeMemory.ts';
import { decodeStoredValue } from '../values/valueCodec.ts';
import { SharedMemory } from '../values/SharedMemory.ts';
import type { Command } from './Command.ts';
import { toJson } from './jsonText.ts';
import { formatBytes, formatOwner, formatValue, kindLabel, resolveSegment, rowJson, segmentUsers, table, valueNameOf, type SegmentRow } from './valueSegments.ts';

const HELP = `Usage: membridge inspect [--json] NAME
       membridge inspect --sysframe NAME

Shows the header of the segment "mb.NAME" (named memory, shared variable, channel, shared
function, dispatcher or frame buffer; a full segment name such as "mbd.2.NAME" works too), who
created it and whether that process runs, who maps it now, and for values the current value,
decoded. With --sysframe, NAME is a value in the layout of Python's sysframe.membridge.`;

const show = (v: unknown): string => formatValue(v, (x) => inspect(x, { depth: 4, breakLength: 100, maxArrayLength: 16, maxStringLength: 200 }));

/** What the segment holds: [label, text] lines and the value for --json. */
function contents(row: SegmentRow): { lines: string[][]; value?: unknown; version?: number } {
  const name = valueNameOf(row.segment);
  if (row.state !== 'ready' || !name) return { lines: [] };
  try {
    if (row.kind === SegmentKind.MEMORY && row.segment.startsWith('mb.')) {
      const m = SharedMemory.open(name, { openTimeoutMs: 0 });
      try {
        const got = m.readBytes();
        const value = got ? decodeStoredValue(got.bytes, `named memory "${name}"`) : undefined;
        return {
          lines: [
            ['Data', `generation ${m.generation}, slots of ${formatBytes(m.capacity)}`],
            ['Version', String(m.version)],
            ['Value', got ? show(value) : '(nothing written yet)'],
          ],
          value,
          version: m.version,
        };
      } finally {
        m.close();
      }
    }
    if (row.kind === SegmentKind.VARIABLE) {
      const v = new HostVariable(name, { create: false, openTimeoutMs: 0 });
      try {
        const got = v.read();
        return {
          lines: [
            ['Slots', `${v.slots} of ${formatBytes(v.maxSize)}`],
            ['Version', String(v.version)],
            ['Value', got ? show(got.value) : '(nothing written yet)'],
          ],
          value: got?.value,
          version: v.version,
        };
      } finally {
        v.close();
      }
    }
    if (row.kind === SegmentKind.MEMORY_DATA) return { lines: [['Generation', String(row.generation)]] };
    if (row.kind === SegmentKind.CHANNEL || row.kind === SegmentKind.FUNCTION || row.kind === SegmentKind.DISPATCHER || row.kind === SegmentKind.FRAMEBUFFER) {
      return {
        lines: [
          ['Server', row.alive ? `pid ${row.creatorPid}, running` : `pid ${row.creatorPid}, dead: "membridge reap" removes the segment`],
          ['Generation', `${row.generation} (a restarted server has a higher one)`],
        ],
      };
    }
  } catch (err) {
    return { lines: [['Value', `cannot be read: ${(err as Error).message}`]] };
  }
  return { lines: [] };
}

export const inspectCommand: Command = {
  name: 'inspect',
  summary: "show any membridge segment's header, owner and (for values) decoded value",
  usage: HELP,
  options: { sysframe: { type: 'boolean' } },
  positionals: { min: 1, max: 1, name: 'NAME' },
  async run(ctx) {
    const name = ctx.positionals[0]!;
    const row = resolveSegment(name, ctx.values.sysframe === true);
    const users = segmentUsers().get(row.segment) ?? [];
    if (row.layout === 'sysframe') {
      const bytes = sysframeRead(row.segment);
      const value = bytes ? decodeStoredValue(bytes, `sysframe memory "${row.segment}"`) : undefined;
      if (ctx.json) {
        ctx.out(toJson(rowJson(row, { mappedBy: users, capacity: row.size - 48, value: value ?? null })));
        return 0;
      }
      ctx.out(table([
        ['Segment', `/dev/shm/${row.segment} (sysframe layout)`],
        ['Capacity', formatBytes(row.size - 48)],
        ['Mapped by', users.length ? users.join(', ') : 'nobody'],
        ['Value', bytes ? show(value) : '(nothing written yet)'],
      ]));
      return 0;
    }
    const held = contents(row);
    if (ctx.json) {
      ctx.out(toJson(rowJson(row, { layoutVersion: row.version, generation: row.generation, mappedBy: users, ...(held.version !== undefined ? { version: held.version, value: held.value ?? null } : {}) })));
      return 0;
    }
    ctx.out(table([
      ['Segment', row.segment],
      ['Kind', `${kindLabel(row)}${row.version ? ` (layout version ${row.version})` : ''}`],
      ['Size', `${formatBytes(row.size)} (${row.size} bytes)`],
      ['State', row.problem ? `${row.state}: ${row.problem}` : row.state],
      ['Creator', formatOwner(row)],
      ['Created', row.created ? row.created.toISOString() : 'unknown'],
      ['Mapped by', users.length ? users.join(', ') : 'nobody'],
      ...held.lines,
    ]));
    return 0;
  },
};
