/**
 * The 10,000th code of an agency's day is refused (409 dossier_codes_exhausted). The national pull records a refusal
 * as the dossier skipped for good; this one passes (the next day numbers again), so the run fails and is retried with
 * the cursor where it was, and the dossier is registered once codes are free.
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
const item = `{"MaHoSoQG":"G22.H10-FULLDAY","MaTTHC":"2.000633","NgayNop":"20261120090000","ChuHoSo":{"HoVaTen":"Người nộp"}}`;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const after = new URL(req.url ?? '/', 'http://x').searchParams.get('sau');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(after ? '{"items":[],"nextCursor":null}' : `{"items":[${item}],"nextCursor":"c1"}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const a = server.address();
  url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('the national pull on a day whose dossier codes are spent', () => {
  it('fails the run rather than skip the dossier for good; the next run, codes free, registers it', async () => {
    const p = await currentProcedure(t.database, '2.000633');
    const [agency] = await t.database.db.select().from(units).where(eq(units.id, p.v.unitIds[0]!));
    const now = new Date();
    await t.database.db.execute(
      sql`insert into dossier_code_counters (agency_code, day, last) values (${agency!.agencyCode!}, ${localDate(now)}, 9999)
          on conflict (agency_code, day) do update set last = 9999`,
    );
    const client = nationalPortalClient({ url, token: 'x'.repeat(20), province: 'H10', simulated: false }, { timeoutMs: 5_000 });
    const failed = await pullNationalDossiers(t.database.db, client, now, silent).then(
      () => null,
      (e: unknown) => e,
    );
    expect((failed as { code?: string } | null)?.code).toBe('dossier_codes_exhausted');
    expect(await t.database.db.select().from(nationalIntake).where(eq(nationalIntake.nationalId, 'G22.H10-FULLDAY'))).toEqual([]);
    // The next day (a fresh counter): the same item, pulled again from the cursor where it was, is registered.
    await t.database.db.execute(sql`delete from dossier_code_counters where agency_code = ${agency!.agencyCode!}`);
    await pullNationalDossiers(t.database.db, client, now, silent);
    const rows = await t.database.db.select().from(nationalIntake).where(eq(nationalIntake.nationalId, 'G22.H10-FULLDAY'));
    expect(rows.map((r) => r.outcome)).toEqual(['registered']);
  });
});
