/**
 * Blobs on the local disk: <dir>/sha256/ab/<hash>, spooled in <dir>/tmp (same file system: a rename commits); the
 * collector's trash in <dir>/trash/sha256/ab/ and the ownership marker at <dir>/motcua-store.json (gc.ts, owner.ts).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { BlobMissingError, MARKER_NAME, SHA256_HEX, blobKey, parseTrashName, trashName, type BlobStore, type TrashedBlob } from './blob.js';

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

/** A directory's names, none when it does not exist (or is a stray file). */
async function namesIn(dir: string): Promise<string[]> {
  try {
    return await fs.promises.readdir(dir);
  } catch (err) {
    if (isMissing(err) || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw err;
  }
}

/**
 * A file opened for reading, null when it is not there: opened before anything is answered, so a missing file fails
 * here, not half-way through a response.
 */
async function openFile(file: string): Promise<Readable | null> {
  try {
    const fh = await fs.promises.open(file, 'r');
    return fh.createReadStream();
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

/** Flushes a file's bytes to the disk before it is made visible under another name. */
async function sync(file: string): Promise<void> {
  const fh = await fs.promises.open(file, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export class LocalBlobStore implements BlobStore {
  readonly kind = 'local' as const;
  readonly spoolDir: string;
  constructor(readonly dir: string) {
    this.spoolDir = path.join(dir, 'tmp');
  }

  private pathOf(sha256: string) {
    return path.join(this.dir, ...blobKey(sha256).split('/'));
  }

  private trashDirOf(sha256: string) {
    return path.join(this.dir, 'trash', ...path.dirname(blobKey(sha256)).split('/'));
  }

  async commit(spooledPath: string, sha256: string, _size: number): Promise<void> {
    const target = this.pathOf(sha256);
    // The same content is already stored: confirm it (a fresh time keeps the collector off it) and drop the spool.
    // Gone meanwhile (the collector moved it to the trash): written again below, from the spool.
    try {
      const now = new Date();
      await fs.promises.utimes(target, now, now);
      await fs.promises.rm(spooledPath, { force: true });
      return;
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
    // Durable before it is visible under its name.
    await sync(spooledPath);
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    // Atomic: readers see the whole file or none; two identical uploads at once both rename the same bytes.
    await fs.promises.rename(spooledPath, target);
  }

  /**
   * The stored file, else a copy in the trash. A copy deleted between the looks (its blob restored meanwhile), or
   * none left, sends it back to the file's place: a blob in neither place after that is missing.
   */
  async open(sha256: string): Promise<Readable> {
    for (let round = 0; ; round++) {
      const stored = await openFile(this.pathOf(sha256));
      if (stored) return stored;
      const copies = await this.trashedPaths(sha256);
      for (const file of copies) {
        const copy = await openFile(file);
        if (copy) return copy;
      }
      if (!copies.length || round === 2) {
        const restored = await openFile(this.pathOf(sha256));
        if (restored) return restored;
        throw new BlobMissingError(sha256);
      }
    }
  }

  private async trashedPaths(sha256: string): Promise<string[]> {
    const dir = this.trashDirOf(sha256);
    return (await namesIn(dir)).filter((n) => parseTrashName(n)?.sha256 === sha256).map((n) => path.join(dir, n));
  }

  async *list(): AsyncIterable<{ sha256: string; writtenAt: Date }> {
    const root = path.join(this.dir, 'sha256');
    for (const fan of await namesIn(root)) {
      for (const name of await namesIn(path.join(root, fan))) {
        if (!SHA256_HEX.test(name)) continue;
        const st = await fs.promises.stat(path.join(root, fan, name)).catch(() => null);
        if (st) yield { sha256: name, writtenAt: st.mtime };
      }
    }
  }

  /**
   * One rename into the trash (atomic), then judged by the time of the file moved: an upload confirming the blob
   * before the rename left a fresh time (it is put back); one after it finds nothing and writes the blob again from
   * its spool. Either way no upload is left referencing bytes in neither place.
   */
  async moveToTrash(sha256: string, notAfter: Date, movedAt: Date): Promise<boolean> {
    const target = this.pathOf(sha256);
    const dir = this.trashDirOf(sha256);
    const trashed = path.join(dir, trashName(sha256, movedAt, crypto.randomBytes(6).toString('hex')));
    await fs.promises.mkdir(dir, { recursive: true });
    try {
      await fs.promises.rename(target, trashed);
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
    const st = await fs.promises.stat(trashed);
    if (st.mtime >= notAfter) {
      // Back under its name (an upload written meanwhile holds the same bytes: replacing it changes nothing).
      await fs.promises.rename(trashed, target);
      return false;
    }
    return true;
  }

  async *listTrash(): AsyncIterable<TrashedBlob> {
    const root = path.join(this.dir, 'trash', 'sha256');
    for (const fan of await namesIn(root)) {
      for (const name of await namesIn(path.join(root, fan))) {
        const parsed = parseTrashName(name);
        if (parsed) yield { ...parsed, key: `trash/sha256/${fan}/${name}` };
      }
    }
  }

  private trashedPath(entry: TrashedBlob): string {
    const file = path.join(this.dir, ...entry.key.split('/'));
    // The key is one this store listed: a name of the trash, never a path elsewhere.
    if (path.dirname(file) !== this.trashDirOf(entry.sha256) || parseTrashName(path.basename(file))?.sha256 !== entry.sha256)
      throw new Error(`not a trashed copy of ${entry.sha256}: ${entry.key}`);
    return file;
  }

  /** Copied (not moved: the copy in the trash stays until it is old) to a spool file, then renamed into place. */
  async restoreFromTrash(entry: TrashedBlob): Promise<'live' | 'restored' | 'gone'> {
    const from = this.trashedPath(entry);
    if (await this.hasStored(entry.sha256)) return 'live';
    await fs.promises.mkdir(this.spoolDir, { recursive: true });
    const spooled = path.join(this.spoolDir, `restore-${entry.sha256}-${crypto.randomUUID()}`);
    try {
      await fs.promises.copyFile(from, spooled);
    } catch (err) {
      if (!isMissing(err)) throw err;
      return (await this.hasStored(entry.sha256)) ? 'live' : 'gone';
    }
    try {
      await sync(spooled);
      const target = this.pathOf(entry.sha256);
      await fs.promises.mkdir(path.dirname(target), { recursive: true });
      await fs.promises.rename(spooled, target);
      return 'restored';
    } finally {
      await fs.promises.rm(spooled, { force: true });
    }
  }

  async deleteFromTrash(entry: TrashedBlob): Promise<void> {
    await fs.promises.rm(this.trashedPath(entry), { force: true });
  }

  async readMarker(): Promise<string | null> {
    try {
      return await fs.promises.readFile(path.join(this.dir, MARKER_NAME), 'utf8');
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  /** Written whole to a spool file, then linked under its name: link refuses a name that exists (atomic). */
  async writeMarkerIfAbsent(text: string): Promise<void> {
    await fs.promises.mkdir(this.spoolDir, { recursive: true });
    const spooled = path.join(this.spoolDir, `marker-${crypto.randomUUID()}`);
    try {
      await fs.promises.writeFile(spooled, text, { flag: 'wx' });
      await sync(spooled);
      await fs.promises.link(spooled, path.join(this.dir, MARKER_NAME));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      await fs.promises.rm(spooled, { force: true });
    }
  }

  /** Written whole to a spool file, then renamed over the marker (atomic). */
  async replaceMarker(text: string): Promise<void> {
    await fs.promises.mkdir(this.spoolDir, { recursive: true });
    const spooled = path.join(this.spoolDir, `marker-${crypto.randomUUID()}`);
    try {
      await fs.promises.writeFile(spooled, text, { flag: 'wx' });
      await sync(spooled);
      await fs.promises.rename(spooled, path.join(this.dir, MARKER_NAME));
    } finally {
      await fs.promises.rm(spooled, { force: true });
    }
  }

  private async hasStored(sha256: string): Promise<boolean> {
    try {
      await fs.promises.access(this.pathOf(sha256));
      return true;
    } catch {
      return false;
    }
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.hasStored(sha256)) || (await this.trashedPaths(sha256)).length > 0;
  }
}
