/**
 * Whose file storage this is (docs/decisions/0020, "The wrong database"): the collector removes what its own database
 * does not name, so an instance pointed at another deployment's DATA_DIR or bucket would empty it. Each database
 * holds a random identity (a settings row, made once); the store holds a marker naming the database that owns it
 * (motcua-store.json at its root), written by the first collection that finds none. A run whose database is not the
 * one named removes nothing.
 *
 * The identity is a row like any other: `npm run db:move`, a backup and its restore carry it, so the store keeps
 * agreeing with the database it moved to or was restored into.
 */
import crypto from 'node:crypto';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Queryable } from '../db/client.js';
import { settings } from '../db/schema/index.js';
import { MARKER_NAME, type BlobStore } from './blob.js';

/** The settings row holding the database's identity. */
const DATABASE_ID_KEY = 'database.id';

const Identity = z.object({ id: z.string().uuid() });
const Marker = z.object({ format: z.literal('motcua-store-1'), database: z.string().uuid() });

/** This database's identity, made on first use (two callers at once agree: the first insert wins). */
export async function databaseIdentity(db: Queryable): Promise<string> {
  await db
    .insert(settings)
    .values({ key: DATABASE_ID_KEY, value: { id: crypto.randomUUID() } })
    .onConflictDoNothing();
  const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, DATABASE_ID_KEY));
  const parsed = Identity.safeParse(row?.value);
  if (!parsed.success) throw new Error(`the settings row ${DATABASE_ID_KEY} does not hold a database identity`);
  return parsed.data.id;
}

/** The marker's text for a database: what an operator reading it learns, too. */
export function markerText(database: string, now: Date): string {
  return `${JSON.stringify(
    {
      format: 'motcua-store-1',
      database,
      claimedAt: now.toISOString(),
      note: `This file storage belongs to the MotCua database whose settings row '${DATABASE_ID_KEY}' holds this id; the collector (storage.gc) of any other database removes nothing here (docs/decisions/0020).`,
    },
    null,
    2,
  )}\n`;
}

/** The database a marker names; null when it is not a marker this code wrote (then nobody may remove). */
function ownerOf(text: string | null): string | null {
  if (text === null) return null;
  try {
    const parsed = Marker.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.database : null;
  } catch {
    return null;
  }
}

/**
 * 'ours': the marker names this database. 'claimed': there was none, this run wrote it (and removes nothing yet:
 * another deployment on the same store, racing for it where S3 ignores If-None-Match, is refused by the next runs
 * before this one removes anything). 'refused': the marker names another database (`owner`), or is unreadable (null).
 */
export type StoreOwnership =
  | { outcome: 'ours' | 'claimed'; database: string }
  | { outcome: 'refused'; database: string; owner: string | null; marker: typeof MARKER_NAME };

export async function checkStoreOwner(db: Queryable, store: BlobStore, now: Date): Promise<StoreOwnership> {
  const database = await databaseIdentity(db);
  let text = await store.readMarker();
  const claiming = text === null;
  if (claiming) {
    await store.writeMarkerIfAbsent(markerText(database, now));
    // Read back: with two claims at once, only the marker that stayed counts.
    text = await store.readMarker();
  }
  const owner = ownerOf(text);
  if (owner !== database) return { outcome: 'refused', database, owner, marker: MARKER_NAME };
  return { outcome: claiming ? 'claimed' : 'ours', database };
}
