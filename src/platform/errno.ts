// The only place where Linux errno values become IpcError codes: the native layer's -errno
// results (check), node:fs errors carrying an errno name (fsErrorCode), and system calls whose
// failure is always SYSTEM (systemCallError). The native layer never throws for a failed call.
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

/** The IpcError code for an error from node:fs (or any error whose `code` is an errno name such as "ENOENT"). */
export function fsErrorCode(err: unknown): IpcErrorCode {
  const name = (err as { code?: unknown } | null)?.code;
  const errno = typeof name === 'string' ? (Errno as Record<string, number>)[name] : undefined;
  return errno === undefined ? 'SYSTEM' : errnoToCode(errno);
}

/** A SYSTEM IpcError for a failed system call whose errno has no meaning to the caller beyond its name. */
export function systemCallError(action: string, call: string, errno: number): IpcError {
  return new IpcError('SYSTEM', `Cannot ${action}: ${call} failed with ${errnoName(errno)}`, { errno });
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
