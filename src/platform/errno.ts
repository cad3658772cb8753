// The only place where Linux errno values become IpcError codes. The native layer returns -errno
// for every failed system call and never throws for them.
import { IpcError, type IpcErrorCode } from '../errors/IpcError.ts';

/** Linux errno values the native layer reports (x86-64 and arm64 share them). */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EEXIST: 17,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  EFBIG: 27,
  ENOSPC: 28,
  ENAMETOOLONG: 36,
  EOVERFLOW: 75,
  ETIMEDOUT: 110,
} as const;

const names = new Map<number, string>(Object.entries(Errno).map(([k, v]) => [v, k]));

/** The IpcError code for a (positive) errno value. */
export function errnoToCode(errno: number): IpcErrorCode {
  switch (errno) {
    case Errno.EEXIST:
      return 'ALREADY_EXISTS';
    case Errno.ENOENT:
      return 'NOT_FOUND';
    case Errno.EACCES:
    case Errno.EPERM:
      return 'PERMISSION_DENIED';
    case Errno.EINVAL:
    case Errno.ENAMETOOLONG:
      return 'INVALID_NAME';
    case Errno.ENOMEM:
    case Errno.ENOSPC:
    case Errno.EMFILE:
    case Errno.ENFILE:
    case Errno.EFBIG:
      return 'NO_SPACE';
    case Errno.ETIMEDOUT:
      return 'TIMED_OUT';
    case Errno.ESRCH:
      return 'PEER_GONE';
    default:
      return 'SYSTEM';
  }
}

/** "EEXIST" for 17; "errno 99" for values we do not name. */
export function errnoName(errno: number): string {
  return names.get(errno) ?? `errno ${errno}`;
}

const descriptions: Partial<Record<IpcErrorCode, string>> = {
  ALREADY_EXISTS: 'it exists already',
  NOT_FOUND: 'it does not exist',
  PERMISSION_DENIED: 'permission denied',
  INVALID_NAME: 'the name or an argument is invalid',
  NO_SPACE: 'the system is out of memory or descriptors',
};

/**
 * Returns `result` when it is not a negative errno; otherwise throws the IpcError for it, with a
 * message of the form `Cannot <action> "<name>": <state> (<ERRNO>)`.
 */
export function check(result: number, action: string, name: string): number {
  if (result >= 0) return result;
  const errno = -result;
  const code = errnoToCode(errno);
  const state = descriptions[code] ?? 'the system call failed';
  throw new IpcError(code, `Cannot ${action} "${name}": ${state} (${errnoName(errno)})`, { errno, name });
}
