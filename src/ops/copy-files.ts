/**
 * The files of a local store (DATA_DIR/files, docs/decisions/0012) for db:move and backup/restore: counted, copied
 * into another store (a bucket, for instances on several machines), or copied as a folder. Whatever is copied out of
 * a backup or into another store is hashed on the way and refused unless its bytes are the SHA-256 its name says:
 * the names are what downloads trust.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LocalBlobStore } from '../storage/local.js';
import { SHA256_HEX, parseTrashName, type BlobStore } from '../storage/blob.js';
import { OpsError } from './ops-error.js';

export type FilesSummary = { files: number; bytes: number };

/** Files and bytes under a local store's folder (0 when it does not exist). */
export async function countLocalFiles(dir: string): Promise<FilesSummary> {
  const summary = { files: 0, bytes: 0 };
  if (!fs.existsSync(dir)) return summary;
  for await (const blob of new LocalBlobStore(dir).list()) {
    summary.files++;
    summary.bytes += (await fs.promises.stat(path.join(dir, 'sha256', blob.sha256.slice(0, 2), blob.sha256))).size;
  }
  return summary;
}

/**
 * Every blob of the local folder `dir` put into `store` (a blob it already has is left as it is): those stored and
 * those whose copy sits in the collector's trash — a row may name one again before the next collection restores it,
 * and the other store would then hold neither copy.
 */
export async function copyLocalFilesTo(dir: string, store: BlobStore): Promise<FilesSummary & { alreadyThere: number }> {
  const out = { files: 0, bytes: 0, alreadyThere: 0 };
  if (!fs.existsSync(dir)) return out;
  await fs.promises.mkdir(store.spoolDir, { recursive: true });
  const source = new LocalBlobStore(dir);
  const hashes = new Set<string>();
  for await (const blob of source.list()) hashes.add(blob.sha256);
  for await (const copy of source.listTrash()) hashes.add(copy.sha256);
  for (const sha256 of hashes) {
    if (await store.has(sha256)) {
      out.alreadyThere++;
      continue;
    }
    // commit() takes its spooled file over: give it a copy, never the source's own file (read from the trash if need be).
    const spooled = path.join(store.spoolDir, `move-${sha256}-${crypto.randomUUID()}`);
    try {
      const hash = crypto.createHash('sha256');
      await pipeline(await source.open(sha256), hashing(hash), fs.createWriteStream(spooled, { flags: 'wx' }));
      if (hash.digest('hex') !== sha256)
        throw new OpsError(
          `Refused: the content of the file ${sha256} in ${path.resolve(dir)} is not that SHA-256 (altered or damaged); it was not copied.`,
        );
      const { size } = await fs.promises.stat(spooled);
      await store.commit(spooled, sha256, size);
      out.files++;
      out.bytes += size;
    } finally {
      // A bucket uploads from the spooled copy and leaves it (the local store moves it): nothing stays in the spool.
      await fs.promises.rm(spooled, { force: true });
    }
  }
  return out;
}

/**
 * A local store's blobs copied as a folder (backup, restore): sha256/… and the collector's trash/… (a blob a row names
 * again while its only copy is in the trash is read from there until the next collection restores it — a backup
 * without the trash would lack it), never the spool nor the ownership marker (a restored database claims its store).
 */
export async function copyFilesFolder(fromDir: string, toDir: string): Promise<FilesSummary> {
  const from = path.join(fromDir, 'sha256');
  if (!fs.existsSync(from)) return { files: 0, bytes: 0 };
  const options = { recursive: true, errorOnExist: true, force: false, preserveTimestamps: true };
  await fs.promises.cp(from, path.join(toDir, 'sha256'), options);
  const trash = path.join(fromDir, 'trash');
  if (fs.existsSync(trash)) await fs.promises.cp(trash, path.join(toDir, 'trash'), options);
  // A collection running meanwhile may have restored a trashed copy (and deleted it) after sha256/ was copied: what
  // sha256/ holds now and the copy lacks is added, so the blob is in one of the two places.
  await fs.promises.cp(from, path.join(toDir, 'sha256'), { ...options, errorOnExist: false });
  return countLocalFiles(toDir);
}

/** A restore's files, copied and checked (copyVerifiedFilesFolder); `remove()` takes them out again. */
export type RestoredFiles = FilesSummary & { remove(): Promise<void> };

/**
 * A backup's files folder copied into an empty local store for a restore: sha256/ab/<hash> and the collector's
 * trash/sha256/ab/<hash>.<movedAt>.<random> (the hash its name carries, blob.ts), each streamed through SHA-256 into
 * the store's spool and linked under its name only when its bytes are that hash. Any other name, a file in the wrong
 * fan-out folder, bytes that are not the name's hash, or a write that fails (a full disk, a storage folder that is
 * not one) removes every file and folder this copy made and throws: the store is left as it was. The count and bytes
 * of sha256/ must be `expected`'s (the manifest's) when given, so a file taken out of the backup is refused too.
 */
export async function copyVerifiedFilesFolder(fromDir: string, toDir: string, expected: FilesSummary | null): Promise<RestoredFiles> {
  // What this copy made, in order: removed in reverse (files, then the folders they were in) on failure or remove().
  const made: string[] = [];
  const remove = async () => {
    for (const p of made.reverse()) await fs.promises.rm(p, { recursive: true, force: true });
    made.length = 0;
  };
  const mkdir = async (dir: string) => {
    const first = await fs.promises.mkdir(dir, { recursive: true });
    if (first) made.push(first);
  };
  const summary = { files: 0, bytes: 0 };
  try {
    const spool = path.join(toDir, 'tmp');
    await mkdir(spool);
    for (const [folder, hashOf] of [
      ['sha256', (name: string) => (SHA256_HEX.test(name) ? name : null)],
      [path.join('trash', 'sha256'), (name: string) => parseTrashName(name)?.sha256 ?? null],
    ] as const) {
      const from = path.join(fromDir, folder);
      if (!fs.existsSync(from)) continue;
      const notOfTheStore = (file: string) =>
        new OpsError(
          `Refused: ${path.resolve(file)} in the backup is not a file of the store (no content hash in its name, or in another fan-out folder): the backup was altered; nothing restored.`,
        );
      for (const fan of await fs.promises.readdir(from, { withFileTypes: true })) {
        if (!fan.isDirectory()) throw notOfTheStore(path.join(from, fan.name));
        for (const name of await fs.promises.readdir(path.join(from, fan.name))) {
          const file = path.join(from, fan.name, name);
          const sha256 = hashOf(name);
          const stat = await fs.promises.lstat(file);
          if (!sha256 || sha256.slice(0, 2) !== fan.name || !stat.isFile()) throw notOfTheStore(file);
          const target = path.join(toDir, folder, fan.name, name);
          await mkdir(path.dirname(target));
          const spooled = path.join(spool, `restore-${crypto.randomUUID()}`);
          try {
            const hash = crypto.createHash('sha256');
            await pipeline(
              fs.createReadStream(file),
              hashing(hash),
              fs.createWriteStream(spooled, { flags: 'wx', mode: stat.mode & 0o777 }),
            );
            if (hash.digest('hex') !== sha256)
              throw new OpsError(
                `Refused: the content of ${path.resolve(file)} is not the SHA-256 its name says: the backup's file was altered or damaged; nothing restored.`,
              );
            // The collector judges a blob by its time (a trashed copy by its name): kept as in the backup.
            await fs.promises.utimes(spooled, stat.atime, stat.mtime);
            // Under its name only once checked; link refuses a name that exists (the store was empty).
            await fs.promises.link(spooled, target);
            made.push(target);
          } finally {
            await fs.promises.rm(spooled, { force: true });
          }
          if (folder === 'sha256') {
            summary.files++;
            summary.bytes += stat.size;
          }
        }
      }
    }
    if (expected && (expected.files !== summary.files || expected.bytes !== summary.bytes))
      throw new OpsError(
        `Refused: the backup's files folder holds ${summary.files} files (${summary.bytes} bytes), its manifest ${expected.files} (${expected.bytes} bytes): files were taken out or added; nothing restored.`,
      );
    return { ...summary, remove };
  } catch (err) {
    await remove();
    if (err instanceof OpsError) throw err;
    throw new OpsError(
      `The backup's files could not be copied into ${path.resolve(toDir)}: ${err instanceof Error ? err.message : String(err)}; nothing restored.`,
      { cause: err },
    );
  }
}

/** Passes the bytes through, into `hash`. */
function hashing(hash: crypto.Hash): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
}

export const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
