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
