/**
 * Whose file storage it is (src/storage/owner.ts, docs/decisions/0020 "The wrong database"): the first collection
 * writes a marker naming its database into the store; a collection over a store whose marker names another database
 * (or cannot be read) removes nothing and says so in the job's log. A backup restored into a new database carries
 * the identity, so the restored database owns the stores its original owned. On the local disk and on S3 (s3rver),
 * over PGlite and PostgreSQL (each project restores into its own kind of database).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { StorageConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { citizens, personalFiles } from '../src/db/schema/index.js';
import { jobHandlers } from '../src/jobs/handlers.js';
import { backup } from '../src/ops/backup.js';
import { restore } from '../src/ops/restore.js';
import { BLOB_GRACE_MS, BLOB_TRASH_GRACE_MS, collectUnreferencedBlobs } from '../src/storage/gc.js';
import { type BlobStore, blobStore, hasBlob, openBlobStore, putBlob, setBlobStore } from '../src/storage/index.js';
import { ClaimRefusedError, claimStore, databaseIdentity, markerText } from '../src/storage/owner.js';
import { useS3Server } from './support/s3-server.js';
import { useDemoApp } from './support/fixtures.js';
import { createScratchDatabase, dropScratchDatabase } from './support/ops-data.js';

const t = useDemoApp();
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'motcua-owner-test-'));
const s3rver = useS3Server('motcua-owner');
const scratch: string[] = [];

afterAll(async () => {
  for (const url of scratch) await dropScratchDatabase(url);
  fs.rmSync(root, { recursive: true, force: true });
});

const pdf = (text: string) => new Uint8Array(Buffer.from(`%PDF-1.4\n% ${text} ${crypto.randomUUID()}\n%%EOF\n`));
const put = async (store: BlobStore, bytes: Uint8Array) => (await putBlob(bytes, { maxBytes: 1_000_000, store })).sha256;
const later = () => new Date(Date.now() + 2 * BLOB_GRACE_MS + BLOB_TRASH_GRACE_MS);

const stores: Array<[string, () => BlobStore]> = [
  ['local disk', () => openBlobStore({ kind: 'local', dir: fs.mkdtempSync(path.join(root, 'store-')) })],
  ['S3 (s3rver)', () => openBlobStore({ ...s3rver.config(), prefix: `ho-so/${crypto.randomUUID()}/` })],
];

describe.each(stores)('the ownership marker on the %s', (_name, newStore) => {
  it('is written by the first collection over an empty store, naming this database; two first collections at once agree', async () => {
    const store = newStore();
    expect(await store.readMarker()).toBeNull();
    const runs = await Promise.all([
      collectUnreferencedBlobs(t.database.db, store, new Date()),
      collectUnreferencedBlobs(t.database.db, store, new Date()),
    ]);
    // Each claims it, or finds it claimed by the other already (then it is ours).
    const identity = await databaseIdentity(t.database.db);
    expect(runs.map((r) => r.owner.database)).toEqual([identity, identity]);
    expect(runs.map((r) => r.owner.outcome)).toContain('claimed');
    for (const run of runs) expect(['claimed', 'ours']).toContain(run.owner.outcome);
    const marker = JSON.parse((await store.readMarker())!) as { database: string };
    expect(marker.database).toBe(await databaseIdentity(t.database.db));
    expect((await collectUnreferencedBlobs(t.database.db, store, new Date())).owner.outcome).toBe('ours');
  });

  it('refuses to move or delete anything when the marker names another database, or cannot be read', async () => {
    const other = crypto.randomUUID();
    for (const [marker, owner] of [
      [markerText(other, new Date()), other],
      ['{"database": "tệp bị sửa tay"}', null],
    ] as const) {
      const store = newStore();
      // Its own database's blob, unreferenced here, and one in its trash: neither touched.
      const sha = await put(store, pdf('của cơ sở dữ liệu khác'));
      const inTrash = await put(store, pdf('trong thùng rác của nơi khác'));
      expect(await store.moveToTrash(inTrash, new Date(Date.now() + 60_000), new Date())).toBe(true);
      await store.writeMarkerIfAbsent(marker);
      // A marker is never overwritten.
      await store.writeMarkerIfAbsent(markerText(await databaseIdentity(t.database.db), new Date()));
      expect(await store.readMarker()).toBe(marker);
      const run = await collectUnreferencedBlobs(t.database.db, store, later());
      expect(run.owner).toEqual({
        outcome: 'refused',
        database: await databaseIdentity(t.database.db),
        owner,
        marker: 'motcua-store.json',
      });
      expect([run.examined, run.trashed, run.removed]).toEqual([0, [], []]);
      const listed: string[] = [];
      for await (const b of store.list()) listed.push(b.sha256);
      expect(listed).toEqual([sha]);
      expect(await hasBlob(inTrash, store)).toBe(true);
    }
  });
});

/** Another deployment's database (a staging instance), migrated, of this project's kind. */
async function otherDatabase(name: string) {
  const url = process.env.MOTCUA_TEST_DB === 'postgres' ? await createScratchDatabase('motcua_staging') : undefined;
  if (url) scratch.push(url);
  const database = await openDatabase(url ? { url, poolSize: 2 } : { dataDir: fs.mkdtempSync(path.join(root, `${name}-`)) });
  await database.migrate();
  return database;
}

describe.each(stores)('a store that holds files and no marker, on the %s', (_name, newStore) => {
  it("is nobody's: a staging instance pointed at it first moves nothing; after production claims it, production collects and staging is refused", async () => {
    const store = newStore();
    // Production's files: one its rows name, one they do not (deleted long ago).
    const named = await put(store, pdf('hồ sơ của sản xuất'));
    const unnamed = await put(store, pdf('tệp sản xuất đã xóa'));
    const [c] = await t.database.db
      .insert(citizens)
      .values({ issuer: 'https://vneid.test', subject: crypto.randomUUID(), cccd: '001190012345', fullName: 'Phạm Quốc Bảo', loa: 2 })
      .returning();
    await t.database.db
      .insert(personalFiles)
      .values({ citizenId: c!.id, sha256: named, size: 10, mime: 'application/pdf', name: 'giấy-tờ.pdf', source: 'upload' });
    const staging = await otherDatabase('staging');
    try {
      const stagingIdentity = await databaseIdentity(staging.db);
      // Staging's collector runs first (the rollout, or after the marker was removed): refused, nothing written or moved.
      for (let i = 0; i < 2; i++) {
        const run = await collectUnreferencedBlobs(staging.db, store, later());
        expect(run.owner).toEqual({ outcome: 'unclaimed', database: stagingIdentity, marker: 'motcua-store.json' });
        expect([run.examined, run.trashed, run.removed]).toEqual([0, [], []]);
      }
      expect(await store.readMarker()).toBeNull();
      const listed: string[] = [];
      for await (const b of store.list()) listed.push(b.sha256);
      expect(listed.sort()).toEqual([named, unnamed].sort());
      // Production's collector is refused the same way until the operator claims the store for it.
      expect((await collectUnreferencedBlobs(t.database.db, store, later())).owner.outcome).toBe('unclaimed');
      const production = await databaseIdentity(t.database.db);
      expect(await claimStore(t.database.db, store, new Date())).toEqual({ database: production, outcome: 'claimed', previous: null });
      expect(await claimStore(t.database.db, store, new Date())).toEqual({
        database: production,
        outcome: 'already',
        previous: production,
      });
      // Staging is refused now, and its claim too (unless it names production's id to replace, which it must not).
      expect((await collectUnreferencedBlobs(staging.db, store, later())).owner).toMatchObject({ outcome: 'refused', owner: production });
      const refused = await claimStore(staging.db, store, new Date()).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(ClaimRefusedError);
      expect((refused as ClaimRefusedError).message).toContain(`--replace ${production}`);
      await expect(claimStore(staging.db, store, new Date(), { replace: crypto.randomUUID() })).rejects.toBeInstanceOf(ClaimRefusedError);
      // Production collects: the unnamed file goes to the trash, the named one stays.
      const run = await collectUnreferencedBlobs(t.database.db, store, later());
      expect(run.owner.outcome).toBe('ours');
      expect(run.trashed).toEqual([unnamed]);
      expect(await hasBlob(named, store)).toBe(true);
    } finally {
      await staging.close();
    }
  }, 120_000);

  it('is claimed from another database only with --replace naming it; an unreadable marker is never replaced', async () => {
    const store = newStore();
    await put(store, pdf('tệp của cơ sở dữ liệu cũ'));
    const gone = crypto.randomUUID();
    await store.writeMarkerIfAbsent(markerText(gone, new Date()));
    await expect(claimStore(t.database.db, store, new Date())).rejects.toThrow(`names another database, ${gone}`);
    expect(await store.readMarker()).toContain(gone);
    const identity = await databaseIdentity(t.database.db);
    expect(await claimStore(t.database.db, store, new Date(), { replace: gone })).toEqual({
      database: identity,
      outcome: 'replaced',
      previous: gone,
    });
    expect((await collectUnreferencedBlobs(t.database.db, store, new Date())).owner.outcome).toBe('ours');

    const handWritten = newStore();
    await handWritten.writeMarkerIfAbsent('{"database": "viết tay"}');
    await expect(claimStore(t.database.db, handWritten, new Date(), { replace: 'viết tay' })).rejects.toThrow('not a marker MotCua wrote');
    expect(await handWritten.readMarker()).toBe('{"database": "viết tay"}');
  });
});

type LogLine = { level: number; msg: string; storeOwner?: string; database?: string; marker?: string };

/** The storage.gc job run once over `store` as the process's file storage, at `later`; what it logged. */
async function collectLogged(store: BlobStore): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')));
      done();
    },
  });
  const previous = blobStore();
  setBlobStore(store);
  try {
    const handlers = jobHandlers({
      db: t.database.db,
      logger: pino({ level: 'info' }, sink),
      sessionPolicy: { idleMs: 60_000, absoluteMs: 60_000 },
      now: later,
    });
    await handlers['storage.gc']({}, { id: 'test', retryCount: 0 });
  } finally {
    setBlobStore(previous);
  }
  return lines;
}

describe("the job's log", () => {
  it("is an error naming both databases when the process's store belongs to another", async () => {
    const store = openBlobStore({ kind: 'local', dir: fs.mkdtempSync(path.join(root, 'process-')) });
    const other = crypto.randomUUID();
    await store.writeMarkerIfAbsent(markerText(other, new Date()));
    const orphan = await put(store, pdf('mồ côi'));
    const lines = await collectLogged(store);
    expect(lines).toEqual([expect.objectContaining({ level: 50, storeOwner: other, database: await databaseIdentity(t.database.db) })]);
    expect(lines[0]!.msg).toContain('belongs to another database');
    expect(await hasBlob(orphan, store)).toBe(true);
  });

  it('is an error saying to run storage:claim when the store holds files and no marker; nothing is moved', async () => {
    const store = openBlobStore({ kind: 'local', dir: fs.mkdtempSync(path.join(root, 'unclaimed-')) });
    const orphan = await put(store, pdf('chưa ai nhận'));
    const lines = await collectLogged(store);
    expect(lines).toEqual([expect.objectContaining({ level: 50, marker: 'motcua-store.json' })]);
    expect(lines[0]!.msg).toContain('npm run storage:claim');
    expect(await store.readMarker()).toBeNull();
    expect(await hasBlob(orphan, store)).toBe(true);
    const listed: string[] = [];
    for await (const b of store.list()) listed.push(b.sha256);
    expect(listed).toEqual([orphan]);
  });
});

describe('a backup restored into a new database', () => {
  const kind = process.env.MOTCUA_TEST_DB === 'postgres' ? 'postgres' : 'pglite';
  type Place = { databaseUrl: string | undefined; dataDir: string; storage: StorageConfig };
  const newPlace = async (name: string): Promise<Place> => {
    const dataDir = path.join(root, name);
    const databaseUrl = kind === 'postgres' ? await createScratchDatabase('motcua_owner') : undefined;
    if (databaseUrl) scratch.push(databaseUrl);
    return { databaseUrl, dataDir, storage: { kind: 'local', dir: path.join(dataDir, 'files') } };
  };
  const open = (p: Place) => openDatabase(p.databaseUrl ? { url: p.databaseUrl, poolSize: 2 } : { dataDir: p.dataDir });
  const quiet = () => {};

  it('owns the bucket its original owned (the identity is a row it carries); its restored files are claimed anew; another database owns neither', async () => {
    const bucket = openBlobStore({ ...s3rver.config(), prefix: `ho-so/${crypto.randomUUID()}/` });
    const source = await newPlace('source');
    const sourceFiles = openBlobStore(source.storage);
    const bytes = pdf('giấy tờ của công dân');
    let identity = '';
    let sha = '';
    const lost = crypto.createHash('sha256').update(crypto.randomUUID()).digest('hex');
    const database = await open(source);
    try {
      await database.migrate();
      identity = await databaseIdentity(database.db);
      // The same file in the bucket and in the local files, named by a row.
      sha = await put(bucket, bytes);
      await put(sourceFiles, bytes);
      const [c] = await database.db
        .insert(citizens)
        .values({ issuer: 'https://vneid.test', subject: crypto.randomUUID(), cccd: '001190012345', fullName: 'Đỗ Minh Châu', loa: 2 })
        .returning();
      await database.db
        .insert(personalFiles)
        .values({ citizenId: c!.id, sha256: sha, size: bytes.length, mime: 'application/pdf', name: 'giấy-tờ.pdf', source: 'upload' });
      // Both hold a file before any marker: nobody's until the operator claims them.
      for (const store of [bucket, sourceFiles]) {
        expect((await collectUnreferencedBlobs(database.db, store, new Date())).owner.outcome).toBe('unclaimed');
        expect((await claimStore(database.db, store, new Date())).outcome).toBe('claimed');
      }
      // A row naming a file that is in no storage (deleted since, say): the restore's check names it.
      await database.db
        .insert(personalFiles)
        .values({ citizenId: c!.id, sha256: lost, size: 10, mime: 'application/pdf', name: 'mất.pdf', source: 'upload' });
    } finally {
      await database.close();
    }
    const out = path.join(root, 'backup');
    await backup(source, out, quiet);

    const target = await newPlace('restored');
    const report = await restore(target, out, quiet);
    expect(report.countsDiffer).toEqual([]);
    // Every file the restored rows name is looked up in the storage restored into: the lost one is reported.
    expect(report.blobs).toEqual({ checked: 2, missing: 1, firstMissing: [lost] });
    const restored = await open(target);
    try {
      expect(await databaseIdentity(restored.db)).toBe(identity);
      const onBucket = await collectUnreferencedBlobs(restored.db, bucket, later());
      expect(onBucket.owner).toEqual({ outcome: 'ours', database: identity });
      expect(onBucket.trashed).toEqual([]);
      // The restored local files hold no marker (a backup carries sha256/ only): the operator claims them.
      const restoredFiles = openBlobStore(target.storage);
      expect((await collectUnreferencedBlobs(restored.db, restoredFiles, new Date())).owner.outcome).toBe('unclaimed');
      expect((await claimStore(restored.db, restoredFiles, new Date())).outcome).toBe('claimed');
      expect((await collectUnreferencedBlobs(restored.db, restoredFiles, later())).owner.outcome).toBe('ours');
      expect(await hasBlob(sha, restoredFiles)).toBe(true);
    } finally {
      await restored.close();
    }
    // Any other database (this test file's) is refused on both.
    for (const store of [bucket, openBlobStore(target.storage)]) {
      const run = await collectUnreferencedBlobs(t.database.db, store, later());
      expect(run.owner).toMatchObject({ outcome: 'refused', owner: identity });
    }
    expect(await hasBlob(sha, bucket)).toBe(true);
  }, 240_000);
});
