/** Where a command reads and writes; tests pass an in-memory one. */
export interface CliIO {
  /** All of standard input. */
  readStdin(): Promise<Uint8Array>;
  readFile(path: string): Promise<Uint8Array>;
  stdout(data: string | Uint8Array): void;
  stderr(text: string): void;
}

/** One `membridge <name>` subcommand. Later issues add ls, inspect, rm, reap, demo, bench. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** Returns the exit code (0 ok, 1 failure, 2 usage error). */
  run(args: string[], io: CliIO): Promise<number>;
}

/** A usage error: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Splits `args` into flags (from `known`) and positional arguments; `--file` takes a value. */
export function parseArgs(args: string[], known: readonly string[]): { flags: Set<string>; file: string | undefined; rest: string[] } {
  const flags = new Set<string>();
  const rest: string[] = [];
  let file: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--file' || a === '-f') {
      file = args[++i];
      if (file === undefined) throw new UsageError('--file needs a path');
    } else if (a.startsWith('--') || (a.startsWith('-') && a.length > 1 && !/^-\d/.test(a))) {
      if (!known.includes(a)) throw new UsageError(`unknown option ${a}`);
      flags.add(a);
    } else rest.push(a);
  }
  return { flags, file, rest };
}

/** The input text or bytes: the positional argument, `--file`, or standard input. */
export async function readInput(io: CliIO, file: string | undefined, rest: string[]): Promise<Uint8Array> {
  if (rest.length > 1) throw new UsageError('expected at most one input argument');
  if (file !== undefined && rest.length) throw new UsageError('give the input as an argument or with --file, not both');
  if (rest.length && rest[0] !== '-') return new TextEncoder().encode(rest[0]);
  if (file !== undefined) return io.readFile(file);
  return io.readStdin();
}
