/**
 * The in-memory catalog (src/catalog/catalog-index.ts) answers exactly as the SQL search (searchCatalogSql, the
 * specification): the same entries in the same order, the same next-page cursors, for searches, filters and
 * cursors of every kind — and it follows writes made by another instance on the same database (LISTEN/NOTIFY,
 * src/db/changes.ts), as the display cache does.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { actorFor, changesSettled, currentProcedure, freshDemo } from './support/fixtures.js';
import { testDatabase } from './support/db.js';
import { procedureForm } from './support/procedure-form.js';
import { openDatabase, type Database } from '../src/db/client.js';
import { loadConfig } from '../src/config.js';
import { buildDeps } from '../src/deps.js';
import { createApp } from '../src/app.js';
import { procedures, procedureVersions } from '../src/db/schema/index.js';
import { foldVietnamese } from '../src/shared/text.js';
import { saveProcedure } from '../src/procedures/save-procedure.js';
import { searchCatalogSql, type CatalogFilter } from '../src/catalog/list-catalog.js';
import type { CatalogCursor } from '../src/catalog/catalog-query.js';

const config = loadConfig({ NODE_ENV: 'test', PORT: '3999', SESSION_SECRET: 'test-secret-test-secret-test-secret-123' });
const instance = (database: Database) => buildDeps(config, database, pino({ level: 'silent' }));

let database: Database;
beforeAll(async () => {
  database = await testDatabase();
});

/** Names that try the words' rules and the order: punctuation, digits, hyphens, symbols, the same name twice. */
const NAMES = [
  'Cấp giấy-phép thử nghiệm',
  'Chứng nhận ISO 9001:2015 cho cơ sở',
  'Hỗ trợ 1.5 triệu đồng',
  'Mẫu abc123 và a1b2 đặc biệt',
  'Đăng ký 🏠 nhà ở xã hội',
  'Cấp phép Ωmega thử',
  'cấp CẤP cấp lại',
  'Thủ tục (mẫu 1)',
  'Thủ tục  mẫu 1',
  'Thủ tục mẫu 10',
  'Thủ tục mẫu 2',
  'Thủ tục mẫu_2',
  'Thủ tục mẫu-2',
  'Liên hệ test@example.com',
  'Trang http://dichvucong.gov.vn/a/b',
  'Zebra',
  'a',
  'a b',
  'ab',
  'Giấy phép lái xe',
  'Giấy phép lái xe',
  '  Khoảng trắng đầu',
  'Ñandú ﬁ ligature',
];

async function addTrickyProcedures() {
  const { v } = await currentProcedure(database, '2.000633');
  const other = await currentProcedure(database, '1.001193');
  for (const [i, name] of NAMES.entries()) {
    const [p] = await database.db
      .insert(procedures)
      .values({ code: `TEST.${i}` })
      .returning();
    const base = i % 2 ? v : other.v;
    await database.db.insert(procedureVersions).values({
      ...base,
      id: randomUUID(),
      procedureId: p!.id,
      version: 1,
      name,
      nameFolded: foldVietnamese(name),
      onlineLevel: i % 3 ? 'toan_trinh' : 'mot_phan',
      current: true,
    });
  }
}

const SEARCHES = [
  undefined,
  'cap giay phep',
  'giay',
  'g',
  'c',
  'cap giay ph',
  'phep cap',
  'ruou',
  'giay-phep',
  'giay phep lai xe',
  'iso 9001',
  '9001',
  '2015',
  '1 5',
  '1.5',
  'abc123',
  'a1',
  'a',
  'ab',
  'ĐĂNG KÝ',
  'nha o xa hoi',
  'mau 1',
  'mau 2',
  'mau_2',
  'test example',
  'http',
  'gov',
  'omega',
  'mega',
  'nandu',
  'fi',
  "'&|!:*()",
  'cap cap',
  'thu tuc mau 1 2 3 4 5 6 7 8 9',
  'khongcothutucnao',
  'phien ban',
];

const page = (p: { items: Array<{ procedureId: string }>; next: CatalogCursor | null }) => ({
  ids: p.items.map((e) => e.procedureId),
  next: p.next,
});

describe('the in-memory catalog answers as the SQL search', () => {
  beforeEach(async () => {
    await freshDemo(database);
    await addTrickyProcedures();
    await changesSettled(database);
  });

  it('every search, with each filter, page after page by its cursors, and from cursors that are no entry', async () => {
    const deps = instance(database);
    const { v } = await currentProcedure(database, '2.000633');
    const filterSets: Array<Partial<CatalogFilter>> = [
      {},
      { sectorId: v.sectorId },
      { unitId: v.unitIds[0]! },
      { onlineLevel: 'mot_phan' },
      { sectorId: v.sectorId, onlineLevel: 'toan_trinh' },
      { sectorId: randomUUID() },
    ];
    const strangers: CatalogCursor[] = [
      { name: '', id: '00000000-0000-0000-0000-000000000000' },
      { name: 'c', id: randomUUID() },
      { name: 'cap giay', id: 'ffffffff-ffff-ffff-ffff-ffffffffffff' },
      { name: 'thu tuc (mau 1)', id: '00000000-0000-0000-0000-000000000000' },
      { name: 'thu tuc mau', id: randomUUID() },
      { name: 'dang ky 🏠', id: randomUUID() },
      { name: 'dang ky \uffff', id: randomUUID() },
      { name: 'zzzz', id: randomUUID() },
    ];
    let compared = 0;
    let nonEmpty = 0;
    for (const q of SEARCHES)
      for (const filters of filterSets) {
        // Every page, by the cursors each answer gives; small pages so that there are many.
        let f: CatalogFilter = { q, ...filters, limit: 7 };
        for (let n = 0; n < 200; n++) {
          const [mem, sql] = await Promise.all([deps.catalog.page(f), searchCatalogSql(database.db, f)]);
          expect(page(mem), JSON.stringify(f)).toEqual(page(sql));
          compared++;
          if (mem.items.length) nonEmpty++;
          if (!mem.next) break;
          f = { ...f, after: mem.next };
        }
        for (const after of strangers) {
          const g: CatalogFilter = { q, ...filters, after, limit: 5 };
          expect(page(await deps.catalog.page(g)), JSON.stringify(g)).toEqual(page(await searchCatalogSql(database.db, g)));
          compared++;
        }
      }
    expect(nonEmpty).toBeGreaterThan(100);
    expect(compared).toBeGreaterThan(SEARCHES.length * filterSets.length * strangers.length);
  });
});

describe('several instances on one database', () => {
  let second: Database | null = null;
  afterAll(async () => {
    if (second && second !== database) await second.close();
  });

  it('a procedure saved through one instance is in the other one’s catalog; an announced change clears its display cache', async () => {
    await freshDemo(database);
    // A second process: its own pool and listening connection on the same server; PGlite lives in one process,
    // where a second app on the same database stands for it.
    second = database.pool ? await openDatabase({ url: database.pool.options.connectionString!, poolSize: 2 }) : database;
    const writer = instance(database);
    const reader = instance(second);
    const readerApp = createApp(reader);
    const search = async (q: string) => {
      const res = await readerApp.request(`http://localhost/thu-tuc?q=${encodeURIComponent(q)}`);
      return res.text();
    };
    const { p, v } = await currentProcedure(database, '2.000633');
    expect(await search('thu nghiem lien tien trinh')).toContain('Không tìm thấy thủ tục phù hợp');
    expect(await search('ban le san pham ruou')).toContain(`href="/thu-tuc/${p.id}"`);

    // A new version under a new name, saved by the first instance's use case.
    const admin = await actorFor(database, 'admin.sct');
    await saveProcedure(writer.db, admin, p.id, procedureForm(p.code, v, { name: 'Cấp giấy phép thử nghiệm liên tiến trình' }));
    await reader.changes.settled();
    const found = await search('thu nghiem lien tien trinh');
    expect(found).toContain(`href="/thu-tuc/${p.id}"`);
    expect(found).toContain('Cấp giấy phép thử nghiệm liên tiến trình');
    expect(await search('ban le san pham ruou')).not.toContain(`href="/thu-tuc/${p.id}"`);

    // Withdrawn in the first instance (no current version): gone from the second one's list and API.
    await database.db.update(procedureVersions).set({ current: false }).where(eq(procedureVersions.procedureId, p.id));
    await reader.changes.settled();
    expect(await search('thu nghiem lien tien trinh')).toContain('Không tìm thấy thủ tục phù hợp');
    const api = await readerApp.request('http://localhost/api/v1/procedures?q=thu+nghiem+lien');
    expect(await api.json()).toEqual([]);

    // The display cache follows the same notifications: a change announced by the first instance.
    let loads = 0;
    const load = async () => ++loads;
    expect(await reader.displayCache.get('probe', load)).toBe(1);
    expect(await reader.displayCache.get('probe', load)).toBe(1);
    await writer.changes.announce();
    await reader.changes.settled();
    expect(await reader.displayCache.get('probe', load)).toBe(2);
  });
});

/** Waits for a state the test cannot await directly (a connection's end, a reconnection), a few seconds at most. */
async function until(what: string, ok: () => boolean) {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(ok(), what).toBe(true);
}

describe.skipIf(process.env.MOTCUA_TEST_DB !== 'postgres')('the listening connection breaks', () => {
  it('while it is down the catalog is read for every request (never stale); back, changes reach it again', async () => {
    await freshDemo(database);
    const deps = instance(database);
    const { p } = await currentProcedure(database, '2.000633');
    const names = async () => (await deps.catalog.page({ q: 'ruou', limit: 20 })).items.map((e) => e.name);
    await deps.changes.settled();
    expect(await names()).toContain('Cấp Giấy phép bán lẻ sản phẩm rượu');
    // The server ends the listening connections of this database (as a restart or a network cut would).
    await database.db.execute(
      sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'listen %'`,
    );
    await until('the feed notices the connection is gone', () => !deps.changes.isLive());
    expect(await names()).toContain('Cấp Giấy phép bán lẻ sản phẩm rượu');
    // A write whose notification nobody receives: still seen at once.
    await database.db
      .update(procedureVersions)
      .set({ name: 'Cấp Giấy phép bán lẻ rượu (đổi tên)' })
      .where(eq(procedureVersions.procedureId, p.id));
    expect(await names()).toContain('Cấp Giấy phép bán lẻ rượu (đổi tên)');
    await until('the feed listens again', () => deps.changes.isLive());
    expect(await names()).toContain('Cấp Giấy phép bán lẻ rượu (đổi tên)');
    // Kept again, and a later write reaches it through the new connection.
    await database.db
      .update(procedureVersions)
      .set({ name: 'Cấp Giấy phép bán lẻ rượu (lần hai)' })
      .where(eq(procedureVersions.procedureId, p.id));
    await deps.changes.settled();
    expect(await names()).toContain('Cấp Giấy phép bán lẻ rượu (lần hai)');
  });
});
