// Runs fixture scripts in Node, Deno or Bun child processes, so tests can put the two sides of a
// shared-memory exchange in different runtimes. scripts/test.mjs passes the three executables in
// MEMBRIDGE_HOST_NODE / _DENO / _BUN; fixtures are bundled next to the tests in build/test/fixtures.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

export type Host = 'node' | 'deno' | 'bun';
export const HOSTS: readonly Host[] = ['node', 'deno', 'bun'];

/** The host running this test file. */
export function currentHost(): Host {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (typeof g.Deno === 'object') return 'deno';
  if (typeof g.Bun === 'object') return 'bun';
  return 'node';
}

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');

function executable(host: Host): string {
  const env = process.env[`MEMBRIDGE_HOST_${host.toUpperCase()}`];
  if (env) return env;
  if (host === currentHost()) return process.execPath;
  return host === 'node' ? 'node' : join(repoRoot, 'node_modules', '.bin', host);
}

/** Command line that runs `script` with `args` on `host`. */
export function hostCommand(host: Host, script: string, args: readonly string[]): [string, string[]] {
  const exe = executable(host);
  return host === 'deno' ? [exe, ['run', '-A', script, ...args]] : [exe, [script, ...args]];
}

/** A child process running test/fixtures/peer.ts (or another fixture), speaking in JSON lines on stdout. */
export class Peer {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  private readonly lines: string[] = [];
  private readonly waiting: Array<(line: string) => void> = [];
  private stderr = '';

  constructor(readonly host: Host, args: readonly string[], env: Record<string, string> = {}, ids: { uid?: number; gid?: number } = {}, fixture = 'peer') {
    const script = join(here, 'fixtures', `${fixture}.mjs`);
    const [cmd, argv] = hostCommand(host, script, args);
    this.child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env }, ...ids });
    let buf = '';
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (chunk: string) => {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const w = this.waiting.shift();
        if (w) w(line);
        else this.lines.push(line);
      }
    });
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** The next JSON line the peer prints, within `timeoutMs`. */
  async next<T = Record<string, unknown>>(timeoutMs = 20_000): Promise<T> {
    const line = this.lines.shift() ?? (await this.nextLine(timeoutMs));
    try {
      return JSON.parse(line) as T;
    } catch {
      throw new Error(`peer on ${this.host} printed a non-JSON line: ${line}\nstderr: ${this.stderr}`);
    }
  }

  private nextLine(timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(onLine);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new Error(`peer on ${this.host} said nothing within ${timeoutMs} ms; stderr: ${this.stderr}`));
      }, timeoutMs);
      const onLine = (line: string): void => {
        clearTimeout(timer);
        resolve(line);
      };
      this.waiting.push(onLine);
      this.exited.then((code) => {
        if (this.waiting.includes(onLine)) {
          clearTimeout(timer);
          this.waiting.splice(this.waiting.indexOf(onLine), 1);
          reject(new Error(`peer on ${this.host} exited with ${code} before answering; stderr: ${this.stderr}`));
        }
      });
    });
  }

  /** Waits for the exit code (killing the peer after `timeoutMs`). */
  async done(timeoutMs = 30_000): Promise<number | null> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  get errors(): string {
    return this.stderr;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child.kill(signal);
  }
}
