// Checks the published declarations (dist/types): nothing internal may ship in them, and they must
// type-check on their own. "Internal" means a member whose name starts with `_`, or anything marked
// `@internal` (tsconfig.build.json strips those, so one that shows up means stripping failed).
//
//   node scripts/check-declarations.mjs           emits into a temporary directory and checks it
//   node scripts/check-declarations.mjs <dir>     checks declarations emitted already (the build)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

function walk(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

// A declared member or property named _x: "  _x(", "  _x:", "  private _x;", "readonly _x?:".
const UNDERSCORE_MEMBER = /^\s*(?:(?:public|private|protected|readonly|static|abstract|get|set)\s+)*_[A-Za-z0-9_$]*\s*[(:;?<]/;

/** Problems found in the .d.ts files under `dir`, as "file:line: what". */
export function findInternals(dir) {
  const problems = [];
  for (const file of walk(dir).filter((f) => f.endsWith('.d.ts'))) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      const where = `${relative(dir, file)}:${i + 1}`;
      if (line.includes('@internal')) problems.push(`${where}: an @internal declaration was published: ${line.trim()}`);
      else if (UNDERSCORE_MEMBER.test(line)) problems.push(`${where}: a _-prefixed member was published: ${line.trim()}`);
    });
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let dir = process.argv[2];
  const temporary = dir === undefined;
  if (temporary) {
    dir = mkdtempSync(join(tmpdir(), 'membridge-dts-'));
    execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', dir], { cwd: root, stdio: 'inherit' });
  }
  try {
    const problems = findInternals(dir);
    // The public entry points must type-check as published, with nothing stripped that they need.
    try {
      const entries = ['index.d.ts', 'pybytes.d.ts', 'cli.d.ts'].map((f) => join(dir, f)).filter((f) => {
        try {
          return statSync(f).isFile();
        } catch {
          return false;
        }
      });
      execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', 'false', '--target', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--lib', 'ES2022,DOM', '--types', 'node', '--allowImportingTsExtensions', ...entries], { cwd: root, stdio: 'pipe' });
    } catch (err) {
      problems.push(`the declarations do not type-check:\n${String(err.stdout ?? '')}${String(err.stderr ?? '')}`);
    }
    if (problems.length > 0) {
      console.error(problems.join('\n'));
      process.exit(1);
    }
    console.log(`declarations in ${temporary ? 'a fresh emit' : relative(root, dir) || '.'}: nothing internal published, entry points type-check`);
  } finally {
    if (temporary) rmSync(dir, { recursive: true, force: true });
  }
}
