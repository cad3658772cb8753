// The shape of one `membridge <name>` subcommand, and what every command shares: its options are
// parsed by node:util parseArgs (src/cli/main.ts), its output goes through a CliIO, and its
// failures are typed (UsageError → exit 2, IpcError → exit 1 with the code).
import type { ParseArgsConfig } from 'node:util';

/** Where a command reads and writes; tests pass an in-memory one. */
export interface CliIO {
  /** All of standard input. */
  readStdin(): Promise<Uint8Array>;
  readFile(path: string): Promise<Uint8Array>;
  stdout(data: string | Uint8Array): void;
  stderr(text: string): void;
  /** Colour the output (a TTY without NO_COLOR); default false. */
  readonly color?: boolean;
  /** Aborted when the user interrupts (Ctrl-C), for commands that wait (watch). */
  readonly signal?: AbortSignal;
}

/** The options a command declares, in node:util parseArgs form. */
export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

/** What parseArgs made of a command's arguments. */
export interface ParsedArgs {
  readonly values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  readonly positionals: string[];
}

/** The context a command runs in. */
export interface CommandContext extends ParsedArgs {
  readonly io: CliIO;
  /** --json was given: print one JSON document (or one per line for watch) instead of text. */
  readonly json: boolean;
  /** Prints one line (text mode) to stdout. */
  out(line: string): void;
  /** Prints one line to stderr. */
  err(line: string): void;
}

/** One `membridge <name>` subcommand; src/cli/main.ts keeps the table of them. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** Its options (besides --help and --json, which every command has). */
  readonly options?: CommandOptions;
  /** How many positional arguments it takes. */
  readonly positionals?: { readonly min: number; readonly max: number; readonly name: string };
  /** Hands every argument to run() as a positional, unparsed (demo and bench pass them on). */
  readonly passThrough?: boolean;
  /** False where the command cannot work (demo and bench outside a source checkout): not listed. */
  available?(): boolean;
  /** Returns the exit code (0 ok, 1 failure, 2 usage error). */
  run(ctx: CommandContext): Promise<number>;
}

/** A usage error: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The string value of option `name`, if given. */
export function stringOption(ctx: ParsedArgs, name: string): string | undefined {
  const v = ctx.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A non-negative integer option (milliseconds, counts); a UsageError names the rule. */
export function integerOption(ctx: ParsedArgs, name: string, fallback: number): number {
  const text = stringOption(ctx, name);
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UsageError(`--${name} must be a whole number of 0 or more, not "${text}"`);
  return Number(text);
}

/** The input text or bytes: the positional argument, `--file`, or standard input. */
export async function readInput(io: CliIO, file: string | undefined, rest: string[]): Promise<Uint8Array> {
  if (rest.length > 1) throw new UsageError('expected at most one input argument');
  if (file !== undefined && rest.length) throw new UsageError('give the input as an argument or with --file, not both');
  if (rest.length && rest[0] !== '-') return new TextEncoder().encode(rest[0]);
  if (file !== undefined) return io.readFile(file);
  return io.readStdin();
}

/** A runtime failure the CLI itself detects (not an IpcError): exit 1, printed with its code. */
export class CommandFailure extends Error {
  override name = 'CommandFailure';
  constructor(readonly code: string, message: string) {
    super(message);
  }
}
