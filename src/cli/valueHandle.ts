// One open value (named memory or shared variable) for the CLI's watch and write, chosen by the
// kind of the segment "mb.NAME".
import { IpcError } from '../errors/IpcError.ts';
import { SegmentKind } from '../segments/SegmentKind.ts';
import { HostVariable } from '../values/HostVariable.ts';
import { SharedMemory } from '../values/SharedMemory.ts';
import { resolveSegment, kindLabel } from './valueSegments.ts';

/** What watch and write need of either kind of value. */
export interface ValueHandle {
  readonly kind: 'named memory' | 'shared variable';
  read(): { value: unknown; version: number } | undefined;
  readonly version: number;
  write(value: unknown): number;
  waitForChange(since: number, options: { timeoutMs?: number; signal?: AbortSignal }): Promise<number>;
  close(): void;
}

/** Opens the value NAME; WRONG_KIND when "mb.NAME" is a channel, function or frame buffer. */
export function openValue(name: string): ValueHandle {
  const row = resolveSegment(name);
  if (row.segment !== `mb.${name}`) throw new IpcError('WRONG_KIND', `"${name}" is the segment ${row.segment}, not a value: use the value's name`, { name });
  if (row.kind === SegmentKind.MEMORY) {
    const m = SharedMemory.open(name, { openTimeoutMs: 1000 });
    return { kind: 'named memory', read: () => m.read(), get version() { return m.version; }, write: (v) => m.write(v), waitForChange: (s, o) => m.waitForChange(s, o), close: () => m.close() };
  }
  if (row.kind === SegmentKind.VARIABLE) {
    const h = new HostVariable(name, { create: false, openTimeoutMs: 1000 });
    return { kind: 'shared variable', read: () => h.read(), get version() { return h.version; }, write: (v) => h.write(v), waitForChange: (s, o) => h.waitForChange(s, o), close: () => h.close() };
  }
  throw new IpcError('WRONG_KIND', `"${name}" is a ${kindLabel(row)}, not a value (named memory or shared variable)`, { name });
}
