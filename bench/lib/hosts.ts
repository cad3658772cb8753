// Which executable runs a bundled bench script on Node, Deno or Bun. Bench bundles live in
// build/bench/, two levels below the repository root, next to node_modules/.bin/{deno,bun}.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

export type Host = 'node' | 'deno' | 'bun';
export const HOSTS: readonly Host[] = ['node', 'deno', 'bun'];

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function currentHost(): Host {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (typeof g.Deno === 'object') return 'deno';
  if (typeof g.Bun === 'object') return 'bun';
  return 'node';
}

export function executable(host: Host): string {
  const env = process.env[`MEMBRIDGE_HOST_${host.toUpperCase()}`];
  if (env) return env;
  if (host === currentHost()) return process.execPath;
  return host === 'node' ? 'node' : join(repoRoot, 'node_modules', '.bin', host);
}

/** Command line that runs `script` with `args` on `host`, optionally pinned to `cpu` with taskset. */
export function hostCommand(host: Host, script: string, args: readonly string[], cpu?: number): [string, string[]] {
  const exe = executable(host);
  const argv = host === 'deno' ? ['run', '-A', script, ...args] : [script, ...args];
  return cpu === undefined ? [exe, argv] : ['taskset', ['-c', String(cpu), exe, ...argv]];
}

/** The host's version, or undefined when it cannot run (e.g. bun's postinstall did not run). */
export function hostVersion(host: Host): string | undefined {
  const exe = executable(host);
  if (host !== 'node' && !existsSync(exe)) return undefined;
  const r = spawnSync(exe, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) return undefined;
  return r.stdout.trim().split('\n')[0]!.replace(/^deno /, '').replace(/ \(.*$/, '');
}
