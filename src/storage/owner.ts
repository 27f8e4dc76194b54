/**
 * Whose file storage this is (docs/decisions/0020, "The wrong database"): the collector removes what its own database
 * does not name, so an instance pointed at another deployment's DATA_DIR or bucket would empty it. Each database
 * holds a random identity (a settings row, made once); the store holds a marker naming the database that owns it
 * (motcua-store.json at its root). A run whose database is not the one named removes nothing.
 *
 * Who writes the marker: the collector only over a store that holds no blob at all (a new installation: nothing of
 * anybody's to lose). A store that holds blobs and no marker — every store when this version rolls out, or one whose
 * marker an operator removed — is nobody's until an operator claims it for a database with `npm run storage:claim`
 * (claim-cli.ts): otherwise whichever database collects first (a staging copy pointed at production's bucket) would
 * own production's files and empty them.
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
 * 'ours': the marker names this database. 'claimed': there was none and the store held no blob, this run wrote it
 * (and removes nothing yet: another deployment on the same store, racing for it where S3 ignores If-None-Match, is
 * refused by the next runs before this one removes anything). 'refused': the marker names another database
 * (`owner`), or is unreadable (null). 'unclaimed': no marker, and the store holds blobs: nobody's until
 * `npm run storage:claim`.
 */
export type StoreOwnership =
  | { outcome: 'ours' | 'claimed'; database: string }
  | { outcome: 'refused'; database: string; owner: string | null; marker: typeof MARKER_NAME }
  | { outcome: 'unclaimed'; database: string; marker: typeof MARKER_NAME };

/** Whether the store holds any blob, in its place or in its trash (a look at the first of each listing). */
async function holdsBlobs(store: BlobStore): Promise<boolean> {
  for await (const _ of store.list()) return true;
  for await (const _ of store.listTrash()) return true;
  return false;
}

export async function checkStoreOwner(db: Queryable, store: BlobStore, now: Date): Promise<StoreOwnership> {
  const database = await databaseIdentity(db);
  let text = await store.readMarker();
  const claiming = text === null;
  if (claiming) {
    if (await holdsBlobs(store)) return { outcome: 'unclaimed', database, marker: MARKER_NAME };
    await store.writeMarkerIfAbsent(markerText(database, now));
    // Read back: with two claims at once, only the marker that stayed counts.
    text = await store.readMarker();
  }
  const owner = ownerOf(text);
  if (owner !== database) return { outcome: 'refused', database, owner, marker: MARKER_NAME };
  return { outcome: claiming ? 'claimed' : 'ours', database };
}

/** Why `npm run storage:claim` wrote nothing. */
export class ClaimRefusedError extends Error {
  constructor(
    message: string,
    readonly owner: string | null,
  ) {
    super(message);
    this.name = 'ClaimRefusedError';
  }
}

/**
 * An operator's claim (`npm run storage:claim`): the marker written for this database. A marker naming another
 * database is replaced only when `replace` is that database's id (the operator read it and means it); an unreadable
 * one is never replaced here (someone wrote it by hand: look at it, move it aside). 'already': it named this one.
 */
export async function claimStore(
  db: Queryable,
  store: BlobStore,
  now: Date,
  opts: { replace?: string } = {},
): Promise<{ database: string; outcome: 'claimed' | 'already' | 'replaced'; previous: string | null }> {
  const database = await databaseIdentity(db);
  const text = await store.readMarker();
  const previous = ownerOf(text);
  if (text !== null && previous === null)
    throw new ClaimRefusedError(
      `${MARKER_NAME} exists but is not a marker MotCua wrote; look at it, move it aside if the storage is this database's, and run again.`,
      null,
    );
  if (previous === database) return { database, outcome: 'already', previous };
  if (previous !== null) {
    if (opts.replace !== previous)
      throw new ClaimRefusedError(
        `${MARKER_NAME} names another database, ${previous}: this storage is its files. Claim it only if that database is gone or is a copy that must not own it, with --replace ${previous}.`,
        previous,
      );
    await store.replaceMarker(markerText(database, now));
  } else await store.writeMarkerIfAbsent(markerText(database, now));
  const owner = ownerOf(await store.readMarker());
  if (owner !== database)
    throw new ClaimRefusedError(
      `another database (${owner ?? 'unreadable marker'}) claimed this storage at the same time; nothing changed by this run.`,
      owner,
    );
  return { database, outcome: previous === null ? 'claimed' : 'replaced', previous };
}
