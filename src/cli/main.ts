// The `membridge` command line: a table of subcommands, one file each under src/cli/.
import { type CliIO, type Command, UsageError } from './Command.ts';
import { benchCommand } from './benchCommand.ts';
import { decodeCommand } from './decodeCommand.ts';
import { demoCommand } from './demoCommand.ts';
import { encodeCommand } from './encodeCommand.ts';
import { gatewayCommand } from './gatewayCommand.ts';
import { inspectCommand } from './inspectCommand.ts';
import { lsCommand } from './lsCommand.ts';
import { reapCommand } from './reapCommand.ts';
import { rmCommand } from './rmCommand.ts';

/** Every subcommand, in the order `membridge --help` lists them. */
export const COMMANDS: readonly Command[] = [lsCommand, inspectCommand, rmCommand, reapCommand, encodeCommand, decodeCommand, demoCommand, benchCommand, gatewayCommand];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `usage: membridge <command> [options]\n\ncommands:\n${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}\n\nRun "membridge <command> --help" for a command's options.\n`;
}

/** Runs the CLI with `argv` (without the executable and script); returns the exit code. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(help());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr(`membridge: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(command.usage + '\n');
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`membridge ${name}: ${err.message}\n\n${command.usage}\n`);
      return 2;
    }
    io.stderr(`membridge ${name}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`);
    return 1;
  }
}
