/**
 * Benchmark of the public procedure catalog (Danh sách thủ tục hành chính, /thu-tuc, and GET /api/v1/procedures):
 *
 *   npm run bench:catalog                                   # PGlite demo database in a temporary DATA_DIR
 *   npm run bench:catalog -- --extra 3000                   # plus 3000 synthetic procedures (3 versions each)
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_catalog_bench npm run bench:catalog -- --extra 3000
 *
 * Opens the database (DATABASE_URL, or a fresh PGlite under a temporary directory), migrates it, loads the demo
 * data if it is empty, optionally adds N synthetic procedures (codes BENCH.*, removed again at the end), starts
 * the real app in this process (as src/main.ts does, no simulator) on a free port, prints the machine and
 * EXPLAIN (ANALYZE, BUFFERS) of the search statement, then for each scenario runs C concurrent anonymous HTTP
 * clients from a worker thread (bench/load.ts) — and the SQL search (searchCatalogSql, what the in-memory catalog answers without the database) for the search —
 * and prints p50/p95/p99/max, requests per second, and CPU per request of the app's thread and of the database
 * backends (when PostgreSQL runs on this machine; on a loaded machine latencies measure the queue, CPU the work).
 * See bench/README.md.
 *
 * Options: --requests N (2000 per run), --concurrency C (20), --seconds S (60, the cap per run), --warmup W (500
 * requests not counted), --baseline B (100 requests with one client first; 0 to skip), --extra N (0),
 * --app-pool P (10, on PostgreSQL), --only search,sector,browse,procedure,api (the scenarios to run; all).
 */
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { serve } from '@hono/node-server';
import pino from 'pino';
import { sql } from 'drizzle-orm';
import { openDatabase, queryRows, redactPassword, type Database } from '../src/db/client.js';
import { buildDeps } from '../src/deps.js';
import { createApp } from '../src/app.js';
import { seedDemo } from '../src/demo/seed.js';
import { openBlobStore, setBlobStore } from '../src/storage/index.js';
import { foldVietnamese } from '../src/shared/text.js';
import { catalogStatement, searchCatalogSql, type CatalogFilter } from '../src/catalog/list-catalog.js';
import { httpLoad, runLoad, summarize, type LoadResult, benchConfig } from './load.js';
import { cpuPerRequest, cpuSnapshot } from './cpu.js';

type Options = {
  requests: number;
  concurrency: number;
  seconds: number;
  warmup: number;
  baseline: number;
  extra: number;
  appPool: number;
  only: string[] | null;
};

function parseArgs(argv: string[]): Options {
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)$/.exec(argv[i]!);
    if (!m || argv[i + 1] === undefined) throw new Error(`bench:catalog: unknown or incomplete option ${argv[i]}`);
    raw[m[1]!] = argv[++i]!;
  }
  const int = (k: string, d: number) => {
    const v = raw[k] ?? String(d);
    if (!/^\d+$/.test(v)) throw new Error(`bench:catalog: --${k} must be a whole number`);
    return Number(v);
  };
  return {
    requests: int('requests', 2000),
    concurrency: int('concurrency', 20),
    seconds: int('seconds', 60),
    warmup: int('warmup', 500),
    baseline: int('baseline', 100),
    extra: int('extra', 0),
    appPool: int('app-pool', 10),
    only: raw.only ? raw.only.split(',') : null,
  };
}

/** Searches a citizen types, without diacritics, some of them unfinished words. */
const TERMS = [
  'cap giay phep',
  'dang ky',
  'chung thuc',
  'giay phep lai xe',
  'khai sinh',
  'doanh nghiep',
  'ruou',
  'cap lai',
  'ho tich',
  'thanh lap cong',
];

// Synthetic names for --extra: verbs × objects × a qualifier, folded as the app folds them.
const VERBS = [
  'Cấp',
  'Cấp lại',
  'Cấp đổi',
  'Điều chỉnh',
  'Gia hạn',
  'Thu hồi',
  'Đăng ký',
  'Đăng ký thay đổi',
  'Xác nhận',
  'Thẩm định',
  'Công nhận',
  'Chấp thuận',
];
const OBJECTS = [
  'Giấy phép kinh doanh',
  'Giấy chứng nhận đủ điều kiện',
  'Giấy phép xây dựng',
  'Giấy phép môi trường',
  'chứng chỉ hành nghề',
  'Giấy chứng nhận quyền sử dụng đất',
  'Giấy phép hoạt động',
  'thông tin hộ kinh doanh',
  'Giấy phép lao động cho người nước ngoài',
  'Giấy phép vận tải',
  'hồ sơ công bố sản phẩm',
  'Giấy chứng nhận cơ sở an toàn thực phẩm',
  'Giấy phép khai thác nước mặt',
  'kết quả thi tuyển',
  'Giấy phép tổ chức biểu diễn nghệ thuật',
];
const QUALIFIERS = [
  '',
  ' cấp tỉnh',
  ' cấp xã',
  ' cho tổ chức',
  ' cho cá nhân',
  ' trường hợp bị mất',
  ' đối với doanh nghiệp',
  ' trong khu công nghiệp',
];

async function addSyntheticProcedures(database: Database, n: number) {
  const db = database.db;
  const sectorIds = (await queryRows<{ id: string }>(db, sql`select id from sectors order by code`)).map((r) => r.id);
  const unitIds = (
    await queryRows<{ id: string }>(db, sql`select distinct x as id from procedure_versions, jsonb_array_elements_text(unit_ids) x`)
  ).map((r) => r.id);
  const [template] = await queryRows<{ documents: unknown; steps: unknown }>(
    db,
    sql`select documents, steps from procedure_versions where current order by name limit 1`,
  );
  if (!sectorIds.length || !unitIds.length || !template) throw new Error('bench:catalog: the demo catalog is missing');
  const rows = Array.from({ length: n }, (_, i) => {
    const name = `${VERBS[i % VERBS.length]} ${OBJECTS[Math.floor(i / VERBS.length) % OBJECTS.length]}${QUALIFIERS[Math.floor(i / (VERBS.length * OBJECTS.length)) % QUALIFIERS.length]} (mẫu ${i + 1})`;
    return {
      code: `BENCH.${String(i + 1).padStart(6, '0')}`,
      name,
      folded: foldVietnamese(name),
      sector: sectorIds[i % sectorIds.length]!,
      unit: unitIds[(i * 7) % unitIds.length]!,
      level: i % 3 === 0 ? 'mot_phan' : 'toan_trinh',
    };
  });
  // Three versions each (two replaced ones, with older names), as a catalog edited for years has.
  await db.execute(sql`
    with input as (
      select * from json_to_recordset(${JSON.stringify(rows)}::json) as x(code text, name text, folded text, sector uuid, unit text, level text)
    ), p as (
      insert into procedures (code) select code from input returning id, code
    )
    insert into procedure_versions (procedure_id, version, name, name_folded, sector_id, unit_ids, working_days, fee, online_level, documents, steps, current)
    select p.id, v, case when v = 3 then i.name else i.name || ' (phiên bản ' || v || ')' end,
           case when v = 3 then i.folded else i.folded || ' (phien ban ' || v || ')' end,
           i.sector, jsonb_build_array(i.unit), 5 + v, 100000 * v, i.level,
           ${JSON.stringify(template.documents)}::jsonb, ${JSON.stringify(template.steps)}::jsonb, v = 3
    from input i join p using (code), generate_series(1, 3) v`);
  // As autovacuum would soon: statistics, and the GIN indexes' pending lists merged (scanned row by row until then).
  await db.execute(sql`vacuum (analyze) procedure_versions`);
  await db.execute(sql`vacuum (analyze) procedures`);
}

async function removeSyntheticProcedures(database: Database) {
  await database.db.execute(
    sql`delete from procedure_versions where procedure_id in (select id from procedures where code like 'BENCH.%')`,
  );
  await database.db.execute(sql`delete from procedures where code like 'BENCH.%'`);
  // Leave the database as found: without this, 9,000 dead versions and statistics counting them stay until
  // autovacuum comes, and the next benchmark on this database (the inbox joins procedure_versions) plans around them.
  await database.db.execute(sql`vacuum (analyze) procedure_versions`);
  await database.db.execute(sql`vacuum (analyze) procedures`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const fmt = (x: number) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : '-');

function printRow(scenario: string, mode: string, r: LoadResult, cpu: { app: number; db: number }) {
  const s = summarize(r.latencies);
  const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '-');
  console.log(
    `  ${scenario.padEnd(22)} ${mode.padEnd(8)} ${String(r.latencies.length).padStart(8)} ${String(r.errors).padStart(6)} ${fmt(r.latencies.length / (r.elapsedMs / 1000)).padStart(7)} ` +
      `${fmt(s.p50).padStart(7)} ${fmt(s.p95).padStart(7)} ${fmt(s.p99).padStart(7)} ${fmt(s.max).padStart(7)} ${fmt(r.bytes / Math.max(1, r.latencies.length) / 1024).padStart(6)} ${ms(cpu.app).padStart(7)} ${ms(cpu.db).padStart(6)}` +
      (r.statuses && Object.keys(r.statuses).some((k) => k !== '200') ? `  ${JSON.stringify(r.statuses)}` : ''),
  );
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const url = process.env.DATABASE_URL;
  const dataDir = url ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'motcua-bench-catalog-'));
  const port = await freePort();
  const config = benchConfig(port, url ? { DATABASE_URL: url } : { DATA_DIR: dataDir! });
  const database = await openDatabase(url ? { url, poolSize: opts.appPool } : { dataDir: config.dataDir });
  try {
    await database.migrate();
    setBlobStore(openBlobStore(config.storage));
    const [{ n: units = 0 } = {}] = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from units`);
    if (units === 0) await seedDemo(database.db, 'bench-catalog-password');
    if (opts.extra > 0) {
      await removeSyntheticProcedures(database);
      await addSyntheticProcedures(database, opts.extra);
    }
    const db = database.db;

    // ── the machine and the database ──
    const cpus = os.cpus();
    const [{ version = '' } = {}] = await queryRows<{ version: string }>(db, sql`select version()`);
    const [counts] = await queryRows<{ current: number; versions: number; size: string }>(
      db,
      sql`select count(*) filter (where current)::int as current, count(*)::int as versions,
                 pg_size_pretty(pg_total_relation_size('procedure_versions')) as size from procedure_versions`,
    );
    console.log(
      `Machine: ${cpus[0]?.model ?? '?'} × ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, load ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
    console.log(`Node ${process.version}; database: ${url ? redactPassword(url) : `PGlite in ${dataDir}`} — ${version.split(' on ')[0]}`);
    console.log(`Catalog: ${counts?.current} current procedures, ${counts?.versions} versions (procedure_versions ${counts?.size})`);

    const sectors = await queryRows<{ id: string }>(
      db,
      sql`select sector_id as id from procedure_versions where current group by sector_id order by count(*) desc limit 3`,
    );
    const [sample] = await queryRows<{ id: string }>(
      db,
      sql`select procedure_id as id from procedure_versions where current order by name_folded limit 1`,
    );

    // ── EXPLAIN of the search statement ──
    const explained: CatalogFilter = { q: 'cap giay phep', sectorId: sectors[0]?.id, limit: 20 };
    for (const f of [{ q: 'cap giay phep', limit: 20 }, explained, { limit: 20 }]) {
      const q = catalogStatement(db, f);
      const plan = database.pglite
        ? (await database.pglite.query<Record<string, string>>(`explain (analyze, buffers) ${q.sql}`, q.params)).rows
        : ((await database.pool!.query(`explain (analyze, buffers) ${q.sql}`, q.params)).rows as Array<Record<string, string>>);
      console.log(`\nEXPLAIN (ANALYZE, BUFFERS) of a page, filter ${JSON.stringify(f)}:`);
      for (const row of plan) console.log(`  ${row['QUERY PLAN']}`);
    }

    // ── the app, as src/main.ts builds it, on a free port ──
    const server = serve({ fetch: createApp(buildDeps(config, database, pino({ level: 'warn' }))).fetch, port, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
    const base = `http://127.0.0.1:${port}`;
    const check = await fetch(`${base}/thu-tuc?q=cap+giay+phep`);
    const body = await check.text();
    if (check.status !== 200 || !body.includes('href="/thu-tuc/'))
      throw new Error(`bench:catalog: /thu-tuc answered ${check.status} without results`);

    const q = (t: string) => encodeURIComponent(t);
    const scenarios: Array<{ key: string; name: string; paths: string[]; sql?: CatalogFilter[] }> = [
      {
        key: 'search',
        name: 'search /thu-tuc?q=',
        paths: TERMS.map((t) => `/thu-tuc?q=${q(t)}`),
        sql: TERMS.map((t) => ({ q: t, limit: 20 })),
      },
      {
        key: 'sector',
        name: 'search + sector',
        paths: sectors.flatMap((s) => TERMS.slice(0, 3).map((t) => `/thu-tuc?q=${q(t)}&sectorId=${s.id}`)),
      },
      { key: 'browse', name: 'browse /thu-tuc', paths: ['/thu-tuc', '/thu-tuc?onlineLevel=toan_trinh'] },
      { key: 'procedure', name: 'procedure page', paths: sample ? [`/thu-tuc/${sample.id}`] : [] },
      { key: 'api', name: 'API search', paths: TERMS.map((t) => `/api/v1/procedures?q=${q(t)}&limit=20`) },
    ];
    console.log(
      `\nEach run: ${opts.concurrency} concurrent anonymous clients (a worker thread, keep-alive), ${opts.requests} requests (at most ${opts.seconds} s), ${opts.warmup} warm-up requests not counted` +
        (opts.baseline ? `; first ${opts.baseline} requests with 1 client` : ''),
    );
    console.log(
      `\n  ${'scenario'.padEnd(22)} ${'mode'.padEnd(8)} ${'requests'.padStart(8)} ${'errors'.padStart(6)} ${'req/s'.padStart(7)} ${'p50'.padStart(7)} ${'p95'.padStart(7)} ${'p99'.padStart(7)} ${'max'.padStart(7)} ${'KB/req'.padStart(6)} ${'app CPU'.padStart(7)} ${'db CPU'.padStart(6)}`,
    );
    const results: Array<[string, string, LoadResult]> = [];
    // CPU counted from the end of the warm-up (atStart) to the end of the run, divided by the requests counted.
    const measured = async (run: (atStart: () => Promise<void>) => Promise<LoadResult>) => {
      let before = await cpuSnapshot(database);
      const r = await run(async () => {
        before = await cpuSnapshot(database);
      });
      const cpu = cpuPerRequest(before, await cpuSnapshot(database), r.latencies.length + r.errors);
      return { r, cpu };
    };
    for (const sc of scenarios) {
      if (!sc.paths.length || (opts.only && !opts.only.some((o) => sc.key === o))) continue;
      for (const c of opts.baseline ? [1, opts.concurrency] : [opts.concurrency]) {
        const { r, cpu } = await measured((atStart) =>
          httpLoad(
            base,
            sc.paths.map((path) => ({ path, cookie: '' })),
            { total: c === 1 ? opts.baseline : opts.requests, concurrency: c, maxMs: opts.seconds * 1000, warmup: opts.warmup, atStart },
          ),
        );
        results.push([sc.name, `HTTP×${c}`, r]);
        printRow(sc.name, `HTTP×${c}`, r, cpu);
      }
      if (sc.sql) {
        const filters = sc.sql;
        const { r, cpu } = await measured((atStart) =>
          runLoad({
            atStart,
            total: opts.requests,
            concurrency: opts.concurrency,
            maxMs: opts.seconds * 1000,
            warmup: opts.warmup,
            task: async (i) => (await searchCatalogSql(db, filters[i % filters.length]!)).items.length,
          }),
        );
        results.push([sc.name, `SQL×${opts.concurrency}`, r]);
        printRow(sc.name, `SQL×${opts.concurrency}`, r, cpu);
      }
    }
    const m = process.memoryUsage();
    console.log(`\nProcess memory after the runs: RSS ${(m.rss / 2 ** 20).toFixed(0)} MB, JS heap ${(m.heapUsed / 2 ** 20).toFixed(0)} MB`);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (opts.extra > 0 && url) await removeSyntheticProcedures(database);
  } finally {
    await database.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
