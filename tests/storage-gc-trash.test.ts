/**
 * The collector's trash (src/storage/gc.ts, docs/decisions/0020 "The trash"): on the local disk and on an
 * S3-compatible server (s3rver), over PGlite and PostgreSQL. A blob no row names goes to the trash, stays readable
 * there and is deleted after the trash's grace period; one named again is restored; an upload of the same bytes
 * keeps it; a run stopped between any two steps, two runs at once and an upload landing between the copy and the
 * delete of S3 lose nothing a row names. Times are the runs' clock (deps.now): `at(ms)` from the test's start.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { afterAll, describe, expect, it } from 'vitest';
import { citizens, personalFiles } from '../src/db/schema/index.js';
import { BlobMissingError } from '../src/storage/blob.js';
import { loadConfig } from '../src/config.js';
import {
  BLOB_GRACE_MS,
  BLOB_TRASH_GRACE_MS,
  BREAKER_MIN_CANDIDATES,
  GC_MAX_UNREFERENCED_PERCENT,
  collectUnreferencedBlobs,
  type GcRun,
} from '../src/storage/gc.js';
import { type BlobStore, openBlob, putBlob } from '../src/storage/index.js';
import { LocalBlobStore } from '../src/storage/local.js';
import { S3BlobStore } from '../src/storage/s3.js';
import { useS3Server } from './support/s3-server.js';
import { useDemoApp } from './support/fixtures.js';

const t = useDemoApp();
const localDir = fs.mkdtempSync(path.join(os.tmpdir(), 'motcua-trash-test-'));
const s3rver = useS3Server('motcua-trash');

afterAll(() => {
  fs.rmSync(localDir, { recursive: true, force: true });
});

const DAY = 24 * 3_600_000;
const HOUR = 3_600_000;
const T0 = Date.now();
const at = (ms: number) => new Date(T0 + ms);

const pdf = (text: string) => new Uint8Array(Buffer.from(`%PDF-1.4\n% ${text} ${crypto.randomUUID()}\n%%EOF\n`));
const put = async (store: BlobStore, bytes: Uint8Array) => (await putBlob(bytes, { maxBytes: 1_000_000, store })).sha256;
const gc = (store: BlobStore, ms: number): Promise<GcRun> => collectUnreferencedBlobs(t.database.db, store, at(ms));
const read = async (store: BlobStore, sha: string) => new Uint8Array(await buffer(await openBlob(sha, store)));

async function stored(store: BlobStore): Promise<string[]> {
  const out: string[] = [];
  for await (const b of store.list()) out.push(b.sha256);
  return out;
}

async function trashed(store: BlobStore) {
  const out = [];
  for await (const e of store.listTrash()) out.push(e);
  return out;
}

/** A row naming the blob: a citizen's live personal file (what an upload's transaction commits). */
async function nameIt(sha256: string): Promise<void> {
  const [c] = await t.database.db
    .insert(citizens)
    .values({ issuer: 'https://vneid.test', subject: crypto.randomUUID(), cccd: '001190012345', fullName: 'Lê Thị Thu Hà', loa: 2 })
    .returning();
  await t.database.db
    .insert(personalFiles)
    .values({ citizenId: c!.id, sha256, size: 10, mime: 'application/pdf', name: 'giấy-tờ.pdf', source: 'upload' });
}

/** The first run on an empty store claims it for this test's database and removes nothing. */
async function claimed(store: BlobStore): Promise<BlobStore> {
  expect((await gc(store, 0)).owner.outcome).toBe('claimed');
  return store;
}

// A store per test: the database, and so its identity, is reset before each test.
const newLocal = () => new LocalBlobStore(fs.mkdtempSync(path.join(localDir, 'store-')));
const newS3 = () => new S3BlobStore({ ...s3rver.config(), prefix: `ho-so/${crypto.randomUUID()}/` });
const stores: Array<[string, () => BlobStore]> = [
  ['local disk', newLocal],
  ['S3 (s3rver)', newS3],
];

describe.each(stores)('the trash on the %s', (_name, newStore) => {
  it("a deleted personal file's blob goes to the trash, stays readable there, and is deleted after the trash's grace period", async () => {
    const store = await claimed(newStore());
    const bytes = pdf('tệp đã xóa');
    const deleted = await put(store, bytes);
    const kept = await put(store, pdf('tệp còn dùng'));
    const [c] = await t.database.db
      .insert(citizens)
      .values({ issuer: 'https://vneid.test', subject: crypto.randomUUID(), cccd: '001190012345', fullName: 'Lê Văn Nam', loa: 2 })
      .returning();
    const file = { citizenId: c!.id, size: 10, mime: 'application/pdf', name: 'tep.pdf', source: 'upload' as const };
    await t.database.db.insert(personalFiles).values([
      { ...file, sha256: deleted, deletedAt: new Date() },
      { ...file, sha256: kept },
    ]);

    const moved = await gc(store, 2 * DAY);
    expect(moved.trashed).toEqual([deleted]);
    expect(await stored(store)).toEqual([kept]);
    const copies = await trashed(store);
    expect(copies.map((e) => [e.sha256, e.movedAt.getTime()])).toEqual([[deleted, at(2 * DAY).getTime()]]);
    expect(await read(store, deleted)).toEqual(bytes);

    // Not before the trash's grace period has passed.
    const young = await gc(store, 2 * DAY + BLOB_TRASH_GRACE_MS - HOUR);
    expect([young.removed, young.inTrash]).toEqual([[], 1]);
    const old = await gc(store, 2 * DAY + BLOB_TRASH_GRACE_MS + HOUR);
    expect([old.removed, old.inTrash]).toEqual([[deleted], 0]);
    expect(await store.has(deleted)).toBe(false);
    await expect(openBlob(deleted, store)).rejects.toBeInstanceOf(BlobMissingError);
    expect(await stored(store)).toEqual([kept]);
  });

  it('a blob named again while in the trash is readable throughout, restored by the next run, its copy deleted once old', async () => {
    const store = await claimed(newStore());
    const bytes = pdf('dùng lại từ thùng rác');
    const sha = await put(store, bytes);
    expect((await gc(store, 2 * DAY)).trashed).toEqual([sha]);
    // A draft takes the file again (no upload: its row only names the blob).
    await nameIt(sha);
    expect(await read(store, sha)).toEqual(bytes);
    const restore = await gc(store, 2 * DAY + HOUR);
    expect(restore.restored).toEqual([sha]);
    expect(restore.inTrash).toBe(1);
    expect(await stored(store)).toEqual([sha]);
    expect(await read(store, sha)).toEqual(bytes);
    const later = await gc(store, 2 * DAY + BLOB_TRASH_GRACE_MS + HOUR);
    expect([later.trashed, later.restored, later.removed, later.inTrash]).toEqual([[], [], [], 0]);
    expect(await trashed(store)).toEqual([]);
    expect(await read(store, sha)).toEqual(bytes);
  });

  it('an upload of the same bytes while the blob is in the trash stores it again, and its row keeps it', async () => {
    const store = await claimed(newStore());
    const bytes = pdf('tải lên lại');
    const sha = await put(store, bytes);
    expect((await gc(store, 2 * DAY)).trashed).toEqual([sha]);
    expect(await put(store, bytes)).toBe(sha);
    expect(await stored(store)).toEqual([sha]);
    await nameIt(sha);
    const later = await gc(store, 2 * DAY + BLOB_TRASH_GRACE_MS + HOUR);
    expect([later.trashed, later.removed, later.inTrash]).toEqual([[], [], 0]);
    expect(await read(store, sha)).toEqual(bytes);
  });

  it('a run stopped after the move, or after the copy back, is carried on by the next run', async () => {
    const store = await claimed(newStore());
    const [named, restoring, forgotten] = [pdf('đã chuyển, có người dùng'), pdf('đang khôi phục'), pdf('không ai dùng')];
    const [a, b, c] = [await put(store, named), await put(store, restoring), await put(store, forgotten)];
    // A run moved the three and stopped there (before its sweep of the trash); rows named two of them meanwhile.
    for (const sha of [a, b, c]) expect(await store.moveToTrash(sha, at(DAY), at(2 * DAY))).toBe(true);
    await nameIt(a);
    await nameIt(b);
    // Another run copied b back and stopped before anything else.
    const copyOfB = (await trashed(store)).find((e) => e.sha256 === b)!;
    expect(await store.restoreFromTrash(copyOfB)).toBe('restored');
    expect(await read(store, a)).toEqual(named);

    const next = await gc(store, 2 * DAY + HOUR);
    expect(next.restored).toEqual([a]);
    expect(next.inTrash).toBe(3);
    const after = await gc(store, 2 * DAY + BLOB_TRASH_GRACE_MS + HOUR);
    expect(after.removed).toEqual([c]);
    expect(after.inTrash).toBe(0);
    expect((await stored(store)).sort()).toEqual([a, b].sort());
    expect(await read(store, a)).toEqual(named);
    expect(await read(store, b)).toEqual(restoring);
    expect(await store.has(c)).toBe(false);
  });

  it('two runs at once, and an upload among them, lose nothing a row names', async () => {
    const store = await claimed(newStore());
    const bytes = [pdf('một'), pdf('hai'), pdf('ba'), pdf('bốn'), pdf('năm')];
    const [a, b, c, d, e] = await Promise.all(bytes.map((x) => put(store, x)));
    await nameIt(a!);
    await nameIt(b!);
    // Two runs, and e uploaded again and named while they move it.
    const [one, two] = await Promise.all([
      gc(store, 2 * DAY),
      gc(store, 2 * DAY),
      (async () => {
        await put(store, bytes[4]!);
        await nameIt(e!);
      })(),
    ]);
    expect(new Set([...one!.trashed, ...two!.trashed, e])).toEqual(new Set([c, d, e]));
    for (const [i, sha] of [a, b, e].entries()) expect(await read(store, sha!)).toEqual(bytes[[0, 1, 4][i]!]);
    await Promise.all([gc(store, 2 * DAY + HOUR), gc(store, 2 * DAY + HOUR)]);
    const [x, y] = await Promise.all([gc(store, 2 * DAY + BLOB_TRASH_GRACE_MS + HOUR), gc(store, 2 * DAY + BLOB_TRASH_GRACE_MS + HOUR)]);
    expect(new Set([...x!.removed, ...y!.removed])).toEqual(new Set([c, d]));
    expect(await trashed(store)).toEqual([]);
    expect((await stored(store)).sort()).toEqual([a, b, e].sort());
    for (const [i, sha] of [a, b, e].entries()) expect(await read(store, sha!)).toEqual(bytes[[0, 1, 4][i]!]);
    for (const sha of [c, d]) expect(await store.has(sha!)).toBe(false);
  });
});

describe.each(stores)('the circuit breaker and the retention on the %s', (_name, newStore) => {
  it('a run whose unreferenced files are more than the share allowed (and more than 100) moves nothing, deletes nothing, and says so', async () => {
    const store = await claimed(newStore());
    const named = await Promise.all(Array.from({ length: 3 }, (_, i) => put(store, pdf(`dùng ${i}`))));
    for (const sha of named) await nameIt(sha);
    // Already in the trash and old: a tripped run does not delete it either.
    const oldCopy = await put(store, pdf('trong thùng rác từ lâu'));
    expect(await store.moveToTrash(oldCopy, at(DAY), at(0))).toBe(true);
    const orphans = await Promise.all(Array.from({ length: BREAKER_MIN_CANDIDATES + 1 }, (_, i) => put(store, pdf(`mồ côi ${i}`))));
    const tripped = await gc(store, BLOB_TRASH_GRACE_MS + 2 * DAY);
    expect(tripped.breaker).toEqual({
      unreferenced: orphans.length,
      examined: orphans.length + named.length,
      maxPercent: GC_MAX_UNREFERENCED_PERCENT,
    });
    expect([tripped.trashed, tripped.removed, tripped.inTrash]).toEqual([[], [], 1]);
    expect((await stored(store)).length).toBe(orphans.length + named.length);
    expect(await store.has(oldCopy)).toBe(true);
    // Within the share allowed (an operator raising it for a large clean-up): moved, and the old copy deleted.
    const run = await collectUnreferencedBlobs(t.database.db, store, at(BLOB_TRASH_GRACE_MS + 2 * DAY), { maxUnreferencedPercent: 100 });
    expect(run.breaker).toBeNull();
    expect(new Set(run.trashed)).toEqual(new Set(orphans));
    expect(run.removed).toEqual([oldCopy]);
    expect((await stored(store)).sort()).toEqual([...named].sort());
  }, 120_000);

  it('keeps a copy in the trash for the retention given (STORAGE_TRASH_DAYS), 35 days by default: longer than the backups are kept', async () => {
    expect(BLOB_TRASH_GRACE_MS).toBe(35 * DAY);
    expect(loadConfig({ NODE_ENV: 'test' }).storageGc).toEqual({ trashDays: 35, maxUnreferencedPercent: 20 });
    expect(loadConfig({ NODE_ENV: 'test', STORAGE_TRASH_DAYS: '60', STORAGE_GC_MAX_UNREFERENCED_PERCENT: '5' }).storageGc).toEqual({
      trashDays: 60,
      maxUnreferencedPercent: 5,
    });
    expect(() => loadConfig({ NODE_ENV: 'test', STORAGE_TRASH_DAYS: '1' })).toThrow(/STORAGE_TRASH_DAYS/);
    const store = await claimed(newStore());
    const sha = await put(store, pdf('giữ theo cấu hình'));
    expect((await gc(store, 2 * DAY)).trashed).toEqual([sha]);
    // Not deleted by the default's run within 35 days, nor by a 10-day retention's before 10 days.
    expect((await gc(store, 2 * DAY + 34 * DAY)).removed).toEqual([]);
    const tenDays = (ms: number) => collectUnreferencedBlobs(t.database.db, store, at(ms), { trashGraceMs: 10 * DAY });
    expect((await tenDays(2 * DAY + 10 * DAY - HOUR)).removed).toEqual([]);
    expect((await tenDays(2 * DAY + 10 * DAY + HOUR)).removed).toEqual([sha]);
    expect(await store.has(sha)).toBe(false);
  });
});

describe('the trash on S3: no conditional delete', () => {
  it('an upload confirming the object between its copy into the trash and its delete reads it from the trash, and the next run restores it', async () => {
    const store = newS3();
    await claimed(store);
    const bytes = pdf('xác nhận giữa chép và xóa');
    const sha = await put(store, bytes);
    // A run copies the old, unreferenced blob into the trash…
    expect(await store.copyToTrash(sha, at(DAY), at(2 * DAY))).not.toBeNull();
    // …an upload of the same bytes confirms the object (a copy onto itself) and is told it is stored…
    expect(await put(store, bytes)).toBe(sha);
    // …the run deletes the object, and the upload's row commits.
    await store.deleteStored(sha);
    await nameIt(sha);
    expect(await stored(store)).toEqual([]);
    expect(await store.has(sha)).toBe(true);
    expect(await read(store, sha)).toEqual(bytes);
    // The copy is young: the next run restores it; once old the copy goes and the object stays.
    expect((await gc(store, 2 * DAY + HOUR)).restored).toEqual([sha]);
    expect(await read(store, sha)).toEqual(bytes);
    const later = await gc(store, 2 * DAY + BLOB_TRASH_GRACE_MS + HOUR);
    expect([later.removed, later.inTrash, later.missing]).toEqual([[], 0, []]);
    expect(await stored(store)).toEqual([sha]);
    expect(await read(store, sha)).toEqual(bytes);
  });

  it('a run stopped after the copy into the trash, before the delete: the next run moves it again, or keeps it when a row names it', async () => {
    const store = newS3();
    await claimed(store);
    const forgotten = await put(store, pdf('dừng sau khi chép'));
    const namedBytes = pdf('dừng sau khi chép, có người dùng');
    const named = await put(store, namedBytes);
    for (const sha of [forgotten, named]) expect(await store.copyToTrash(sha, at(DAY), at(2 * DAY))).not.toBeNull();
    await nameIt(named);
    expect((await stored(store)).sort()).toEqual([forgotten, named].sort());

    const next = await gc(store, 2 * DAY + HOUR);
    expect(next.trashed).toEqual([forgotten]);
    expect(next.restored).toEqual([]);
    expect(next.inTrash).toBe(3);
    const after = await gc(store, 2 * DAY + HOUR + BLOB_TRASH_GRACE_MS + HOUR);
    expect(after.removed).toEqual([forgotten, forgotten]);
    expect(after.inTrash).toBe(0);
    expect(await store.has(forgotten)).toBe(false);
    expect(await stored(store)).toEqual([named]);
    expect(await read(store, named)).toEqual(namedBytes);
  });

  it('judges the time again before the copy: a blob confirmed since the listing is not moved', async () => {
    const store = newS3();
    await claimed(store);
    const bytes = pdf('xác nhận trước khi chép');
    const sha = await put(store, bytes);
    await put(store, bytes);
    // Confirmed just now: moved only if untouched before a time after that.
    expect(await store.moveToTrash(sha, new Date(Date.now() - BLOB_GRACE_MS), at(2 * DAY))).toBe(false);
    expect(await stored(store)).toEqual([sha]);
    expect(await trashed(store)).toEqual([]);
  });
});
