/**
 * `npm run restore` of a backup someone altered (src/ops/restore.ts): its files folder holds only folders and regular
 * files. A symbolic link in it (to a server file, or a trash folder pointing elsewhere) would be copied into the live
 * file storage as a link — downloads would serve what it points to, the collector would delete there — so the
 * restore is refused before anything is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client.js';
import { backup } from '../src/ops/backup.js';
import { restore } from '../src/ops/restore.js';
import { openBlobStore, putBlob } from '../src/storage/index.js';
import { opsPlaces } from './support/ops-data.js';

const places = opsPlaces('motcua-crafted');
const { kind, root } = places;
const quiet = () => {};
const newPlace = (name: string) => places.place(name);

describe(`restore of an altered backup (${kind})`, () => {
  let out = '';
  let stored = '';
  const secret = path.join(root, 'server-secret.env');

  beforeAll(async () => {
    fs.writeFileSync(secret, 'SESSION_SECRET=not-for-downloads\n');
    const source = await newPlace('source');
    const database = await openDatabase(source.databaseUrl ? { url: source.databaseUrl, poolSize: 2 } : { dataDir: source.dataDir });
    try {
      await database.migrate();
      stored = (await putBlob(new TextEncoder().encode('Bản sao giấy tờ'), { maxBytes: 1000, store: openBlobStore(source.storage) }))
        .sha256;
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
    ['a trash folder that is a link elsewhere', (files: string) => fs.symlinkSync(root, path.join(files, 'trash'))],
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

  it('restores the unaltered backup', async () => {
    const target = await newPlace('target-plain');
    const report = await restore(target, out, quiet);
    expect(report.files).toMatchObject({ files: 1 });
    expect(await openBlobStore(target.storage).has(stored)).toBe(true);
  }, 120_000);
});
