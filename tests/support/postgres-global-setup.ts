/**
 * Creates a fresh database for this run on the server at TEST_DATABASE_URL and drops it (and the
 * per-worker databases made from it) at the end. A server that cannot be reached fails the run.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

export default async function setup(project: TestProject) {
  const url = process.env.TEST_DATABASE_URL!;
  const base = `motcua_test_${Date.now()}_${crypto.randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(`TEST_DATABASE_URL is set but the PostgreSQL server cannot be reached: ${(err as Error).message}`);
  }
  await admin.end();
  project.provide('pgBaseName', base);
  return async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const res = await c.query<{ datname: string }>('select datname from pg_database where datname like $1', [`${base}%`]);
    for (const { datname } of res.rows) await c.query(`drop database if exists "${datname}" with (force)`);
    await c.end();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgBaseName: string;
  }
}
