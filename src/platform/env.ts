// Reads the MEMBRIDGE_* environment variables without ever throwing or prompting.
//
// Deno guards process.env: without --allow-env a read throws NotCapable (and on a terminal it may
// prompt). The documented Deno command (`deno run --allow-ffi --allow-read`) grants no env access,
// so a variable Deno will not let us read is treated as unset: every setting has a default.
import process from 'node:process';

interface DenoPermissions {
  permissions?: { querySync?(d: { name: 'env'; variable: string }): { state: string } };
}

/** The variable's value, or undefined when it is unset or this runtime may not read it. */
export function readEnv(name: string): string | undefined {
  const deno = (globalThis as { Deno?: DenoPermissions }).Deno;
  try {
    if (deno?.permissions?.querySync && deno.permissions.querySync({ name: 'env', variable: name }).state !== 'granted') {
      return undefined;
    }
    return process.env[name];
  } catch {
    return undefined;
  }
}
