import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { resetDatabase, testDatabase } from './support/db.js';
import { seedDemo } from '../src/demo/seed.js';
import { queryRows } from '../src/db/client.js';

describe('the demo data', () => {
  it('is loaded once when instances start together on an empty database', async () => {
    const database = await testDatabase();
    await resetDatabase(database);
    const results = await Promise.all([
      seedDemo(database.db, 'a-password-1234'),
      seedDemo(database.db, 'a-password-1234'),
      seedDemo(database.db, 'a-password-1234'),
    ]);
    expect(results.filter((r) => r.seeded)).toHaveLength(1);
    const [row] = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from units where parent_id is null`);
    expect(row!.n).toBe(1);
  });
});
