/**
 * File storage (src/storage, docs/decisions/0012): the same behaviour on the local disk and on an S3-compatible
 * server (s3rver, started here on a free port in a temporary folder); the move of files kept in the database.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, describe, expect, it } from 'vitest';
import { useS3Server } from './support/s3-server.js';
import { eq, sql } from 'drizzle-orm';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { dossierFiles, procedureTemplates } from '../src/db/schema/index.js';
import { BlobRefusedError, blobKey, blobStore, hasBlob, openBlob, openBlobStore, putBlob, type BlobStore } from '../src/storage/index.js';
import { moveDatabaseFiles } from '../src/storage/move-database-files.js';
import { readTemplate } from '../src/procedures/document-templates.js';
import { readResultFile } from '../src/dossiers/attach-result.js';
import { receiveAtCounter } from './support/reception.js';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';

const MB = 1024 * 1024;
const PDF_ONLY = new Set(['pdf'] as const);

/** A PDF-looking file of `size` bytes, produced in 64 KB chunks; `sent` counts what was pulled from it. */
function pdfStream(size: number, seed = 1) {
  const state = { sent: 0 };
  const head = Buffer.from(`%PDF-1.4\n% seed ${seed}\n`);
  const stream = Readable.from(
    (function* () {
      let at = 0;
      while (at < size) {
        const n = Math.min(64 * 1024, size - at);
        const chunk = Buffer.alloc(n, (at / 65536 + seed) % 251);
        if (at === 0) head.copy(chunk);
        at += n;
        state.sent = at;
        yield chunk;
      }
    })(),
  );
  return { stream, state };
}

const sha256Of = async (s: Readable) =>
  crypto
    .createHash('sha256')
    .update(await buffer(s))
    .digest('hex');

type Backend = { name: string; store: () => BlobStore; objects: () => Promise<string[]> };

const localDir = fs.mkdtempSync(path.join(os.tmpdir(), 'motcua-storage-test-'));
const s3rver = useS3Server('motcua-test');

afterAll(() => {
  fs.rmSync(localDir, { recursive: true, force: true });
});

const listFiles = (dir: string): string[] =>
  fs.existsSync(dir)
    ? fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.join(e.parentPath, e.name))
    : [];

let local: BlobStore | null = null;
let s3: BlobStore | null = null;
const backends: Backend[] = [
  {
    name: 'local disk',
    store: () => (local ??= openBlobStore({ kind: 'local', dir: localDir })),
    objects: async () => listFiles(localDir).map((f) => path.relative(localDir, f).split(path.sep).join('/')),
  },
  {
    name: 'S3 (s3rver)',
    store: () => (s3 ??= openBlobStore(s3rver.config())),
    objects: async () => {
      const client = new S3Client({
        region: 'us-east-1',
        endpoint: s3rver.config().endpoint,
        forcePathStyle: true,
        credentials: s3rver.config().credentials!,
      });
      const res = await client.send(new ListObjectsV2Command({ Bucket: 'motcua-test' }));
      client.destroy();
      return (res.Contents ?? []).map((o) => o.Key!);
    },
  },
];

describe.each(backends)('file storage on the $name', (b) => {
  it('streams a file in and out: same bytes, named by their SHA-256', async () => {
    const store = b.store();
    const { stream } = pdfStream(3 * MB + 123, 1);
    const put = await putBlob(stream, { maxBytes: 10 * MB, kinds: PDF_ONLY, store });
    const expected = await sha256Of(pdfStream(3 * MB + 123, 1).stream);
    expect(put).toEqual({ sha256: expected, size: 3 * MB + 123, type: expect.objectContaining({ kind: 'pdf' }) });
    expect(await hasBlob(put.sha256, store)).toBe(true);
    expect(await sha256Of(await openBlob(put.sha256, store))).toBe(expected);
    expect(await b.objects()).toContain(`${b.name === 'local disk' ? '' : 'ho-so/'}${blobKey(expected)}`);
  });

  it('stores the same content once, however often it comes', async () => {
    const store = b.store();
    const before = await b.objects();
    const [one, two] = await Promise.all([
      putBlob(pdfStream(200_000, 2).stream, { maxBytes: MB, store }),
      putBlob(pdfStream(200_000, 2).stream, { maxBytes: MB, store }),
    ]);
    const three = await putBlob(pdfStream(200_000, 2).stream, { maxBytes: MB, store });
    expect(two.sha256).toBe(one.sha256);
    expect(three.sha256).toBe(one.sha256);
    expect((await b.objects()).length).toBe(before.length + 1);
  });

  it('refuses a file over the limit while it streams, leaving nothing behind', async () => {
    const store = b.store();
    const before = await b.objects();
    const { stream, state } = pdfStream(50 * MB, 3);
    const err = await putBlob(stream, { maxBytes: MB, kinds: PDF_ONLY, store }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlobRefusedError);
    expect((err as BlobRefusedError).reason).toBe('too_large');
    // Stopped soon after the limit, not at the end of the 50 MB.
    expect(state.sent).toBeLessThan(2 * MB);
    expect(await b.objects()).toEqual(before);
    expect(listFiles(store.spoolDir)).toEqual([]);
  });

  it('refuses by content what is not of an accepted type, and an empty file', async () => {
    const store = b.store();
    const before = await b.objects();
    const html = new TextEncoder().encode('<html>giấy phép.pdf</html>');
    const wrong = await putBlob(Readable.from([html]), { maxBytes: MB, kinds: PDF_ONLY, store }).catch((e: unknown) => e);
    expect((wrong as BlobRefusedError).reason).toBe('type');
    const empty = await putBlob(new Uint8Array(), { maxBytes: MB, store }).catch((e: unknown) => e);
    expect((empty as BlobRefusedError).reason).toBe('empty');
    expect(await b.objects()).toEqual(before);
    expect(listFiles(store.spoolDir)).toEqual([]);
    const unknownHash = crypto.createHash('sha256').update('nothing stored').digest('hex');
    expect(await hasBlob(unknownHash, store)).toBe(false);
    await expect(openBlob(unknownHash, store)).rejects.toThrow('no stored file');
  });
});

describe('files kept in the database (bytea) move into storage', () => {
  const t = useDemoApp();

  it('moves an existing template row, served from its bytes before and from storage after', async () => {
    const bytes = Buffer.from('%PDF-1.4\n% một mẫu đơn cũ, lưu trong cơ sở dữ liệu\n');
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    // The old way: the bytes in the row.
    const [row] = await t.database.db
      .insert(procedureTemplates)
      .values({ sha256, fileName: 'Mẫu cũ.pdf', mediaType: 'application/pdf', size: bytes.length, bytes })
      .returning({ id: procedureTemplates.id });
    const id = row!.id;
    expect(await hasBlob(sha256)).toBe(false);
    expect((await buffer(await (await readTemplate(t.database.db, id)).open())).equals(bytes)).toBe(true);

    const moved = await moveDatabaseFiles(t.database.db, blobStore());
    expect(moved.templates).toBeGreaterThanOrEqual(1);
    const [after] = await t.database.db
      .select({ stored: sql<boolean>`${procedureTemplates.bytes} is not null` })
      .from(procedureTemplates)
      .where(eq(procedureTemplates.id, id));
    expect(after!.stored).toBe(false);
    expect(await hasBlob(sha256)).toBe(true);
    const res = await t.app.request(`http://localhost/tai-mau/${id}`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    expect(res.headers.get('content-length')).toBe(String(bytes.length));
    // Nothing left to move; running it again is harmless.
    expect(await moveDatabaseFiles(t.database.db, blobStore())).toEqual({ dossierFiles: 0, templates: 0 });
  });

  it('moves an existing result file of a dossier', async () => {
    const clerk = await actorFor(t.database, sctClerkUsername());
    const { p } = await currentProcedure(t.database, '2.000190');
    const d = await receiveAtCounter(t.database.db, clerk, { procedureId: p.id, channel: '1', fullName: 'Người Nộp Cũ' });
    const content = Buffer.from('%PDF-1.4\n% giấy phép cũ, lưu trong cơ sở dữ liệu\n');
    const sha256 = crypto.createHash('sha256').update(content).digest('hex');
    const [row] = await t.database.db
      .insert(dossierFiles)
      .values({ dossierId: d.id, kind: 'result', name: 'Giấy phép.pdf', mime: 'application/pdf', size: content.length, sha256, content })
      .returning({ id: dossierFiles.id });
    expect((await moveDatabaseFiles(t.database.db, blobStore())).dossierFiles).toBe(1);
    const [after] = await t.database.db.select().from(dossierFiles).where(eq(dossierFiles.id, row!.id));
    expect(after!.content).toBeNull();
    const f = await readResultFile(t.database.db, clerk, d.id, row!.id, new Date());
    expect((await buffer(await f.open())).equals(content)).toBe(true);
  });

  it('refuses to move a row whose bytes do not match its recorded hash, leaving it as it is', async () => {
    const bytes = Buffer.from('%PDF-1.4\n% hỏng\n');
    await t.database.db
      .insert(procedureTemplates)
      .values({ sha256: 'a'.repeat(64), fileName: 'Hỏng.pdf', mediaType: 'application/pdf', size: bytes.length, bytes });
    await expect(moveDatabaseFiles(t.database.db, blobStore())).rejects.toThrow('do not match');
    expect(await hasBlob('a'.repeat(64))).toBe(false);
  });
});
