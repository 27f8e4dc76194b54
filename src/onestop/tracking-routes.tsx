/** Hồ sơ đã tiếp nhận, Theo dõi, Tất cả hồ sơ, and Sổ theo dõi hồ sơ (Mẫu 07): its form and its PDF. */
import { Hono } from 'hono';
import { listTracking, TRACKING_LISTS, type TrackingList } from '../dossiers/tracking.js';
import type { AppEnv } from '../web/env.js';
import { Layout } from '../web/layout.js';
import { actorOf, pageProps, requireLogin, type Ctx } from '../web/http.js';
import { AppError, errors, type FieldErrors } from '../shared/errors.js';
import { dossierRegisterPdf } from '../dossiers/register.js';
import { FILTER_NAMES, leadsOf, listFilterQuery, readFilters, receptionPeriod, RegisterQuery, typed } from './list-filters.js';
import { RegisterPage, TRACKING_PATHS, TrackingPage } from './tracking-page.js';
import { agenciesOf, soonThreshold, trackingChoices } from './page-data.js';
import { sendHtml } from '../web/send-html.js';
import { attachmentDisposition } from '../web/download.js';

export const trackingRoutes = new Hono<AppEnv>();
trackingRoutes.use('*', requireLogin);

const TrackingQuery = listFilterQuery({});

async function renderList(c: Ctx, list: TrackingList) {
  const { db, now: clock } = c.get('deps');
  const now = clock();
  const read = readFilters(c, TrackingQuery);
  const isLeader = await leadsOf(c);
  // Tất cả hồ sơ is a leader's list; to anyone else it does not exist.
  if (list === 'tat-ca' && !isLeader) throw errors.notFound('Danh sách hồ sơ');
  const chosen = read.ok ? { sectorId: read.q.linhvuc, procedureId: read.q.thutuc } : {};
  const [soon, { sectors, procedures }, props] = await Promise.all([
    soonThreshold(c, now),
    trackingChoices(c, list === 'tat-ca' ? 'led' : 'positions', chosen),
    pageProps(c),
  ]);
  const result = read.ok
    ? await listTracking(
        db,
        actorOf(c),
        list,
        {
          sectorId: read.q.linhvuc,
          procedureId: read.q.thutuc,
          dueState: read.q.han,
          ...receptionPeriod(read.q.tu, read.q.den),
          q: read.q.q,
          after: read.q.after,
        },
        now,
        soon,
      )
    : { rows: [], next: null };
  return sendHtml(
    c,
    <Layout title={TRACKING_LISTS[list]} section="dossiers" {...props}>
      <TrackingPage
        list={list}
        rows={result.rows}
        next={result.next}
        query={typed(c, FILTER_NAMES)}
        sectors={sectors}
        procedures={procedures}
        now={now}
        soon={soon}
        receives={props.receives}
        leads={isLeader}
        errors={read.ok ? undefined : read.fields}
      />
    </Layout>,
    read.ok ? 200 : 400,
  );
}

for (const list of Object.keys(TRACKING_PATHS) as TrackingList[])
  trackingRoutes.get(TRACKING_PATHS[list].replace('/tiepnhan', ''), (c) => renderList(c, list));

const REGISTER_NAMES = ['donvi', 'tu', 'den'];

/** The register's agency and period as typed, or the message of each field that cannot be read or is missing. */
function readRegisterForm(c: Ctx): { ok: true; donvi: string; tu: string; den: string } | { ok: false; fields: FieldErrors } {
  const read = readFilters(c, RegisterQuery);
  if (!read.ok) return read;
  const fields: FieldErrors = {};
  if (!read.q.tu) fields.tu = 'Vui lòng nhập từ ngày (dd/mm/yyyy).';
  if (!read.q.den) fields.den = 'Vui lòng nhập đến ngày (dd/mm/yyyy).';
  if (!read.q.donvi) fields.donvi = 'Vui lòng chọn cơ quan.';
  const { donvi, tu, den } = read.q;
  return donvi && tu && den ? { ok: true, donvi, tu, den } : { ok: false, fields };
}

/** The form, with the values as typed and each refused field's message (400). */
async function renderRegisterForm(c: Ctx, fields: FieldErrors | undefined) {
  const [props, agencies] = await Promise.all([pageProps(c), agenciesOf(c)]);
  return sendHtml(
    c,
    <Layout title="Sổ theo dõi hồ sơ" section="dossiers" {...props}>
      <RegisterPage agencies={agencies} query={typed(c, REGISTER_NAMES)} errors={fields} />
    </Layout>,
    fields ? 400 : 200,
  );
}

/**
 * Sổ theo dõi hồ sơ: the form checks the agency and the period at their fields (400 with the page, values kept),
 * then opens the PDF (/so-theo-doi.pdf checks again and decides who may read it).
 */
trackingRoutes.get('/so-theo-doi', async (c) => {
  if (Object.keys(typed(c, REGISTER_NAMES)).length === 0) return renderRegisterForm(c, undefined);
  const read = readRegisterForm(c);
  if (read.ok) return c.redirect(`/tiepnhan/so-theo-doi.pdf?${new URLSearchParams(typed(c, REGISTER_NAMES))}`, 303);
  return renderRegisterForm(c, read.fields);
});

/**
 * Mẫu 07 of an agency and period (dd/mm/yyyy, both days included), built and audited by dossiers/register.ts. A
 * period it refuses (too long, too many dossiers) is said at đến ngày on the form, as a field the form checks is;
 * when the process already builds as many documents as it may, 503 busy with Retry-After (app.tsx; the load balancer
 * may try another instance).
 */
trackingRoutes.get('/so-theo-doi.pdf', async (c) => {
  const read = readRegisterForm(c);
  if (!read.ok) return renderRegisterForm(c, read.fields);
  const { from, to } = receptionPeriod(read.tu, read.den);
  try {
    const { pdf, fileName } = await dossierRegisterPdf(c.get('deps').db, actorOf(c), read.donvi, from!, to!);
    return c.body(new Uint8Array(pdf), 200, {
      'Content-Type': 'application/pdf',
      'Content-Disposition': attachmentDisposition(fileName, 'inline'),
    });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    if (err.status === 400 && err.fields?.to) return renderRegisterForm(c, { den: err.fields.to });
    throw err;
  }
});
