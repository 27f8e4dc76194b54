/**
 * `npm run worker`: the job worker alone, without the HTTP server (several may run against one PostgreSQL
 * database). Needs DATABASE_URL: an embedded PGlite database belongs to one process, whose `npm start` works
 * the queue itself.
 */
import pino from 'pino';
import { loadConfigOrExit } from '../config.js';
import { openDatabase } from '../db/client.js';
import { prepareSchemaOrExit } from '../db/migrate-command.js';
import { logSerializers } from '../web/observability.js';
import { jobHandlers } from './handlers.js';
import { startJobQueue } from './queue.js';

const config = loadConfigOrExit();
const logger = pino({ level: config.logLevel, serializers: logSerializers });
if (!config.databaseUrl) {
  console.error(
    'npm run worker needs DATABASE_URL (a PostgreSQL server). With the embedded database, `npm start` runs the worker itself (WORKER=true).',
  );
  process.exit(1);
}
const database = await openDatabase({
  url: config.databaseUrl,
  onConnectionError: (err) => logger.warn({ err }, 'database connection lost; reconnecting on the next query'),
});
await prepareSchemaOrExit(database, config.migrateOnStart, logger);
const sessionPolicy = { idleMs: config.sessionIdleMs, absoluteMs: config.sessionAbsoluteMs };
const jobs = await startJobQueue(database, { logger, handlers: jobHandlers({ db: database.db, logger, sessionPolicy, config }) });

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  // Jobs in flight finish within SHUTDOWN_GRACE_MS (as the server's do); one still running then is handed back
  // to the queue as failed and retried by another worker. Whatever hangs after that (the pool), the process ends.
  const graceMs = Math.max(config.shutdown.graceMs, 1_000);
  logger.info({ signal, graceMs }, 'worker shutting down: finishing the jobs in flight');
  setTimeout(() => process.exit(1), graceMs + 15_000).unref();
  jobs
    .stop(graceMs)
    .then(() => database.close())
    .catch((err: unknown) => logger.warn({ err }, 'worker shutdown failed'))
    .finally(() => process.exit(0));
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
