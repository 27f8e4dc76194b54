/**
 * Start-up: configuration, database and migrations, demo data (never in production), HTTP server,
 * graceful shutdown.
 */
import { serve } from '@hono/node-server';
import pino from 'pino';
import { loadConfigOrExit } from './config.js';
import { openDatabase } from './db/client.js';
import { prepareSchemaOrExit } from './db/migrate-command.js';
import { buildDeps } from './deps.js';
import { startSimulator } from '../sim/server.js';
import { startJobQueue, type JobQueue } from './jobs/queue.js';
import { jobHandlers } from './jobs/handlers.js';
import { sealAuditChain } from './audit/seal.js';
import { seedDemo } from './demo/seed.js';
import { ensureDemoSsoClients } from './demo/sso-clients.js';
import { createApp } from './app.js';
import { logSerializers } from './web/observability.js';
import { openBlobStore, setBlobStore } from './storage/index.js';
import { moveDatabaseFiles } from './storage/move-database-files.js';

async function main() {
  const started = Date.now();
  const config = loadConfigOrExit();
  // Errors are serialised without query parameters or database details (web/observability.ts).
  const logger = pino({ level: config.logLevel, serializers: logSerializers });
  // A lost server connection is logged, never fatal: requests get 503 until the server is back (src/db/client.ts).
  const onConnectionError = (err: Error) => logger.warn({ err }, 'database connection lost; reconnecting on the next query');
  const database = await openDatabase(config.databaseUrl ? { url: config.databaseUrl, onConnectionError } : { dataDir: config.dataDir });
  // Migrates under a lock (instances may start together), or with MIGRATE_ON_START=false refuses a behind schema.
  await prepareSchemaOrExit(database, config.migrateOnStart, logger);
  logger.info({ database: database.kind, dataDir: config.databaseUrl ? undefined : config.dataDir }, 'database ready');
  // File storage (docs/decisions/0012); files still kept in the database move there with the migrations.
  const store = openBlobStore(config.storage);
  setBlobStore(store);
  if (config.migrateOnStart) await moveDatabaseFiles(database.db, store, logger);

  if (config.demoData) {
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
      ? await startSimulator({
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
    logger.info({ port: config.port, ms: Date.now() - started }, 'listening');
    console.log(`\nMotCua đang chạy: ${config.publicUrl}`);
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

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    clearInterval(sealer);
    server.close(() => {
      Promise.resolve(jobs?.stop())
        .then(() => simulator?.close())
        .then(() => database.close())
        .catch(() => undefined)
        .finally(() => process.exit(0));
    });
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
