/**
 * Start-up: configuration, database and migrations, demo data (never in production), HTTP server,
 * graceful shutdown.
 */
import http from 'node:http';
import { serve } from '@hono/node-server';
import pino from 'pino';
import { loadConfigOrExit } from './config.js';
import { EmbeddedDatabaseInUse, openDatabase } from './db/client.js';
import { prepareSchemaOrExit } from './db/migrate-command.js';
import { buildDeps } from './deps.js';
import { startJobQueue, type JobQueue } from './jobs/queue.js';
import { jobHandlers } from './jobs/handlers.js';
import { sealAuditChain } from './audit/seal.js';
import { createApp } from './app.js';
import { logSerializers } from './web/observability.js';
import { openBlobStore, setBlobStore } from './storage/index.js';
import { sweepSpool } from './storage/spool.js';
import { moveDatabaseFiles } from './storage/move-database-files.js';
import { drainable } from './web/lifecycle.js';

async function main() {
  const config = loadConfigOrExit();
  // Errors are serialised without query parameters or database details (web/observability.ts).
  const logger = pino({ level: config.logLevel, serializers: logSerializers });
  // A lost server connection is logged, never fatal: requests get 503 until the server is back (src/db/client.ts).
  const onConnectionError = (err: Error) => logger.warn({ err }, 'database connection lost; reconnecting on the next query');
  // The pool size and statement limit apply to this server's pool only (migrations, CLIs and `npm run worker` have none).
  const database = await openDatabase(
    config.databaseUrl
      ? {
          url: config.databaseUrl,
          poolSize: config.databasePool.size,
          statementTimeoutMs: config.databasePool.statementTimeoutMs,
          onConnectionError,
          changeFeed: config.changeFeed,
        }
      : // Refused while another process has DATA_DIR open (src/db/embedded-lock.ts).
        { dataDir: config.dataDir },
  );
  // Migrates under a lock (instances may start together), or with MIGRATE_ON_START=false refuses a behind schema.
  await prepareSchemaOrExit(database, config.migrateOnStart, logger);
  logger.info({ database: database.kind, dataDir: config.databaseUrl ? undefined : config.dataDir }, 'database ready');
  // File storage (docs/decisions/0012); files still kept in the database move there with the migrations.
  const store = openBlobStore(config.storage);
  setBlobStore(store);
  // What a process that died mid-request left in the spool folder (storage/spool.ts).
  // Housekeeping: a folder it cannot sweep is said in the log, not a reason not to start.
  await sweepSpool(store, new Date()).then(
    (swept) => swept && logger.info({ swept }, 'spool files of ended requests removed'),
    (err: unknown) => logger.warn({ err }, 'the spool folder could not be swept'),
  );
  if (config.migrateOnStart) await moveDatabaseFiles(database.db, store, logger);

  // Demo data and the simulators are loaded only in demo mode: production never pays for them at start
  // (docs/decisions/0029-start-time-and-memory.md).
  if (config.demoData) {
    const [{ seedDemo }, { ensureDemoSsoClients }] = await Promise.all([import('./demo/seed.js'), import('./demo/sso-clients.js')]);
    const res = await seedDemo(database.db, config.demoPassword);
    if (res.seeded) logger.info({ accounts: res.usernames.length }, 'demo data created');
    // The one-stop system and the demo application as clients of the built-in SSO (when no SSO_* is set).
    const ssoClients = await ensureDemoSsoClients(database.db, config);
    if (ssoClients.length) logger.info({ clients: ssoClients }, 'demo SSO clients registered');
  }

  // Demo mode: the VNeID, population-registry and payment simulators on their own origin.
  const simulator =
    config.simulated ||
    config.payment.simulated ||
    config.sms?.simulated ||
    config.zns?.simulated ||
    config.nationalPortal?.simulated ||
    config.email?.simulated
      ? await (await import('../sim/server.js')).startSimulator({
          port: config.sim.port,
          issuer: config.sim.issuer,
          clients: config.sim.clients,
          registryToken: config.sim.registryToken,
          payment: config.sim.payment,
          sms: config.sim.sms,
          zns: config.sim.zns,
          nationalPortal: config.nationalPortal?.simulated ? config.sim.nationalPortal : undefined,
          smtp: config.sim.smtpPort !== undefined ? { port: config.sim.smtpPort } : undefined,
        })
      : null;
  const deps = buildDeps(config, database, logger);
  const app = createApp(deps);
  // The job worker (src/jobs; scheduled housekeeping, outbox jobs), unless WORKER=false leaves it to `npm run worker`.
  const sessionPolicy = { idleMs: config.sessionIdleMs, absoluteMs: config.sessionAbsoluteMs };
  const jobs: JobQueue | null = config.worker
    ? await startJobQueue(database, { logger, handlers: jobHandlers({ db: database.db, logger, sessionPolicy, now: deps.now, config }) })
    : null;
  // Stays a timer: pg-boss schedules have one-minute granularity, too coarse for sealing every 5 s.
  // Audit rows are written without a lock and join the hash chain here, seconds later (docs/decisions/0011).
  let sealing = false;
  const sealer = setInterval(() => {
    if (sealing) return;
    sealing = true;
    sealAuditChain(database.db)
      .catch((err) => logger.warn({ err }, 'audit sealing failed'))
      .finally(() => (sealing = false));
  }, 5_000);
  sealer.unref();

  const server = serve({ fetch: app.fetch, port: config.port }, () => {
    // From the launch of the process, module loading included: what an operator waits for (bench/README.md §9).
    const startMs = Math.round(performance.now());
    logger.info({ port: config.port, ms: startMs, rssMb: Math.round(process.memoryUsage.rss() / 1_048_576) }, 'listening');
    console.log(`\nMotCua đang chạy: ${config.publicUrl} (khởi động trong ${startMs} ms)`);
    console.log(`  Cổng Dịch vụ công:        ${config.publicUrl}/`);
    console.log(`  Hệ thống một cửa điện tử: ${config.publicUrl}/tiepnhan`);
    if (simulator) {
      console.log(
        `  VNeID (mô phỏng):         ${config.sim.issuer}  — danh sách công dân mẫu: ${config.sim.issuer}/dev/people, tin nhắn OTP: ${config.sim.issuer}/dev/sms?phone=…`,
      );
    }
    if (config.demoData) {
      console.log(`\nTài khoản demo (mật khẩu: ${config.demoPassword}):`);
      console.log('  quantri1   — quản trị toàn tỉnh');
      console.log('  admin.sct  — quản trị Sở Công Thương');
      console.log('  admin.snv  — quản trị Sở Nội vụ');
      console.log('  admin.dx   — quản trị UBND thành phố Đồng Xoài');
      console.log('  Các cán bộ khác: xem Quản trị hệ thống → Quản lý người dùng.\n');
      if (config.ssoDemo) {
        console.log(
          `Hệ thống xác thực tập trung: ${config.publicUrl}/sso — ứng dụng minh họa: npm run sso:demo-client (${config.ssoDemo.demoClient.url})\n`,
        );
      }
    }
  });

  if (!(server instanceof http.Server)) throw new Error('expected an HTTP/1.1 server');
  const listener = drainable(server, deps.lifecycle);
  if (jobs) deps.lifecycle.setWorker('running');

  // Graceful shutdown (docs/decisions/0026): not ready at once, serve on for drainMs so the load balancer sees it,
  // close the listener, let requests in flight finish within graceMs, then the worker, the simulator, the pool.
  let stopping = false;
  const shutdown = async (signal: string) => {
    // A second Ctrl-C (or SIGTERM) while draining means now.
    if (stopping) process.exit(1);
    stopping = true;
    const since = Date.now();
    const { drainMs, graceMs } = config.shutdown;
    logger.info({ signal, drainMs, graceMs }, 'shutting down: not ready, finishing requests in flight');
    clearInterval(sealer);
    // Whatever hangs (a job, the pool), the process ends.
    setTimeout(
      () => {
        logger.error('shutdown took too long; exiting');
        process.exit(1);
      },
      drainMs + graceMs + 15_000,
    ).unref();
    // The worker stops fetching at once and finishes its running jobs while the HTTP side drains.
    const stopWorker = async () => {
      if (!jobs) return;
      deps.lifecycle.setWorker('stopped');
      await jobs.stop(Math.max(graceMs, 1_000)).catch((err: unknown) => logger.warn({ err }, 'job worker did not stop cleanly'));
    };
    const [http1] = await Promise.all([listener.drain({ drainMs, graceMs }), stopWorker()]);
    if (http1.timedOut) logger.warn({ cut: http1.cut }, 'requests still in flight after SHUTDOWN_GRACE_MS were cut');
    await Promise.resolve(simulator?.close()).catch((err: unknown) => logger.warn({ err }, 'simulator did not close cleanly'));
    await database.close().catch((err: unknown) => logger.warn({ err }, 'database pool did not close cleanly'));
    logger.info({ ms: Date.now() - since }, 'stopped');
    process.exit(http1.timedOut ? 1 : 0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  // DATA_DIR open in another process is the operator's to resolve: the message says how, a stack would not help.
  console.error(err instanceof EmbeddedDatabaseInUse ? `start failed: ${err.message}` : err);
  process.exit(1);
});
