// `membridge rm NAME...`: removes values, and the segments of functions, channels, dispatchers
// and frame buffers; a live server's segment only with --stop.
import { HostVariable } from '../values/HostVariable.ts';
import { IpcError } from '../errors/IpcError.ts';
import { removeFunction } from '../messaging/removeFunction.ts';
import { runtime } from '../platform/runtime.ts';
import { removeStaleByName } from '../segments/staleSegment.ts';
import { SegmentMapping, unlinkSegment } from '../segments/SegmentMapping.ts';
import { SegmentKind } from '../segments/SegmentKind.ts';
import { sysframeRemove } from '../values/sysframeMemory.ts';
import { SharedMemory } from '../values/SharedMemory.ts';
import { type Command, CommandFailure, integerOption } from './Command.ts';
import { kindLabel, resolveSegment, valueNameOf, type SegmentRow } from './valueSegments.ts';

const HELP = `Usage: membridge rm [--stop] [--timeout MS] [--json] NAME...
       membridge rm --sysframe NAME...

Removes what NAME names (its segment "mb.NAME"; a full segment name such as "mbd.2.NAME" removes
just that segment):
  - named memory (with all its data generations) or a shared variable: removed; processes that
    have it open keep their mapping;
  - a shared function, channel, dispatcher or frame buffer whose server is dead: removed;
  - one whose server still runs: refused (exit 1, SERVER_RUNNING) unless --stop is given; then a
    function's server is asked to stop (as removeFunction does, waiting up to --timeout MS,
    default 2000), and a channel, dispatcher or frame buffer is marked closed, which stops its
    server and fails its clients with CLOSED, and its name is removed.
With --sysframe, NAME is a value in the layout of Python's sysframe.membridge.`;

const SERVED: readonly number[] = [SegmentKind.CHANNEL, SegmentKind.FUNCTION, SegmentKind.DISPATCHER, SegmentKind.FRAMEBUFFER];

/** Marks a live server's segment closed (its server and clients see CLOSED) and removes its name. */
function closeAndUnlink(segment: string): void {
  const seg = SegmentMapping.open(segment);
  try {
    runtime().core.segClose(seg.ptr);
  } finally {
    seg.unmap();
  }
  try {
    unlinkSegment(segment);
  } catch (err) {
    // The server removes its own name when it sees the close.
    if (!(err instanceof IpcError && err.code === 'NOT_FOUND')) throw err;
  }
}

function removeOne(row: SegmentRow, stop: boolean, timeoutMs: number): string {
  const name = valueNameOf(row.segment) ?? row.segment;
  const what = `${kindLabel(row)} "${name}"`;
  if (row.layout === 'sysframe') {
    if (!sysframeRemove(row.segment)) throw new IpcError('NOT_FOUND', `no sysframe memory "${row.segment}"`);
    return `removed sysframe memory "${row.segment}"`;
  }
  if (row.segment.startsWith('mb.') && row.state === 'ready' && row.kind === SegmentKind.MEMORY) {
    SharedMemory.remove(name);
    return `removed ${what} (${row.segment} and its data)`;
  }
  if (row.segment.startsWith('mb.') && row.state === 'ready' && row.kind === SegmentKind.VARIABLE) {
    HostVariable.remove(name);
    return `removed ${what} (${row.segment})`;
  }
  if (SERVED.includes(row.kind) && row.state !== 'closed' && row.alive) {
    if (!stop) throw new CommandFailure('SERVER_RUNNING', `${what} is served by pid ${row.creatorPid}, which is running: stop it there, or add --stop to stop it from here`);
    if (row.kind === SegmentKind.FUNCTION) {
      const r = removeFunction(name, timeoutMs);
      if (r === 3) throw new CommandFailure('TIMED_OUT', `asked pid ${row.creatorPid} to stop ${what}, but it did not within ${timeoutMs} ms`);
      return `stopped and removed ${what} (its server, pid ${row.creatorPid}, was asked to stop)`;
    }
    closeAndUnlink(row.segment);
    return `closed and removed ${what} (its server, pid ${row.creatorPid}, sees it closed)`;
  }
  if (row.state === 'initialising' && row.alive) throw new CommandFailure('NOT_READY', `${row.segment} is being created by pid ${row.creatorPid}, which is running: try again when it is ready`);
  // A dead server's segment, a half-made or closed one, a data generation: remove the name under
  // a claim, so a restarting server taking the same name over is never hit.
  if (!removeStaleByName(row.segment)) return `${row.segment} is being removed by another process`;
  return `removed ${row.segment} (${kindLabel(row)}, ${row.state}${row.creatorPid ? `, creator pid ${row.creatorPid} ${row.alive ? 'alive' : 'dead'}` : ''})`;
}

export const rmCommand: Command = {
  name: 'rm',
  summary: 'remove values, and segments of functions, channels and frame buffers',
  usage: HELP,
  options: { sysframe: { type: 'boolean' }, stop: { type: 'boolean' }, timeout: { type: 'string' } },
  positionals: { min: 1, max: Infinity, name: 'NAME' },
  async run(ctx) {
    const stop = ctx.values.stop === true;
    const timeoutMs = integerOption(ctx, 'timeout', 2000);
    const results: Array<{ name: string; removed: boolean; message: string; code?: string }> = [];
    let status = 0;
    for (const name of ctx.positionals) {
      try {
        const message = removeOne(resolveSegment(name, ctx.values.sysframe === true), stop, timeoutMs);
        results.push({ name, removed: true, message });
        if (!ctx.json) ctx.out(message);
      } catch (err) {
        const code = err instanceof IpcError || err instanceof CommandFailure ? err.code : 'ERROR';
        // An invalid name is a usage error (2) unless another failure already made it 1.
        status = Math.max(status, code === 'INVALID_NAME' ? 2 : 1);
        results.push({ name, removed: false, message: (err as Error).message, code });
        if (!ctx.json) ctx.err(`membridge rm: cannot remove "${name}": ${code}: ${(err as Error).message}`);
      }
    }
    if (ctx.json) ctx.out(JSON.stringify(results));
    return status;
  },
};
