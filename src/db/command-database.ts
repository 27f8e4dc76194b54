/**
 * How a command (not the server) opens the configured database: PostgreSQL at DATABASE_URL, or DATA_DIR's embedded
 * database — refused while another process has it open (src/db/embedded-lock.ts): the command prints the
 * refusal, named, without a stack, and exits 1 before touching anything.
 */
import type { Config } from '../config.js';
import { EmbeddedDatabaseInUse, openDatabase, type Database } from './client.js';

export async function openCommandDatabase(
  command: string,
  config: Pick<Config, 'databaseUrl' | 'dataDir'>,
  opts: { poolSize?: number } = {},
): Promise<Database> {
  try {
    return await openDatabase(config.databaseUrl ? { url: config.databaseUrl, poolSize: opts.poolSize } : { dataDir: config.dataDir });
  } catch (err) {
    if (!(err instanceof EmbeddedDatabaseInUse)) throw err;
    console.error(`${command}: ${err.message}`);
    process.exit(1);
  }
}
