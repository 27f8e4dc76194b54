/** A citizen of the portal (VNeID level 2, synthetic data) with a logged-in portal session, as the upload tests use. */
import crypto from 'node:crypto';
import type { Db } from '../../src/db/client.js';
import { citizens } from '../../src/db/schema/index.js';
import { createCitizenSession } from '../../src/auth/sessions.js';
import { PORTAL_COOKIE } from '../../src/portal/citizen-context.js';
import { Client, type App } from './app.js';

export async function loggedInCitizen(db: Db, app: App): Promise<{ id: string; client: Client }> {
  const [row] = await db
    .insert(citizens)
    .values({ issuer: 'https://vneid.test', subject: crypto.randomUUID(), cccd: '001190012345', fullName: 'Trần Thị Mai Anh', loa: 2 })
    .returning({ id: citizens.id });
  const client = new Client(app);
  client.cookies.set(PORTAL_COOKIE, await createCitizenSession(db, row!.id, { idleMs: 1_800_000, absoluteMs: 3_600_000 }, new Date()));
  return { id: row!.id, client };
}
