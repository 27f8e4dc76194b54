/**
 * File storage (docs/decisions/0012-file-storage.md): content-addressed blobs, named by the SHA-256 of their bytes,
 * on the local disk under DATA_DIR/files (default) or in an S3-compatible bucket (STORAGE_URL=s3://…). Tables keep
 * the hash, size and content type of a file; the bytes live here.
 *
 * - putBlob streams a file in: it is counted (refused the moment it passes maxBytes) and hashed on its way to a
 *   spool file on the local disk, recognised by content there (shared/file-types.ts reads a few pieces of it, never
 *   the whole file), and only then committed under its hash. The same content is stored once; a refused file leaves
 *   nothing behind.
 * - openBlob streams a file out; hasBlob tells whether it is stored.
 *
 * The store is one per process, like the database: main.ts (and the tests' setup) set it from the configuration.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { StorageConfig } from '../config.js';
import { detectFileType, type ByteSource, type FileKind, type FileType } from '../shared/file-types.js';

export { BlobRefusedError, blobKey, type BlobStore, type IncomingFile, type StoredBlob } from './blob.js';
import { BlobRefusedError, type BlobStore, type StoredBlob } from './blob.js';
import { LocalBlobStore } from './local.js';
import { S3BlobStore } from './s3.js';

export function openBlobStore(config: StorageConfig): BlobStore {
  return config.kind === 'local' ? new LocalBlobStore(config.dir) : new S3BlobStore(config);
}

let current: BlobStore | null = null;

/** Sets the process's store (main.ts, db:migrate, the tests' setup). */
export function setBlobStore(store: BlobStore): void {
  current = store;
}

export function blobStore(): BlobStore {
  if (!current) throw new Error('file storage is not configured (setBlobStore)');
  return current;
}

export type PutOptions = {
  /** Refused while streaming as soon as the file passes this size. */
  maxBytes: number;
  /** When given, a file whose content is none of these kinds is refused and not stored. */
  kinds?: ReadonlySet<FileKind>;
  store?: BlobStore;
};

type Incoming = Readable | ReadableStream<Uint8Array> | Uint8Array;

/** Streams a file into storage: see the module comment. Throws BlobRefusedError for an empty, too large or unwanted file. */
export async function putBlob(input: Incoming, opts: PutOptions): Promise<StoredBlob> {
  const store = opts.store ?? blobStore();
  const source =
    input instanceof Readable
      ? input
      : input instanceof Uint8Array
        ? Readable.from([input])
        : Readable.fromWeb(input as import('node:stream/web').ReadableStream<Uint8Array>);
  await fs.promises.mkdir(store.spoolDir, { recursive: true });
  const spooled = path.join(store.spoolDir, `${crypto.randomUUID()}.part`);
  const hash = crypto.createHash('sha256');
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      size += chunk.length;
      if (size > opts.maxBytes) return done(new BlobRefusedError('too_large'));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(source, counter, fs.createWriteStream(spooled, { flags: 'wx' }));
    if (size === 0) throw new BlobRefusedError('empty');
    const type = await detectSpooled(spooled, size);
    if (opts.kinds && (!type || !opts.kinds.has(type.kind))) throw new BlobRefusedError('type');
    const sha256 = hash.digest('hex');
    await store.commit(spooled, sha256, size);
    return { sha256, size, type };
  } finally {
    // Committed (taken over by the store) or refused: nothing stays in the spool.
    await fs.promises.rm(spooled, { force: true });
  }
}

/** The file type of a spooled file, read in small positional pieces. */
async function detectSpooled(file: string, size: number): Promise<FileType | null> {
  const fh = await fs.promises.open(file, 'r');
  try {
    // Reads are synchronous (the detector is), a few small pieces of a local file.
    const source: ByteSource = {
      length: size,
      read(at, length) {
        const from = Math.max(0, Math.min(at, size));
        const n = Math.max(0, Math.min(length, size - from));
        const buf = Buffer.alloc(n);
        let got = 0;
        while (got < n) {
          const r = fs.readSync(fh.fd, buf, got, n - got, from + got);
          if (r === 0) break;
          got += r;
        }
        return buf.subarray(0, got);
      },
    };
    return detectFileType(source);
  } finally {
    await fh.close();
  }
}

/** A stored file, streamed. */
export function openBlob(sha256: string, store: BlobStore = blobStore()): Promise<Readable> {
  return store.open(sha256);
}

export function hasBlob(sha256: string, store: BlobStore = blobStore()): Promise<boolean> {
  return store.has(sha256);
}
