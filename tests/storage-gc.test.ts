/**
 * Blob garbage collection (src/storage/gc.ts, docs/decisions/0020): blobs no row references are removed once older
 * than the grace period; referenced ones, and ones an upload in flight is about to reference, survive; a second run
 * removes nothing. On the local disk and on an S3-compatible server (s3rver), over PGlite and PostgreSQL.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useS3Server } from './support/s3-server.js';
import { eq } from 'drizzle-orm';
import { citizens, dossierDrafts, dossierFiles, personalFiles, stagedUploads } from '../src/db/schema/index.js';
import { queryRows } from '../src/db/client.js';
import { sql } from 'drizzle-orm';
import { type BlobStore, hasBlob, openBlobStore, putBlob } from '../src/storage/index.js';
import { BLOB_GRACE_MS, BLOB_REFERENCES, collectUnreferencedBlobs } from '../src/storage/gc.js';
import { accountByUsername, actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { receiveAtCounter } from './support/reception.js';
import { pino } from 'pino';
import { jobHandlers } from '../src/jobs/handlers.js';

const t = useDemoApp();
const localDir = fs.mkdtempSync(path.join(os.tmpdir(), 'motcua-gc-test-'));
const s3rver = useS3Server('motcua-gc');

afterAll(() => {
  fs.rmSync(localDir, { recursive: true, force: true });
});

const pdf = (text: string) => new Uint8Array(Buffer.from(`%PDF-1.4\n% ${text} ${crypto.randomUUID()}\n%%EOF\n`));
const put = async (store: BlobStore, bytes: Uint8Array) => (await putBlob(bytes, { maxBytes: 1_000_000, store })).sha256;
const file = (sha256: string, size = 10) => ({ sha256, size, mime: 'application/pdf', name: 'tep.pdf' });

/** One blob for each way a row names it, and some no row names; returns their hashes. */
async function blobsAndRows(store: BlobStore) {
  const db = t.database.db;
  const [citizen] = await db
    .insert(citizens)
    .values({ issuer: 'https://vneid.test', subject: crypto.randomUUID(), cccd: '001190012345', fullName: 'Trần Thị Mai Anh', loa: 2 })
    .returning();
  const s = {
    personal: await put(store, pdf('tệp cá nhân')),
    deletedPersonal: await put(store, pdf('tệp cá nhân đã xóa')),
    deletedButDossier: await put(store, pdf('đã xóa nhưng hồ sơ còn dùng')),
    draft: await put(store, pdf('bản nháp')),
    staged: await put(store, pdf('bản quét chờ tiếp nhận')),
    abandoned: await put(store, pdf('bản nháp bỏ dở')),
    replaced: await put(store, pdf('tệp bị thay')),
  };
  const personal = (sha256: string, deletedAt: Date | null) =>
    db.insert(personalFiles).values({ citizenId: citizen!.id, ...file(sha256), source: 'upload', deletedAt });
  await personal(s.personal, null);
  await personal(s.deletedPersonal, new Date());
  await personal(s.deletedButDossier, new Date());
  const clerk = await actorFor(t.database, sctClerkUsername());
  const proc = await currentProcedure(t.database, '2.000633');
  const d = await receiveAtCounter(db, clerk, { procedureId: proc.p.id, channel: '1', fullName: 'Người Nộp Thử' });
  await db.insert(dossierFiles).values({ dossierId: d.id, kind: 'supplement', ...file(s.deletedButDossier) });
  await db.insert(dossierDrafts).values({ citizenId: citizen!.id, procedureId: proc.p.id, files: { '0': file(s.draft) } });
  const account = await accountByUsername(t.database, sctClerkUsername());
  await db.insert(stagedUploads).values({ ownerAccountId: account!.id, ...file(s.staged), expiresAt: new Date(Date.now() - 1000) });
  // A draft's file replaced by another: the row now names the new one only.
  const replacement = await put(store, pdf('tệp thay thế'));
  await db
    .update(dossierDrafts)
    .set({ files: { '0': file(s.draft), '1': file(replacement) } })
    .where(eq(dossierDrafts.citizenId, citizen!.id));
  return {
    ...s,
    replacement,
    templates: (await queryRows<{ sha256: string }>(db, sql`select sha256 from procedure_templates`)).map((r) => r.sha256),
  };
}

const stores: Array<[string, () => BlobStore]> = [
  ['local disk', () => openBlobStore({ kind: 'local', dir: localDir })],
  ['S3 (s3rver)', () => openBlobStore(s3rver.config())],
];

describe.each(stores)('storage.gc on the %s', (_name, storeOf) => {
  it('removes (S3: counts) what no row names once past the grace period, keeps every referenced blob, and a second run removes nothing', async () => {
    const store = storeOf();
    const s = await blobsAndRows(store);
    // Within the grace period nothing goes, referenced or not (an upload may be on its way to its row).
    expect((await collectUnreferencedBlobs(t.database.db, store, new Date())).removed).toEqual([]);
    // Two days on: the unreferenced are removed, the referenced stay.
    const later = new Date(Date.now() + 2 * BLOB_GRACE_MS);
    const run = await collectUnreferencedBlobs(t.database.db, store, later);
    expect(run.unreferenced).toBe(3);
    if (store.removeIfOlder) {
      expect(new Set(run.removed)).toEqual(new Set([s.deletedPersonal, s.abandoned, s.replaced]));
      for (const sha of [s.deletedPersonal, s.abandoned, s.replaced]) expect(await hasBlob(sha, store)).toBe(false);
    } else {
      // S3: no conditional delete, so nothing is removed; the unreferenced are only counted (decision 0020).
      expect(run.removed).toEqual([]);
      for (const sha of [s.deletedPersonal, s.abandoned, s.replaced]) expect(await hasBlob(sha, store)).toBe(true);
    }
    for (const sha of [s.personal, s.deletedButDossier, s.draft, s.staged, s.replacement]) expect(await hasBlob(sha, store)).toBe(true);
    // Idempotent: run again (as after a restart), nothing more goes.
    expect((await collectUnreferencedBlobs(t.database.db, store, later)).removed).toEqual([]);
  });
});

describe('storage.gc and an upload in flight (local disk)', () => {
  const store = () => openBlobStore({ kind: 'local', dir: localDir });
  const age = (sha: string, ms: number) => {
    const p = path.join(localDir, 'sha256', sha.slice(0, 2), sha);
    const when = new Date(Date.now() - ms);
    fs.utimesSync(p, when, when);
  };

  it('keeps a blob written but not yet referenced, and an old one whose content an upload stores again', async () => {
    const s = store();
    const inFlight = await put(s, pdf('đang tải lên'));
    const old = pdf('tệp cũ được tải lên lại');
    const again = await put(s, old);
    age(again, 3 * BLOB_GRACE_MS);
    const forgotten = await put(s, pdf('tệp cũ không ai dùng'));
    age(forgotten, 3 * BLOB_GRACE_MS);
    // The same bytes come again (a citizen uploads them now): storing confirms the blob, its row is not written yet.
    expect(await put(s, old)).toBe(again);
    const run = await collectUnreferencedBlobs(t.database.db, s, new Date());
    expect(run.removed).toEqual([forgotten]);
    expect(await hasBlob(inFlight, s)).toBe(true);
    expect(await hasBlob(again, s)).toBe(true);
    // The store judges the time again as it removes: a blob confirmed after the check stays.
    age(again, 3 * BLOB_GRACE_MS);
    await put(s, old);
    expect(await s.removeIfOlder!(again, new Date(Date.now() - BLOB_GRACE_MS))).toBe(false);
    expect(await hasBlob(again, s)).toBe(true);
    // A blob removed under an upload is written again by that upload (it is not left referencing nothing).
    age(again, 3 * BLOB_GRACE_MS);
    expect(await s.removeIfOlder!(again, new Date(Date.now() - BLOB_GRACE_MS))).toBe(true);
    expect(await put(s, old)).toBe(again);
    expect(await hasBlob(again, s)).toBe(true);
  });

  it("the job queue's storage.gc runs the collector over the process's store", async () => {
    const orphan = (await putBlob(pdf('mồ côi'), { maxBytes: 1_000_000 })).sha256;
    const logger = pino({ level: 'silent' });
    const handlers = jobHandlers({
      db: t.database.db,
      logger,
      sessionPolicy: { idleMs: 60_000, absoluteMs: 60_000 },
      now: () => new Date(Date.now() + 2 * BLOB_GRACE_MS),
    });
    await handlers['storage.gc']({}, { id: 'test', retryCount: 0 });
    expect(await hasBlob(orphan)).toBe(false);
  });

  it('knows every table that names a blob: each table with a sha256 column is in BLOB_REFERENCES', async () => {
    const rows = await queryRows<{ table_name: string }>(
      t.database.db,
      sql`select distinct table_name from information_schema.columns where table_schema = 'public' and column_name = 'sha256'`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(BLOB_REFERENCES).toContain(r.table_name);
  });
});
