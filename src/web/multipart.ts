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
/** A file part the route does not take (not among `fileFields`, or a second file of one field). */
class UnexpectedFile extends Error {}
/** A spool file could not be written: the server's trouble (503), not the sender's. */
class SpoolFailed extends Error {
  constructor(cause: unknown) {
    super('a spool file could not be written', { cause });
  }
}
/** The text fields together past `maxFieldsBytes`. */
class TooMuchText extends Error {}

/**
 * The limits of one body. `maxFieldsBytes`: all text fields together — they are kept in memory, unlike files, so
 * the body's limit (sized for files) must not be theirs. `fileFields`: the only names a file part may have, each
 * once; unset, any name (a later part of a name wins).
 */
export type MultipartLimits = {
  maxBytes: number;
  maxParts: number;
  maxFieldBytes: number;
  maxFieldsBytes: number;
  maxFileBytes?: number | undefined;
  fileFields?: ReadonlySet<string> | undefined;
};

/** Reads a multipart body into fields and spooled files; `spooled` collects every file written (for cleanup). */
export async function readMultipartStreaming(
  body: ReadableStream<Uint8Array> | null,
  contentType: string,
  limits: MultipartLimits,
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
  // The first refusal ends the body; busboy may still hand over parts of the chunk it is parsing, which are ignored
  // (a second 'error' would find no listener once the pipeline has failed, and end the process).
  let failed = false;
  const fail = (err: Error) => {
    if (failed) return;
    failed = true;
    bb.emit('error', err);
  };
  // Busboy's own refusals (a malformed part header) end the body too: after one, a part it still parses from the same
  // chunk must not be spooled — nothing would ever end its stream, and the request would wait for it for good.
  bb.prependListener('error', () => {
    failed = true;
  });
  let fieldsBytes = 0;
  bb.on('field', (name, value, info) => {
    fieldsBytes += Buffer.byteLength(name) + Buffer.byteLength(value);
    if (failed) return;
    if (info.valueTruncated) fail(new BodyTooLarge());
    else if (fieldsBytes > limits.maxFieldsBytes) fail(new TooMuchText());
    else fields.append(name, value);
  });
  const seen = new Set<string>();
  bb.on('file', (name, stream, info) => {
    if (failed || bb.destroyed || (limits.fileFields && (!limits.fileFields.has(name) || seen.has(name)))) {
      // Nothing of it is written: a form of ours never sends it. Ending the body destroys this stream with the
      // refusal, which it must not throw as an unhandled error.
      stream.on('error', () => {});
      stream.resume();
      fail(new UnexpectedFile());
      return;
    }
    seen.add(name);
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
    const write = pipeline(stream, fs.createWriteStream(file, { flags: 'wx' })).then(async () => {
      // The head of a part past its limit is not kept: nothing of it reaches storage.
      if (tooLarge) await fs.promises.truncate(file, 0);
      // A later part of the same name wins, as in FormData.get's last-value-for-strings rule used by formData().
      files.set(name, {
        name: info.filename ?? '',
        size: tooLarge ? 0 : size,
        path: file,
        ...(tooLarge ? { tooLarge: true as const } : {}),
      });
    });
    // A spool file that cannot be written (a full disk, too many open files) ends the body at once: unhandled until
    // the body ended, the rejection would end the process; merely caught, the request would wait for good — busboy
    // waits on the part's stream the failed write destroyed. (A write ended by another refusal is wrapped too, but
    // that refusal is what the body fails with: fail() keeps the first.)
    const settled = write.catch((err: unknown) => {
      const failure = new SpoolFailed(err);
      fail(failure);
      throw failure;
    });
    // Handled now (the body may go on for a while before `writes` is awaited below, where it still rejects).
    settled.catch(() => {});
    writes.push(settled);
  });
  for (const event of ['partsLimit', 'filesLimit', 'fieldsLimit'] as const) bb.on(event, () => fail(new TooManyParts()));
  try {
    await pipeline(Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>), counter, bb);
    await Promise.all(writes);
  } catch (err) {
    await Promise.allSettled(writes);
    if (err instanceof BodyTooLarge) throw err;
    if (err instanceof TooManyParts)
      throw new AppError('too_many_fields', `Biểu mẫu gửi lên có quá nhiều trường (tối đa ${limits.maxParts}).`, 413);
    if (err instanceof TooMuchText)
      throw new AppError(
        'form_text_too_large',
        `Nội dung chữ của biểu mẫu quá dài (tối đa ${Math.round(limits.maxFieldsBytes / 1024)} KB). Vui lòng rút gọn rồi gửi lại.`,
        413,
      );
    if (err instanceof SpoolFailed)
      throw new AppError('spool_failed', 'Máy chủ tạm thời không lưu được tệp gửi lên. Vui lòng thử lại sau ít phút.', 503, undefined, {
        cause: err,
        retryAfterSeconds: 60,
      });
    if (err instanceof UnexpectedFile)
      throw new AppError('unexpected_file', 'Biểu mẫu gửi lên có tệp không thuộc biểu mẫu này. Vui lòng tải lại trang và thử lại.', 400);
    throw new AppError('invalid_form', 'Dữ liệu biểu mẫu gửi lên không hợp lệ. Vui lòng tải lại trang và thử lại.', 400);
  }
  return { fields, files };
}

/** Remove a request's spool files (their content went to storage, or nowhere). */
export async function removeSpooled(files: string[]): Promise<void> {
  await Promise.all(files.map((f) => fs.promises.rm(f, { force: true })));
}
