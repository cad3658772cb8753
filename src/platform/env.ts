// Reads the MEMBRIDGE_* environment variables without ever throwing or prompting.
//
// Deno guards process.env: without --allow-env a read throws NotCapable (and on a terminal it
// prompts). The documented Deno command grants no env access, so a variable Deno will not let us
// read is treated as unset: every setting has a default.
import process from 'node:process';
import { denoAllows } from './denoPermission.ts';

/** The variable's value, or undefined when it is unset or this runtime may not read it. */
export function readEnv(name: string): string | undefined {
  if (!denoAllows({ name: 'env', variable: name })) return undefined;
  try {
    return process.env[name];
  } catch {
    return undefined;
  }
}
