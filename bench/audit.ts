/**
 * `npm run bench:audit`: C concurrent clients doing audited writes — one transaction each that updates a
 * small row of its own and appends an audit row (`recordAudit`), as every use case does — on a fresh
 * PostgreSQL database created for the run and dropped after it. N operations (default 5000, 20 clients,
 * a pool of 20), then throughput and p50/p95/p99/max latency. While it runs, the audit sealer runs every
 * second as in `npm start`; at the end the chain is sealed and verified.
 *
 *   npm run bench:audit -- --url postgres://postgres@127.0.0.1:5432/postgres --ops 5000 --clients 20
 *
 * --hold-ms H keeps each transaction open H ms after its audit row (pg_sleep: the rest of a use case, which
 * uses no CPU here), to show what holding something until commit costs. --url names the server (and the database to connect to for CREATE/DROP DATABASE); only a server on
 * 127.0.0.1 or localhost is accepted.
 */
import { systemActor } from '../src/shared/context.js';
import os from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { eq, sql } from 'drizzle-orm';
import { openDatabase, queryRows } from '../src/db/client.js';
import { settings } from '../src/db/schema/index.js';
import { recordAudit } from '../src/audit/record.js';
import { sealAuditChain } from '../src/audit/seal.js';
import { verifyAuditChain } from '../src/audit/verify.js';
import { runLoad, summarize } from './load.js';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    ops: { type: 'string', default: '5000' },
    clients: { type: 'string', default: '20' },
    pool: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '200' },
    'seal-every-ms': { type: 'string', default: '1000' },
    'hold-ms': { type: 'string', default: '0' },
  },
});
const ops = Number(args.ops);
const clients = Number(args.clients);
const poolSize = Number(args.pool);
const warmup = Number(args.warmup);
const sealEveryMs = Number(args['seal-every-ms']);
const holdMs = Number(args['hold-ms']);

const server = new URL(args.url);
if (!['127.0.0.1', 'localhost', '[::1]'].includes(server.hostname)) {
  console.error(`bench:audit runs only against a local server, not ${server.hostname}`);
  process.exit(2);
}
const name = `motcua_bench_audit_${process.pid}`;
const admin = new pg.Client({ connectionString: server.toString() });
await admin.connect();
await admin.query(`create database "${name}"`);
const target = new URL(server);
target.pathname = `/${name}`;

const fmt = (ms: number) => ms.toFixed(1);
try {
  const database = await openDatabase({ url: target.toString(), poolSize });
  try {
    await database.migrate();
    const { db } = database;
    const version = (await admin.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]!.v;
    console.log(
      `machine: ${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}, node ${process.version}, PostgreSQL ${version}, load ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    console.log(
      `run: ${ops} audited writes, ${clients} clients, pool ${poolSize}, ${warmup} warm-up writes not counted, held ${holdMs} ms after the audit row`,
    );

    // One small row per client, so the clients contend only on what the audit trail makes them share.
    for (let c = 0; c < clients; c++) await db.insert(settings).values({ key: `bench.audit.${c}`, value: { n: 0 } });

    let sealing = Promise.resolve();
    const sealer = setInterval(() => {
      sealing = sealing.then(() => sealAuditChain(db).then(() => undefined));
    }, sealEveryMs);
    const result = await runLoad({
      total: ops,
      concurrency: clients,
      maxMs: 120_000,
      warmup,
      task: async (i) => {
        const key = `bench.audit.${i % clients}`;
        await db.transaction(async (tx) => {
          await tx
            .update(settings)
            .set({ value: { n: i }, updatedAt: new Date() })
            .where(eq(settings.key, key));
          await recordAudit(tx, {
            action: 'bench.write',
            actor: systemActor(`client ${i % clients}`),
            targetType: 'setting',
            targetId: key,
            data: { n: i },
          });
          if (holdMs > 0) await tx.execute(sql`select pg_sleep(${holdMs / 1000})`);
        });
        return 0;
      },
    });
    clearInterval(sealer);
    await sealing;
    const s = summarize(result.latencies);
    const perSecond = (result.latencies.length / result.elapsedMs) * 1000;
    console.log(
      `audited writes ×${clients}: ${result.latencies.length} ok, ${result.errors} errors in ${(result.elapsedMs / 1000).toFixed(2)} s — ${perSecond.toFixed(0)}/s; latency ms p50 ${fmt(s.p50)} p95 ${fmt(s.p95)} p99 ${fmt(s.p99)} max ${fmt(s.max)}`,
    );
    const t0 = performance.now();
    const sealed = await sealAuditChain(db);
    const t1 = performance.now();
    const report = await verifyAuditChain(db);
    const t2 = performance.now();
    const [{ n } = { n: 0 }] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from audit_log`);
    console.log(
      `after the run: final seal ${sealed.sealed} rows in ${fmt(t1 - t0)} ms; verify ${report.ok ? 'ok' : `BROKEN at #${report.firstBadId}`} over ${n} rows in ${fmt(t2 - t1)} ms`,
    );
    if (!report.ok) process.exitCode = 1;
  } finally {
    await database.close();
  }
} finally {
  await admin.query(`drop database if exists "${name}"`);
  await admin.end();
}
