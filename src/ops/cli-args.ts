/**
 * The command line of the operations commands (db:move, backup, restore): `--help` (or `-h`) prints the command's
 * help (exit 0); otherwise node:util's parseArgs with its strict checks, a refused option named above the help (exit 2).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

export function commandArgs<O extends Options>(options: O, help: string) {
  if (process.argv.slice(2).some((a) => a === '--help' || a === '-h')) {
    console.log(help);
    process.exit(0);
  }
  try {
    return parseArgs({ options, strict: true }).values;
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n\n${help}`);
    process.exit(2);
  }
}
