/**
 * GET /thong-ke/chi-so-phuc-vu: Chỉ số phục vụ (QĐ 766) of a unit's subtree for a period. The query is the situation
 * report's (report-query.ts: unit, a preset or từ–đến period); a value that cannot be read is said at its field (400),
 * a unit the official does not read is not found (404, service-index.ts through statistics/scope.ts).
 */
import { Hono } from 'hono';
import type { AppEnv } from '../web/env.js';
import { Layout } from '../web/layout.js';
import { actorOf, pageProps, requireLogin } from '../web/http.js';
import { errors } from '../shared/errors.js';
import { todayInVietnam } from '../shared/dates.js';
import { readableUnits } from './readable-units.js';
import { readReportQuery } from './report-query.js';
import { readServiceIndex } from './service-index.js';
import { SERVICE_INDEX_PATH, ServiceIndexPage } from './service-index-page.js';
import { sendHtml } from '../web/send-html.js';

export const serviceIndexRoutes = new Hono<AppEnv>();
serviceIndexRoutes.use('*', requireLogin);

const TYPED = ['unit', 'period', 'year', 'n', 'from', 'to'];

serviceIndexRoutes.get(SERVICE_INDEX_PATH.replace('/tiepnhan', ''), async (c) => {
  const { db, now: clock } = c.get('deps');
  const now = clock();
  const actor = actorOf(c);
  const [props, units] = await Promise.all([pageProps(c), readableUnits(db, actor)]);
  // Nobody who reads no statistics has this page.
  if (units.length === 0) throw errors.notFound('Trang');
  const raw = c.req.query();
  const read = readReportQuery(raw, todayInVietnam(now));
  const query = Object.fromEntries(Object.entries(raw).filter(([k, v]) => TYPED.includes(k) && v !== ''));
  const unit = read.ok ? (read.q.unit ?? units[0]?.id) : undefined;
  const index = read.ok && unit ? await readServiceIndex(db, actor, { unit, from: read.q.from, to: read.q.to }, now) : null;
  if (read.ok) Object.assign(query, { unit, period: read.q.period, year: String(read.q.year), n: String(read.q.n) });
  return sendHtml(
    c,
    <Layout title="Chỉ số phục vụ người dân, doanh nghiệp" section="statistics" {...props}>
      <ServiceIndexPage
        index={index}
        units={units}
        query={query}
        base={index ? { unit: index.unit.id, from: index.period.from, to: index.period.to } : {}}
        errors={read.ok ? undefined : read.fields}
      />
    </Layout>,
    read.ok ? 200 : 400,
  );
});
