/**
 * `npm run restore` of a backup someone altered (src/ops/restore.ts): its files folder holds only folders and regular
 * files. A symbolic link in it (to a server file, or a trash folder pointing elsewhere) would be copied into the live
 * file storage as a link — downloads would serve what it points to, the collector would delete there — so the
 * restore is refused before anything is written. A file whose bytes are not the SHA-256 its name carries (a stored
 * blob or a trashed copy), a name that is no blob's, or a file taken out of the folder is refused too, and so is a
 * storage the files cannot be written into, with the database and the file storage left as they were: the same
 * restore then succeeds there. A database that fails to restore after the files were copied takes them with it.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client.js';
import { backup } from '../src/ops/backup.js';
import { restore } from '../src/ops/restore.js';
import { connectEmptyTarget } from '../src/ops/db-move.js';
import { sha256File } from '../src/ops/backup.js';
import { openBlobStore, putBlob } from '../src/storage/index.js';
import { opsPlaces, type OpsPlace } from './support/ops-data.js';

const places = opsPlaces('motcua-crafted');
const { kind, root } = places;
const quiet = () => {};
const newPlace = (name: string) => places.place(name);

describe(`restore of an altered backup (${kind})`, () => {
  let out = '';
  let stored = '';
  let trashed = '';
  const secret = path.join(root, 'server-secret.env');

  beforeAll(async () => {
    fs.writeFileSync(secret, 'SESSION_SECRET=not-for-downloads\n');
    const source = await newPlace('source');
    const database = await openDatabase(source.databaseUrl ? { url: source.databaseUrl, poolSize: 2 } : { dataDir: source.dataDir });
    try {
      await database.migrate();
      stored = (await putBlob(new TextEncoder().encode('Bản sao giấy tờ'), { maxBytes: 1000, store: openBlobStore(source.storage) }))
        .sha256;
      // And one whose only copy is in the collector's trash (the backup carries trash/ too).
      const store = openBlobStore(source.storage);
      trashed = (await putBlob(new TextEncoder().encode('Giấy phép đã thu hồi'), { maxBytes: 1000, store })).sha256;
      expect(await store.moveToTrash(trashed, new Date(Date.now() + 60_000), new Date())).toBe(true);
    } finally {
      await database.close();
    }
    out = path.join(root, 'backup');
    await backup(source, out, quiet);
  }, 180_000);

  afterAll(async () => {
    await places.cleanUp();
  });

  const crafted = (name: string, alter: (files: string) => void) => {
    const dir = path.join(root, name);
    fs.cpSync(out, dir, { recursive: true });
    alter(path.join(dir, 'files'));
    return dir;
  };

  it.each([
    [
      'a blob that is a link to a server file',
      (files: string) => {
        const fake = 'f'.repeat(64);
        fs.mkdirSync(path.join(files, 'sha256', 'ff'), { recursive: true });
        fs.symlinkSync(secret, path.join(files, 'sha256', 'ff', fake));
      },
    ],
    [
      'a trash folder that is a link elsewhere',
      (files: string) => {
        fs.rmSync(path.join(files, 'trash'), { recursive: true });
        fs.symlinkSync(root, path.join(files, 'trash'));
      },
    ],
  ])(
    'refuses %s, writing nothing',
    async (name, alter) => {
      const from = crafted(name.replace(/\W+/g, '-'), alter);
      const target = await newPlace(`target-${name.replace(/\W+/g, '-')}`);
      await expect(restore(target, from, quiet)).rejects.toThrow(/not a regular file nor a folder .*nothing restored/);
      expect(fs.existsSync(path.join(target.dataDir, 'files'))).toBe(false);
      expect(fs.existsSync(path.join(target.dataDir, 'pglite'))).toBe(false);
      expect(fs.existsSync(secret)).toBe(true);
    },
    120_000,
  );

  /** Nothing restored: the database as empty as it was, and no file in the storage. */
  async function expectNothingRestored(target: OpsPlace) {
    if (target.databaseUrl) await (await connectEmptyTarget(target.databaseUrl)).end();
    else expect(fs.existsSync(path.join(target.dataDir, 'pglite', 'PG_VERSION'))).toBe(false);
    const files = path.join(target.dataDir, 'files');
    const left = fs.existsSync(files) && fs.statSync(files).isDirectory() ? fs.readdirSync(files, { recursive: true }) : [];
    expect(left.filter((f) => /[0-9a-f]{64}/.test(String(f)))).toEqual([]);
  }

  /** Replaces a file's bytes (the backup's files are read-only, as the store's). */
  const overwrite = (file: string, bytes: string) => {
    expect(fs.existsSync(file)).toBe(true);
    fs.chmodSync(file, 0o600);
    fs.writeFileSync(file, bytes);
  };

  it.each([
    [
      'a stored blob whose bytes are not its name’s SHA-256',
      (files: string) => overwrite(path.join(files, 'sha256', stored.slice(0, 2), stored), 'Bản sao giấy tờ — giả mạo'),
      /content of .*sha256.* is not the SHA-256 its name says: the backup's file was altered or damaged; nothing restored/,
    ],
    [
      'a trashed copy whose bytes are not the SHA-256 its name carries',
      (files: string) => {
        const dir = path.join(files, 'trash', 'sha256', trashed.slice(0, 2));
        const [name] = fs.readdirSync(dir);
        overwrite(path.join(dir, name!), 'Giấy phép đã thu hồi — giả mạo');
      },
      /content of .*trash.* is not the SHA-256 its name says: the backup's file was altered or damaged; nothing restored/,
    ],
    [
      'a blob put under another fan-out folder',
      (files: string) => {
        const other = stored.slice(0, 2) === '00' ? '01' : '00';
        fs.mkdirSync(path.join(files, 'sha256', other));
        fs.renameSync(path.join(files, 'sha256', stored.slice(0, 2), stored), path.join(files, 'sha256', other, stored));
      },
      /is not a file of the store .*nothing restored/,
    ],
    [
      'a file whose name is no content hash',
      (files: string) => fs.writeFileSync(path.join(files, 'sha256', stored.slice(0, 2), 'readme.txt'), 'x'),
      /is not a file of the store .*nothing restored/,
    ],
    [
      'a blob taken out (the manifest counts it)',
      (files: string) => fs.rmSync(path.join(files, 'sha256', stored.slice(0, 2), stored)),
      /files folder holds 0 files \(0 bytes\), its manifest 1 .*nothing restored/,
    ],
  ])(
    'refuses %s, leaving the database and the file storage as they were',
    async (name, alter, message) => {
      const slug = name.replace(/\W+/g, '-');
      const from = crafted(slug, alter);
      const target = await newPlace(`target-${slug}`);
      await expect(restore(target, from, quiet)).rejects.toThrow(message);
      await expectNothingRestored(target);
      // Nothing half-written: the unaltered backup is restored there afterwards.
      const report = await restore(target, out, quiet);
      expect(report.countsDiffer).toEqual([]);
      expect(await openBlobStore(target.storage).has(stored)).toBe(true);
    },
    120_000,
  );

  it('a file storage the files cannot be written into: the restore fails, the database stays empty, a second run succeeds', async () => {
    const target = await newPlace('target-files-fail');
    // Its folder is a file (on a real machine: a full disk, a storage mounted read-only).
    fs.mkdirSync(target.dataDir, { recursive: true });
    fs.writeFileSync(path.join(target.dataDir, 'files'), 'not a folder');
    await expect(restore(target, out, quiet)).rejects.toThrow(
      /The backup's files could not be copied into .*files: .*; nothing restored\./,
    );
    await expectNothingRestored(target);
    fs.rmSync(path.join(target.dataDir, 'files'));
    const report = await restore(target, out, quiet);
    expect(report.countsDiffer).toEqual([]);
    expect(await openBlobStore(target.storage).has(trashed)).toBe(true);
  }, 120_000);

  it('a database that fails to restore after the files were copied takes them with it', async () => {
    // A dump that is no database, its manifest rewritten to match it: the checksum passes, the loading fails.
    const from = crafted('not-a-dump', () => {});
    const manifestFile = path.join(from, 'backup.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    const dump = path.join(from, manifest.database.file);
    fs.chmodSync(dump, 0o600);
    const garbage = Buffer.from('not a database, whatever its name says\n'.repeat(64));
    fs.writeFileSync(dump, kind === 'postgres' ? garbage : zlib.gzipSync(garbage));
    manifest.database.sha256 = await sha256File(dump);
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
    const target = await newPlace('target-not-a-dump');
    await expect(restore(target, from, quiet)).rejects.toThrow(/The files copied into .*files were removed again\./);
    await expectNothingRestored(target);
    const report = await restore(target, out, quiet);
    expect(report.countsDiffer).toEqual([]);
  }, 120_000);

  it('names the manifest that is not JSON', async () => {
    const from = crafted('manifest-not-json', () => {});
    fs.writeFileSync(path.join(from, 'backup.json'), '{');
    await expect(restore(await newPlace('target-manifest'), from, quiet)).rejects.toThrow(
      /manifest-not-json\/backup\.json is not a MotCua backup manifest: it is not valid JSON\./,
    );
  });

  it('restores the unaltered backup', async () => {
    const target = await newPlace('target-plain');
    const report = await restore(target, out, quiet);
    expect(report.files).toMatchObject({ files: 1 });
    expect(await openBlobStore(target.storage).has(stored)).toBe(true);
  }, 120_000);
});
