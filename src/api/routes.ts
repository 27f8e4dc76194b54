/** JSON API under /api/v1: thin handlers over the same use cases and permission rules as the pages. */
import { Hono, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { and, asc, eq } from 'drizzle-orm';
import type { AppEnv } from '../web/env.js';
import { actorOf } from '../web/http.js';
import { idParam, queryOf } from '../web/params.js';
import { readJson } from '../web/body.js';
import { AppError, errors } from '../shared/errors.js';
import { procedureVersions, procedures, sectors, DOSSIER_STATUSES, STATUS_LABELS, type dossiers } from '../db/schema/index.js';
import { loadCalendar } from '../calendar/load.js';
import { officeMinutesPerDay } from '../dossiers/steps.js';
import { InboxQuery, listInbox } from '../dossiers/inbox.js';
import { param } from '../shared/validate.js';
import { receiveDossier } from '../dossiers/receive-dossier.js';
import { actOnDossier } from '../dossiers/act-on-dossier.js';
import { viewDossier } from '../dossiers/view-dossier.js';
import { lookupDossier } from '../dossiers/public-lookup.js';
import { openApiDocument } from './openapi.js';

export const apiRoutes = new Hono<AppEnv>();

const requireActor: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!c.get('actor')) throw errors.unauthenticated();
  await next();
};

const dossierJson = (d: typeof dossiers.$inferSelect) => ({
  id: d.id,
  code: d.code,
  lookupCode: d.lookupCode,
  status: d.status,
  statusCode: DOSSIER_STATUSES[d.status],
  statusLabel: STATUS_LABELS[d.status],
  channel: d.channel,
  applicant: d.applicant,
  receivedAt: d.receivedAt,
  dueAt: d.dueAt,
  currentStep: d.currentStep,
  clockStoppedAt: d.clockStoppedAt,
  finishedAt: d.finishedAt,
  returnedAt: d.returnedAt,
});

apiRoutes.get('/openapi.json', (c) => c.json(openApiDocument(c.get('deps').config.publicUrl)));

/** Tra cứu: the dossier code and the lookup code printed on the receipt. */
const LookupQuery = z.object({
  code: param.text(60, 'Mã hồ sơ tối đa 60 ký tự.'),
  lookupCode: param.text(20, 'Mã tra cứu tối đa 20 ký tự.'),
});

apiRoutes.get('/lookup', async (c) => {
  const { code, lookupCode } = queryOf(c, LookupQuery);
  const found = await lookupDossier(c.get('deps').db, code ?? '', lookupCode ?? '');
  if (!found) throw errors.notFound('Hồ sơ');
  return c.json({ ...found, statusCode: DOSSIER_STATUSES[found.status], statusLabel: STATUS_LABELS[found.status] });
});

apiRoutes.get('/procedures', requireActor, async (c) => {
  const rows = await c
    .get('deps')
    .db.select({ v: procedureVersions, code: procedures.code, sector: sectors.name })
    .from(procedureVersions)
    .innerJoin(procedures, eq(procedures.id, procedureVersions.procedureId))
    .innerJoin(sectors, eq(sectors.id, procedureVersions.sectorId))
    .where(and(eq(procedureVersions.current, true)))
    .orderBy(asc(procedures.code));
  return c.json(
    rows.map(({ v, code, sector }) => ({
      id: v.procedureId,
      code,
      version: v.version,
      name: v.name,
      sector,
      workingDays: v.workingDays,
      workingHours: v.workingHours,
      after1500NextDay: v.after1500NextDay,
      fee: v.fee,
      onlineLevel: v.onlineLevel,
      // The template file of a document (mẫu đơn, tờ khai), downloadable without credentials.
      documents: v.documents.map((d) => ({ ...d, templateUrl: d.template ? `${c.get('deps').config.publicUrl}/tai-mau/${d.template}` : null })),
    })),
  );
});

apiRoutes.get('/dossiers', requireActor, async (c) => {
  const { db, now: clock } = c.get('deps');
  const now = clock();
  const cal = await loadCalendar(db, now);
  const q = queryOf(c, InboxQuery);
  const res = await listInbox(
    db,
    actorOf(c),
    { ...q, from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined },
    now,
    cal.addWorkingMinutes(now, officeMinutesPerDay(cal)),
  );
  return c.json({ items: res.rows.map((r) => ({ ...r, statusCode: DOSSIER_STATUSES[r.status] })), counts: res.counts, next: res.next });
});

apiRoutes.post('/dossiers', requireActor, async (c) => {
  const d = await receiveDossier(c.get('deps').db, actorOf(c), await readJson(c), c.get('deps').now());
  return c.json(dossierJson(d), 201);
});

apiRoutes.get('/dossiers/:id', requireActor, async (c) => {
  const v = await viewDossier(c.get('deps').db, actorOf(c), idParam(c, 'Hồ sơ'));
  return c.json({
    ...dossierJson(v.dossier),
    procedure: { id: v.version.procedureId, version: v.version.version, name: v.version.name },
    step: v.step,
    allowedActions: v.actions,
    history: v.history.map((h) => ({ at: h.at, actor: h.actorLabel, action: h.action, fromStatus: h.fromStatus, toStatus: h.toStatus, note: h.note })),
  });
});

apiRoutes.post('/dossiers/:id/transitions', requireActor, async (c) => {
  const id = idParam(c, 'Hồ sơ');
  const d = await actOnDossier(c.get('deps').db, actorOf(c), id, await readJson(c), c.get('deps').now());
  return c.json(dossierJson(d));
});
