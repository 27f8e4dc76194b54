/**
 * Setup file of the database tests (vitest.config.ts): file storage on the local disk in a temporary folder of
 * this test file's own, removed afterwards (tests/storage.test.ts also runs the S3 store).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { openBlobStore, setBlobStore } from '../../src/storage/index.js';

let dir: string | null = null;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'motcua-files-'));
  setBlobStore(openBlobStore({ kind: 'local', dir }));
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});
