import { Hono, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../web/env.js';
import { actorOf, passwordChangeDue, type Ctx } from '../web/http.js';
import { idParam, queryOf } from '../web/params.js';
import { formData, oversizedFile, readJson, uploadRoute, uploadedPart, type UploadGate } from '../web/body.js';
import { sendFile } from '../web/download.js';
import { AppError, errors, type FieldErrors } from '../shared/errors.js';
import type { IncomingFile } from '../storage/index.js';
import { loadCalendar } from '../calendar/load.js';
import { officeMinutesPerDay } from '../dossiers/steps.js';
import { InboxQuery, listInboxRecords } from '../dossiers/inbox.js';
import { isId, param } from '../shared/validate.js';
import { receiveThroughApi } from './receive-through-api.js';
import { refuseOnlineChannel } from '../dossiers/reception-channel.js';
import { scanTooLarge } from '../dossiers/reception-checklist.js';
import { actThroughApi } from './act-through-api.js';
import { viewDossier } from '../dossiers/view-dossier.js';
import { dossierFeeFacts } from '../payments/queries.js';
import { lookupDossier } from '../dossiers/public-lookup.js';
import { recordResult, resultOf } from '../dossiers/record-result.js';
import { attachResult, readResultFile, resultFilesOf } from '../dossiers/attach-result.js';
import {
  presentDossier,
  presentDossierDetail,
  presentDossierFile,
  presentDossierResult,
  presentInboxPage,
  presentLookupResult,
} from '../dossiers/presenters.js';
import { presentProcedure } from '../procedures/presenters.js';
import { API_DEFAULT_LIMIT, CatalogQuery, encodeCursor } from '../catalog/catalog-query.js';
import { listCatalog, loadCatalogProcedure } from '../catalog/list-catalog.js';
import { openApiDocument } from './openapi.js';
import { whoAmI } from './whoami.js';
import { presentMe } from './presenters.js';

export const apiRoutes = new Hono<AppEnv>();

/**
 * Who may call what acts as someone: an API key, or an official's session cookie (with its CSRF token). A cookie of
 * a password session the VNeID-only cutoff ended is told so; a cookie whose account must still change its temporary
 * password is refused as the pages are (web/http.ts passwordChangeDue: 403 password_change_required). A key is not
 * held up by it: it is a credential of its own, issued by an administrator and revoked on its own, and the temporary
 * password never reached it — so an integration keeps working while a person's password is reset.
 * Also the gate of the upload routes: refused before one byte of the body is read (web/body.ts).
 */
const apiCaller: UploadGate = async (c) => {
  const actor = c.get('actor');
  if (!actor) throw c.get('passwordSessionClosed') ? errors.passwordSessionClosed() : errors.unauthenticated();
  if (passwordChangeDue(c)) throw errors.passwordChangeRequired();
  return `account:${actor.accountId}`;
};

const requireActor: MiddlewareHandler<AppEnv> = async (c, next) => {
  await apiCaller(c);
  await next();
};

// Every answer is a presenter's output (src/dossiers/presenters.ts, src/procedures/presenters.ts, errors
// src/web/error-body.ts): the shapes the OpenAPI document describes (tests/api-contract.test.ts checks it).
apiRoutes.get('/openapi.json', (c) => c.json(openApiDocument(c.get('deps').config.publicUrl)));

/** Who the key (or session) acts as: the account, its roles and the operations it can call. */
apiRoutes.get('/me', requireActor, async (c) => {
  const { db, now } = c.get('deps');
  return c.json(presentMe(await whoAmI(db, actorOf(c), now())));
});

/** Tra cứu: the dossier code and the lookup code printed on the receipt. */
const LookupQuery = z.object({
  code: param.text(60, 'Mã hồ sơ tối đa 60 ký tự.'),
  lookupCode: param.text(20, 'Mã tra cứu tối đa 20 ký tự.'),
});

apiRoutes.get('/lookup', async (c) => {
  const { code, lookupCode } = queryOf(c, LookupQuery);
  const found = await lookupDossier(c.get('deps').db, code ?? '', lookupCode ?? '');
  if (!found) throw errors.notFound('Hồ sơ');
  return c.json(presentLookupResult(found));
});

/**
 * The catalog is public, as the national portal publishes it: anonymous callers too (a Bearer token, when sent,
 * must still be valid). The same search and filters as the portal's page; the next page in a Link header.
 */
apiRoutes.get('/procedures', async (c) => {
  const { db, config, catalog } = c.get('deps');
  const q = queryOf(c, CatalogQuery);
  const page = await listCatalog(db, catalog, { ...q, limit: q.limit ?? API_DEFAULT_LIMIT });
  if (page.next) {
    const url = new URL(c.req.url);
    url.searchParams.set('after', encodeCursor(page.next));
    c.header('Link', `<${config.publicUrl}/api/v1/procedures${url.search}>; rel="next"`);
  }
  return c.json(page.items.map((p) => presentProcedure(p, config.publicUrl)));
});

apiRoutes.get('/procedures/:id', async (c) => {
  const { db, config } = c.get('deps');
  return c.json(presentProcedure(await loadCatalogProcedure(db, idParam(c, 'Thủ tục hành chính')), config.publicUrl));
});

apiRoutes.get('/dossiers', requireActor, async (c) => {
  const { db, now: clock } = c.get('deps');
  const now = clock();
  const cal = await loadCalendar(db, now);
  const q = queryOf(c, InboxQuery);
  const res = await listInboxRecords(
    db,
    actorOf(c),
    { ...q, from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined },
    now,
    cal.addWorkingMinutes(now, officeMinutesPerDay(cal)),
  );
  return c.json(presentInboxPage(res));
});

/** The most scans one reception takes: one per document position (`scan-0` … `scan-99`), as the checklist's limit. */
const MAX_SCANS = 100;

const isMultipart = (c: Ctx) => (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase() === 'multipart/form-data';

/**
 * A multipart reception is held to the counter form's limits (config.reception): each scan at most
 * RECEPTION_SCAN_MAX_MB, checked while it streams, the body at most RECEPTION_UPLOAD_MAX_MB (the procedure is inside
 * the JSON, so the body is not sized by its documents as the form's is). A JSON body has the small limit.
 */
const receptionUpload = uploadRoute(apiCaller, {
  ceiling: (c) => c.get('deps').config.reception.uploadMaxBytes,
  forRequest: async (c) => {
    const { scanMaxBytes, uploadMaxBytes } = c.get('deps').config.reception;
    return { maxBytes: uploadMaxBytes, maxFileBytes: scanMaxBytes };
  },
});

type ReceptionRequest = { input: unknown; scans: Map<number, IncomingFile>; scanProblems: FieldErrors };

/**
 * POST /dossiers reads JSON, or multipart/form-data whose `dossier` part is the same JSON and whose files
 * `scan-<index>` are the scans of the documents received (streamed to spool files by web/body.ts, then checked and
 * stored by receiveDossier as the counter's form does; a scan past its limit is discarded and said beside its part).
 */
async function receptionRequest(c: Ctx): Promise<ReceptionRequest> {
  if (!isMultipart(c)) return { input: await readJson(c), scans: new Map(), scanProblems: {} };
  const { dossier } = await formData(c);
  let input: unknown;
  try {
    input = JSON.parse(dossier ?? '');
  } catch {
    const message = 'Phần "dossier" của yêu cầu multipart/form-data phải là JSON hợp lệ của hồ sơ (như thân yêu cầu JSON).';
    throw new AppError('invalid_json', message, 400, { dossier: message });
  }
  const { scanMaxBytes } = c.get('deps').config.reception;
  const scans = new Map<number, IncomingFile>();
  const scanProblems: FieldErrors = {};
  for (let i = 0; i < MAX_SCANS; i++) {
    const oversized = await oversizedFile(c, `scan-${i}`);
    if (oversized !== null) scanProblems[`scan-${i}`] = scanTooLarge(oversized, scanMaxBytes);
    // An empty part with a file name is kept: receiveDossier says the scan is empty, beside `scan-<i>`.
    const part = oversized === null ? await uploadedPart(c, `scan-${i}`) : null;
    if (part) scans.set(i, part);
  }
  return { input, scans, scanProblems };
}

/**
 * The `Idempotency-Key` request header (draft-ietf-httpapi-idempotency-key-header): a UUID, bare or as the draft's
 * Structured Field string (in double quotes), in either case. Absent → undefined; anything else → 400.
 */
function idempotencyKeyOf(c: Ctx): string | undefined {
  const raw = c.req.header('idempotency-key');
  if (raw === undefined) return undefined;
  const value = /^"[^"]*"$/.test(raw.trim()) ? raw.trim().slice(1, -1) : raw.trim();
  if (!isId(value)) {
    const message =
      'Header Idempotency-Key phải là một UUID, ví dụ "8e03978e-40d5-43e8-bc93-6894a57f9324" (có hoặc không có dấu ngoặc kép); mỗi hồ sơ mới dùng một khóa mới, gửi lại cùng khóa khi thử lại.';
    throw new AppError('invalid_idempotency_key', message, 400, { 'Idempotency-Key': message });
  }
  return value.toLowerCase();
}

/**
 * Tiếp nhận. With an `Idempotency-Key` header (a UUID the client chooses per dossier), a retry of the same request
 * (after a time-out, a lost answer) is the dossier the first one received: the same answer, 201 with the same
 * dossier, as the draft asks ("the result of the previously completed operation") — one dossier, one code, one
 * notification, one push to the national portal. The key passes to receiveDossier as the counter form's one-time
 * submissionKey, scoped to the caller (receive-through-api.ts). The same key with another request is refused (422
 * idempotency_key_reused), never answered with the first dossier. Without the header nothing changes.
 */
apiRoutes.post('/dossiers', receptionUpload, requireActor, async (c) => {
  const { db, config, now } = c.get('deps');
  const key = idempotencyKeyOf(c);
  const { input, scans, scanProblems } = await receptionRequest(c);
  // Channel 2 is the portals': an official's key or session is refused (422 online_channel_reserved).
  refuseOnlineChannel(input);
  const opts = { maxScanBytes: config.reception.scanMaxBytes, scanProblems };
  const d = await receiveThroughApi(db, actorOf(c), input, now(), scans, opts, key);
  return c.json(presentDossier(d), 201);
});

apiRoutes.get('/dossiers/:id', requireActor, async (c) => {
  const { db, now } = c.get('deps');
  const v = await viewDossier(db, actorOf(c), idParam(c, 'Hồ sơ'), now());
  return c.json(
    presentDossierDetail(
      v,
      await resultOf(db, v.dossier.id),
      await resultFilesOf(db, v.dossier.id),
      await dossierFeeFacts(db, v.dossier.id),
    ),
  );
});

/** Ghi nhận kết quả (record-result.ts): the page's form and this take the same input; the same values again change nothing. */
apiRoutes.post('/dossiers/:id/result', requireActor, async (c) => {
  const id = idParam(c, 'Hồ sơ');
  const r = await recordResult(c.get('deps').db, actorOf(c), id, await readJson(c), c.get('deps').now());
  return c.json(presentDossierResult(r));
});

/** Đính kèm kết quả (attach-result.ts): multipart/form-data, the file in the part `file`, checked while it streams. */
apiRoutes.post('/dossiers/:id/result/files', uploadRoute(apiCaller), requireActor, async (c) => {
  const { db, now } = c.get('deps');
  const id = idParam(c, 'Hồ sơ');
  const file = await uploadedPart(c);
  if (!file) throw errors.fileMissing('tệp kết quả: phần "file" của yêu cầu multipart/form-data');
  const fileId = await attachResult(db, actorOf(c), id, file, now());
  const stored = (await resultFilesOf(db, id)).find((f) => f.id === fileId)!;
  return c.json(presentDossierFile(stored), 201);
});

/** A file of a dossier the caller may see (the same rule as GET /dossiers/{id}), streamed as the pages send it. */
apiRoutes.get('/dossiers/:id/files/:fileId', requireActor, async (c) => {
  const f = await readResultFile(c.get('deps').db, actorOf(c), idParam(c, 'Hồ sơ'), idParam(c, 'Tệp', 'fileId'), c.get('deps').now());
  return sendFile(c, { open: f.open, size: f.size, mediaType: f.mime, fileName: f.name });
});

apiRoutes.post('/dossiers/:id/transitions', requireActor, async (c) => {
  const id = idParam(c, 'Hồ sơ');
  const d = await actThroughApi(c.get('deps').db, actorOf(c), id, await readJson(c), c.get('deps').now());
  return c.json(presentDossier(d));
});
