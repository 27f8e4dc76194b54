import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SPOOL_MAX_AGE_MS, sweepSpool } from './spool.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await fs.promises.rm(d, { recursive: true, force: true });
});

async function spoolWith(files: Array<[name: string, ageMs: number]>, now: Date) {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'spool-'));
  dirs.push(dir);
  for (const [name, age] of files) {
    const file = path.join(dir, name);
    await fs.promises.writeFile(file, 'x');
    const at = new Date(now.getTime() - age);
    await fs.promises.utimes(file, at, at);
  }
  return dir;
}

describe('sweepSpool: what a process that died mid-request left in the spool folder', () => {
  const now = new Date('2026-12-05T08:00:00Z');
  const old = SPOOL_MAX_AGE_MS + 60_000;

  it('removes the uploads’ parts, putBlob’s writes, db:move’s copies, restores and markers older than any request, nothing else', async () => {
    const uuid = () => crypto.randomUUID();
    const [oldUpload, oldPart, oldMove, oldRestore, oldMarker] = [
      `${uuid()}.upload`,
      `${uuid()}.part`,
      `move-${'a'.repeat(64)}-${uuid()}`,
      `restore-${'b'.repeat(64)}-${uuid()}`,
      `marker-${uuid()}`,
    ];
    const [liveUpload, livePart] = [`${uuid()}.upload`, `${uuid()}.part`];
    const dir = await spoolWith(
      [
        [oldUpload, old],
        [oldPart, old],
        [oldMove, old],
        [oldRestore, old],
        [oldMarker, old],
        // A request still streaming touches its file with every chunk.
        [liveUpload, 1_000],
        [livePart, SPOOL_MAX_AGE_MS - 60_000],
        // Not a spool file's name: someone else's, left alone however old.
        ['notes.txt', old],
        [`${uuid()}.upload.bak`, old],
      ],
      now,
    );
    await fs.promises.mkdir(path.join(dir, `${uuid()}.upload`));
    expect(await sweepSpool({ spoolDir: dir }, now)).toBe(5);
    const left = await fs.promises.readdir(dir);
    expect(left).toContain(liveUpload);
    expect(left).toContain(livePart);
    expect(left).toContain('notes.txt');
    for (const gone of [oldUpload, oldPart, oldMove, oldRestore, oldMarker]) expect(left).not.toContain(gone);
    expect(left).toHaveLength(5);
  });

  it('a spool folder not made yet is nothing to sweep', async () => {
    expect(await sweepSpool({ spoolDir: path.join(os.tmpdir(), `no-spool-${crypto.randomUUID()}`) }, now)).toBe(0);
  });
});
