/** Blobs on the local disk: <dir>/sha256/ab/<hash>, spooled in <dir>/tmp (same file system: a rename commits). */
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { BlobMissingError, blobKey, type BlobStore } from './blob.js';

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
    if (await this.has(sha256)) return; // the same content is already stored
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

  async has(sha256: string): Promise<boolean> {
    try {
      await fs.promises.access(this.pathOf(sha256));
      return true;
    } catch {
      return false;
    }
  }
}
