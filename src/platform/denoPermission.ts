// Whether Deno lets this process do something without asking. Deno guards environment variables,
// system information and more: without the flag a call throws NotCapable, or, on a terminal,
// stops the program with a prompt. The documented Deno command (`deno run --allow-ffi
// --allow-read`) grants neither env nor sys access, so membridge asks first and falls back to
// its defaults instead of prompting. Outside Deno everything is allowed.

export type DenoPermission = { name: 'env'; variable: string } | { name: 'sys'; kind: 'cpus' | 'osRelease' | 'hostname' };

interface DenoPermissions {
  permissions?: { querySync?(d: DenoPermission): { state: string } };
}

/** False when running under Deno and `permission` is not already granted (never prompts). */
export function denoAllows(permission: DenoPermission): boolean {
  const deno = (globalThis as { Deno?: DenoPermissions }).Deno;
  if (typeof deno !== 'object' || !deno.permissions?.querySync) return true;
  try {
    return deno.permissions.querySync(permission).state === 'granted';
  } catch {
    return false;
  }
}
