/**
 * Blob garbage collection (src/storage/gc.ts, docs/decisions/0020): blobs no row references are moved to the trash
 * once older than the grace period and deleted after the trash's; referenced ones, and ones an upload in flight is
 * about to reference, survive; a second run removes nothing. On the local disk and on an S3-compatible server
 * (s3rver), over PGlite and PostgreSQL. The trash's interleavings: tests/storage-gc-trash.test.ts.
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
import { type BlobStore, blobStore, hasBlob, openBlobStore, putBlob } from '../src/storage/index.js';
import { claimStore } from '../src/storage/owner.js';
import { BLOB_GRACE_MS, BLOB_REFERENCES, BLOB_TRASH_GRACE_MS, collectUnreferencedBlobs } from '../src/storage/gc.js';
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

// Each test has a store of its own: the database is reset before each test, and with it its identity (owner.ts).
const stores: Array<[string, () => BlobStore]> = [
  ['local disk', () => openBlobStore({ kind: 'local', dir: fs.mkdtempSync(path.join(localDir, 'store-')) })],
  ['S3 (s3rver)', () => openBlobStore({ ...s3rver.config(), prefix: `ho-so/${crypto.randomUUID()}/` })],
];

describe.each(stores)('storage.gc on the %s', (_name, storeOf) => {
  it("moves to the trash what no row names once past the grace period, deletes it after the trash's, keeps every referenced blob, and a second run removes nothing", async () => {
    const store = storeOf();
    // The first run claims the empty store for this database (its marker), and removes nothing.
    const first = await collectUnreferencedBlobs(t.database.db, store, new Date());
    expect(first.owner.outcome).toBe('claimed');
    expect(first.examined).toBe(0);
    const s = await blobsAndRows(store);
    // Within the grace period nothing goes, referenced or not (an upload may be on its way to its row).
    const within = await collectUnreferencedBlobs(t.database.db, store, new Date());
    expect(within.owner.outcome).toBe('ours');
    expect(within.trashed).toEqual([]);
    // Two days on: the unreferenced are moved to the trash (still readable there), the referenced stay.
    const later = new Date(Date.now() + 2 * BLOB_GRACE_MS);
    const run = await collectUnreferencedBlobs(t.database.db, store, later);
    const unreferenced = [s.deletedPersonal, s.abandoned, s.replaced];
    expect(run.unreferenced).toBe(3);
    expect(new Set(run.trashed)).toEqual(new Set(unreferenced));
    expect(run.removed).toEqual([]);
    expect(run.inTrash).toBe(3);
    const listed = async () => {
      const names: string[] = [];
      for await (const b of store.list()) names.push(b.sha256);
      return names;
    };
    for (const sha of unreferenced) {
      expect(await listed()).not.toContain(sha);
      expect(await hasBlob(sha, store)).toBe(true);
    }
    for (const sha of [s.personal, s.deletedButDossier, s.draft, s.staged, s.replacement]) expect(await listed()).toContain(sha);
    // Idempotent: run again (as after a restart), nothing more goes.
    const again = await collectUnreferencedBlobs(t.database.db, store, later);
    expect([again.trashed, again.removed]).toEqual([[], []]);
    // Past the trash's grace period: deleted for good; the referenced still there.
    const past = new Date(later.getTime() + BLOB_TRASH_GRACE_MS + 60_000);
    const sweep = await collectUnreferencedBlobs(t.database.db, store, past);
    expect(new Set(sweep.removed)).toEqual(new Set(unreferenced));
    expect(sweep.inTrash).toBe(0);
    for (const sha of unreferenced) expect(await hasBlob(sha, store)).toBe(false);
    for (const sha of [s.personal, s.deletedButDossier, s.draft, s.staged, s.replacement]) expect(await hasBlob(sha, store)).toBe(true);
    expect((await collectUnreferencedBlobs(t.database.db, store, past)).removed).toEqual([]);
  });
});

describe('storage.gc and an upload in flight (local disk)', () => {
  let dir = '';
  const store = () => openBlobStore({ kind: 'local', dir });
  const age = (sha: string, ms: number) => {
    const p = path.join(dir, 'sha256', sha.slice(0, 2), sha);
    const when = new Date(Date.now() - ms);
    fs.utimesSync(p, when, when);
  };

  it('keeps a blob written but not yet referenced, and an old one whose content an upload stores again', async () => {
    dir = fs.mkdtempSync(path.join(localDir, 'inflight-'));
    const s = store();
    expect((await collectUnreferencedBlobs(t.database.db, s, new Date())).owner.outcome).toBe('claimed');
    const inFlight = await put(s, pdf('đang tải lên'));
    const old = pdf('tệp cũ được tải lên lại');
    const again = await put(s, old);
    age(again, 3 * BLOB_GRACE_MS);
    const forgotten = await put(s, pdf('tệp cũ không ai dùng'));
    age(forgotten, 3 * BLOB_GRACE_MS);
    // The same bytes come again (a citizen uploads them now): storing confirms the blob, its row is not written yet.
    expect(await put(s, old)).toBe(again);
    const run = await collectUnreferencedBlobs(t.database.db, s, new Date());
    expect(run.trashed).toEqual([forgotten]);
    expect(await hasBlob(inFlight, s)).toBe(true);
    expect(await hasBlob(again, s)).toBe(true);
    // The store judges the time again as it moves: a blob confirmed after the check stays.
    age(again, 3 * BLOB_GRACE_MS);
    await put(s, old);
    expect(await s.moveToTrash(again, new Date(Date.now() - BLOB_GRACE_MS), new Date())).toBe(false);
    const listed: string[] = [];
    for await (const b of s.list()) listed.push(b.sha256);
    expect(listed).toContain(again);
    // A blob moved under an upload is written again by that upload (it is not left referencing the trash alone).
    age(again, 3 * BLOB_GRACE_MS);
    expect(await s.moveToTrash(again, new Date(Date.now() - BLOB_GRACE_MS), new Date())).toBe(true);
    expect(await put(s, old)).toBe(again);
    const relisted: string[] = [];
    for await (const b of s.list()) relisted.push(b.sha256);
    expect(relisted).toContain(again);
  });

  it("the job queue's storage.gc runs the collector over the process's store", async () => {
    const orphan = (await putBlob(pdf('mồ côi'), { maxBytes: 1_000_000 })).sha256;
    const logger = pino({ level: 'silent' });
    const handlersAt = (ms: number) =>
      jobHandlers({
        db: t.database.db,
        logger,
        sessionPolicy: { idleMs: 60_000, absoluteMs: 60_000 },
        now: () => new Date(Date.now() + ms),
      });
    // The process's store holds files: claimed by the operator's command (this test's database is new), then the
    // job moves the orphan to the trash, then deletes it.
    expect((await claimStore(t.database.db, blobStore(), new Date())).outcome).toBe('claimed');
    await handlersAt(2 * BLOB_GRACE_MS)['storage.gc']({}, { id: 'test', retryCount: 0 });
    expect(await hasBlob(orphan)).toBe(true);
    await handlersAt(2 * BLOB_GRACE_MS + BLOB_TRASH_GRACE_MS + 60_000)['storage.gc']({}, { id: 'test', retryCount: 0 });
    expect(await hasBlob(orphan)).toBe(false);
  });

  it('knows every table that names a blob: each table with a sha256 column is in BLOB_REFERENCES', async () => {
    const rows = await queryRows<{ table_name: string }>(
      t.database.db,
      sql`select distinct table_name from information_schema.columns where table_schema = 'public' and column_name = 'sha256'`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(BLOB_REFERENCES.map((ref) => ref.table)).toContain(r.table_name);
  });
});
