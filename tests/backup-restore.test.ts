/**
 * `npm run backup` and `npm run restore` (src/ops/backup.ts, restore.ts) on the database of the project running
 * them: PGlite (its dumped data directory) in the pglite project, PostgreSQL (pg_dump/pg_restore, fresh databases
 * created and dropped here) in the postgres project. A backup of real data restored into an empty database has
 * the same rows and an intact audit chain; an audit row altered before the backup is named after the restore; a
 * damaged backup file and a database that is not empty are refused with nothing written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase, queryRows, type Database } from '../src/db/client.js';
import { backup } from '../src/ops/backup.js';
import { restore } from '../src/ops/restore.js';
import { countRows, listTables, type Sql } from '../src/ops/inventory.js';
import { blobStore, openBlobStore, putBlob } from '../src/storage/index.js';
import { opsPlaces, type OpsPlace, fillWithRealData } from './support/ops-data.js';

const places = opsPlaces('motcua-backup');
const { kind, root } = places;
const quiet = () => {};
type Place = OpsPlace;
const newPlace = (name: string) => places.place(name);

const open = (p: Place) => openDatabase(p.databaseUrl ? { url: p.databaseUrl, poolSize: 2 } : { dataDir: p.dataDir });

function sqlOf(database: Database): Sql {
  return async <T>(text: string, params?: unknown[]) =>
    database.pglite ? (await database.pglite.query<T>(text, params)).rows : ((await database.pool!.query(text, params)).rows as T[]);
}

async function countsOf(p: Place): Promise<Map<string, number>> {
  const database = await open(p);
  try {
    const q = sqlOf(database);
    return await countRows(q, await listTables(q));
  } finally {
    await database.close();
  }
}

describe(`backup and restore (${kind})`, () => {
  let source: Place;
  let sourceCounts = new Map<string, number>();
  let out = '';
  let trashed = '';

  beforeAll(async () => {
    source = await newPlace('source');
    const database = await open(source);
    try {
      await database.migrate();
      await fillWithRealData(database);
      // A file in the local file storage, which the backup carries beside the database.
      await putBlob(new TextEncoder().encode('Giấy phép kinh doanh — bản sao'), { maxBytes: 1000, store: openBlobStore(source.storage) });
      // And one whose only copy is in the collector's trash (a row may name it again before the next run restores it).
      const store = openBlobStore(source.storage);
      trashed = (await putBlob(new TextEncoder().encode('Bản chụp đã xóa'), { maxBytes: 1000, store })).sha256;
      expect(await store.moveToTrash(trashed, new Date(Date.now() + 60_000), new Date())).toBe(true);
    } finally {
      await database.close();
    }
    sourceCounts = await countsOf(source);
    out = path.join(root, 'backup-1');
    await backup(source, out, quiet);
  }, 180_000);

  afterAll(async () => {
    await places.cleanUp();
  });

  it('restores into an empty database: the same rows, the files, an intact audit chain', async () => {
    expect(fs.readdirSync(out).sort()).toEqual(
      ['backup.json', kind === 'postgres' ? 'database.pgdump' : 'pglite-datadir.tar.gz', 'files'].sort(),
    );
    const target = await newPlace('restored');
    const report = await restore(target, out, quiet);
    expect(report.countsDiffer).toEqual([]);
    expect(report.audit).toMatchObject({ ok: true });
    expect(report.audit.checked).toBe(sourceCounts.get('public.audit_log'));
    expect(report.files).toMatchObject({ files: 1 });
    expect(await openBlobStore(target.storage).has(trashed)).toBe(true);
    // Every file the restored rows name is looked up in the storage restored into: the dossiers' files of the data
    // (stored in the tests' own storage, not the source's, so not in the backup) are reported missing, by hash.
    expect(report.blobs.checked).toBeGreaterThan(0);
    expect(report.blobs).toMatchObject({ missing: report.blobs.checked });
    expect(report.blobs.firstMissing).toHaveLength(Math.min(10, report.blobs.checked));
    for (const sha of report.blobs.firstMissing) {
      expect(await openBlobStore(target.storage).has(sha)).toBe(false);
      expect(await blobStore().has(sha)).toBe(true);
    }
    expect(await countsOf(target)).toEqual(sourceCounts);
    expect(sourceCounts.get('public.dossiers')).toBe(4);

    // Restoring again over what is now there is refused, and changes nothing.
    await expect(restore(target, out, quiet)).rejects.toThrow(
      kind === 'postgres' ? /Refused: the target database .* is not empty/ : /Refused: .*pglite already holds a database/,
    );
    expect(await countsOf(target)).toEqual(sourceCounts);
  }, 180_000);

  it('names the audit entry altered before the backup', async () => {
    const database = await open(source);
    let altered = 0;
    try {
      const [row] = await queryRows<{ id: string | number }>(
        database.db,
        sql`select id from audit_log where seq is not null order by seq offset 2 limit 1`,
      );
      altered = Number(row!.id);
      // What someone with DDL rights could do: switch the guards off, change an entry, switch them on.
      await database.db.execute(sql`alter table audit_log disable trigger user`);
      await database.db.execute(sql`update audit_log set actor_label = 'người khác' where id = ${altered}`);
      await database.db.execute(sql`alter table audit_log enable trigger user`);
    } finally {
      await database.close();
    }
    const tampered = path.join(root, 'backup-tampered');
    const made = await backup(source, tampered, quiet);
    expect(made.audit).toMatchObject({ ok: false, firstBadId: altered });
    const report = await restore(await newPlace('restored-tampered'), tampered, quiet);
    expect(report.audit).toMatchObject({ ok: false, firstBadId: altered, reason: 'content_altered' });
    expect(report.countsDiffer).toEqual([]);
  }, 180_000);

  it('refuses a damaged backup file, writing nothing', async () => {
    const damaged = path.join(root, 'backup-damaged');
    fs.cpSync(out, damaged, { recursive: true });
    const file = path.join(damaged, kind === 'postgres' ? 'database.pgdump' : 'pglite-datadir.tar.gz');
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff;
    fs.writeFileSync(file, bytes);
    const target = await newPlace('restored-damaged');
    await expect(restore(target, damaged, quiet)).rejects.toThrow(
      /missing, damaged or altered \(its SHA-256 is not the manifest's\); nothing restored/,
    );
    expect(fs.existsSync(path.join(target.dataDir, 'pglite'))).toBe(false);
    expect(fs.existsSync(path.join(target.dataDir, 'files'))).toBe(false);
    if (target.databaseUrl) {
      const database = await open(target);
      const q = sqlOf(database);
      const tables = await listTables(q).finally(() => database.close());
      expect(tables).toEqual([]);
    }
  }, 60_000);

  it('refuses a folder that is not a backup and an --out folder that is not empty', async () => {
    await expect(restore(await newPlace('nothing'), root, quiet)).rejects.toThrow(/is not a backup: backup\.json not found/);
    await expect(backup(source, out, quiet)).rejects.toThrow(/Refused: .*backup-1 is not empty; give a new folder/);
  }, 60_000);

  it.skipIf(kind !== 'pglite')(
    'refuses the embedded database while another process has it open, writing nothing',
    async () => {
      // The app running on DATA_DIR: a second PGlite on the same files would damage the database it reads.
      const running = await open(source);
      try {
        const refused = path.join(root, 'backup-while-open');
        await expect(backup(source, refused, quiet)).rejects.toThrow(
          new RegExp(`is open in another process \\(pid ${process.pid}\\): stop the app`),
        );
        expect(fs.existsSync(refused)).toBe(false);
      } finally {
        await running.close();
      }
    },
    60_000,
  );

  it("keeps the backup to its owner: no other user of the machine reads the citizens' data or the TOTP secrets", async () => {
    // The folder given may exist already, empty and open to everyone (umask 022, or a shared /var/backups).
    const given = path.join(root, 'backup-open');
    fs.mkdirSync(given, { mode: 0o777 });
    fs.chmodSync(given, 0o777);
    await backup(source, given, quiet);
    for (const folder of [out, given]) {
      expect(fs.statSync(folder).mode & 0o777).toBe(0o700);
      for (const name of fs.readdirSync(folder).filter((n) => fs.statSync(path.join(folder, n)).isFile()))
        expect({ name, mode: fs.statSync(path.join(folder, name)).mode & 0o077 }).toEqual({ name, mode: 0 });
    }
  }, 120_000);
});
