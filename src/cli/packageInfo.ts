// Where the CLI runs from: the membridge package folder (for --version) and, in a source
// checkout only, its scripts/ (for demo and bench).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folders from this module up to the file system root. */
function* ancestors(): Generator<string> {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    yield dir;
    const parent = dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

let root: string | null | undefined;

/** The folder of membridge's package.json (the installed package or the checkout), if found. */
export function packageRoot(): string | undefined {
  if (root === undefined) {
    root = null;
    for (const dir of ancestors()) {
      try {
        if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'membridge') {
          root = dir;
          break;
        }
      } catch {
        // no package.json here
      }
    }
  }
  return root ?? undefined;
}

/** membridge's version from its package.json ("unknown" when it cannot be found). */
export function packageVersion(): string {
  const dir = packageRoot();
  if (!dir) return 'unknown';
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
}

/**
 * scripts/<script> of a source checkout, which an installed package does not ship (package.json
 * "files"); those scripts also need esbuild, Deno and Bun from the checkout's node_modules.
 */
export function checkoutScript(script: string): string | undefined {
  const dir = packageRoot();
  if (!dir) return undefined;
  const path = join(dir, 'scripts', script);
  return existsSync(path) && existsSync(join(dir, 'node_modules', 'esbuild')) ? path : undefined;
}
