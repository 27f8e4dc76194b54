/**
 * The files of a local store (DATA_DIR/files, docs/decisions/0012) for db:move and backup/restore: counted, copied
 * into another store (a bucket, for instances on several machines), or copied as a folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { LocalBlobStore } from '../storage/local.js';
import type { BlobStore } from '../storage/blob.js';

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
      await pipeline(await source.open(sha256), fs.createWriteStream(spooled, { flags: 'wx' }));
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

export const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
