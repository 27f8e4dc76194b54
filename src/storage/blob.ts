/** The shapes of file storage (index.ts is the module's entry). */
import type { Readable } from 'node:stream';
import type { FileType } from '../shared/file-types.js';

export type BlobStore = {
  readonly kind: 'local' | 's3';
  /** A directory on the local disk where incoming files are spooled before they are committed. */
  readonly spoolDir: string;
  /** Stores a spooled file under its hash, taking it over (moved or uploaded, then removed); idempotent. */
  commit(spooledPath: string, sha256: string, size: number): Promise<void>;
  /** The stored bytes; a BlobMissingError when nothing is stored under that hash. */
  open(sha256: string): Promise<Readable>;
  has(sha256: string): Promise<boolean>;
  /**
   * Every stored blob with when it was last written or confirmed: committing content already stored refreshes
   * that time, so a blob an upload in flight is about to reference always looks new to the collector (gc.ts).
   */
  list(): AsyncIterable<{ sha256: string; writtenAt: Date }>;
  /**
   * Removes the blob unless it was written or confirmed at or after `notAfter` (then it stays: an upload is using
   * it); true when removed. Removing what is not there is no error (the collector may run twice). Absent from a
   * store that cannot judge and remove as one step against an upload of the same bytes (S3: a HEAD then a DELETE
   * leave a gap), which the collector then only counts (docs/decisions/0020).
   */
  removeIfOlder?(sha256: string, notAfter: Date): Promise<boolean>;
};

/** A file as it arrives: its bytes, or a stream of them (an upload goes to storage without being gathered). */
export type IncomingFile = { name: string; bytes: Uint8Array } | { name: string; stream: Readable | ReadableStream<Uint8Array> };

export type StoredBlob = { sha256: string; size: number; type: FileType | null };

/** Why putBlob refused a file; callers turn it into their own message. */
export class BlobRefusedError extends Error {
  constructor(readonly reason: 'empty' | 'too_large' | 'type') {
    super(`file refused: ${reason}`);
    this.name = 'BlobRefusedError';
  }
}

export class BlobMissingError extends Error {
  constructor(sha256: string) {
    super(`no stored file ${sha256}`);
    this.name = 'BlobMissingError';
  }
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Where a blob lives, relative to the store's root: sha256/ab/abcdef… (a level of fan-out keeps folders small). */
export function blobKey(sha256: string): string {
  if (!SHA256_HEX.test(sha256)) throw new Error('not a SHA-256 hex digest');
  return `sha256/${sha256.slice(0, 2)}/${sha256}`;
}
