/**
 * Spool files left behind. An upload's parts are spooled to disk while its request runs (web/multipart.ts) and a blob
 * is written through a spool file (storage/index.ts putBlob); each request removes its own. A process that dies
 * mid-request — a crash, a kill -9 — leaves them, and a crash that repeats would fill the disk. So every instance
 * sweeps its spool folder when it starts, and the hourly job uploads.staged_purge sweeps the worker's.
 *
 * A file is swept only once it is far older than a request lives: Node bounds how long a body takes to arrive (5
 * minutes, server.requestTimeout) and every chunk written touches its file, but a handler has no bound of its own — a
 * part waits while the parts before it go to storage — so the margin is hours, not minutes. With S3 the spool folder is
 * the machine's (os.tmpdir()), shared by its processes: the same age rule keeps the others' live files.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BlobStore } from './blob.js';

/** Older than this, a spool file belongs to no live request. */
export const SPOOL_MAX_AGE_MS = 6 * 3_600_000;

/**
 * The names the spool folder's writers give: uploads' parts (web/multipart.ts), putBlob's writes (index.ts), db:move's
 * copies (ops/copy-files.ts), the trash's restores and the store's marker (local.ts).
 */
const SPOOLED = /^(?:[0-9a-f-]{36}\.(?:upload|part)|(?:move|restore)-[0-9a-f]{64}-[0-9a-f-]{36}|marker-[0-9a-f-]{36})$/;

/** Removes the spool files last written before `now − maxAgeMs`; returns how many went. Anything else is left. */
export async function sweepSpool(store: Pick<BlobStore, 'spoolDir'>, now: Date, maxAgeMs = SPOOL_MAX_AGE_MS): Promise<number> {
  let names: string[];
  try {
    names = await fs.promises.readdir(store.spoolDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  let removed = 0;
  for (const name of names) {
    if (!SPOOLED.test(name)) continue;
    const file = path.join(store.spoolDir, name);
    const stat = await fs.promises.lstat(file).catch(() => null);
    if (!stat?.isFile() || stat.mtimeMs > now.getTime() - maxAgeMs) continue;
    await fs.promises.rm(file, { force: true });
    removed++;
  }
  return removed;
}
