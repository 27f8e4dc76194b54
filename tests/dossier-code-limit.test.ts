/**
 * The 10,000th dossier of an agency in one day: the code's sequence has four digits (Thông tư 01/2018/TT-VPCP). It was
 * a plain Error — a 500 at the counter, the portal and the national pull alike; now a refusal in words, nothing
 * written, the counter where it was.
 */
import { describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { receiveAtCounter } from './support/reception.js';
import { localDate } from '../src/calendar/working-time.js';
import { AppError } from '../src/shared/errors.js';
import { dossierCodeCounters, dossiers } from '../src/db/schema/index.js';

const t = useDemoApp();

describe('the day’s dossier codes of an agency', () => {
  it('the 10,000th reception of the day is refused in words (409), nothing received, the counter kept', async () => {
    const clerk = await actorFor(t.database, sctClerkUsername());
    const p = await currentProcedure(t.database, '2.000190');
    const now = new Date();
    const day = localDate(now);
    const before = await t.database.db.select().from(dossiers).where(eq(dossiers.procedureId, p.p.id));
    const agencyCode = '000.00.13.H10';
    await t.database.db.execute(
      sql`insert into dossier_code_counters (agency_code, day, last) values (${agencyCode}, ${day}, 9999)
          on conflict (agency_code, day) do update set last = 9999`,
    );
    const err = await receiveAtCounter(
      t.database.db,
      clerk,
      { procedureId: p.p.id, channel: '1', fullName: 'Lê Thị Mười Nghìn' },
      now,
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect([(err as AppError).status, (err as AppError).code]).toEqual([409, 'dossier_codes_exhausted']);
    expect((err as AppError).message).toContain('9.999 mã hồ sơ trong ngày');
    expect(await t.database.db.select().from(dossiers).where(eq(dossiers.procedureId, p.p.id))).toHaveLength(before.length);
    const [counter] = await t.database.db
      .select()
      .from(dossierCodeCounters)
      .where(and(eq(dossierCodeCounters.agencyCode, agencyCode), eq(dossierCodeCounters.day, day)));
    expect(counter?.last).toBe(9999);
  });
});
