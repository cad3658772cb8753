// `membridge rm NAME...`: removes named memory or shared variables.
import { HostVariable } from '../values/HostVariable.ts';
import { IpcError } from '../errors/IpcError.ts';
import { unlinkSegment } from '../segments/SegmentMapping.ts';
import { SegmentKind } from '../segments/SegmentKind.ts';
import { sysframeRemove } from '../values/sysframeMemory.ts';
import { SharedMemory } from '../values/SharedMemory.ts';
import type { Command } from './Command.ts';
import { describeSegment, type CommandIo } from './valueSegments.ts';

const HELP = `Usage: membridge rm NAME...
       membridge rm --sysframe NAME...

Removes each named memory (with all its data generations) or shared variable NAME. A full
segment name ("mb.NAME", "mbd.2.NAME") removes just that segment. Processes that have a value
open keep their mapping. With --sysframe, NAME is a segment in the layout of Python's
sysframe.membridge.`;

function removeOne(name: string, sysframe: boolean): string {
  if (sysframe) {
    if (!sysframeRemove(name)) throw new IpcError('NOT_FOUND', `no sysframe memory "${name}"`);
    return `removed sysframe memory "${name}"`;
  }
  const row = describeSegment(`mb.${name}`);
  if (row.size >= 0 && row.kind === SegmentKind.MEMORY) {
    SharedMemory.remove(name);
    return `removed named memory "${name}"`;
  }
  if (row.size >= 0 && row.kind === SegmentKind.VARIABLE) {
    HostVariable.remove(name);
    return `removed shared variable "${name}"`;
  }
  if (row.size >= 0) {
    unlinkSegment(`mb.${name}`);
    return `removed segment "mb.${name}" (${row.state})`;
  }
  if (/^(mb|mbd)\./.test(name)) {
    unlinkSegment(name);
    return `removed segment "${name}"`;
  }
  throw new IpcError('NOT_FOUND', `no named memory or shared variable "${name}"`);
}

/** The command with plain output streams (one line per call); tested directly. */
export async function runRmCommand(args: string[], io: CommandIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(HELP);
    return 0;
  }
  const sysframe = args.includes('--sysframe');
  const names = args.filter((a) => a !== '--sysframe');
  if (names.length === 0) {
    io.err(`membridge rm: expected at least one NAME\n\n${HELP}`);
    return 2;
  }
  let status = 0;
  for (const name of names) {
    try {
      io.out(removeOne(name, sysframe));
    } catch (err) {
      io.err(`membridge rm: cannot remove "${name}": ${err instanceof IpcError && err.code === 'NOT_FOUND' ? err.message.replace(/^Cannot [^:]*: /, '') : (err as Error).message}`);
      status = 1;
    }
  }
  return status;
}

/** `membridge rm` in the command table (src/cli/main.ts). */
export const rmCommand: Command = {
  name: 'rm',
  summary: 'remove named memory or shared variables',
  usage: HELP,
  run: (args, io) => runRmCommand(args, { out: (s) => io.stdout(s + '\n'), err: (s) => io.stderr(s + '\n') }),
};
