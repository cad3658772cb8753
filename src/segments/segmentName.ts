// What a segment name may be. Linux keeps POSIX shm segments as files in /dev/shm, so a name is one
// file name there; we allow a portable subset so that names are also safe in shells and URLs.
import { IpcError } from '../errors/IpcError.ts';

const NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,199}$/;

/** Throws IpcError INVALID_NAME unless `name` is 1-200 characters of [A-Za-z0-9._-], not starting with "." or "-". */
export function checkSegmentName(name: unknown): string {
  if (typeof name !== 'string') throw new TypeError(`Cannot use ${typeof name} as a segment name: a string is required`);
  if (!NAME.test(name)) {
    throw new IpcError(
      'INVALID_NAME',
      `Cannot use "${name.length > 60 ? name.slice(0, 60) + '…' : name}" as a segment name: use 1 to 200 characters from A-Z a-z 0-9 . _ - and do not start with "." or "-"`,
      { name },
    );
  }
  return name;
}

/**
 * The prefix of every segment membridge makes in its own layout, whatever it holds: shared values
 * ("mb.<name>", and "mbd.<gen>.<name>" for named memory data), channels, shared functions,
 * dispatchers and frame buffers ("mb.<name>"). Only segments in Python's sysframe layout
 * (`{ layout: 'sysframe' }`) use the bare name, as Python does; so a Python process opening
 * "<name>" never lands on a membridge header, and `membridge ls` finds membridge's segments by
 * their prefix.
 */
export const SEGMENT_PREFIX = 'mb.';

const OBJECT_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,179}$/;

/**
 * The /dev/shm name of membridge's object `name` (a channel, shared function, dispatcher or frame
 * buffer): "mb.<name>".
 * @throws {IpcError} INVALID_NAME unless `name` is 1-180 characters of [A-Za-z0-9._-], not starting with "." or "-"
 */
export function objectSegmentName(name: unknown, what = 'segment'): string {
  if (typeof name !== 'string') throw new TypeError(`Cannot use ${typeof name} as the name of a ${what}: a string is required`);
  if (!OBJECT_NAME.test(name)) {
    throw new IpcError(
      'INVALID_NAME',
      `Cannot use "${name.length > 60 ? name.slice(0, 60) + '…' : name}" as the name of a ${what}: use 1 to 180 characters from A-Z a-z 0-9 . _ - and do not start with "." or "-"`,
      { name },
    );
  }
  return SEGMENT_PREFIX + name;
}
