/** Hồ sơ đã tiếp nhận, Theo dõi, Tất cả hồ sơ, and the form of Sổ theo dõi hồ sơ (Mẫu 07). */
import { Hono } from 'hono';
import { listTracking, TRACKING_LISTS, type TrackingList } from '../dossiers/tracking.js';
import type { AppEnv } from '../web/env.js';
import { Layout } from '../web/layout.js';
import { actorOf, pageProps, requireLogin, type Ctx } from '../web/http.js';
import { errors, type FieldErrors } from '../shared/errors.js';
import { FILTER_NAMES, leadsOf, listFilterQuery, readFilters, receptionPeriod, RegisterQuery, typed } from './list-filters.js';
import { RegisterPage, TRACKING_PATHS, TrackingPage } from './tracking-page.js';
import { agenciesOf, catalog, soonThreshold } from './page-data.js';

export const trackingRoutes = new Hono<AppEnv>();
trackingRoutes.use('*', requireLogin);

const TrackingQuery = listFilterQuery({});

async function renderList(c: Ctx, list: TrackingList) {
  const { db, now: clock } = c.get('deps');
  const now = clock();
  const read = readFilters(c, TrackingQuery);
  const [soon, { sectors, procedures }, props, isLeader] = await Promise.all([soonThreshold(c, now), catalog(c), pageProps(c), leadsOf(c)]);
  // Tất cả hồ sơ is a leader's list; to anyone else it does not exist.
  if (list === 'tat-ca' && !isLeader) throw errors.notFound('Danh sách hồ sơ');
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
  return c.html(
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

/**
 * Sổ theo dõi hồ sơ: the form checks the agency and the period at their fields (400 with the page, values kept),
 * then opens the PDF (/so-theo-doi.pdf checks again and decides who may read it).
 */
trackingRoutes.get('/so-theo-doi', async (c) => {
  const [props, agencies] = await Promise.all([pageProps(c), agenciesOf(c)]);
  const query = typed(c, REGISTER_NAMES);
  let fields: FieldErrors | undefined;
  if (Object.keys(query).length > 0) {
    const read = readFilters(c, RegisterQuery);
    fields = read.ok ? {} : read.fields;
    if (read.ok && !read.q.tu) fields.tu = 'Vui lòng nhập từ ngày (dd/mm/yyyy).';
    if (read.ok && !read.q.den) fields.den = 'Vui lòng nhập đến ngày (dd/mm/yyyy).';
    if (read.ok && !read.q.donvi) fields.donvi = 'Vui lòng chọn cơ quan.';
    if (Object.keys(fields).length === 0) return c.redirect(`/tiepnhan/so-theo-doi.pdf?${new URLSearchParams(query)}`, 303);
  }
  return c.html(
    <Layout title="Sổ theo dõi hồ sơ" section="dossiers" {...props}>
      <RegisterPage agencies={agencies} query={query} errors={fields} />
    </Layout>,
    fields ? 400 : 200,
  );
});
