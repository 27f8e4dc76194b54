/**
 * Blobs in an S3-compatible bucket: <prefix>sha256/ab/<hash>. A file is spooled on the local disk first (it must be
 * counted, hashed and recognised before it is accepted), then uploaded once under its hash with PutObject, which
 * makes an object visible whole or not at all — no temporary key, no copy.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3StorageConfig } from '../config.js';
import { BlobMissingError, SHA256_HEX, blobKey, type BlobStore } from './blob.js';

/** The SDK, loaded on first use: it costs start time and memory where files stay on the local disk (docs/decisions/0029). */
type S3Sdk = typeof import('@aws-sdk/client-s3');

const notFound = (err: unknown, sdk: S3Sdk) =>
  err instanceof sdk.S3ServiceException && (err.name === 'NotFound' || err.name === 'NoSuchKey' || err.$metadata.httpStatusCode === 404);

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

  async commit(spooledPath: string, sha256: string, size: number): Promise<void> {
    const { sdk, client } = await this.connect();
    // The same content is already stored: confirm it by copying it onto itself (a new LastModified, server side), so
    // the collector leaves it to the upload that is about to reference it.
    if (await this.has(sha256)) {
      try {
        await client.send(
          new sdk.CopyObjectCommand({
            Bucket: this.bucket,
            Key: this.keyOf(sha256),
            CopySource: `${this.bucket}/${this.keyOf(sha256)}`,
            MetadataDirective: 'REPLACE',
            ContentType: 'application/octet-stream',
          }),
        );
        return;
      } catch (err) {
        if (!notFound(err, sdk)) throw err; // gone meanwhile: put again below
      }
    }
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

  async open(sha256: string): Promise<Readable> {
    const { sdk, client } = await this.connect();
    try {
      const res = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(sha256) }));
      if (!(res.Body instanceof Readable)) throw new Error('S3 answered without a body stream');
      return res.Body;
    } catch (err) {
      if (notFound(err, sdk)) throw new BlobMissingError(sha256);
      throw err;
    }
  }

  async *list(): AsyncIterable<{ sha256: string; writtenAt: Date }> {
    const { sdk, client } = await this.connect();
    let token: string | undefined;
    do {
      const page = await client.send(
        new sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.prefix}sha256/`, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) {
        const name = o.Key?.split('/').at(-1) ?? '';
        if (SHA256_HEX.test(name) && o.LastModified) yield { sha256: name, writtenAt: o.LastModified };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async has(sha256: string): Promise<boolean> {
    const { sdk, client } = await this.connect();
    try {
      await client.send(new sdk.HeadObjectCommand({ Bucket: this.bucket, Key: this.keyOf(sha256) }));
      return true;
    } catch (err) {
      if (notFound(err, sdk)) return false;
      throw err;
    }
  }
}
