import { eq } from 'drizzle-orm';
import type { Database } from '../../src/db/client.js';
import { accounts } from '../../src/db/schema/index.js';
import { seedDemo } from '../../src/demo/seed.js';
import { systemActor, type Actor } from '../../src/shared/context.js';
import { resetDatabase } from './db.js';
import { TEST_PASSWORD } from './app.js';

/** Empty the database and load the demo tree and officials. */
export async function freshDemo(database: Database) {
  await resetDatabase(database);
  const res = await seedDemo(database.db, TEST_PASSWORD);
  return res;
}

/** The acting account for a demo username, as a use case receives it. */
export async function actorFor(database: Database, username: string): Promise<Actor> {
  const [acc] = await database.db.select().from(accounts).where(eq(accounts.usernameLower, username.toLowerCase()));
  if (!acc) throw new Error(`no demo account ${username}`);
  return { accountId: acc.id, label: acc.username, meta: { ip: '192.0.2.1', requestId: 'test' } };
}

export async function accountByUsername(database: Database, username: string) {
  const [acc] = await database.db.select().from(accounts).where(eq(accounts.usernameLower, username.toLowerCase()));
  return acc;
}

export const system = systemActor('test');
