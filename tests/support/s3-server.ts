/**
 * An S3-compatible server (s3rver) for one test file: started on a free port in a temporary folder before the
 * file's tests, closed and removed after them. Its storage settings come through config.ts, as STORAGE_URL and its
 * variables would be set in production.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig, type S3StorageConfig } from '../../src/config.js';

export function useS3Server(bucket: string): { config(): S3StorageConfig } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${bucket}-s3rver-`));
  let server: S3rver | null = null;
  let config: S3StorageConfig | null = null;
  beforeAll(async () => {
    server = new S3rver({ port: 0, address: '127.0.0.1', directory: dir, silent: true, configureBuckets: [{ name: bucket }] });
    const { port } = await server.run();
    const loaded = loadConfig({
      NODE_ENV: 'test',
      STORAGE_URL: `s3://${bucket}/ho-so/`,
      STORAGE_S3_ENDPOINT: `http://127.0.0.1:${port}`,
      STORAGE_S3_ACCESS_KEY_ID: 'S3RVER',
      STORAGE_S3_SECRET_ACCESS_KEY: 'S3RVER',
    });
    if (loaded.storage.kind !== 's3') throw new Error('expected the S3 storage');
    config = loaded.storage;
  });
  afterAll(async () => {
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    config: () => {
      if (!config) throw new Error('the S3 server is not started yet (call config() inside a test)');
      return config;
    },
  };
}
