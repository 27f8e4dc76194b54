/**
 * The only way the application reads a request body. Every body is small unless its route declares an upload:
 *
 * - `limitBody` (app.tsx, before the session): a body over its route's limit is refused on its Content-Length
 *   without being read; a body without one is counted as it streams (Hono's bodyLimit) up to the small limit.
 *   An upload route's body is left unread until the session is known.
 * - `readForm` (the CSRF check and the routes): counts the fields in the raw bytes before anything is parsed, then
 *   parses once per request (the CSRF check and the route share the result). On an upload route the body is read
 *   only when the route's gate lets the request through (an official's session; a citizen's on the portal's
 *   uploads): an anonymous upload is refused before one byte of it is read. An upload's multipart body is read as
 *   it streams (multipart.ts): its files go to spool files, never whole into memory, and are gone after the answer.
 * - `readJson` (the JSON API): the small limit, and a Vietnamese message for what is not JSON.
 *
 * The small limits leave ample room for the largest forms we serve, measured over every post form of every admin
 * page with the demo data: the procedure editor (25 fields, 0.65 KB), Phân quyền (10 fields), Thông tin tài khoản
 * (11 fields). A procedure listing 40 documents of 150 Vietnamese characters each encodes to about 14 KB.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { matchedRoutes } from 'hono/route';
import { MAX_RESULT_BYTES } from '../dossiers/attach-result.js';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { AppError, errors } from '../shared/errors.js';
import { BodyTooLarge, readMultipartStreaming, removeSpooled, type MultipartLimits, type SpooledPart } from './multipart.js';
import { takeUploadSlot } from './uploads-in-flight.js';
import type { AppEnv } from './env.js';

type Ctx = Context<AppEnv>;

/** A form or JSON body: every route but the uploads, and every anonymous request. */
export const FORM_MAX_BYTES = 64 * 1024;
/** Fields of one form, counted in the raw bytes before parsing (also for uploads). */
export const FORM_MAX_FIELDS = 256;
/**
 * An upload's text fields together (they are held in memory while its files stream to disk): room for the longest
 * tờ khai — 40 answers of 4,000 characters, three bytes each in the worst case — and the form around it. Before, only
 * the body's limit bounded them: megabytes of fields per request.
 */
const FIELDS_MAX_BYTES = 10 * FORM_MAX_BYTES;
/** An upload route, with a session: the largest file we take (a 10 MB result file) plus room for the form. */
const UPLOAD_MAX_BYTES = MAX_RESULT_BYTES + 1024 * 1024;

const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data']);

const sizeText = (bytes: number) => (bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${Math.round(bytes / 1024)} KB`);

/**
 * A body over its route's limit, said as people read it (the error page adds a way back to the form). An upload's
 * limit is said as the largest file it takes: the rest of the body is the form around the file.
 */
const tooLarge = (max: number) => {
  const said = max === UPLOAD_MAX_BYTES ? MAX_RESULT_BYTES : max;
  return new AppError('payload_too_large', `Tệp hoặc dữ liệu gửi lên quá lớn (tối đa ${sizeText(said)}).`, 413);
};
const tooManyFields = () => new AppError('too_many_fields', `Biểu mẫu gửi lên có quá nhiều trường (tối đa ${FORM_MAX_FIELDS}).`, 413);
const malformedForm = () => new AppError('invalid_form', 'Dữ liệu biểu mẫu gửi lên không hợp lệ. Vui lòng tải lại trang và thử lại.', 400);

const limiter = (max: number) =>
  bodyLimit({
    maxSize: max,
    onError: () => {
      throw tooLarge(max);
    },
  });
const formLimit = limiter(FORM_MAX_BYTES);

/**
 * Who may send an upload route's body: throws (401, or a redirect to a login) for anyone else, before it is read.
 * Returns the uploader (`account:<id>`, `citizen:<id>`), whose uploads in flight are bounded together
 * (uploads-in-flight.ts).
 */
export type UploadGate = (c: Ctx) => Promise<string>;

/**
 * An upload route's size limits. `ceiling`: the body's absolute limit, checked on its Content-Length before the
 * session is known (so without a database read). `forRequest`: past the gate, this request's body limit (at most
 * the ceiling), each file's, and (`fileFields`) the only fields a file may come in, each once — any other file part
 * refuses the request before it is written; all are enforced while the body streams. A file past its limit does not fail the
 * request: it is marked (oversizedFile) for the route to say beside its field.
 */
export type UploadLimits = {
  ceiling: (c: Ctx) => number;
  forRequest: (c: Ctx) => Promise<Pick<MultipartLimits, 'maxBytes' | 'maxFileBytes' | 'fileFields'>>;
};

/** Every upload route but the reception form: one file of at most a result file's size. */
const DEFAULT_UPLOAD_LIMITS: UploadLimits = {
  ceiling: () => UPLOAD_MAX_BYTES,
  forRequest: async () => ({ maxBytes: UPLOAD_MAX_BYTES }),
};

type UploadSpec = { gate: UploadGate; limits: UploadLimits };
const uploadSpecs = new Map<MiddlewareHandler<AppEnv>, UploadSpec>();

/**
 * A mark for a route that takes a file (put it before the handler): its body may be as large as its limits say
 * (UPLOAD_MAX_BYTES unless given), and only for a request the gate lets through. The size limit and the CSRF check
 * find the mark before the route runs.
 */
export function uploadRoute(gate: UploadGate, limits: UploadLimits = DEFAULT_UPLOAD_LIMITS): MiddlewareHandler<AppEnv> {
  const mark: MiddlewareHandler<AppEnv> = async (c, next) => {
    await gate(c);
    await next();
  };
  uploadSpecs.set(mark, { gate, limits });
  return mark;
}

/** The officials' upload gate: an official's session (or API credentials). */
export const officialsOnly: UploadGate = async (c) => {
  const account = c.get('account');
  if (!account) throw errors.unauthenticated();
  return `account:${account.id}`;
};

/** The officials' upload routes: only with an official's session (or API credentials). */
export const acceptsUpload = uploadRoute(officialsOnly);

/** The upload route that will answer this request (the router matched it already), or null. */
function uploadSpecOf(c: Ctx): UploadSpec | null {
  for (const r of matchedRoutes(c)) {
    const spec = uploadSpecs.get(r.handler);
    if (spec) return spec;
  }
  return null;
}

/** Global, before the session and anything that reads a body: see the module comment. */
export const limitBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  // A GET or HEAD request has no body (the Fetch API refuses one); asking for it builds the whole Request object
  // on the Node server, which cost 5 % of a catalog page view (docs/decisions/0015-catalog-search.md, "Speed").
  if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
  const upload = uploadSpecOf(c);
  // Only a multipart body carries files: anything else sent to an upload route (the API's JSON reception) is small.
  const multipart = (c.req.header('content-type') ?? '').toLowerCase().startsWith('multipart/form-data');
  if (!upload || !multipart) return formLimit(c, next);
  const ceiling = upload.limits.ceiling(c);
  if (Number(c.req.header('content-length')) > ceiling) throw tooLarge(ceiling);
  const request: UploadRequest = { spooled: [], release: null };
  uploads.set(c.req, request);
  try {
    await next();
  } finally {
    try {
      await removeSpooled(request.spooled);
    } finally {
      // Given back even when the spool cannot be cleaned (a volume gone read-only): else four such uploads would
      // lock the person out until the process restarts. The hourly sweep removes what is left (storage/spool.ts).
      request.release?.();
    }
  }
};

/**
 * An upload request's spool files (multipart.ts), removed once it is answered, and its uploader's slot
 * (uploads-in-flight.ts), given back then too.
 */
type UploadRequest = { spooled: string[]; release: (() => void) | null };
const uploads = new WeakMap<object, UploadRequest>();
/** The file parts of an upload request's multipart body, on disk. */
const streamedFiles = new WeakMap<object, Map<string, SpooledPart>>();

const bodies = new WeakMap<object, Promise<ArrayBuffer>>();

/** The raw body within the route's limit, read once per request. */
function bodyBytes(c: Ctx): Promise<ArrayBuffer> {
  let bytes = bodies.get(c.req);
  if (!bytes) {
    bytes = (async () => {
      const upload = uploadSpecOf(c);
      if (upload) await upload.gate(c);
      // Only a multipart upload may be large, and it is streamed (readForm): any other body is a small form.
      await formLimit(c, async () => {});
      return c.req.arrayBuffer();
    })();
    bodies.set(c.req, bytes);
  }
  return bytes;
}

/** How many fields the raw body holds at most, counting no further than `max + 1`. */
function countFields(bytes: Uint8Array, mediaType: string, contentType: string, max: number): number {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (mediaType === 'multipart/form-data') {
    const boundary = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
    if (!boundary) throw malformedForm();
    // Every part starts with the delimiter; the last delimiter closes the body.
    const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
    let n = -1;
    for (let at = buf.indexOf(delimiter); at !== -1 && n <= max; at = buf.indexOf(delimiter, at + delimiter.length)) n++;
    return Math.max(n, 0);
  }
  if (buf.length === 0) return 0;
  let n = 1;
  for (let at = buf.indexOf(0x26); at !== -1 && n <= max; at = buf.indexOf(0x26, at + 1)) n++;
  return n;
}

const forms = new WeakMap<object, Promise<FormData>>();

/** The submitted form (urlencoded or multipart), parsed once per request; any other body is an empty form. */
export function readForm(c: Ctx): Promise<FormData> {
  let form = forms.get(c.req);
  if (!form) {
    form = (async () => {
      const contentType = c.req.header('content-type') ?? '';
      const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
      if (!FORM_TYPES.has(mediaType)) return new FormData();
      const upload = uploadSpecOf(c);
      if (upload && mediaType === 'multipart/form-data') {
        // An upload: streamed to spool files, never whole in memory (multipart.ts).
        const uploader = await upload.gate(c);
        const { maxBytes, maxFileBytes, fileFields } = await upload.limits.forRequest(c);
        if (Number(c.req.header('content-length')) > maxBytes) throw tooLarge(maxBytes);
        const request = uploads.get(c.req);
        // limitBody (global) made the record: the slot is given back when it answers, whatever happens here.
        if (!request) throw new Error('an upload read without limitBody');
        request.release ??= takeUploadSlot(uploader);
        try {
          const form = await readMultipartStreaming(
            c.req.raw.body,
            contentType,
            {
              maxBytes,
              maxParts: FORM_MAX_FIELDS,
              maxFieldBytes: FORM_MAX_BYTES,
              maxFieldsBytes: FIELDS_MAX_BYTES,
              maxFileBytes,
              fileFields,
            },
            request.spooled,
          );
          streamedFiles.set(c.req, form.files);
          return form.fields;
        } catch (err) {
          if (err instanceof BodyTooLarge) throw tooLarge(maxBytes);
          throw err;
        }
      }
      const bytes = new Uint8Array(await bodyBytes(c));
      if (countFields(bytes, mediaType, contentType, FORM_MAX_FIELDS) > FORM_MAX_FIELDS) throw tooManyFields();
      try {
        return await c.req.formData();
      } catch {
        throw malformedForm();
      }
    })();
    forms.set(c.req, form);
  }
  return form;
}

/** The form this request's handler already read (readForm), or undefined: never reads a body itself. */
export const formAlreadyRead = (c: Ctx): Promise<FormData> | undefined => forms.get(c.req);

/** Form fields as strings (the last value wins for repeated names; files are left out). */
export async function formData(c: Ctx): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [k, v] of await readForm(c)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Every string value of a repeated field (checkboxes). */
export async function formValues(c: Ctx, name: string): Promise<string[]> {
  return (await readForm(c)).getAll(name).filter((v): v is string => typeof v === 'string');
}

/**
 * A file part of an upload form as it came (null when the form has no such part, or an empty part without a name:
 * nothing was chosen); an empty file with a name is given, for the caller to refuse.
 */
export async function uploadedPart(
  c: Ctx,
  name = 'file',
): Promise<{ name: string; size: number; stream: ReadableStream<Uint8Array> } | null> {
  await readForm(c);
  const part = streamedFiles.get(c.req)?.get(name);
  if (!part || (part.size === 0 && part.name === '')) return null;
  return { name: part.name, size: part.size, stream: Readable.toWeb(fs.createReadStream(part.path)) as ReadableStream<Uint8Array> };
}

/** The file of an upload form's field, whole (a spreadsheet to import: small), or null when none was chosen. */
export async function uploadedFile(c: Ctx, name = 'file'): Promise<{ name: string; bytes: Uint8Array } | null> {
  await readForm(c);
  const part = streamedFiles.get(c.req)?.get(name);
  if (!part || part.size === 0) return null;
  return { name: part.name, bytes: new Uint8Array(await fs.promises.readFile(part.path)) };
}

/** The file of an upload form's field as a stream from its spool file, for file storage, or null when none was chosen. */
export async function uploadedStream(c: Ctx, name = 'file'): Promise<{ name: string; stream: ReadableStream<Uint8Array> } | null> {
  const part = await uploadedPart(c, name);
  return part && part.size > 0 ? { name: part.name, stream: part.stream } : null;
}

/**
 * The client's name of the file of an upload form's field when it passed its route's per-file limit (UploadLimits)
 * and was discarded while streaming; null otherwise.
 */
export async function oversizedFile(c: Ctx, name: string): Promise<string | null> {
  await readForm(c);
  const part = streamedFiles.get(c.req)?.get(name);
  return part?.tooLarge ? part.name : null;
}

/**
 * A webhook's body as sent (its signature is over these bytes), at most `maxBytes`: 413 beyond (unread when its
 * Content-Length says so), 400 when it is not UTF-8.
 */
export async function readRawBody(c: Ctx, maxBytes: number): Promise<string> {
  if (Number(c.req.header('content-length')) > maxBytes) throw tooLarge(maxBytes);
  const bytes = await bodyBytes(c);
  if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new AppError('invalid_body', 'Nội dung yêu cầu không phải văn bản UTF-8 hợp lệ.', 400);
  }
}

/** The JSON body of an API request, within the small limit. */
export async function readJson(c: Ctx): Promise<unknown> {
  await bodyBytes(c);
  try {
    return (await c.req.json()) as unknown;
  } catch {
    throw new AppError('invalid_json', 'Nội dung yêu cầu không phải JSON hợp lệ.', 400);
  }
}
