/**
 * Benchmark of the citizens' portal (TRANG CÁ NHÂN, /ca-nhan, and a group's list, /ca-nhan/ho-so?loai=da-nop) on a
 * large database:
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench npm run bench:portal
 *
 * Picks the portal citizens with exactly 50 dossiers (scripts/seed-large.ts makes some: --fifty), the ones a busy
 * citizen's page has to count and list, by the rule of src/portal/citizen-dossiers.ts (submitted by them, or
 * naming their CCCD). Prints EXPLAIN (ANALYZE, BUFFERS) of the statements dossierCounts and listMyDossiers send,
 * starts the real app in this process (as src/main.ts does, without the simulator) on a free port, logs the
 * citizens in by creating portal sessions directly (createCitizenSession of src/auth/sessions.ts, cookie motcua_portal), then for each
 * page runs (a) the HTTP page from a worker thread and (b) the query function straight on a pool, first with one
 * client then with C concurrent clients, and prints p50/p95/p99/max and requests per second. See bench/README.md.
 *
 * Options: --requests N (2000 per run), --concurrency C (20), --seconds S (60, the cap per run), --citizens K (8),
 * --app-pool P (10, like npm start), --baseline B (100 requests with one client first; 0 to skip), --warmup W (1000
 * requests not counted at the start of each run; 0 for none), --only http|sql, --explain yes|no.
 */
import os from 'node:os';
import net from 'node:net';
import { serve } from '@hono/node-server';
import pino from 'pino';
import pg from 'pg';
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import * as schema from '../src/db/schema/index.js';
import { openDatabase, queryRows, redactPassword, type Db } from '../src/db/client.js';
import { buildDeps } from '../src/deps.js';
import { createApp } from '../src/app.js';
import { createCitizenSession, destroySession } from '../src/auth/sessions.js';
import { dossierCounts, listMyDossiers } from '../src/portal/my-dossiers.js';
import { citizenActor, type CitizenActor } from '../src/shared/context.js';
import { browserCookies, httpLoad, runLoad, summarize, type LoadResult, printMachine, benchConfig } from './load.js';

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/motcua_bench';
const MIN_DOSSIERS = 1000;
const TARGET = 50;

type Options = {
  requests: number;
  concurrency: number;
  seconds: number;
  citizens: number;
  appPool: number;
  baseline: number;
  warmup: number;
  only: 'http' | 'sql' | null;
  explain: boolean;
};

function parseArgs(argv: string[]): Options {
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)$/.exec(argv[i] ?? '');
    const v = argv[i + 1];
    if (!m?.[1] || v === undefined) throw new Error(`bench:portal: unknown or incomplete option ${argv[i]}`);
    raw[m[1]] = v;
    i++;
  }
  const known = ['requests', 'concurrency', 'seconds', 'citizens', 'app-pool', 'baseline', 'warmup', 'only', 'explain'];
  const unknown = Object.keys(raw).filter((k) => !known.includes(k));
  if (unknown.length) throw new Error(`bench:portal: unknown option --${unknown.join(', --')}`);
  const int = (k: string, d: number, min: number) => {
    const v = raw[k] ?? String(d);
    if (!/^\d+$/.test(v) || Number(v) < min) throw new Error(`bench:portal: --${k} must be a whole number ≥ ${min}`);
    return Number(v);
  };
  if (raw.only !== undefined && raw.only !== 'http' && raw.only !== 'sql') throw new Error('bench:portal: --only http|sql');
  return {
    requests: int('requests', 2000, 1),
    concurrency: int('concurrency', 20, 1),
    seconds: int('seconds', 60, 1),
    citizens: int('citizens', 8, 1),
    appPool: int('app-pool', 10, 1),
    baseline: int('baseline', 100, 0),
    warmup: int('warmup', 1000, 0),
    only: raw.only === 'http' || raw.only === 'sql' ? raw.only : null,
    explain: raw.explain !== 'no',
  };
}

/**
 * A chosen citizen. `facts`: their row as the page has it from the session lookup (which reads it with the session),
 * so that the bare calls run the page's one statement and not a second read of the citizen the page never makes.
 */
type Citizen = {
  id: string;
  fullName: string;
  actor: CitizenActor;
  facts: typeof schema.citizens.$inferSelect;
  newestCode: string;
  cookie?: string;
  token?: string;
};

type Scenario = {
  name: string;
  path: string;
  /** What the page must show for this citizen (checked once before the runs). */
  expect: (c: Citizen) => string;
  call: (db: Db, c: Citizen) => Promise<unknown>;
};

const SCENARIOS: Scenario[] = [
  {
    name: 'TRANG CÁ NHÂN /ca-nhan (counts)',
    path: '/ca-nhan',
    expect: () => `Hồ sơ đã nộp (${TARGET})`,
    call: (db, c) => dossierCounts(db, c.facts),
  },
  {
    name: 'Hồ sơ đã nộp /ca-nhan/ho-so (list)',
    path: '/ca-nhan/ho-so?loai=da-nop',
    expect: (c) => c.newestCode,
    call: (db, c) => listMyDossiers(db, c.facts, 'da-nop', null),
  },
];
const WIDTH = Math.max(...SCENARIOS.map((s) => s.name.length));

const fmt = (x: number) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : '-');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function printHeader() {
  console.log(
    `\n  ${'scenario'.padEnd(WIDTH)} ${'mode'.padEnd(8)} ${'requests'.padStart(8)} ${'errors'.padStart(6)} ${'req/s'.padStart(7)} ${'p50'.padStart(7)} ${'p95'.padStart(7)} ${'p99'.padStart(7)} ${'max'.padStart(7)} ${'KB/req'.padStart(6)}`,
  );
}

function printRow(scenario: string, mode: string, r: LoadResult) {
  const s = summarize(r.latencies);
  console.log(
    `  ${scenario.padEnd(WIDTH)} ${mode.padEnd(8)} ${String(r.latencies.length).padStart(8)} ${String(r.errors).padStart(6)} ${fmt(r.latencies.length / (r.elapsedMs / 1000)).padStart(7)} ` +
      `${fmt(s.p50).padStart(7)} ${fmt(s.p95).padStart(7)} ${fmt(s.p99).padStart(7)} ${fmt(s.max).padStart(7)} ${fmt(r.bytes / Math.max(1, r.latencies.length) / 1024).padStart(6)}` +
      (r.statuses && Object.keys(r.statuses).some((k) => k !== '200') ? `  ${JSON.stringify(r.statuses)}` : ''),
  );
}

/**
 * The citizens with exactly 50 dossiers by the rule of citizen-dossiers.ts: submitted by them (citizen_id), plus
 * those naming their CCCD (applicant_id_number) that they did not submit — the two parts of the OR, counted apart.
 */
async function citizensWithFifty(db: Db, k: number) {
  return queryRows<{ id: string; full_name: string }>(
    db,
    sql`with mine as (
          select d.citizen_id as id from dossiers d where d.citizen_id is not null
          union all
          select c.id from dossiers d join citizens c on c.cccd = d.applicant_id_number and c.account_type = 1
          where d.applicant_id_number is not null and d.citizen_id is distinct from c.id
        )
        select c.id, c.full_name from mine join citizens c using (id)
        group by c.id, c.full_name having count(*) = ${TARGET} order by c.id limit ${k}`,
  );
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the statements a function sends, captured through a Drizzle logger with their
 * parameter values and run again unnamed (so the plan is for these values).
 */
async function explainCalls(url: string, label: string, c: Citizen, call: (db: Db) => Promise<unknown>) {
  const pool = new pg.Pool({ connectionString: url, max: 3 });
  const captured: Array<{ query: string; params: unknown[] }> = [];
  const logged = drizzle(pool, { schema, logger: { logQuery: (query, params) => captured.push({ query, params }) } });
  try {
    await call(logged as unknown as Db);
    for (const q of captured) {
      // The citizen's own row by primary key: not worth a plan.
      if (/^select .* from "citizens" where "citizens"."id" = \$1$/s.test(q.query)) continue;
      console.log(`\nEXPLAIN (ANALYZE, BUFFERS) — ${label}, citizen ${c.id}:`);
      console.log(`  ${q.query.replace(/\n/g, '\n  ')}`);
      console.log(`  -- params: ${JSON.stringify(q.params)}`);
      const res = await pool.query<Record<string, string>>(`explain (analyze, buffers) ${q.query}`, q.params);
      for (const row of res.rows) console.log(`  ${row['QUERY PLAN']}`);
    }
  } finally {
    await pool.end();
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const url = process.env.DATABASE_URL || DEFAULT_URL;
  const started = Date.now();
  const sqlDb = await openDatabase({ url, poolSize: opts.concurrency }).catch((err: Error) => {
    console.error(`bench:portal: cannot connect to ${redactPassword(url)}: ${err.message}`);
    console.error('  Fill a database first: DATABASE_URL=… npm run seed:large -- --dossiers 1000000');
    process.exit(2);
  });
  const db = sqlDb.db;
  const [{ n: dossierCount = 0, online = 0, citizens = 0 } = {}] = await queryRows<{ n: number; online: number; citizens: number }>(
    db,
    sql`select count(*)::int as n, count(citizen_id)::int as online, (select count(*)::int from citizens) as citizens from dossiers`,
  ).catch(() => [{ n: 0, online: 0, citizens: 0 }]);
  if (dossierCount < MIN_DOSSIERS) {
    console.error(
      `bench:portal: ${redactPassword(url)} has ${dossierCount} dossiers (fewer than ${MIN_DOSSIERS}); the figures would mean nothing.`,
    );
    console.error(`  Fill it first: DATABASE_URL=${redactPassword(url)} npm run seed:large -- --dossiers 1000000`);
    await sqlDb.close();
    process.exit(2);
  }

  // ── the machine and the database ──
  const [{ version = '' } = {}] = await queryRows<{ version: string }>(db, sql`select version()`);
  const settings = await queryRows<{ name: string; value: string }>(
    db,
    sql`select name, current_setting(name) as value from pg_settings
        where name in ('shared_buffers', 'work_mem', 'effective_cache_size', 'max_parallel_workers_per_gather', 'jit') order by name`,
  );
  const [{ size = '' } = {}] = await queryRows<{ size: string }>(
    db,
    sql`select pg_size_pretty(pg_total_relation_size('dossiers')) as size`,
  );
  console.log('MotCua — portal benchmark (TRANG CÁ NHÂN and Hồ sơ đã nộp)');
  printMachine(version, settings);
  console.log(
    `  Database:   ${redactPassword(url)} — ${dossierCount.toLocaleString('en-US')} dossiers (table + indexes ${size}), ` +
      `${online.toLocaleString('en-US')} submitted online, ${citizens.toLocaleString('en-US')} portal citizens`,
  );

  // ── the citizens with exactly 50 dossiers ──
  const rows = await citizensWithFifty(db, opts.citizens);
  if (rows.length === 0) {
    console.error(
      `bench:portal: no citizen has exactly ${TARGET} dossiers; fill the database with npm run seed:large (--fifty K, default 20).`,
    );
    await sqlDb.close();
    process.exit(2);
  }
  const chosen: Citizen[] = [];
  for (const r of rows) {
    const actor = citizenActor(r.id, { ip: '127.0.0.1', requestId: null });
    const counts = await dossierCounts(db, actor);
    const page = await listMyDossiers(db, actor, 'da-nop', null);
    if (counts['da-nop'] !== TARGET || !page.rows[0]) {
      console.error(`bench:portal: citizen ${r.id}: dossierCounts says ${counts['da-nop']} dossiers, the SQL above ${TARGET}.`);
      process.exitCode = 1;
      continue;
    }
    const [facts] = await db.select().from(schema.citizens).where(eq(schema.citizens.id, r.id));
    if (!facts) throw new Error(`bench:portal: citizen ${r.id} vanished`);
    chosen.push({ id: r.id, fullName: r.full_name, actor, facts, newestCode: page.rows[0].code });
    if (chosen.length === 1) console.log(`\nCitizens with ${TARGET} dossiers (first: ${JSON.stringify(counts)})`);
  }
  console.log(`  ${chosen.length} chosen: ${chosen.map((c) => c.id.slice(0, 8)).join(', ')}`);

  // ── EXPLAIN of the count and list statements ──
  const first = chosen[0];
  if (opts.explain && first) {
    await explainCalls(url, 'dossierCounts (TRANG CÁ NHÂN)', first, (d) => dossierCounts(d, first.actor));
    await explainCalls(url, 'listMyDossiers da-nop (page 1)', first, (d) => listMyDossiers(d, first.actor, 'da-nop', null));
  }

  // ── the app, as src/main.ts builds it (no simulator), on a free port; citizens logged in by a portal session ──
  let httpOk = opts.only !== 'sql';
  let app: { base: string; close(): Promise<void>; logout(): Promise<void> } | null = null;
  if (httpOk) {
    const port = await freePort();
    const config = benchConfig(port, { DATABASE_URL: url });
    const appDb = await openDatabase({ url, poolSize: opts.appPool });
    const server = serve({ fetch: createApp(buildDeps(config, appDb, pino({ level: 'warn' }))).fetch, port, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
    const base = `http://127.0.0.1:${port}`;
    const policy = { idleMs: config.sessionIdleMs, absoluteMs: config.sessionAbsoluteMs };
    for (const c of chosen) {
      c.token = await createCitizenSession(appDb.db, c.id, policy, new Date());
      c.cookie = browserCookies(`motcua_portal=${c.token}`);
      for (const sc of SCENARIOS) {
        // The page must be this citizen's, not a login redirect.
        const res = await fetch(`${base}${sc.path}`, { headers: { cookie: c.cookie }, redirect: 'manual' });
        const body = await res.text();
        if (res.status !== 200 || !body.includes(sc.expect(c))) {
          const where = res.headers.get('location');
          console.error(
            `bench:portal: GET ${sc.path} as citizen ${c.id} answered ${res.status}${where ? ` → ${where}` : ''}${res.status === 200 ? ` without "${sc.expect(c)}"` : ''}; HTTP not measured.`,
          );
          httpOk = false;
          process.exitCode = 1;
        }
      }
    }
    app = {
      base,
      logout: async () => {
        for (const c of chosen) if (c.token) await destroySession(appDb.db, c.token);
      },
      close: async () => {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await appDb.close();
      },
    };
    console.log(
      `\nApp: ${base} (in this process, pool of ${opts.appPool} connections like npm start); direct SQL: pool of ${opts.concurrency}.`,
    );
  }
  console.log(
    `Each run: ${opts.concurrency} concurrent clients, ${opts.requests} requests (at most ${opts.seconds} s)` +
      `${opts.baseline ? `, preceded by a run of ${opts.baseline} requests with 1 client` : ''}; citizens in turn; ` +
      `${opts.warmup ? `${opts.warmup} warm-up requests first, not counted` : 'no warm-up'}.`,
  );

  const results: Array<[string, string, LoadResult]> = [];
  printHeader();
  const modes = (['HTTP', 'SQL'] as const).filter((m) => (m === 'HTTP' ? httpOk : opts.only !== 'http'));
  for (const sc of SCENARIOS) {
    for (const mode of modes) {
      for (const c of opts.baseline ? [1, opts.concurrency] : [opts.concurrency]) {
        const total = c === 1 ? opts.baseline : opts.requests;
        const r =
          mode === 'HTTP' && app
            ? await httpLoad(
                app.base,
                chosen.map((x) => ({ path: sc.path, cookie: x.cookie ?? '' })),
                { total, concurrency: c, maxMs: opts.seconds * 1000, warmup: opts.warmup },
              )
            : await runLoad({
                total,
                concurrency: c,
                maxMs: opts.seconds * 1000,
                warmup: opts.warmup,
                task: async (i) => JSON.stringify(await sc.call(db, chosen[i % chosen.length]!)).length,
              });
        results.push([sc.name, `${mode}×${c}`, r]);
        printRow(sc.name, `${mode}×${c}`, r);
      }
    }
  }
  console.log(
    `\nResults (latency per request, ms), load after the runs ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' / ')}:`,
  );
  printHeader();
  for (const [name, mode, r] of results) printRow(name, mode, r);
  const m = process.memoryUsage();
  console.log(`\nProcess memory after the runs: RSS ${(m.rss / 2 ** 20).toFixed(0)} MB, JS heap ${(m.heapUsed / 2 ** 20).toFixed(0)} MB`);
  console.log(`Total time: ${((Date.now() - started) / 1000).toFixed(0)} s`);

  await app?.logout();
  await app?.close();
  await sqlDb.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
