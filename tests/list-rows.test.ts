/**
 * The lists' rows travel as JSON arrays with instants as epoch milliseconds (src/dossiers/list-query.ts
 * rowsAsArrays): the names come back in their order, an instant reads as the same Date its ISO text gave —
 * truncated to the millisecond, never one off by floating point — and a null instant stays null.
 */
import { describe, expect, it } from 'vitest';
import { sql, type SQL } from 'drizzle-orm';
import { queryRows } from '../src/db/client.js';
import { instant, instantOrNull, rowsAsArrays } from '../src/dossiers/list-query.js';
import { testDatabase } from './support/db.js';

describe('rowsAsArrays', () => {
  const rows = rowsAsArrays({
    id: sql<string>`v.id`,
    n: sql<number>`v.n`,
    at: instant(sql`v.at`),
    ended: instantOrNull(sql`v.ended`),
    label: sql<string | null>`v.label`,
  });

  async function read(values: SQL) {
    const { db } = await testDatabase();
    const [raw] = await queryRows<{ rows: unknown[][] }>(
      db,
      sql`select coalesce(json_agg(${rows.select} order by v.id), '[]'::json) as rows from (values ${values}) as v(id, n, at, ended, label)`,
    );
    return rows.read(raw?.rows ?? []);
  }

  it('names the columns again in their order, instants as Dates, nulls as null', async () => {
    const got = await read(
      sql`('a', 1, '2026-12-05 10:00:00+07'::timestamptz, null::timestamptz, 'Nguyễn Văn An'),
          ('b', 2, '2026-12-05 15:30:45.123+07'::timestamptz, '2026-12-06 08:00+07'::timestamptz, null)`,
    );
    expect(got).toEqual([
      { id: 'a', n: 1, at: new Date('2026-12-05T10:00:00+07:00'), ended: null, label: 'Nguyễn Văn An' },
      { id: 'b', n: 2, at: new Date('2026-12-05T15:30:45.123+07:00'), ended: new Date('2026-12-06T08:00:00+07:00'), label: null },
    ]);
  });

  it('reads every millisecond exactly and drops microseconds as a Date of the ISO text does, before 1970 too', async () => {
    const instants = Array.from({ length: 200 }, (_, i) => new Date(Date.UTC(2026, 11, 5, 3, 0, 0) + i * 1_001 + (i % 1000)));
    const values = sql.join(
      instants.map((d, i) => sql`(${String(i).padStart(3, '0')}, ${i}, ${d.toISOString()}::timestamptz, null::timestamptz, null)`),
      sql`, `,
    );
    const got = await read(values);
    expect(got.map((r) => r.at.getTime())).toEqual(instants.map((d) => d.getTime()));
    const [micro] = await read(sql`('m', 0, '2026-12-05 10:00:00.123999+07'::timestamptz, null::timestamptz, null)`);
    expect(micro?.at.getTime()).toBe(new Date('2026-12-05T10:00:00.123999+07:00').getTime());
    expect(micro?.at.toISOString()).toBe('2026-12-05T03:00:00.123Z');
    const [before] = await read(sql`('p', 0, '1969-12-31 23:59:59.9995+00'::timestamptz, '1970-01-01 00:00:00+00'::timestamptz, null)`);
    expect(before?.at.getTime()).toBe(new Date('1969-12-31T23:59:59.9995Z').getTime());
    expect(before?.at.getTime()).toBe(-1);
    expect(before?.ended?.getTime()).toBe(0);
  });
});
