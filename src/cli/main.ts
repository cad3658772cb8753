// The `membridge` command line: a table of subcommands, one file each under src/cli/. Arguments
// are parsed by node:util parseArgs from each command's declared options; a new command is one
// file and one entry in COMMANDS.
import { parseArgs } from 'node:util';
import { IpcError } from '../errors/IpcError.ts';
import { DecodeError } from '../pybytes/DecodeError.ts';
import { benchCommand } from './benchCommand.ts';
import { callCommand } from './callCommand.ts';
import { type CliIO, type Command, type CommandContext, CommandFailure, UsageError } from './Command.ts';
import { decodeCommand } from './decodeCommand.ts';
import { demoCommand } from './demoCommand.ts';
import { encodeCommand } from './encodeCommand.ts';
import { gatewayCommand } from './gatewayCommand.ts';
import { inspectCommand } from './inspectCommand.ts';
import { lsCommand } from './lsCommand.ts';
import { packageVersion } from './packageInfo.ts';
import { reapCommand } from './reapCommand.ts';
import { rmCommand } from './rmCommand.ts';
import { watchCommand } from './watchCommand.ts';
import { writeCommand } from './writeCommand.ts';

/** Every subcommand, in the order `membridge --help` lists them. */
export const COMMANDS: readonly Command[] = [
  lsCommand, inspectCommand, watchCommand, writeCommand, callCommand, rmCommand, reapCommand,
  encodeCommand, decodeCommand, gatewayCommand, demoCommand, benchCommand,
];

const available = (c: Command): boolean => c.available?.() ?? true;

function help(): string {
  const listed = COMMANDS.filter(available);
  const width = Math.max(...listed.map((c) => c.name.length));
  return `usage: membridge <command> [options]
       membridge --version

commands:
${listed.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Every command takes --help, and --json for output that scripts read.
Exit codes: 0 done, 1 failed (the error code is printed), 2 invalid arguments or names.
Output is coloured on a terminal unless NO_COLOR is set.
`;
}

/** Whether to colour output: only on a terminal, never when NO_COLOR is set (https://no-color.org). */
export function useColor(isTTY: boolean | undefined, env: Record<string, string | undefined>): boolean {
  return isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

/** Arguments that look like negative numbers ("-5", "-1.5e3") are values, not options. */
function protectNegatives(args: string[]): { args: string[]; restore: (s: string) => string } {
  const saved: string[] = [];
  const out = args.map((a) => (/^-\.?\d/.test(a) ? `\u0000${saved.push(a) - 1}` : a));
  return { args: out, restore: (s) => (s.startsWith('\u0000') ? saved[Number(s.slice(1))]! : s) };
}

/** Parses `args` for `command` with node:util parseArgs; a UsageError on anything it does not take. */
export function parseCommandArgs(command: Command, args: string[]): { values: CommandContext['values']; positionals: string[] } {
  if (command.passThrough) return { values: { help: args[0] === '--help' || args[0] === '-h' }, positionals: args };
  const { args: safe, restore } = protectNegatives(args);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: safe,
      options: { ...command.options, help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    // parseArgs names the option in its message ("Unknown option '--x'", "Option '--file <value>' argument missing").
    throw new UsageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, '').replace(/^\w/, (c) => c.toLowerCase()));
  }
  const positionals = parsed.positionals.map(restore);
  const values = parsed.values as CommandContext['values'];
  const p = command.positionals;
  if (p && !values.help) {
    if (positionals.length < p.min) throw new UsageError(`expected ${p.min === p.max ? '' : 'at least '}${p.min} ${p.name}${p.min === 1 ? '' : 's'}`);
    if (positionals.length > p.max) throw new UsageError(`unexpected argument "${positionals[p.max]}" (takes ${p.max === 0 ? 'no' : `at most ${p.max}`} ${p.name}${p.max === 1 ? '' : 's'})`);
  }
  return { values, positionals };
}

/** Runs the CLI with `argv` (without the executable and script); returns the exit code. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(help());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`membridge ${packageVersion()}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr(`membridge: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  let json = false;
  try {
    const { values, positionals } = parseCommandArgs(command, args);
    if (values.help) {
      io.stdout(command.usage + '\n');
      return 0;
    }
    json = values.json === true;
    return await command.run({
      io,
      values,
      positionals,
      json,
      out: (line) => io.stdout(line + '\n'),
      err: (line) => io.stderr(line + '\n'),
    });
  } catch (err) {
    return reportError(name, command, err, io, json);
  }
}

function reportError(name: string, command: Command, err: unknown, io: CliIO, json: boolean): number {
  // Usage errors and invalid names are the caller's to fix: exit 2, with the rule.
  const usage = err instanceof UsageError || (err instanceof IpcError && err.code === 'INVALID_NAME');
  const code = err instanceof IpcError || err instanceof DecodeError || err instanceof CommandFailure ? err.code : err instanceof UsageError ? 'USAGE' : err instanceof Error ? err.name : 'ERROR';
  const message = err instanceof Error ? err.message : String(err);
  if (json) io.stderr(JSON.stringify({ error: { code, message } }) + '\n');
  else if (err instanceof UsageError) io.stderr(`membridge ${name}: ${message}\n\n${command.usage}\n`);
  else io.stderr(`membridge ${name}: ${code}: ${message}\n`);
  return usage ? 2 : 1;
}
