// `membridge inspect NAME`: a segment's header and its decoded value.
import { inspect } from 'node:util';
import { HostVariable } from '../values/HostVariable.ts';
import { IpcError } from '../errors/IpcError.ts';
import { SegmentKind } from '../segments/SegmentKind.ts';
import { sysframeRead } from '../values/sysframeMemory.ts';
import { decodeValue } from '../values/valueCodec.ts';
import { SharedMemory } from '../values/SharedMemory.ts';
import type { Command } from './Command.ts';
import { describeSegment, formatBytes, formatOwner, formatValue, kindLabel, table, valueNameOf, type CommandIo, type SegmentRow } from './valueSegments.ts';

const HELP = `Usage: membridge inspect NAME
       membridge inspect --sysframe NAME

Shows the header of the named memory or shared variable NAME (its segment "mb.NAME"; a full
segment name such as "mbd.2.NAME" works too) and its current value, decoded. With --sysframe,
NAME is a segment in the layout of Python's sysframe.membridge.`;

const show = (v: unknown): string => formatValue(v, (x) => inspect(x, { depth: 4, breakLength: 100, maxArrayLength: 16, maxStringLength: 200 }));

function valueLines(row: SegmentRow): string[][] {
  const name = valueNameOf(row.segment);
  if (row.state !== 'ready' || !name) return [];
  try {
    if (row.kind === SegmentKind.MEMORY && row.segment.startsWith('mb.')) {
      const m = SharedMemory.open(name, { openTimeoutMs: 0 });
      try {
        const got = m.readBytes();
        return [
          ['Data', `generation ${m.generation}, slots of ${formatBytes(m.capacity)}`],
          ['Version', String(m.version)],
          ['Value', got ? show(decodeValue(got.bytes, `named memory "${name}"`)) : '(nothing written yet)'],
        ];
      } finally {
        m.close();
      }
    }
    if (row.kind === SegmentKind.VARIABLE) {
      const v = new HostVariable(name, { create: false, openTimeoutMs: 0 });
      try {
        const got = v.read();
        return [
          ['Slots', `${v.slots} of ${formatBytes(v.maxSize)}`],
          ['Version', String(v.version)],
          ['Value', got ? show(got.value) : '(nothing written yet)'],
        ];
      } finally {
        v.close();
      }
    }
  } catch (err) {
    return [['Value', `cannot be read: ${(err as Error).message}`]];
  }
  return [];
}

/** The command with plain output streams (one line per call); tested directly. */
export async function runInspectCommand(args: string[], io: CommandIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(HELP);
    return 0;
  }
  const sysframe = args.includes('--sysframe');
  const rest = args.filter((a) => a !== '--sysframe');
  if (rest.length !== 1) {
    io.err(`membridge inspect: expected one NAME\n\n${HELP}`);
    return 2;
  }
  const name = rest[0]!;
  if (sysframe) {
    try {
      const bytes = sysframeRead(name);
      io.out(table([
        ['Segment', `/dev/shm/${name.replace(/^\//, '')} (sysframe layout)`],
        ['Capacity', bytes ? formatBytes(bytes.length) : '0 (nothing written yet)'],
        ['Value', bytes ? show(decodeValue(bytes, `sysframe memory "${name}"`)) : '(none)'],
      ]));
      return 0;
    } catch (err) {
      io.err(`membridge inspect: ${(err as Error).message}`);
      return err instanceof IpcError && err.code === 'NOT_FOUND' ? 1 : 2;
    }
  }
  let row = describeSegment(`mb.${name}`);
  if (row.size < 0 && /^(mb|mbd)\./.test(name)) row = describeSegment(name);
  if (row.size < 0) {
    io.err(`membridge inspect: no named memory or shared variable "${name}" (${row.problem})`);
    return 1;
  }
  io.out(table([
    ['Segment', row.segment],
    ['Kind', `${kindLabel(row)}${row.version ? ` (layout version ${row.version})` : ''}`],
    ['Size', `${formatBytes(row.size)} (${row.size} bytes)`],
    ['State', row.problem ? `${row.state}: ${row.problem}` : row.state],
    ['Creator', formatOwner(row)],
    ['Created', row.created ? row.created.toISOString() : 'unknown'],
    ...(row.kind === SegmentKind.MEMORY_DATA ? [['Generation', String(row.generation)]] : []),
    ...valueLines(row),
  ]));
  return 0;
}

/** `membridge inspect` in the command table (src/cli/main.ts). */
export const inspectCommand: Command = {
  name: 'inspect',
  summary: "show a value segment's header and decoded value",
  usage: HELP,
  run: (args, io) => runInspectCommand(args, { out: (s) => io.stdout(s + '\n'), err: (s) => io.stderr(s + '\n') }),
};
