/**
 * The national pull on a day when one agency's dossier codes are spent (Thông tư 01/2018/TT-VPCP: four digits a day).
 * Failing the run there, to pull it again the next day, held every later national dossier of every agency behind it
 * for the rest of the day. The dossier is recorded as skipped with the reason, listed for the province administrator
 * (Quản trị → Hồ sơ từ Cổng DVC quốc gia) to receive by hand; the others go on.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { eq, sql } from 'drizzle-orm';
import { currentProcedure, useDemoApp } from './support/fixtures.js';
import { nationalIntake, units } from '../src/db/schema/index.js';
import { nationalPortalClient } from '../src/national-portal/client.js';
import { pullNationalDossiers } from '../src/national-portal/pull.js';
import { localDate } from '../src/calendar/working-time.js';

const t = useDemoApp();
const silent = pino({ level: 'silent' });
let server: http.Server;
let url = '';
const full = `{"MaHoSoQG":"G22.H10-FULL","MaTTHC":"2.000633","NgayNop":"20261120090000","ChuHoSo":{"HoVaTen":"Người nộp"}}`;
const other = `{"MaHoSoQG":"G22.H10-OTHER","MaTTHC":"1.000775","NgayNop":"20261120090100","ChuHoSo":{"HoVaTen":"Người khác"}}`;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const after = new URL(req.url ?? '/', 'http://x').searchParams.get('sau');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(after ? '{"items":[],"nextCursor":null}' : `{"items":[${full},${other}],"nextCursor":"c1"}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const a = server.address();
  url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('the national pull when one agency is out of dossier codes for the day', () => {
  it("records that agency's dossier as skipped with the reason, and holds back no other agency's", async () => {
    const p = await currentProcedure(t.database, '2.000633');
    const q = await currentProcedure(t.database, '1.000775');
    expect(q.v.unitIds[0]).not.toBe(p.v.unitIds[0]);
    const [agency] = await t.database.db.select().from(units).where(eq(units.id, p.v.unitIds[0]!));
    const now = new Date();
    await t.database.db.execute(
      sql`insert into dossier_code_counters (agency_code, day, last) values (${agency!.agencyCode!}, ${localDate(now)}, 9999)
          on conflict (agency_code, day) do update set last = 9999`,
    );
    const client = nationalPortalClient({ url, token: 'x'.repeat(20), province: 'H10', simulated: false }, { timeoutMs: 5_000 });
    // Every retry of the day meets the same spent counter.
    for (let i = 0; i < 3; i++) await pullNationalDossiers(t.database.db, client, now, silent).catch(() => undefined);
    const rows = await t.database.db.select().from(nationalIntake).where(eq(nationalIntake.nationalId, 'G22.H10-OTHER'));
    expect(rows.map((r) => r.outcome)).toEqual(['registered']);
    const [spent] = await t.database.db.select().from(nationalIntake).where(eq(nationalIntake.nationalId, 'G22.H10-FULL'));
    expect(spent?.outcome).toBe('skipped');
    expect(spent?.reason).toContain('9.999 mã hồ sơ trong ngày');
  });
});
