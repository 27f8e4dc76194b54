/**
 * An upload route's multipart body, read as it streams (busboy): the text fields are kept (small, counted), each
 * file part is written to a spool file under the file store's spool folder as it arrives, so no file is ever whole
 * in memory; the whole body is counted and refused past its limit. Storage (putBlob) then streams a part from its
 * spool file, checking its size and content; the spool files of a request are removed when its answer is sent.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { AppError } from '../shared/errors.js';
import { blobStore } from '../storage/index.js';

/**
 * A file part of the form, on disk. `tooLarge`: it passed the route's per-file limit while streaming; what came
 * of it is discarded (the spool file is emptied), and the route says so beside its field.
 */
export type SpooledPart = { name: string; size: number; path: string; tooLarge?: true };

export type StreamedForm = { fields: FormData; files: Map<string, SpooledPart> };

export class BodyTooLarge extends Error {}
class TooManyParts extends Error {}

/** Reads a multipart body into fields and spooled files; `spooled` collects every file written (for cleanup). */
export async function readMultipartStreaming(
  body: ReadableStream<Uint8Array> | null,
  contentType: string,
  limits: { maxBytes: number; maxParts: number; maxFieldBytes: number; maxFileBytes?: number | undefined },
  spooled: string[],
): Promise<StreamedForm> {
  const fields = new FormData();
  const files = new Map<string, SpooledPart>();
  if (!body) return { fields, files };
  const dir = blobStore().spoolDir;
  await fs.promises.mkdir(dir, { recursive: true });
  let total = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      total += chunk.length;
      if (total > limits.maxBytes) return done(new BodyTooLarge());
      done(null, chunk);
    },
  });
  let bb: busboy.Busboy;
  try {
    bb = busboy({
      headers: { 'content-type': contentType },
      // Browsers send file names as UTF-8 (busboy's default for them is latin1).
      defParamCharset: 'utf8',
      limits: {
        parts: limits.maxParts,
        fields: limits.maxParts,
        files: limits.maxParts,
        fieldSize: limits.maxFieldBytes,
        // busboy stops writing a part past this and drains the rest of it; the next parts are read as usual.
        ...(limits.maxFileBytes ? { fileSize: limits.maxFileBytes } : {}),
      },
    });
  } catch {
    // No boundary, or not multipart at all.
    throw new AppError('invalid_form', 'Dữ liệu biểu mẫu gửi lên không hợp lệ. Vui lòng tải lại trang và thử lại.', 400);
  }
  const writes: Promise<void>[] = [];
  bb.on('field', (name, value, info) => {
    if (info.valueTruncated) bb.emit('error', new BodyTooLarge());
    else fields.append(name, value);
  });
  bb.on('file', (name, stream, info) => {
    const file = path.join(dir, `${crypto.randomUUID()}.upload`);
    spooled.push(file);
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
    });
    let tooLarge = false;
    stream.on('limit', () => {
      tooLarge = true;
    });
    writes.push(
      pipeline(stream, fs.createWriteStream(file, { flags: 'wx' })).then(async () => {
        // The head of a part past its limit is not kept: nothing of it reaches storage.
        if (tooLarge) await fs.promises.truncate(file, 0);
        // A later part of the same name wins, as in FormData.get's last-value-for-strings rule used by formData().
        files.set(name, {
          name: info.filename ?? '',
          size: tooLarge ? 0 : size,
          path: file,
          ...(tooLarge ? { tooLarge: true as const } : {}),
        });
      }),
    );
  });
  for (const event of ['partsLimit', 'filesLimit', 'fieldsLimit'] as const) bb.on(event, () => bb.emit('error', new TooManyParts()));
  try {
    await pipeline(Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>), counter, bb);
    await Promise.all(writes);
  } catch (err) {
    await Promise.allSettled(writes);
    if (err instanceof BodyTooLarge) throw err;
    if (err instanceof TooManyParts)
      throw new AppError('too_many_fields', `Biểu mẫu gửi lên có quá nhiều trường (tối đa ${limits.maxParts}).`, 413);
    throw new AppError('invalid_form', 'Dữ liệu biểu mẫu gửi lên không hợp lệ. Vui lòng tải lại trang và thử lại.', 400);
  }
  return { fields, files };
}

/** Remove a request's spool files (their content went to storage, or nowhere). */
export async function removeSpooled(files: string[]): Promise<void> {
  await Promise.all(files.map((f) => fs.promises.rm(f, { force: true })));
}
