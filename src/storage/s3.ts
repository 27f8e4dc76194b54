/**
 * Blobs in an S3-compatible bucket: <prefix>sha256/ab/<hash>. A file is spooled on the local disk first (it must be
 * counted, hashed and recognised before it is accepted), then uploaded once under its hash with PutObject, which
 * makes an object visible whole or not at all — no temporary key, no copy.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { S3StorageConfig } from '../config.js';
import { BlobMissingError, blobKey, type BlobStore } from './blob.js';

const notFound = (err: unknown) =>
  err instanceof S3ServiceException && (err.name === 'NotFound' || err.name === 'NoSuchKey' || err.$metadata.httpStatusCode === 404);

export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;
  readonly spoolDir = path.join(os.tmpdir(), 'motcua-spool');
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(config: S3StorageConfig) {
    this.bucket = config.bucket;
    this.prefix = config.prefix;
    this.client = new S3Client({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint, forcePathStyle: true } : {}),
      ...(config.credentials ? { credentials: config.credentials } : {}),
      // Checksums only where S3 requires them: S3-compatible stores do not all accept the SDK's default trailers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  private keyOf(sha256: string) {
    return this.prefix + blobKey(sha256);
  }

  async commit(spooledPath: string, sha256: string, size: number): Promise<void> {
    if (await this.has(sha256)) return; // the same content is already stored
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.keyOf(sha256),
        Body: fs.createReadStream(spooledPath),
        ContentLength: size,
        ContentType: 'application/octet-stream',
      }),
    );
  }

  async open(sha256: string): Promise<Readable> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(sha256) }));
      if (!(res.Body instanceof Readable)) throw new Error('S3 answered without a body stream');
      return res.Body;
    } catch (err) {
      if (notFound(err)) throw new BlobMissingError(sha256);
      throw err;
    }
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.keyOf(sha256) }));
      return true;
    } catch (err) {
      if (notFound(err)) return false;
      throw err;
    }
  }
}
