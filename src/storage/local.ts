/** Blobs on the local disk: <dir>/sha256/ab/<hash>, spooled in <dir>/tmp (same file system: a rename commits). */
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { BlobMissingError, SHA256_HEX, blobKey, type BlobStore } from './blob.js';

export class LocalBlobStore implements BlobStore {
  readonly kind = 'local' as const;
  readonly spoolDir: string;
  constructor(readonly dir: string) {
    this.spoolDir = path.join(dir, 'tmp');
  }

  private pathOf(sha256: string) {
    return path.join(this.dir, ...blobKey(sha256).split('/'));
  }

  async commit(spooledPath: string, sha256: string, _size: number): Promise<void> {
    const target = this.pathOf(sha256);
    // The same content is already stored: confirm it (a fresh time keeps the collector off it) and drop the spool.
    // Gone meanwhile (the collector took it): written again below.
    try {
      const now = new Date();
      await fs.promises.utimes(target, now, now);
      await fs.promises.rm(spooledPath, { force: true });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    // Durable before it is visible under its name.
    const fh = await fs.promises.open(spooledPath, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    // Atomic: readers see the whole file or none; two identical uploads at once both rename the same bytes.
    await fs.promises.rename(spooledPath, target);
  }

  async open(sha256: string): Promise<Readable> {
    try {
      // Opened before anything is answered: a missing file fails here, not half-way through a response.
      const fh = await fs.promises.open(this.pathOf(sha256), 'r');
      return fh.createReadStream();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobMissingError(sha256);
      throw err;
    }
  }

  async *list(): AsyncIterable<{ sha256: string; writtenAt: Date }> {
    const root = path.join(this.dir, 'sha256');
    const fans = await fs.promises.readdir(root).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    for (const fan of fans) {
      for (const name of await fs.promises.readdir(path.join(root, fan)).catch(() => [] as string[])) {
        if (!SHA256_HEX.test(name)) continue;
        const st = await fs.promises.stat(path.join(root, fan, name)).catch(() => null);
        if (st) yield { sha256: name, writtenAt: st.mtime };
      }
    }
  }

  /**
   * Renamed aside first (atomic), then judged by the time of the file set aside: an upload confirming the blob
   * before the rename left a fresh time (put back); one after it finds nothing and writes the blob again. Either
   * way no upload is left referencing a removed blob.
   */
  async removeIfOlder(sha256: string, notAfter: Date): Promise<boolean> {
    const target = this.pathOf(sha256);
    const aside = path.join(this.spoolDir, `gc-${sha256}-${process.pid}-${Date.now()}`);
    await fs.promises.mkdir(this.spoolDir, { recursive: true });
    try {
      await fs.promises.rename(target, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
    const st = await fs.promises.stat(aside);
    if (st.mtime >= notAfter) {
      // Back under its name (an upload written meanwhile holds the same bytes: replacing it changes nothing).
      await fs.promises.rename(aside, target);
      return false;
    }
    await fs.promises.rm(aside, { force: true });
    return true;
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await fs.promises.access(this.pathOf(sha256));
      return true;
    } catch {
      return false;
    }
  }
}
