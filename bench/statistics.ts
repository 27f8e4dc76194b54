/**
 * Benchmark of the statistics (issue 15): the province-wide Báo cáo tình hình giải quyết TTHC for a year, read from the
 * kept counters (docs/decisions/0025-statistics-counters.md), on the database of `npm run seed:large`:
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench npm run bench:statistics [-- --concurrency 5]
 *
 * Starts the real app in this process (as src/main.ts does, no simulator) on a free port, gives a province leader (an
 * official with Xem thống kê at the root unit; else a province administrator) a session, and for each scenario runs C
 * concurrent HTTP clients from a worker thread (bench/load.ts) for the whole page — the Biểu 06 table and its three
 * SVG charts, as a leader gets it — and, beside it, the use case alone in this process (readSituationReport: the
 * counters' statements and the arithmetic, no HTTP, no HTML, no charts). Prints p50/p95/p99/max and requests per
 * second. With --check, also times `npm run stats:check`'s comparison of the counters with a recount of every dossier.
 *
 * Options: --requests N (500 per run), --concurrency C (5), --seconds S (60, the cap per run), --warmup W (50),
 * --app-pool P (10), --check.
 */
import net from 'node:net';
import { serve } from '@hono/node-server';
import pino from 'pino';
import { sql } from 'drizzle-orm';
import { openDatabase, queryRows, redactPassword } from '../src/db/client.js';
import { buildDeps } from '../src/deps.js';
import { createApp } from '../src/app.js';
import { createSession, destroySession } from '../src/auth/sessions.js';
import type { StaffActor } from '../src/shared/context.js';
import { todayInVietnam } from '../src/shared/dates.js';
import { counterDrift } from '../src/statistics/recount.js';
import { readSituationReport } from '../src/statistics/situation-report.js';
import { browserCookies, httpLoad, printMachine, runLoad, summarize, type LoadResult, benchConfig } from './load.js';

type Options = { requests: number; concurrency: number; seconds: number; warmup: number; appPool: number; check: boolean };

function parseArgs(argv: string[]): Options {
  const raw: Record<string, string> = {};
  let check = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--check') {
      check = true;
      continue;
    }
    const m = /^--([a-z-]+)$/.exec(argv[i]!);
    if (!m || argv[i + 1] === undefined) throw new Error(`bench:statistics: unknown or incomplete option ${argv[i]}`);
    raw[m[1]!] = argv[++i]!;
  }
  const int = (k: string, d: number) => {
    const v = raw[k] ?? String(d);
    if (!/^\d+$/.test(v)) throw new Error(`bench:statistics: --${k} must be a whole number`);
    return Number(v);
  };
  const known = ['requests', 'concurrency', 'seconds', 'warmup', 'app-pool'];
  const unknown = Object.keys(raw).filter((k) => !known.includes(k));
  if (unknown.length) throw new Error(`bench:statistics: unknown option --${unknown[0]}`);
  return {
    requests: int('requests', 500),
    concurrency: int('concurrency', 5),
    seconds: int('seconds', 60),
    warmup: int('warmup', 50),
    appPool: int('app-pool', 10),
    check,
  };
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });

const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '—');
function line(name: string, mode: string, r: LoadResult) {
  const s = summarize(r.latencies);
  console.log(
    `  ${name.padEnd(34)} ${mode.padEnd(9)} ${String(r.latencies.length).padStart(6)} ${String(r.errors).padStart(6)} ${fmt(r.latencies.length / (r.elapsedMs / 1000)).padStart(7)} ` +
      `${fmt(s.p50).padStart(7)} ${fmt(s.p95).padStart(7)} ${fmt(s.p99).padStart(7)} ${fmt(s.max).padStart(7)} ${fmt(r.bytes / Math.max(1, r.latencies.length) / 1024).padStart(7)}` +
      (r.statuses && Object.keys(r.statuses).some((k) => k !== '200') ? `  ${JSON.stringify(r.statuses)}` : ''),
  );
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const url = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/motcua_bench';
  const database = await openDatabase({ url, poolSize: opts.appPool });
  const db = database.db;
  const [{ version: pgVersion = '' } = {}] = await queryRows<{ version: string }>(db, sql`select version()`);
  const settings = await queryRows<{ name: string; value: string }>(
    db,
    sql`select name, current_setting(name) as value from pg_settings
        where name in ('shared_buffers', 'work_mem', 'effective_cache_size', 'max_connections', 'max_parallel_workers_per_gather', 'jit') order by name`,
  );
  const [counts] = await queryRows<{ dossiers: number; counters: number; size: string }>(
    db,
    sql`select (select count(*)::int from dossiers) as dossiers, (select count(*)::int from stats_counts) as counters,
               pg_size_pretty(pg_total_relation_size('stats_counts')) as size`,
  );
  console.log('MotCua — statistics benchmark (Báo cáo tình hình giải quyết TTHC, province-wide)');
  printMachine(pgVersion, settings);
  console.log(
    `  Database:   ${redactPassword(url)} — ${counts!.dossiers.toLocaleString('en-US')} dossiers; ${counts!.counters.toLocaleString('en-US')} counter rows (${counts!.size})`,
  );

  // A province leader: Xem thống kê at the root unit, else a province administrator.
  const [leader] = await queryRows<{ id: string; username: string; unit_id: string }>(
    db,
    sql`select a.id, a.username, g.unit_id from role_grants g join accounts a on a.id = g.account_id join units u on u.id = g.unit_id
        where u.parent_id is null and g.role in ('statistics', 'admin') and not a.suspended and a.deleted_at is null
        order by g.role = 'statistics' desc, a.username limit 1`,
  );
  if (!leader) throw new Error('bench:statistics: no official reads the province statistics (run npm run seed:large first).');
  const actor: StaffActor = {
    kind: 'official',
    accountId: leader.id,
    label: leader.username,
    meta: { ip: '127.0.0.1', requestId: 'bench' },
  };
  const today = todayInVietnam();
  const thisYear = Number(today.slice(0, 4));
  const scenarios = [
    { name: `year ${thisYear - 1}, by unit`, query: { unit: leader.unit_id, period: 'year', year: String(thisYear - 1), groupBy: 'unit' } },
    { name: `year ${thisYear} so far, by unit`, query: { unit: leader.unit_id, period: 'year', year: String(thisYear), groupBy: 'unit' } },
    {
      name: `year ${thisYear - 1}, by procedure`,
      query: { unit: leader.unit_id, period: 'year', year: String(thisYear - 1), groupBy: 'procedure' },
    },
    {
      name: `year ${thisYear - 1}, by sector`,
      query: { unit: leader.unit_id, period: 'year', year: String(thisYear - 1), groupBy: 'sector' },
    },
  ];
  console.log(`  As:         ${leader.username} (province), ${opts.concurrency} concurrent clients, ${opts.requests} requests per run\n`);

  const port = await freePort();
  const config = benchConfig(port, { DATABASE_URL: url });
  const server = serve({ fetch: createApp(buildDeps(config, database, pino({ level: 'warn' }))).fetch, port, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
  const base = `http://127.0.0.1:${port}`;
  const token = await createSession(db, leader.id, { idleMs: config.sessionIdleMs, absoluteMs: config.sessionAbsoluteMs }, new Date(), {
    ip: '127.0.0.1',
    userAgent: 'motcua-bench',
  });
  const cookie = browserCookies(`motcua_sid=${token}`);
  try {
    console.log(
      `  ${'scenario'.padEnd(34)} ${'mode'.padEnd(9)} ${'n'.padStart(6)} ${'errors'.padStart(6)} ${'req/s'.padStart(7)} ${'p50'.padStart(7)} ${'p95'.padStart(7)} ${'p99'.padStart(7)} ${'max'.padStart(7)} ${'KiB'.padStart(7)}`,
    );
    for (const sc of scenarios) {
      const path = `/tiepnhan/thong-ke/tinh-hinh-giai-quyet?${new URLSearchParams(sc.query)}`;
      const probe = await fetch(`${base}${path}`, { headers: { cookie }, redirect: 'manual' });
      const body = await probe.text();
      if (probe.status !== 200 || !body.includes('<svg')) {
        console.error(
          `bench:statistics: GET ${path} answered ${probe.status}${probe.status === 200 ? ' without its charts' : ''}; skipped.`,
        );
        process.exitCode = 1;
        continue;
      }
      line(
        sc.name,
        'HTTP page',
        await httpLoad(base, [{ path, cookie }], {
          total: opts.requests,
          concurrency: opts.concurrency,
          maxMs: opts.seconds * 1000,
          warmup: opts.warmup,
        }),
      );
      const year = Number(sc.query.year);
      const input = { unit: sc.query.unit, groupBy: sc.query.groupBy, from: `${year}-01-01`, to: `${year}-12-31` };
      line(
        sc.name,
        'use case',
        await runLoad({
          total: opts.requests,
          concurrency: opts.concurrency,
          maxMs: opts.seconds * 1000,
          warmup: opts.warmup,
          task: async () => JSON.stringify(await readSituationReport(db, actor, input, new Date())).length,
        }),
      );
    }
    if (opts.check) {
      const started = Date.now();
      const drift = await counterDrift(db);
      console.log(
        `\n  stats:check: ${drift.total === 0 ? 'the kept counters equal a recount of every dossier' : `${drift.total} counters DIFFER from a recount`} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      );
      if (drift.total) process.exitCode = 1;
    }
  } finally {
    await destroySession(db, token);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await database.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
