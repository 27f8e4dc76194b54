/**
 * One pulled dossier that cannot be registered must not stop national intake for good: a lone surrogate in a text
 * (JSON can carry one, PostgreSQL's jsonb cannot keep it) makes the item unreadable, and any other failure on one
 * item's data is recorded as that item skipped — the dossiers after it registered, the cursor moved on. Only the
 * database being unreachable fails the run (retried later from the same cursor). The national API is served here by
 * a few lines of node:http, as raw JSON text so that `\ud800` arrives as JSON's escape.
 */
import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { eq, sql } from 'drizzle-orm';
import { useDemoApp } from './support/fixtures.js';
import { dossiers, nationalIntake, nationalSyncState } from '../src/db/schema/index.js';
import { nationalPortalClient } from '../src/national-portal/client.js';
import { pullNationalDossiers } from '../src/national-portal/pull.js';

const t = useDemoApp();
const silent = pino({ level: 'silent' });
/** The first page's items, raw JSON, set by each test. */
let page: string[] = [];
let server: http.Server;
let url = '';

const item = (id: string, fields = '"ChuHoSo":{"HoVaTen":"Người nộp"}') =>
  `{"MaHoSoQG":"${id}","MaTTHC":"2.000633","NgayNop":"20261120090000",${fields}}`;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const after = new URL(req.url ?? '/', 'http://x').searchParams.get('sau');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(after ? '{"items":[],"nextCursor":null}' : `{"items":[${page.join(',')}],"nextCursor":"c1"}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const a = server.address();
  url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
afterEach(async () => {
  await t.database.db.execute(sql`drop trigger if exists test_refuse_intake on national_intake`);
  await t.database.db.execute(sql`drop function if exists test_refuse_intake()`);
});

const client = () => nationalPortalClient({ url, token: 'x'.repeat(20), province: 'H10', simulated: false }, { timeoutMs: 5_000 });
const pull = () => pullNationalDossiers(t.database.db, client(), new Date(), silent);
const intake = () => t.database.db.select().from(nationalIntake).orderBy(nationalIntake.nationalId);
const cursor = async () =>
  (await t.database.db.select().from(nationalSyncState).where(eq(nationalSyncState.name, 'pull_cursor')))[0]?.value ?? null;

/** The database refuses the registration of one national id with SQLSTATE `state` (as it would a value it cannot keep). */
async function refuseRegistration(nationalId: string, state: string) {
  await t.database.db.execute(
    sql.raw(`create function test_refuse_intake() returns trigger language plpgsql as $$
      begin
        if new.outcome = 'registered' and new.national_id = '${nationalId}' then
          raise exception 'refused by the test' using errcode = '${state}';
        end if;
        return new;
      end $$`),
  );
  await t.database.db.execute(
    sql`create trigger test_refuse_intake before insert on national_intake for each row execute function test_refuse_intake()`,
  );
}

describe('the pull: one dossier that cannot be registered', () => {
  it('a lone surrogate in a text of the dossier: the item is skipped naming the field, the next registered, the cursor moves', async () => {
    page = [
      item('G22.H10-NAME', '"ChuHoSo":{"HoVaTen":"Nguy\\ud800n"}'),
      item('G22.H10-ADDR', '"ChuHoSo":{"HoVaTen":"Người nộp","DiaChi":"\\udc00 Phố Huế"}'),
      item('G22.H10-NOTE', '"ChuHoSo":{"HoVaTen":"Người nộp"},"GhiChu":"x\\udbff"'),
      item('G22.H10-GOOD', '"ChuHoSo":{"HoVaTen":"Người tốt 😀"}'),
    ];
    expect(await pull()).toEqual({ registered: 1, skipped: 3, already: 0 });
    const rows = await intake();
    expect(rows.map((r) => [r.nationalId, r.outcome])).toEqual([
      ['G22.H10-ADDR', 'skipped'],
      ['G22.H10-GOOD', 'registered'],
      ['G22.H10-NAME', 'skipped'],
      ['G22.H10-NOTE', 'skipped'],
    ]);
    // Unreadable as the national portal sent it (the field named, never its value), not refused later by reception.
    expect(rows[0]!.reason).toContain('ChuHoSo.DiaChi');
    expect(rows[2]!.reason).toContain('ChuHoSo.HoVaTen');
    expect(rows[3]!.reason).toContain('GhiChu');
    expect(await cursor()).toBe('c1');
    // The next run goes on from there, nothing twice.
    expect(await pull()).toEqual({ registered: 0, skipped: 0, already: 0 });
  });

  it('the database refusing one dossier’s data: recorded as skipped with the SQLSTATE, the next registered, the cursor moves', async () => {
    page = [item('G22.H10-REFUSED'), item('G22.H10-AFTER')];
    await refuseRegistration('G22.H10-REFUSED', '22P05');
    expect(await pull()).toEqual({ registered: 1, skipped: 1, already: 0 });
    const rows = await intake();
    expect(rows.map((r) => [r.nationalId, r.outcome])).toEqual([
      ['G22.H10-AFTER', 'registered'],
      ['G22.H10-REFUSED', 'skipped'],
    ]);
    expect(rows[1]!.reason).toBe('Không ghi được hồ sơ vào hệ thống (cơ sở dữ liệu từ chối dữ liệu, mã 22P05).');
    expect(rows[1]!.dossierId).toBeNull();
    // Its dossier was rolled back with it: only the one after it exists.
    expect(await t.database.db.select({ id: dossiers.id }).from(dossiers).where(eq(dossiers.channel, 2))).toHaveLength(1);
    expect(await cursor()).toBe('c1');
  });

  it('the database unavailable: the run fails (to be retried), nothing recorded for that dossier, the cursor stays', async () => {
    page = [item('G22.H10-BEFORE'), item('G22.H10-DOWN'), item('G22.H10-LATER')];
    await refuseRegistration('G22.H10-DOWN', '57P03');
    await expect(pull()).rejects.toThrow();
    expect((await intake()).map((r) => [r.nationalId, r.outcome])).toEqual([['G22.H10-BEFORE', 'registered']]);
    expect(await cursor()).toBeNull();
    // Once the database takes it again, the retried run registers the rest, once.
    await t.database.db.execute(sql`drop trigger test_refuse_intake on national_intake`);
    expect(await pull()).toEqual({ registered: 2, skipped: 0, already: 1 });
    expect(await cursor()).toBe('c1');
  });

  it('a fault that is not about the data (here a raised exception, P0001): the run fails loudly, nothing skipped unseen', async () => {
    page = [item('G22.H10-BEFORE'), item('G22.H10-FAULT'), item('G22.H10-LATER')];
    await refuseRegistration('G22.H10-FAULT', 'P0001');
    await expect(pull()).rejects.toThrow();
    expect((await intake()).map((r) => [r.nationalId, r.outcome])).toEqual([['G22.H10-BEFORE', 'registered']]);
    expect(await cursor()).toBeNull();
  });

  it('a long GhiChu ending the note inside an emoji: the note is cut before the pair, the dossier registered', async () => {
    // The note is "Nộp trên Cổng … mã hồ sơ <id>. <GhiChu>" cut at 1000 UTF-16 units; here the cut falls inside 😀.
    const prefix = 'Nộp trên Cổng Dịch vụ công quốc gia, mã hồ sơ G22.H10-EMOJI. ';
    const filler = 'a'.repeat(999 - prefix.length);
    page = [item('G22.H10-EMOJI', `"ChuHoSo":{"HoVaTen":"Người nộp"},"GhiChu":"${filler}😀 cuối"`)];
    expect(await pull()).toEqual({ registered: 1, skipped: 0, already: 0 });
    const [row] = await intake();
    const [d] = await t.database.db.select().from(dossiers).where(eq(dossiers.id, row!.dossierId!));
    expect(d).toBeDefined();
  });
});
