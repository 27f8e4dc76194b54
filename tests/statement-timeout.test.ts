/**
 * DB_STATEMENT_TIMEOUT_MS (src/db/client.ts, docs/decisions/0028): a statement of a request that runs past the app
 * pool's limit is cancelled by PostgreSQL (SQLSTATE 57014) and the request answers 504 with the Vietnamese "try
 * again" page — precise JSON under /api/ — never 500; the others are served meanwhile and every connection is usable
 * afterwards. Migrations, on their own connection of the same pool, run without the limit.
 *
 * A statement is made to run long the honest way: another session holds a lock on the table it reads (lock waits
 * count towards statement_timeout). PGlite runs one backend without timers — statement_timeout is accepted and never
 * fires (a pg_sleep(1) under a 200 ms limit runs its second) — so that part runs on PostgreSQL only; how a cancelled
 * statement is told from an outage is checked on both databases.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isDatabaseUnavailable, isStatementCancelled, openDatabase, queryRows, type Database } from '../src/db/client.js';
import { BLOB_GRACE_MS, collectUnreferencedBlobs } from '../src/storage/gc.js';
import { blobStore, putBlob } from '../src/storage/index.js';
import { claimStore } from '../src/storage/owner.js';
import { buildApp, type App } from './support/app.js';
import { testDatabase } from './support/db.js';

const TIMEOUT_MS = 500;
const MESSAGE = 'Yêu cầu mất quá nhiều thời gian để xử lý nên đã được dừng lại. Vui lòng thử lại sau ít phút.';

describe('a cancelled statement is told apart (both databases)', () => {
  it('57014 from the database is a cancellation, not an outage; another failure is neither', async () => {
    const { db } = await testDatabase();
    const cancelled = await db
      .execute(sql`do $$ begin raise exception 'canceling statement due to statement timeout' using errcode = 'query_canceled'; end $$`)
      .then(
        () => null,
        (err: unknown) => err,
      );
    expect(cancelled).toBeInstanceOf(Error);
    expect(isStatementCancelled(cancelled)).toBe(true);
    expect(isDatabaseUnavailable(cancelled)).toBe(false);
    // Abuse of the classification: a fault of the statement is not a cancellation (it stays a 500).
    const wrong = await db.execute(sql`select 1 / 0`).then(
      () => null,
      (err: unknown) => err,
    );
    expect(wrong).toBeInstanceOf(Error);
    expect(isStatementCancelled(wrong)).toBe(false);
    expect(isStatementCancelled(new Error('57014'))).toBe(false);
  });
});

const skipReason =
  process.env.MOTCUA_TEST_DB !== 'postgres' ? 'PostgreSQL only: PGlite never fires statement_timeout (one backend, no timers)' : null;

describe.skipIf(skipReason !== null)(`the app pool's statement limit${skipReason ? ` — skipped: ${skipReason}` : ''}`, () => {
  let url = '';
  let timed: Database;
  let app: App;
  let holder: pg.Client;

  beforeAll(async () => {
    // A database of its own (dropped with the run's others by the global teardown), opened as main.ts opens it.
    const base = new URL(process.env.TEST_DATABASE_URL!);
    const name = `${inject('pgBaseName')}_stmt`;
    const admin = new pg.Client({ connectionString: base.toString() });
    await admin.connect();
    await admin.query(`create database "${name}"`);
    await admin.end();
    base.pathname = `/${name}`;
    url = base.toString();
    timed = await openDatabase({ url, poolSize: 2, statementTimeoutMs: TIMEOUT_MS });
    await timed.migrate();
    app = buildApp(timed);
    holder = new pg.Client({ connectionString: url });
    await holder.connect();
  }, 120_000);

  afterAll(async () => {
    await holder?.end();
    await timed?.close();
  });

  it('every pooled connection carries the limit; a migration longer than it runs, and leaves the limit in place', async () => {
    // A migration that takes longer than the limit, after the real ones (its `when` is later than theirs).
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'motcua-slow-migration-'));
    fs.mkdirSync(path.join(folder, 'meta'));
    fs.writeFileSync(path.join(folder, '9000_slow.sql'), `select pg_sleep(${(TIMEOUT_MS * 2) / 1000});\n`);
    fs.writeFileSync(
      path.join(folder, 'meta', '_journal.json'),
      JSON.stringify({
        version: '7',
        dialect: 'postgresql',
        entries: [{ idx: 0, version: '7', when: 4_102_444_800_000, tag: '9000_slow', breakpoints: true }],
      }),
    );
    try {
      expect(await timed.migrate({ folder })).toEqual({ applied: ['9000_slow'] });
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
    // Both connections of the pool at once: each has the limit, the migrating one included (RESET).
    const pool = timed.pool!;
    const clients = await Promise.all([pool.connect(), pool.connect()]);
    try {
      for (const client of clients)
        expect((await client.query<{ statement_timeout: string }>('show statement_timeout')).rows[0]!.statement_timeout).toBe(
          `${TIMEOUT_MS}ms`,
        );
    } finally {
      for (const client of clients) client.release();
    }
    // Abuse: a statement of the pool longer than the limit is cancelled, and the connection stays usable.
    const slow = await timed.db.execute(sql`select pg_sleep(${(TIMEOUT_MS * 3) / 1000})`).then(
      () => null,
      (err: unknown) => err,
    );
    expect(isStatementCancelled(slow)).toBe(true);
    expect(await queryRows<{ one: number }>(timed.db, sql`select 1 as one`)).toEqual([{ one: 1 }]);
  });

  it('storage.gc, run by the worker on the app pool, checks references past the limit (a whole-table read) and leaves the limit in place', async () => {
    const store = blobStore();
    const { sha256 } = await putBlob(new TextEncoder().encode(`no row names this ${Date.now()}`), { maxBytes: 1_000, store });
    // The store holds files: the collector works on it once the operator's command has claimed it (0020).
    await claimStore(timed.db, store, new Date());
    // The reference check waits for a lock held twice as long as the app pool's limit, as a large table's read would.
    await holder.query('begin');
    await holder.query('lock table dossier_files in access exclusive mode');
    const release = setTimeout(() => void holder.query('rollback'), TIMEOUT_MS * 2);
    try {
      const run = await collectUnreferencedBlobs(timed.db, store, new Date(Date.now() + 2 * BLOB_GRACE_MS), {
        maxUnreferencedPercent: 100,
      });
      expect(run.unreferenced).toBeGreaterThanOrEqual(1);
      expect(run.trashed).toContain(sha256);
    } finally {
      clearTimeout(release);
      await holder.query('rollback');
    }
    const [limit] = await queryRows<{ statement_timeout: string }>(timed.db, sql`show statement_timeout`);
    expect(limit?.statement_timeout).toBe(`${TIMEOUT_MS}ms`);
  });

  it('a page waiting past the limit answers 504 with the Vietnamese message, the API precise JSON; others are served meanwhile and afterwards', async () => {
    // Another session holds the tables a request reads first: the session lookup (any cookie) and the API key's.
    await holder.query('begin');
    await holder.query('lock table sessions, api_clients in access exclusive mode');
    try {
      // More refused requests than the pool has connections: each gives its connection back.
      for (let i = 0; i < 3; i++) {
        const page = await app.request('/tiepnhan/dang-nhap', { headers: { cookie: `motcua_sid=not-a-session-${i}` } });
        const html = await page.text();
        expect(page.status, html.slice(0, 300)).toBe(504);
        expect(html).toContain(MESSAGE);
        expect(html).toContain('data-error-code="database_timeout"');
        expect(html).not.toMatch(/57014|statement timeout|canceling/i);
      }
      const api = await app.request('/api/v1/dossiers', { headers: { authorization: 'Bearer abc.def' } });
      expect(api.status).toBe(504);
      expect(await api.json()).toMatchObject({ error: { code: 'database_timeout', message: MESSAGE } });
      // A request that does not touch the held tables is served meanwhile, on the same two connections.
      const free = await app.request('/tiepnhan/dang-nhap');
      expect(free.status).toBe(200);
    } finally {
      await holder.query('rollback');
    }
    // Once the lock is gone, the same requests succeed (an unknown session is only forgotten; an unknown key is 401).
    const page = await app.request('/tiepnhan/dang-nhap', { headers: { cookie: 'motcua_sid=not-a-session' } });
    expect(page.status).toBe(200);
    const api = await app.request('/api/v1/dossiers', { headers: { authorization: 'Bearer abc.def' } });
    expect(api.status).toBe(401);
    expect(await api.json()).toMatchObject({ error: { code: 'invalid_token' } });
  });
});
