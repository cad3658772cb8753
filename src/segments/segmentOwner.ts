// Whose segments a process opens. Names in /dev/shm are global per IPC namespace, not per user:
// another local user can create a segment under a name this process expects, and read what it
// writes or answer its calls. So a segment (or a sysframe file) whose file belongs to another
// user is refused with PERMISSION_DENIED, unless the caller opted in for that user.
import { IpcError } from '../errors/IpcError.ts';
import { native } from '../platform/addon.ts';

/**
 * Which other users' segments an open accepts: false (the default) none, true any, or a list of
 * user ids. Segments of the current (effective) user are always accepted.
 */
export type AllowedUsers = boolean | readonly number[];

let uid: number | undefined;

/** The effective user id of this process. */
export function currentUid(): number {
  if (uid === undefined) {
    // From the addon: under Deno, process.geteuid() needs --allow-sys and a stat of /proc/self needs
    // --allow-all, neither of which the documented command (--allow-ffi --allow-read) grants.
    uid = native().effectiveUid();
  }
  return uid;
}

/**
 * Throws PERMISSION_DENIED when the file of segment `name`, owned by `owner`, belongs to a user
 * `allow` does not accept.
 */
export function checkOwner(name: string, owner: number, allow: AllowedUsers | undefined): void {
  const me = currentUid();
  if (owner === me || allow === true) return;
  if (Array.isArray(allow) && allow.includes(owner)) return;
  throw new IpcError(
    'PERMISSION_DENIED',
    `Cannot open segment "${name}": its file belongs to user ${owner}, not to this process's user ${me} (another user may have created it under a name you use; pass { allowOtherUsers: true } or a list of user ids to accept it)`,
    { name },
  );
}
