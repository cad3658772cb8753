// Segment names of shared values. Every segment membridge creates for a value starts with "mb",
// so `membridge ls` and `membridge reap` find them without opening every file in /dev/shm:
//
//   mb.<name>           the directory of a named memory, or a shared variable
//   mbd.<gen>.<name>    data generation <gen> of the named memory <name>
//
// The generation sits before the name so that no user name can produce another memory's data
// name ("a.1" and generation 1 of "a" would collide as "mb.a.1"). Segments in the sysframe layout
// use the bare name, as Python does. POSIX names are global per IPC namespace, not per user: two
// users who pick the same name collide (the second gets PERMISSION_DENIED from the 0600 mode).
import { IpcError } from '../errors/IpcError.ts';
import { SEGMENT_PREFIX } from '../segments/segmentName.ts';

const NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,179}$/;

/** Checks a value name: 1-180 characters of [A-Za-z0-9._-], not starting with "." or "-". */
export function checkValueName(name: unknown, what: string): string {
  if (typeof name !== 'string') throw new TypeError(`Cannot use ${typeof name} as the name of a ${what}: a string is required`);
  if (!NAME.test(name)) {
    throw new IpcError('INVALID_NAME', `Cannot use "${name.length > 60 ? name.slice(0, 60) + '…' : name}" as the name of a ${what}: use 1 to 180 characters from A-Z a-z 0-9 . _ - and do not start with "." or "-"`, { name });
  }
  return name;
}

/** The prefix all membridge segments share (src/segments/segmentName.ts). */
export const VALUE_PREFIX = SEGMENT_PREFIX;
export const DATA_PREFIX = 'mbd.';

/** Segment of a shared variable or of a named memory's directory. */
export function entrySegmentName(name: string): string {
  return VALUE_PREFIX + name;
}

/** Segment of generation `gen` of a named memory's data. */
export function dataSegmentName(name: string, gen: number): string {
  return `${DATA_PREFIX}${gen}.${name}`;
}

/** Parses a data segment name into its memory name and generation. */
export function parseDataSegmentName(segment: string): { name: string; gen: number } | undefined {
  const m = /^mbd\.(\d+)\.(.+)$/.exec(segment);
  return m ? { name: m[2]!, gen: Number(m[1]) } : undefined;
}
