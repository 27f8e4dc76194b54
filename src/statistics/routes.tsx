/**
 * Thống kê, báo cáo: Báo cáo tình hình giải quyết TTHC (the form, Biểu 06, the charts) and the dossiers of each of its
 * figures. Who reads what is statistics/policy.ts's (through readStatisticsScope): an official who reads no statistics
 * finds no such page (404), like another unit's report. A query that cannot be read is said on the page (400).
 */
import { Hono } from 'hono';
import { catalog } from '../onestop/page-data.js';
import { formatDate, todayInVietnam } from '../shared/dates.js';
import { AppError, errors } from '../shared/errors.js';
import type { AppEnv } from '../web/env.js';
import { actorOf, pageProps, requireLogin, type Ctx } from '../web/http.js';
import { Layout } from '../web/layout.js';
import { readChartSeries } from './chart-data.js';
import { reportCharts } from './charts.js';
import { DrillPage } from './drill-page.js';
import { listCellDossiers } from './list-cell-dossiers.js';
import { readableUnits } from './readable-units.js';
import { ReportPage } from './report-page.js';
import { readReportQuery, REPORT_PATH, REPORT_QUERY_NAMES, reportParams, type ReportQuery } from './report-query.js';
import { readSituationReport } from './situation-report.js';
import { sendHtml } from '../web/send-html.js';

export const statisticsRoutes = new Hono<AppEnv>();
statisticsRoutes.use('/thong-ke', requireLogin);
statisticsRoutes.use('/thong-ke/*', requireLogin);

const local = REPORT_PATH.replace('/tiepnhan', '');

statisticsRoutes.get('/thong-ke', (c) => c.redirect(REPORT_PATH, 302));

/** What the form shows once the report was read: the values it was read with (the period's days only for từ–đến). */
function shownValues(q: ReportQuery & { unit: string }): Record<string, string> {
  const out: Record<string, string> = { unit: q.unit, groupBy: q.groupBy, period: q.period, year: String(q.year) };
  if (q.period === 'custom') Object.assign(out, { from: formatDate(q.from), to: formatDate(q.to) });
  else if (q.period !== 'year') out.n = String(q.n);
  if (q.sector) out.sector = q.sector;
  if (q.procedure) out.procedure = q.procedure;
  return out;
}

/** The query as typed (for the boxes of a form that could not be read). */
const typed = (c: Ctx) =>
  Object.fromEntries(Object.entries(c.req.query()).filter(([k, v]) => (REPORT_QUERY_NAMES as readonly string[]).includes(k) && v !== ''));

statisticsRoutes.get(local, async (c) => {
  const { db, now: clock } = c.get('deps');
  const now = clock();
  const actor = actorOf(c);
  const [props, units, { sectors, procedures }] = await Promise.all([pageProps(c), readableUnits(db, actor), catalog(c)]);
  const widest = units[0];
  if (!widest) throw errors.notFound('Trang thống kê');
  const read = readReportQuery(c.req.query(), todayInVietnam(now));
  const page = (body: Parameters<typeof ReportPage>[0], status: 200 | 400) =>
    sendHtml(
      c,
      <Layout title="Báo cáo tình hình giải quyết TTHC" section="statistics" {...props}>
        <ReportPage {...body} />
      </Layout>,
      status,
    );
  if (!read.ok) return page({ units, values: typed(c), sectors, procedures, errors: read.fields }, 400);
  const q = { ...read.q, unit: read.q.unit ?? widest.id };
  const params = reportParams(q);
  const report = await readSituationReport(db, actor, params, now);
  const charts = await reportCharts(await readChartSeries(db, actor, q), report.rows);
  return page({ units, values: shownValues(q), sectors, procedures, report, params, charts }, 200);
});

statisticsRoutes.get(`${local}/ho-so`, async (c) => {
  const { db, now: clock } = c.get('deps');
  const now = clock();
  const read = readReportQuery(c.req.query(), todayInVietnam(now));
  if (!read.ok) throw errors.invalidQuery(read.fields);
  if (!read.q.unit) throw errors.invalidQuery({ unit: 'Vui lòng chọn đơn vị.' });
  const params = reportParams({ ...read.q, unit: read.q.unit });
  const group = c.req.query('group');
  const drill = { cell: c.req.query('cell') ?? '', ...(group === undefined ? {} : { group }) };
  const [props, list] = await Promise.all([
    pageProps(c),
    listCellDossiers(db, actorOf(c), { ...params, ...drill, after: c.req.query('after') || undefined }, now).catch((err: unknown) => {
      // The cell, the row or the page position of the address: named, as any other query parameter.
      if (err instanceof AppError && err.code === 'validation_failed' && err.fields) throw errors.invalidQuery(err.fields);
      throw err;
    }),
  ]);
  const next = list.next ? `${REPORT_PATH}/ho-so?${new URLSearchParams({ ...params, ...drill, after: list.next })}` : null;
  return sendHtml(
    c,
    <Layout title="Danh sách hồ sơ của số liệu" section="statistics" {...props}>
      <DrillPage list={list} params={params} next={next} />
    </Layout>,
  );
});
