import { beforeAll, beforeEach } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../src/db/client.js';
import { accounts, procedureVersions, procedures } from '../../src/db/schema/index.js';
import { seedDemo } from '../../src/demo/seed.js';
import { ChangeFeed } from '../../src/db/changes.js';
import { demoOfficials } from '../../src/demo/officials.js';
import type { StaffActor } from '../../src/shared/context.js';
import { resetDatabase, testDatabase } from './db.js';
import { buildApp, TEST_PASSWORD, type App } from './app.js';

/** Empty the database and load the demo tree and officials. */
export async function freshDemo(database: Database) {
  await resetDatabase(database);
  const res = await seedDemo(database.db, TEST_PASSWORD);
  // The in-memory catalog of an app built earlier on this database hears of the new data before the test reads.
  await changesSettled(database);
  return res;
}

const feeds = new WeakMap<Database, ChangeFeed>();

/**
 * Resolves once every process-local cache on this database (display cache, in-memory catalog) has heard of the
 * writes committed so far: for tests that write to the database directly, then read a page (src/db/changes.ts).
 */
export async function changesSettled(database: Database): Promise<void> {
  let feed = feeds.get(database);
  if (!feed) {
    feed = new ChangeFeed(database);
    feeds.set(database, feed);
  }
  await feed.settled();
}

/** The acting account for a demo username, as a use case receives it. */
export async function actorFor(database: Database, username: string): Promise<StaffActor> {
  const [acc] = await database.db.select().from(accounts).where(eq(accounts.usernameLower, username.toLowerCase()));
  if (!acc) throw new Error(`no demo account ${username}`);
  return { kind: 'official', accountId: acc.id, label: acc.username, meta: { ip: '192.0.2.1', requestId: 'test' } };
}

export async function accountByUsername(database: Database, username: string) {
  const [acc] = await database.db.select().from(accounts).where(eq(accounts.usernameLower, username.toLowerCase()));
  return acc;
}

/**
 * The usual test file setup: the worker's database, the real app on it, and the demo data loaded
 * afresh before every test. Read the fields inside tests (they are filled in by the hooks).
 */
export function useDemoApp() {
  const ctx = {} as { database: Database; app: App; unitIds: Record<string, string> };
  beforeAll(async () => {
    ctx.database = await testDatabase();
    ctx.app = buildApp(ctx.database);
  });
  beforeEach(async () => {
    ctx.unitIds = (await freshDemo(ctx.database)).unitIds;
  });
  return ctx;
}

/** The demo Sở Công Thương clerk: a Thủy, so that searching "thuy" can be shown. */
export function sctClerkUsername(): string {
  return demoOfficials().find((o) => o.givenName === 'Thủy' && o.unitKey === 'sct-vp')!.username;
}

/** A procedure by its code, with its current version. */
export async function currentProcedure(database: Database, code: string) {
  const [row] = await database.db
    .select({ p: procedures, v: procedureVersions })
    .from(procedures)
    .innerJoin(procedureVersions, and(eq(procedureVersions.procedureId, procedures.id), eq(procedureVersions.current, true)))
    .where(eq(procedures.code, code));
  if (!row) throw new Error(`no procedure ${code}`);
  return row;
}
