/**
 * Real data for the operator commands' tests (db:move, backup, restore): the demo organisation, dossiers received
 * at the counter, a queued job (a pg-boss queue partition), an audit chain partly sealed; and throw-away
 * PostgreSQL databases next to TEST_DATABASE_URL's.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { eq } from 'drizzle-orm';
import type { Database } from '../../src/db/client.js';
import type { StorageConfig } from '../../src/config.js';
import { procedures } from '../../src/db/schema/index.js';
import { seedDemo } from '../../src/demo/seed.js';
import { sealAuditChain } from '../../src/audit/seal.js';
import { enqueue } from '../../src/jobs/queue.js';
import { TEST_PASSWORD } from './app.js';
import { actorFor, sctClerkUsername } from './fixtures.js';
import { receiveAtCounter } from './reception.js';

/** Fills a migrated, empty database; returns the applicant names of the dossiers received. */
export async function fillWithRealData(database: Database): Promise<string[]> {
  await seedDemo(database.db, TEST_PASSWORD);
  const clerk = await actorFor(database, sctClerkUsername());
  const [liquor] = await database.db.select().from(procedures).where(eq(procedures.code, '2.000633'));
  const names = ['Nguyễn Văn An', 'Trần Thị Bình', 'Lê Văn Cường', 'Phạm Thị Dung'];
  for (const [i, fullName] of names.entries()) {
    await receiveAtCounter(database.db, clerk, { procedureId: liquor!.id, channel: '1', fullName, phone: '0912000111' });
    // Some audit rows chained, the last ones not yet: both kinds are copied and verified.
    if (i === 2) await sealAuditChain(database.db);
  }
  await database.db.transaction((tx) => enqueue(tx, 'sessions.purge', {}));
  return names;
}

/** A new, empty database on the test server; its URL. */
export async function createScratchDatabase(prefix: string): Promise<string> {
  const url = new URL(process.env.TEST_DATABASE_URL!);
  const name = `${prefix}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropScratchDatabase(dbUrl: string): Promise<void> {
  const name = new URL(dbUrl).pathname.slice(1);
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL! });
  await admin.connect();
  try {
    await admin.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.end();
  }
}

/** One place a restore or backup works on: a database (a scratch one on the server, or a DATA_DIR) and its files. */
export type OpsPlace = { databaseUrl: string | undefined; dataDir: string; storage: StorageConfig };

/**
 * The places of one test file, under one temporary folder (`root`): `place(name)` makes a new empty one — a scratch
 * database on PostgreSQL runs (MOTCUA_TEST_DB), a DATA_DIR of its own on PGlite — and `cleanUp()` drops them all.
 */
export function opsPlaces(prefix: string) {
  const onPostgres = process.env.MOTCUA_TEST_DB === 'postgres';
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  const scratch: string[] = [];
  return {
    kind: onPostgres ? ('postgres' as const) : ('pglite' as const),
    root,
    async place(name: string): Promise<OpsPlace> {
      const dataDir = path.join(root, name);
      const databaseUrl = onPostgres ? await createScratchDatabase(prefix.replaceAll('-', '_')) : undefined;
      if (databaseUrl) scratch.push(databaseUrl);
      return { databaseUrl, dataDir, storage: { kind: 'local', dir: path.join(dataDir, 'files') } };
    },
    async cleanUp(): Promise<void> {
      for (const url of scratch) await dropScratchDatabase(url);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
