/** The shapes of file storage (index.ts is the module's entry). */
import type { Readable } from 'node:stream';
import type { FileType } from '../shared/file-types.js';

/**
 * A blob moved to the store's trash by the collector (gc.ts, docs/decisions/0020): one copy, under a name of its own
 * (`trash/…/<hash>.<movedAt ms>.<random>`), written once and never overwritten, so a run that deletes it deletes
 * exactly the copy it listed. `movedAt`: when it was moved — the run's clock recorded in the name and, on S3, no
 * earlier than the object's LastModified.
 */
export type TrashedBlob = { sha256: string; key: string; movedAt: Date };

export type BlobStore = {
  readonly kind: 'local' | 's3';
  /** A directory on the local disk where incoming files are spooled before they are committed. */
  readonly spoolDir: string;
  /**
   * Stores a spooled file under its hash, taking it over (moved or uploaded, then removed); idempotent. Content
   * already stored is confirmed (a fresh time); content only in the trash is written again from the spool.
   */
  commit(spooledPath: string, sha256: string, size: number): Promise<void>;
  /** The stored bytes, from the trash when the collector moved them there; a BlobMissingError when in neither. */
  open(sha256: string): Promise<Readable>;
  /** Whether the bytes can be read (stored, or in the trash). */
  has(sha256: string): Promise<boolean>;
  /**
   * Every stored blob (not the trash) with when it was last written or confirmed: committing content already stored
   * refreshes that time, so a blob an upload in flight is about to reference always looks new to the collector.
   */
  list(): AsyncIterable<{ sha256: string; writtenAt: Date }>;
  /**
   * The collector's first phase for one blob: moves it into the trash unless it was written or confirmed at or
   * after `notAfter` (then it stays: an upload is using it); true when moved. Its bytes are in the trash before they
   * leave their place (the disk: one rename; S3: a copy, then a delete). Moving what is not there is no error.
   */
  moveToTrash(sha256: string, notAfter: Date, movedAt: Date): Promise<boolean>;
  /** Every copy in the trash. */
  listTrash(): AsyncIterable<TrashedBlob>;
  /**
   * Makes the blob stored again from this trashed copy: 'live' when it already is (nothing copied), 'restored' when
   * copied back (a fresh time), 'gone' when neither it nor this copy is there any more. The copy stays in the trash.
   */
  restoreFromTrash(entry: TrashedBlob): Promise<'live' | 'restored' | 'gone'>;
  /** Deletes this one trashed copy (no error when already gone). */
  deleteFromTrash(entry: TrashedBlob): Promise<void>;
  /** The ownership marker's text (motcua-store.json at the store's root, owner.ts), or null when there is none. */
  readMarker(): Promise<string | null>;
  /** Writes the marker unless one exists: atomic on the disk and where S3 honours If-None-Match (owner.ts). */
  writeMarkerIfAbsent(text: string): Promise<void>;
  /** Writes the marker over the one there (`npm run storage:claim --replace`, owner.ts): whole or not at all. */
  replaceMarker(text: string): Promise<void>;
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

/** The ownership marker's name, at the store's root (DATA_DIR/files/, or the bucket's prefix). */
export const MARKER_NAME = 'motcua-store.json';

/** A trashed copy's name under trash/…/ab/: `<hash>.<movedAt ms>.<random>` (TrashedBlob). */
const TRASH_NAME = /^([0-9a-f]{64})\.(\d{1,15})\.([0-9a-f]{8,32})$/;

export function trashName(sha256: string, movedAt: Date, random: string): string {
  if (!SHA256_HEX.test(sha256)) throw new Error('not a SHA-256 hex digest');
  return `${sha256}.${movedAt.getTime()}.${random}`;
}

/** The hash and the time of moving a trashed copy's name holds; null for any other name. */
export function parseTrashName(name: string): { sha256: string; movedAt: Date } | null {
  const m = TRASH_NAME.exec(name);
  return m ? { sha256: m[1]!, movedAt: new Date(Number(m[2])) } : null;
}

/**
 * Where a blob lives, relative to the store's root: sha256/ab/abcdef… (a level of fan-out keeps folders small); its
 * copies in the trash live under trash/sha256/ab/ (trashName).
 */
export function blobKey(sha256: string): string {
  if (!SHA256_HEX.test(sha256)) throw new Error('not a SHA-256 hex digest');
  return `sha256/${sha256.slice(0, 2)}/${sha256}`;
}
