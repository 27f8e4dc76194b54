/**
 * Blobs in an S3-compatible bucket: <prefix>sha256/ab/<hash>. A file is spooled on the local disk first (it must be
 * counted, hashed and recognised before it is accepted), then uploaded once under its hash with PutObject, which
 * makes an object visible whole or not at all — no temporary key, no copy. The collector's trash is under
 * <prefix>trash/sha256/ab/, the ownership marker at <prefix>motcua-store.json (gc.ts, owner.ts, docs/decisions/0020).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3StorageConfig } from '../config.js';
import { BlobMissingError, MARKER_NAME, SHA256_HEX, blobKey, parseTrashName, trashName, type BlobStore, type TrashedBlob } from './blob.js';

/** The SDK, loaded on first use: it costs start time and memory where files stay on the local disk (docs/decisions/0029). */
type S3Sdk = typeof import('@aws-sdk/client-s3');

const notFound = (err: unknown, sdk: S3Sdk) =>
  err instanceof sdk.S3ServiceException && (err.name === 'NotFound' || err.name === 'NoSuchKey' || err.$metadata.httpStatusCode === 404);

const statusOf = (err: unknown, sdk: S3Sdk) => (err instanceof sdk.S3ServiceException ? err.$metadata.httpStatusCode : undefined);

/** The longest a move may take from its look at the object to its delete (moveToTrash). */
const MOVE_DEADLINE_MS = 10 * 60_000;

/** A trashed copy's key relative to the prefix: trash/sha256/ab/<hash>.<movedAt>.<random> (blob.ts trashName). */
const trashDirOf = (sha256: string) => `trash/${blobKey(sha256).slice(0, blobKey(sha256).lastIndexOf('/'))}/`;

export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;
  readonly spoolDir = path.join(os.tmpdir(), 'motcua-spool');
  private readonly bucket: string;
  private readonly prefix: string;
  private connected: Promise<{ sdk: S3Sdk; client: S3Client }> | null = null;

  constructor(private readonly config: S3StorageConfig) {
    this.bucket = config.bucket;
    this.prefix = config.prefix;
  }

  private connect(): Promise<{ sdk: S3Sdk; client: S3Client }> {
    const config = this.config;
    this.connected ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      client: new sdk.S3Client({
        region: config.region,
        ...(config.endpoint ? { endpoint: config.endpoint, forcePathStyle: true } : {}),
        ...(config.credentials ? { credentials: config.credentials } : {}),
        // Checksums only where S3 requires them: S3-compatible stores do not all accept the SDK's default trailers.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      }),
    }));
    return this.connected;
  }

  private keyOf(sha256: string) {
    return this.prefix + blobKey(sha256);
  }

  /** The bucket's key of a trashed copy this store listed or made; anything else is refused. */
  private trashKeyOf(entry: TrashedBlob) {
    const dir = trashDirOf(entry.sha256);
    if (!entry.key.startsWith(dir) || parseTrashName(entry.key.slice(dir.length))?.sha256 !== entry.sha256)
      throw new Error(`not a trashed copy of ${entry.sha256}: ${entry.key}`);
    return this.prefix + entry.key;
  }

  /** A server-side copy inside the bucket; false when the source is not there. */
  private async copy(fromKey: string, toKey: string): Promise<boolean> {
    const { sdk, client } = await this.connect();
    try {
      await client.send(
        new sdk.CopyObjectCommand({
          Bucket: this.bucket,
          Key: toKey,
          CopySource: `${this.bucket}/${fromKey}`,
          // A copy onto itself must change something (S3 refuses it otherwise): the metadata is written again.
          MetadataDirective: 'REPLACE',
          ContentType: 'application/octet-stream',
        }),
      );
      return true;
    } catch (err) {
      if (notFound(err, sdk)) return false;
      throw err;
    }
  }

  private async delete(key: string): Promise<void> {
    const { sdk, client } = await this.connect();
    await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /** When the stored blob (not the trash) was last written or confirmed; null when it is not stored. */
  private async storedAt(sha256: string): Promise<Date | null> {
    const { sdk, client } = await this.connect();
    try {
      const res = await client.send(new sdk.HeadObjectCommand({ Bucket: this.bucket, Key: this.keyOf(sha256) }));
      return res.LastModified ?? new Date(0);
    } catch (err) {
      if (notFound(err, sdk)) return null;
      throw err;
    }
  }

  async commit(spooledPath: string, sha256: string, size: number): Promise<void> {
    const { sdk, client } = await this.connect();
    // The same content is already stored: confirm it by copying it onto itself (a new LastModified, server side), so
    // the collector leaves it to the upload that is about to reference it. Gone meanwhile (moved to the trash): put
    // again below. Moved to the trash just after this copy: its copy in the trash is there to be read and restored
    // (docs/decisions/0020).
    if ((await this.storedAt(sha256)) && (await this.copy(this.keyOf(sha256), this.keyOf(sha256)))) return;
    await client.send(
      new sdk.PutObjectCommand({
        Bucket: this.bucket,
        Key: this.keyOf(sha256),
        Body: fs.createReadStream(spooledPath),
        ContentLength: size,
        ContentType: 'application/octet-stream',
      }),
    );
  }

  /**
   * The stored object, else a copy in the trash. A copy deleted between the looks (its blob restored meanwhile), or
   * none left, sends it back to the object's place: a blob in neither place after that is missing.
   */
  async open(sha256: string): Promise<Readable> {
    for (let round = 0; ; round++) {
      const stored = await this.get(this.keyOf(sha256));
      if (stored) return stored;
      const copies = await this.trashKeysOf(sha256);
      for (const key of copies) {
        const copy = await this.get(key);
        if (copy) return copy;
      }
      if (!copies.length || round === 2) {
        const restored = await this.get(this.keyOf(sha256));
        if (restored) return restored;
        throw new BlobMissingError(sha256);
      }
    }
  }

  /** An object's bytes, streamed; null when it is not there. */
  private async get(key: string): Promise<Readable | null> {
    const { sdk, client } = await this.connect();
    try {
      const res = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!(res.Body instanceof Readable)) throw new Error('S3 answered without a body stream');
      return res.Body;
    } catch (err) {
      if (notFound(err, sdk)) return null;
      throw err;
    }
  }

  private async trashKeysOf(sha256: string): Promise<string[]> {
    const { sdk, client } = await this.connect();
    const res = await client.send(
      new sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.prefix}${trashDirOf(sha256)}${sha256}.` }),
    );
    return (res.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : []));
  }

  /** Every object under a prefix, page by page. */
  private async *objects(prefix: string): AsyncIterable<{ key: string; lastModified: Date }> {
    const { sdk, client } = await this.connect();
    let token: string | undefined;
    do {
      const page = await client.send(new sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key && o.LastModified) yield { key: o.Key, lastModified: o.LastModified };
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async *list(): AsyncIterable<{ sha256: string; writtenAt: Date }> {
    for await (const o of this.objects(`${this.prefix}sha256/`)) {
      const name = o.key.split('/').at(-1) ?? '';
      if (SHA256_HEX.test(name)) yield { sha256: name, writtenAt: o.lastModified };
    }
  }

  /**
   * The first half of moveToTrash: the blob copied into the trash unless it was confirmed at or after `notAfter`
   * (judged again here, just before the copy); the copy made, or null. Apart from the second half for the tests of
   * a run stopped between them, or of an upload landing between them.
   */
  async copyToTrash(sha256: string, notAfter: Date, movedAt: Date): Promise<TrashedBlob | null> {
    const at = await this.storedAt(sha256);
    if (!at || at >= notAfter) return null;
    const key = trashDirOf(sha256) + trashName(sha256, movedAt, crypto.randomBytes(6).toString('hex'));
    return (await this.copy(this.keyOf(sha256), this.prefix + key)) ? { sha256, key, movedAt } : null;
  }

  /**
   * A copy into the trash, then the delete of the stored object. S3 has no conditional delete: an upload of the same
   * bytes confirming the object between the two has it deleted under it, and reads it from the trash until the
   * collector restores it (docs/decisions/0020 shows why it is not lost).
   */
  async moveToTrash(sha256: string, notAfter: Date, movedAt: Date): Promise<boolean> {
    const started = { monotonic: performance.now(), wall: Date.now() };
    if (!(await this.copyToTrash(sha256, notAfter, movedAt))) return false;
    // The copy's "moved at" bounds when the delete happens: a run held up between the two (a suspended machine) leaves
    // the object in place, copy and all, for the next run, rather than deleting it long after its copy was made. The
    // larger of the two clocks' elapsed times: the monotonic one does not advance while a virtual machine is
    // suspended, the wall clock does (and may be set back, when the monotonic one still counts).
    const elapsed = Math.max(performance.now() - started.monotonic, Date.now() - started.wall);
    if (elapsed > MOVE_DEADLINE_MS) return false;
    await this.deleteStored(sha256);
    return true;
  }

  /** The second half of moveToTrash: the stored object deleted, whatever its time (no conditional delete in S3). */
  async deleteStored(sha256: string): Promise<void> {
    await this.delete(this.keyOf(sha256));
  }

  /** movedAt: the later of the time in the name (the run's clock) and the object's LastModified (the server's). */
  async *listTrash(): AsyncIterable<TrashedBlob> {
    const root = `${this.prefix}trash/sha256/`;
    for await (const o of this.objects(root)) {
      const parsed = parseTrashName(o.key.split('/').at(-1) ?? '');
      if (!parsed) continue;
      const movedAt = new Date(Math.max(parsed.movedAt.getTime(), o.lastModified.getTime()));
      yield { sha256: parsed.sha256, key: o.key.slice(this.prefix.length), movedAt };
    }
  }

  async restoreFromTrash(entry: TrashedBlob): Promise<'live' | 'restored' | 'gone'> {
    const from = this.trashKeyOf(entry);
    if (await this.storedAt(entry.sha256)) return 'live';
    if (await this.copy(from, this.keyOf(entry.sha256))) return 'restored';
    return (await this.storedAt(entry.sha256)) ? 'live' : 'gone';
  }

  async deleteFromTrash(entry: TrashedBlob): Promise<void> {
    await this.delete(this.trashKeyOf(entry));
  }

  async readMarker(): Promise<string | null> {
    const { sdk, client } = await this.connect();
    try {
      const res = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + MARKER_NAME }));
      return (await res.Body?.transformToString('utf8')) ?? '';
    } catch (err) {
      if (notFound(err, sdk)) return null;
      throw err;
    }
  }

  /**
   * A look, then PutObject with If-None-Match: * (AWS S3, recent MinIO): the first writer wins, the others are
   * answered 412 (or 409 while the first is in flight). A server that does not implement the condition (501) is
   * written to without it; one that ignores it (s3rver) lets the last of two writers racing past the look win —
   * owner.ts reads the marker back, and the run that claims a store removes nothing.
   */
  async writeMarkerIfAbsent(text: string): Promise<void> {
    if ((await this.readMarker()) !== null) return;
    const { sdk, client } = await this.connect();
    const put = (condition: boolean) =>
      client.send(
        new sdk.PutObjectCommand({
          Bucket: this.bucket,
          Key: this.prefix + MARKER_NAME,
          Body: text,
          ContentType: 'application/json',
          ...(condition ? { IfNoneMatch: '*' } : {}),
        }),
      );
    try {
      await put(true);
    } catch (err) {
      const status = statusOf(err, sdk);
      if (status === 412 || status === 409) return;
      if (status !== 501) throw err;
      await put(false);
    }
  }

  async replaceMarker(text: string): Promise<void> {
    const { sdk, client } = await this.connect();
    await client.send(
      new sdk.PutObjectCommand({ Bucket: this.bucket, Key: this.prefix + MARKER_NAME, Body: text, ContentType: 'application/json' }),
    );
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.storedAt(sha256)) !== null || (await this.trashKeysOf(sha256)).length > 0;
  }
}
