/**
 * Benchmark of the officials' inbox (Hồ sơ cần xử lý, /tiepnhan/ho-so) and the lists beside it (Theo dõi, Tất cả hồ sơ,
 * Hồ sơ đã tiếp nhận: the scenarios with `list`) on a large database:
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench npm run bench:inbox   (npm run bench: all, bench/all.ts)
 *
 * Picks the officials with the most dossiers waiting at their steps, starts the real app in this
 * process (as src/main.ts does, without the simulator) on a free port, gives each official a session,
 * then for each scenario runs (a) GET /tiepnhan/ho-so over HTTP and (b) listInbox() straight on a pool,
 * each with the same number of concurrent clients and a bounded number of requests, and prints
 * latency percentiles, throughput, the app process's memory, the machine, and EXPLAIN (ANALYZE,
 * BUFFERS) of the inbox statement. See bench/README.md.
 *
 * Options: --requests N (2000 per run), --concurrency C (20), --seconds S (60, the cap per run),
 * --officials K (4), --app-pool P (the app's pool; 10 like `npm start`), --sql-pool P (the bare statements' pool;
 * one connection per client), --rounds R (3: each scenario's 20-client runs R times, HTTP and SQL in turn, the
 * ratio per round and its median — the machine's speed drifts between runs by up to a third), --baseline B (100 requests with one
 * client first, for the idle latency; 0 to skip), --warmup W (1000 requests sent at the start of each run
 * and not counted, so that figures are of the steady state: with 200, the first 20-client run still paid for
 * V8 optimising the app's code, about 6 ms on its p95; 0 for none), --only http|sql,
 * --explain main|all|none (main: the plain inbox only; all: every scenario), --explain-as USERNAME (whose
 * inbox to explain; default the official with the most dossiers waiting).
 */
import net from 'node:net';
import { serve } from '@hono/node-server';
import pino from 'pino';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import * as schema from '../src/db/schema/index.js';
import { openDatabase, queryRows, redactPassword, type Db } from '../src/db/client.js';
import { buildDeps } from '../src/deps.js';
import { createApp } from '../src/app.js';
import { createSession, destroySession } from '../src/auth/sessions.js';
import { listInbox, type InboxFilter } from '../src/dossiers/inbox.js';
import { listTracking, type TrackingList } from '../src/dossiers/tracking.js';
import { TRACKING_PATHS } from '../src/onestop/tracking-page.js';
import { delegationsInForce, type LentView } from '../src/dossiers/access.js';
import { loadCalendar } from '../src/calendar/load.js';
import { officeMinutesPerDay } from '../src/dossiers/steps.js';
import { foldVietnamese } from '../src/shared/text.js';
import type { StaffActor } from '../src/shared/context.js';
import { cpuPerRequest, cpuSnapshot, schedulingShares, type CpuSnapshot } from './cpu.js';
import { applySplit, PLACEMENTS, splitCpus, type Placement, type SplitCpus } from './placement.js';
import { browserCookies, httpLoad, runLoad, summarize, type LoadResult, printMachine, benchConfig } from './load.js';

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/motcua_bench';
const MIN_DOSSIERS = 1000;

type Options = {
  explainAs: string | null;
  requests: number;
  concurrency: number;
  seconds: number;
  officials: number;
  appPool: number;
  /** The bare statements' pool (default: one connection per client). */
  sqlPool: number | null;
  /** How many times each scenario's 20-client runs are repeated, HTTP and SQL in turn (the machine drifts). */
  rounds: number;
  baseline: number;
  warmup: number;
  only: 'http' | 'sql' | null;
  explain: 'main' | 'all' | 'none';
  /** Only the first K scenarios (page 1 of the inbox first). */
  scenarios: number;
  placement: Placement;
};

function parseArgs(argv: string[]): Options {
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) raw[a.slice(2, eq)] = a.slice(eq + 1);
    else raw[a.slice(2)] = argv[++i] ?? '';
  }
  const num = (k: string, d: number) => {
    const n = raw[k] === undefined ? d : Number(raw[k]!.replace(/[_,]/g, ''));
    if (!Number.isFinite(n) || n < 1) throw new Error(`--${k} must be a positive number`);
    return Math.floor(n);
  };
  const only = raw.only === 'http' || raw.only === 'sql' ? raw.only : null;
  const explain = raw.explain === 'all' || raw.explain === 'none' ? raw.explain : 'main';
  return {
    explainAs: raw['explain-as'] || null,
    requests: num('requests', 2000),
    concurrency: num('concurrency', 20),
    seconds: num('seconds', 60),
    officials: num('officials', 4),
    appPool: num('app-pool', 10),
    sqlPool: raw['sql-pool'] === undefined ? null : num('sql-pool', 1),
    rounds: num('rounds', 3),
    baseline: raw.baseline === '0' ? 0 : num('baseline', 100),
    warmup: raw.warmup === '0' ? 0 : num('warmup', 1000),
    only,
    explain,
    scenarios: num('scenarios', SCENARIOS.length),
    placement: placementOf(raw.placement),
  };
}

function placementOf(value: string | undefined): Placement {
  if (value === undefined) return 'shared';
  const hit = PLACEMENTS.find((x) => x === value);
  if (!hit) throw new Error(`--placement must be one of ${PLACEMENTS.join(', ')}`);
  return hit;
}

type Official = {
  actor: StaffActor;
  username: string;
  waiting: number;
  overdue: number;
  cursor: string | null;
  q: string | null;
  cookie?: string;
  token?: string;
  sampleCode?: string;
  /** The delegations in force the official holds during the delegated scenarios. */
  lent?: LentView[];
};

type Scenario = {
  name: string;
  filter: (o: Official) => InboxFilter;
  query: (o: Official) => Record<string, string>;
  /** Run with the official holding three delegations (Ủy quyền giải quyết DVC), made before and removed after. */
  delegated?: 'held' | 'tab';
  /** One of the lists beside the inbox (src/dossiers/tracking.ts) instead of the inbox; its filter's tab is ignored. */
  list?: TrackingList;
  /** Whose list: the chosen officials (default), or the leaders whose units receive the most (Tất cả hồ sơ). */
  as?: 'leaders';
};

const SCENARIOS: Scenario[] = [
  { name: 'Waiting (Chờ xử lý), page 1', filter: () => ({ tab: 'cho-xu-ly' }), query: () => ({ tab: 'cho-xu-ly' }) },
  {
    name: 'Waiting, page 2 (after cursor)',
    filter: (o) => ({ tab: 'cho-xu-ly', after: o.cursor ?? undefined }),
    query: (o) => ({ tab: 'cho-xu-ly', ...(o.cursor ? { after: o.cursor } : {}) }),
  },
  {
    name: 'Search by name (q)',
    filter: (o) => ({ tab: 'cho-xu-ly', q: o.q ?? undefined }),
    query: (o) => ({ tab: 'cho-xu-ly', ...(o.q ? { q: o.q } : {}) }),
  },
  {
    name: 'Overdue (han=qua-han)',
    filter: () => ({ tab: 'cho-xu-ly', dueState: 'qua-han' }),
    query: () => ({ tab: 'cho-xu-ly', han: 'qua-han' }),
  },
  // Issue 11: the inbox of an official holding three delegations (its page lists them as tabs), and one delegated
  // tab (scope all: the first delegator's waiting dossiers). Each within 10 % of the plain page 1 (first scenario).
  { name: 'Waiting, holding 3 delegations', filter: () => ({ tab: 'cho-xu-ly' }), query: () => ({ tab: 'cho-xu-ly' }), delegated: 'held' },
  {
    name: 'Delegated tab (uyquyen), page 1',
    filter: () => ({ tab: 'cho-xu-ly' }),
    query: (o) => ({ tab: 'cho-xu-ly', uyquyen: String(o.lent?.[0]?.id ?? 0) }),
    delegated: 'tab',
  },
  // Issue 12: the lists beside the inbox, newest received first, each at the inbox's speed.
  { name: 'Theo dõi, page 1', filter: () => ({}), query: () => ({}), list: 'theo-doi' },
  { name: 'Tất cả hồ sơ (leader), page 1', filter: () => ({}), query: () => ({}), list: 'tat-ca', as: 'leaders' },
  { name: 'Hồ sơ đã tiếp nhận, page 1', filter: () => ({}), query: () => ({}), list: 'da-tiep-nhan' },
];

/** One page of the scenario's list, as its route asks for it. */
function listOf(db: Db, o: Official, sc: Scenario, soon: Date, via: LentView | null = null) {
  const { tab: _tab, ...filter } = sc.filter(o);
  return sc.list
    ? listTracking(db, o.actor, sc.list, filter, new Date(), soon)
    : listInbox(db, o.actor, sc.filter(o), new Date(), soon, via);
}
const pathOf = (sc: Scenario) => (sc.list ? TRACKING_PATHS[sc.list] : '/tiepnhan/ho-so');

const fmt = (n: number, d = 1) => n.toFixed(d);
const SCENARIO_WIDTH = Math.max(...SCENARIOS.map((s) => s.name.length));
const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function soonUntil(db: Db, now: Date): Promise<Date> {
  // As the route does: "due soon" (sắp đến hạn) = within one working day.
  const cal = await loadCalendar(db, now);
  return cal.addWorkingMinutes(now, officeMinutesPerDay(cal));
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const url = process.env.DATABASE_URL || DEFAULT_URL;
  const started = Date.now();
  const sqlDb = await openDatabase({ url, poolSize: opts.sqlPool ?? opts.concurrency }).catch((err: Error) => {
    console.error(`bench: cannot connect to ${redactPassword(url)}: ${err.message}`);
    console.error('  Fill a database first: DATABASE_URL=… npm run seed:large -- --dossiers 1000000');
    process.exit(2);
  });
  const db = sqlDb.db;
  const [{ n: dossierCount = 0 } = {}] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from dossiers`).catch(() => [
    { n: 0 },
  ]);
  if (dossierCount < MIN_DOSSIERS) {
    console.error(
      `bench: ${redactPassword(url)} has ${dossierCount} dossiers (fewer than ${MIN_DOSSIERS}); the figures would mean nothing.`,
    );
    console.error(`  Fill it first: DATABASE_URL=${redactPassword(url)} npm run seed:large -- --dossiers 1000000`);
    await sqlDb.close();
    process.exit(2);
  }

  // ── the machine and the database ──
  const [{ version: pgVersion = '' } = {}] = await queryRows<{ version: string }>(db, sql`select version()`);
  const settings = await queryRows<{ name: string; value: string }>(
    db,
    sql`select name, current_setting(name) as value from pg_settings
        where name in ('shared_buffers', 'work_mem', 'effective_cache_size', 'max_connections', 'max_parallel_workers_per_gather', 'jit') order by name`,
  );
  const [{ size = '' } = {}] = await queryRows<{ size: string }>(
    db,
    sql`select pg_size_pretty(pg_total_relation_size('dossiers')) as size`,
  );
  const statusRows = await queryRows<{ status: string; n: number }>(
    db,
    sql`select status, count(*)::int as n from dossiers group by status order by n desc`,
  );
  console.log('MotCua — inbox benchmark (Hồ sơ cần xử lý)');
  printMachine(pgVersion, settings);
  console.log(`  Database:   ${redactPassword(url)} — ${dossierCount.toLocaleString('en-US')} dossiers (table + indexes ${size})`);
  console.log(`              ${statusRows.map((r) => `${r.status} ${r.n.toLocaleString('en-US')}`).join(', ')}`);

  // ── the officials with the most dossiers waiting at their steps ──
  const now0 = new Date();
  const soon = await soonUntil(db, now0);
  const candidates = await queryRows<{ id: string; username: string }>(
    db,
    sql`select distinct a.id, a.username from role_grants g join accounts a on a.id = g.account_id
        where g.role in ('reception', 'processing') and not a.suspended and a.deleted_at is null order by a.username`,
  );
  const officials: Official[] = [];
  for (const c of candidates) {
    const actor: StaffActor = { kind: 'official', accountId: c.id, label: c.username, meta: { ip: '127.0.0.1', requestId: null } };
    const res = await listInbox(db, actor, { tab: 'cho-xu-ly' }, now0, soon);
    const overdue = await listInbox(db, actor, { tab: 'cho-xu-ly', dueState: 'qua-han' }, now0, soon);
    const first = res.rows[Math.floor(res.rows.length / 2)] ?? res.rows[0];
    // A search as an official types it: the last two words of a waiting applicant's name, without diacritics.
    const q = first ? foldVietnamese(first.applicantName).split(' ').slice(-2).join(' ') : null;
    officials.push({
      actor,
      username: c.username,
      waiting: res.counts['cho-xu-ly'],
      overdue: overdue.counts['cho-xu-ly'],
      cursor: res.next,
      q,
      sampleCode: res.rows[0]?.code,
    });
  }
  officials.sort((a, b) => b.waiting - a.waiting);
  const chosen = officials.filter((o) => o.waiting > 0).slice(0, opts.officials);
  if (chosen.length === 0) {
    console.error('bench: no official has any dossier waiting (tab cho-xu-ly); nothing to measure.');
    process.exit(2);
  }
  console.log(`\nOfficials (by dossiers waiting; the first ${chosen.length} chosen, marked *):`);
  for (const o of officials.slice(0, Math.max(8, chosen.length))) {
    console.log(
      `  ${chosen.includes(o) ? '*' : ' '} ${o.username.padEnd(16)} waiting ${String(o.waiting).padStart(6)}, overdue ${String(o.overdue).padStart(6)}${chosen.includes(o) ? `, q="${o.q}"` : ''}`,
    );
  }

  // ── the leaders (approval) whose units received the most dossiers, for Tất cả hồ sơ ──
  const leaderRows = await queryRows<{ id: string; username: string; received: number }>(
    db,
    sql`select a.id, a.username, sum((select count(*) from dossiers d where d.agency_unit_id = g.unit_id))::int as received
        from role_grants g join accounts a on a.id = g.account_id
        where g.role = 'approval' and not a.suspended and a.deleted_at is null
        group by a.id, a.username order by received desc, a.username limit ${opts.officials}`,
  );
  const leaders: Official[] = leaderRows.map((l) => ({
    actor: { kind: 'official', accountId: l.id, label: l.username, meta: { ip: '127.0.0.1', requestId: null } },
    username: l.username,
    waiting: 0,
    overdue: 0,
    cursor: null,
    q: null,
  }));
  console.log(
    `Leaders (Tất cả hồ sơ): ${leaderRows.map((l) => `${l.username} (${l.received.toLocaleString('en-US')} received at their unit)`).join(', ')}`,
  );

  // ── EXPLAIN (ANALYZE, BUFFERS) of the inbox statement, as listInbox sends it ──
  if (opts.explain !== 'none') {
    const who = opts.explainAs ? officials.find((o) => o.username === opts.explainAs) : chosen[0];
    if (!who) console.error(`bench: --explain-as ${opts.explainAs}: no such official with a reception or processing role.`);
    else await explainInbox(url, who, leaders[0] ?? who, opts.explain === 'all' ? SCENARIOS : SCENARIOS.slice(0, 1), soon);
  }

  // ── the app, as src/main.ts builds it (no simulator), on a free port ──
  const measureHttp = opts.only !== 'sql';
  let app: { base: string; close(): Promise<void>; destroySessions(): Promise<void> } | null = null;
  let httpOk = measureHttp;
  if (measureHttp) {
    const port = await freePort();
    const config = benchConfig(port, { DATABASE_URL: url });
    const appDb = await openDatabase({ url, poolSize: opts.appPool });
    const server = serve({ fetch: createApp(buildDeps(config, appDb, pino({ level: 'warn' }))).fetch, port, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
    const base = `http://127.0.0.1:${port}`;
    const policy = { idleMs: config.sessionIdleMs, absoluteMs: config.sessionAbsoluteMs };
    for (const o of [...chosen, ...leaders]) {
      o.token = await createSession(appDb.db, o.actor.accountId, policy, new Date(), { ip: '127.0.0.1', userAgent: 'motcua-bench' });
      o.cookie = browserCookies(`motcua_sid=${o.token}`);
      // The page must be the official's inbox, not a login redirect or a 404.
      const res = await fetch(`${base}/tiepnhan/ho-so?tab=cho-xu-ly`, { headers: { cookie: o.cookie }, redirect: 'manual' });
      const body = await res.text();
      if (res.status !== 200 || (o.sampleCode && !body.includes(o.sampleCode))) {
        const where = res.headers.get('location');
        console.error(
          `bench: GET /tiepnhan/ho-so as ${o.username} answered ${res.status}${where ? ` → ${where}` : ''}${res.status === 200 ? ' without the dossiers of the inbox' : ''}; HTTP not measured.`,
        );
        httpOk = false;
        process.exitCode = 1;
      }
    }
    app = {
      base,
      destroySessions: async () => {
        for (const o of [...chosen, ...leaders]) if (o.token) await destroySession(appDb.db, o.token);
      },
      close: async () => {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await appDb.close();
      },
    };
    console.log(
      `\nApp: ${base} (in this process, pool of ${opts.appPool} connections like npm start); direct SQL: pool of ${opts.sqlPool ?? opts.concurrency} connections.`,
    );
  }
  console.log(
    `Each run: ${opts.concurrency} concurrent clients, ${opts.requests} requests (at most ${opts.seconds} s)` +
      `${opts.baseline ? `, preceded by a run of ${opts.baseline} requests with 1 client` : ''}; officials in turn; ` +
      `${opts.warmup ? `${opts.warmup} warm-up requests first, not counted (--warmup)` : 'no warm-up (--warmup 0)'}.`,
  );
  // Where the processes run (bench/placement.ts): after the set-up, before the runs.
  let split: SplitCpus | null = null;
  if (opts.placement === 'split') {
    split = splitCpus();
    console.log(`Placement: ${await applySplit(sqlDb, split)}`);
  } else
    console.log('Placement: shared — the kernel places the app, PostgreSQL and the load generator (--placement split: decision 0031).');

  // ── memory of the app process while it serves ──
  let phase: 'HTTP' | 'SQL' = 'HTTP';
  const peak = { HTTP: { rss: 0, heap: 0 }, SQL: { rss: 0, heap: 0 } };
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peak[phase].rss = Math.max(peak[phase].rss, m.rss);
    peak[phase].heap = Math.max(peak[phase].heap, m.heapUsed);
  }, 100);
  const rssBefore = process.memoryUsage().rss;

  const results: Array<{ scenario: string; mode: string; r: LoadResult; cpu: Cpu }> = [];
  const run = async (sc: Scenario, mode: 'HTTP' | 'SQL', concurrency: number, total: number) => {
    let r: LoadResult;
    phase = mode;
    const whose = sc.as === 'leaders' ? leaders : chosen;
    // CPU counters where the counted phase starts (after the warm-up) and where it ends.
    let before: CpuSnapshot | null = null;
    const load = {
      total,
      concurrency,
      maxMs: opts.seconds * 1000,
      warmup: opts.warmup,
      atStart: async () => {
        before = await cpuSnapshot(sqlDb);
      },
      clientCpus: split?.others,
    };
    let clientCpuMs: number | null = null;
    if (mode === 'HTTP') {
      const jobs = whose.map((o) => ({ path: `${pathOf(sc)}?${new URLSearchParams(sc.query(o))}`, cookie: o.cookie! }));
      const h = await httpLoad(app!.base, jobs, load);
      clientCpuMs = h.clientCpuMs;
      r = h;
    } else {
      r = await runLoad({
        ...load,
        task: async (i) => {
          const o = whose[i % whose.length]!;
          // The statements the route runs for the page's content: a delegated tab reads the delegations in force
          // first, the chosen one narrowing the list; the own inbox takes its delegation tabs from the display cache
          // (onestop/page-data.ts), so its bare statement is the list alone.
          if (sc.delegated === 'tab') {
            const lent = await delegationsInForce(db, o.actor, new Date());
            const res = await listOf(db, o, sc, soon, lent[0] ?? null);
            return JSON.stringify(res.rows).length;
          }
          const res = await listOf(db, o, sc, soon);
          return JSON.stringify(res.rows).length;
        },
      });
    }
    const n = r.latencies.length + r.errors;
    const after = before ? await cpuSnapshot(sqlDb) : null;
    const cpu: Cpu =
      before && after
        ? {
            ...cpuPerRequest(before, after, n),
            ...schedulingShares(before, after),
            client: clientCpuMs === null ? NaN : clientCpuMs / n,
          }
        : { app: NaN, db: NaN, client: NaN, wait: NaN, idle: NaN };
    const label = `${mode}×${concurrency}`;
    results.push({ scenario: sc.name, mode: label, r, cpu });
    printRow(sc.name, label, r, cpu);
  };
  const modes = (['HTTP', 'SQL'] as const).filter((m) => (m === 'HTTP' ? httpOk : opts.only !== 'http'));
  let delegationIds: number[] = [];
  for (const sc of SCENARIOS.slice(0, opts.scenarios)) {
    if (sc.delegated && delegationIds.length === 0) delegationIds = await lendThree(db, chosen, officials);
    // One client first: the latency of a request on an idle server.
    if (opts.baseline > 0) for (const m of modes) await run(sc, m, 1, opts.baseline);
    for (let round = 0; round < opts.rounds; round++) for (const m of modes) await run(sc, m, opts.concurrency, opts.requests);
  }
  clearInterval(sampler);
  if (delegationIds.length) await db.execute(sql`delete from delegations where id = any(${`{${delegationIds.join(',')}}`}::int[])`);
  const mem = process.memoryUsage();

  console.log('\nResults (latency per request, ms):');
  printHeader();
  for (const x of results) printRow(x.scenario, x.mode, x.r, x.cpu);
  // Issue 11's bar: with delegations, the inbox's p95 within 10 % of the plain inbox's in the same run.
  const p95Of = (scenario: string, mode: string) => {
    const hit = results.find((x) => x.scenario === scenario && x.mode === mode);
    return hit ? summarize(hit.r.latencies).p95 : null;
  };
  // Issue 16's bar: the page's throughput at least 0.7 of its bare statement's, in the same run.
  // With --rounds, each round's HTTP run beside the SQL run that followed it, and the median of those ratios.
  const rps = (r: LoadResult) => r.latencies.length / (r.elapsedMs / 1000);
  for (const sc of SCENARIOS.slice(0, opts.scenarios)) {
    const runs = (mode: string) => results.filter((x) => x.scenario === sc.name && x.mode === `${mode}×${opts.concurrency}`);
    const http = runs('HTTP');
    const bare = runs('SQL');
    const ratios = http.slice(0, bare.length).map((h, i) => rps(h.r) / rps(bare[i]!.r));
    if (ratios.length === 0) continue;
    const sorted = [...ratios].sort((a, b) => a - b);
    const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
    console.log(
      `  ${sc.name.padEnd(SCENARIO_WIDTH)}  HTTP/SQL throughput ×${opts.concurrency}: ${ratios.length > 1 ? `${ratios.map((x) => x.toFixed(2)).join(', ')}; median ` : ''}${median.toFixed(2)}`,
    );
  }
  for (const mode of modes.map((m) => `${m}×${opts.concurrency}`)) {
    const plain = p95Of(SCENARIOS[0]!.name, mode);
    for (const sc of SCENARIOS.filter((x) => x.delegated)) {
      const with3 = p95Of(sc.name, mode);
      if (plain && with3)
        console.log(`  ${mode} p95 ${sc.name}: ${fmt(with3)} ms vs plain ${fmt(plain)} ms (${fmt((with3 / plain - 1) * 100)} %)`);
    }
  }
  console.log(`\nProcess memory (process.memoryUsage): RSS before the runs ${mb(rssBefore)}, after ${mb(mem.rss)}`);
  if (httpOk)
    console.log(
      `  while the app served HTTP: peak RSS ${mb(peak.HTTP.rss)}, peak JS heap ${mb(peak.HTTP.heap)} (including the load-generating worker thread)`,
    );
  if (opts.only !== 'http')
    console.log(`  while calling listInbox directly: peak RSS ${mb(peak.SQL.rss)}, peak JS heap ${mb(peak.SQL.heap)}`);
  console.log(`Total time: ${((Date.now() - started) / 1000).toFixed(0)} s`);

  await app?.destroySessions();
  await app?.close();
  await sqlDb.close();
}

/**
 * Each chosen official receives three delegations in force (scope all) from the next officials by waiting count;
 * made straight in the table (the bench's fixture, not the form), removed after the runs. Returns their ids.
 */
async function lendThree(db: Db, chosen: Official[], all: Official[]): Promise<number[]> {
  const ids: number[] = [];
  const now = Date.now();
  for (const o of chosen) {
    const from = all.filter((x) => x.actor.accountId !== o.actor.accountId && x.waiting > 0).slice(0, 3);
    for (const d of from) {
      const [row] = await queryRows<{ id: number }>(
        db,
        sql`insert into delegations (delegator_id, delegate_id, scope, starts_at, ends_at, reason)
            values (${d.actor.accountId}::uuid, ${o.actor.accountId}::uuid, 'all', ${new Date(now - 60_000).toISOString()}::timestamptz,
                    ${new Date(now + 86_400_000).toISOString()}::timestamptz, 'bench') returning id`,
      );
      if (row) ids.push(row.id);
    }
    o.lent = await delegationsInForce(db, o.actor, new Date());
  }
  console.log(
    `\nDelegations: each chosen official now holds ${chosen.map((o) => o.lent?.length ?? 0).join('/')} delegations in force (scope all).`,
  );
  return ids;
}

/**
 * CPU per request, ms: app — this process's main thread (the app for HTTP; the loop calling the statements for
 * SQL); db — the PostgreSQL backends of the database; client — the HTTP load generator's thread (none for SQL).
 * wait and idle, % of the phase's wall time (bench/cpu.ts schedulingShares): the main thread runnable but waiting for
 * a CPU; the machine's CPUs idle.
 */
type Cpu = { app: number; db: number; client: number; wait: number; idle: number };
const cpuFmt = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '—');
const pctFmt = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '—');

let headerPrinted = false;
function printHeader() {
  console.log(
    `  ${'scenario'.padEnd(SCENARIO_WIDTH)} ${'mode'.padEnd(8)} ${'requests'.padStart(8)} ${'errors'.padStart(6)} ${'req/s'.padStart(7)} ${'p50'.padStart(7)} ${'p95'.padStart(7)} ${'p99'.padStart(7)} ${'max'.padStart(7)} ${'KB/req'.padStart(6)}   CPU ms/req: ${'app'.padStart(5)} ${'db'.padStart(5)} ${'client'.padStart(6)}  %: ${'wait'.padStart(4)} ${'idle'.padStart(4)}`,
  );
}
function printRow(scenario: string, mode: string, r: LoadResult, cpu: Cpu) {
  if (!headerPrinted) {
    headerPrinted = true;
    console.log('');
    printHeader();
  }
  const s = summarize(r.latencies);
  console.log(
    `  ${scenario.padEnd(SCENARIO_WIDTH)} ${mode.padEnd(8)} ${String(r.latencies.length).padStart(8)} ${String(r.errors).padStart(6)} ${fmt(r.latencies.length / (r.elapsedMs / 1000)).padStart(7)} ` +
      `${fmt(s.p50).padStart(7)} ${fmt(s.p95).padStart(7)} ${fmt(s.p99).padStart(7)} ${fmt(s.max).padStart(7)} ${fmt(r.bytes / Math.max(1, r.latencies.length) / 1024).padStart(6)}` +
      `               ${cpuFmt(cpu.app).padStart(5)} ${cpuFmt(cpu.db).padStart(5)} ${cpuFmt(cpu.client).padStart(6)}     ${pctFmt(cpu.wait).padStart(4)} ${pctFmt(cpu.idle).padStart(4)}` +
      (r.statuses && Object.keys(r.statuses).some((k) => k !== '200') ? `  ${JSON.stringify(r.statuses)}` : ''),
  );
}

/**
 * Capture the one statement listInbox sends (the page and the per-tab counts together) and EXPLAIN it
 * on the server. listInbox runs it through queryStatement as a named prepared statement; Drizzle's
 * prepared query passes its SQL text and filled-in parameter values to the logger before running it.
 * The EXPLAIN runs the same text with the same values as an unnamed statement, so PostgreSQL shows a
 * plan for these values (the app's named statement may switch to a generic plan after five runs).
 */
async function explainInbox(url: string, official: Official, leader: Official, scenarios: Scenario[], soon: Date) {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const captured: Array<{ query: string; params: unknown[] }> = [];
  const logged = drizzle(pool, { schema, logger: { logQuery: (query, params) => captured.push({ query, params }) } }) as unknown as Db;
  try {
    for (const sc of scenarios) {
      const o = sc.as === 'leaders' ? leader : official;
      captured.length = 0;
      await listOf(logged, o, sc, soon);
      const q = captured[captured.length - 1];
      console.log(`\nEXPLAIN (ANALYZE, BUFFERS) — ${sc.name}, ${sc.list ? 'the list' : 'the inbox'} statement, official ${o.username}:`);
      if (!q) {
        console.error('bench: listInbox sent no statement through the Drizzle logger; nothing to explain.');
        process.exitCode = 1;
        continue;
      }
      if (captured.length > 1) console.log(`  (listInbox sent ${captured.length} statements; explaining the last one)`);
      console.log(`  ${q.query.replace(/\n/g, '\n  ')}`);
      console.log(`  -- params: ${JSON.stringify(q.params)}`);
      const res = await pool.query(`explain (analyze, buffers) ${q.query}`, q.params);
      for (const row of res.rows as Array<Record<string, string>>) console.log(`  ${row['QUERY PLAN']}`);
    }
  } finally {
    await pool.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
