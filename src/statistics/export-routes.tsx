/**
 * Tải về the situation report (Biểu số 06/VPCP/KSTT) as XLSX or PDF, from the report page's links: the page's address
 * with .xlsx or .pdf and its query, read by the page's own reader (report-query.ts: unit, groupBy, a preset period or
 * from/to as dd/mm/yyyy or yyyy-mm-dd, sector, procedure; the same defaults), so a link downloads the report on the
 * page. readSituationReport decides who reads which unit (another unit's id: 404, like the page); a malformed
 * parameter is a 400 naming it, on the error page.
 *
 * Not audited: reading a report is not, and a download holds the same aggregates — no applicant's data, unlike the
 * exports of personal data (Xuất danh sách cán bộ, Dữ liệu của tôi), which are.
 */
import { Hono } from 'hono';
import type { Queryable } from '../db/client.js';
import type { StaffActor } from '../shared/context.js';
import { errors } from '../shared/errors.js';
import { todayInVietnam } from '../shared/dates.js';
import { withDocumentBuild } from '../shared/slots.js';
import { attachmentDisposition } from '../web/download.js';
import type { AppEnv } from '../web/env.js';
import { actorOf, requireLogin, type Ctx } from '../web/http.js';
import { exportFileName, type SituationExport } from './export-layout.js';
import { situationPdf } from './export-pdf.js';
import { situationXlsx } from './export-xlsx.js';
import { readableUnits } from './readable-units.js';
import { readReportQuery, type ReportQuery } from './report-query.js';
import { groupLabels } from './scope.js';
import { readSituationReport } from './situation-report.js';

export const statisticsExportRoutes = new Hono<AppEnv>();
statisticsExportRoutes.use('/thong-ke/*', requireLogin);

/** The report and the names of what it was narrowed to; a sector or procedure that does not exist is not found. */
async function readExport(db: Queryable, actor: StaffActor, q: ReportQuery, now: Date): Promise<SituationExport> {
  // No unit named: the page's default, the widest unit the official reads.
  const unit = q.unit ?? (await readableUnits(db, actor))[0]?.id;
  if (!unit) throw errors.notFound('Đơn vị');
  const report = await readSituationReport(
    db,
    actor,
    { unit, groupBy: q.groupBy, from: q.from, to: q.to, sector: q.sector, procedure: q.procedure },
    now,
  );
  const nameOf = async (groupBy: 'sector' | 'procedure', id: string | undefined, what: string) => {
    if (!id) return null;
    const name = (await groupLabels(db, groupBy, [id])).get(id);
    if (name === undefined) throw errors.notFound(what);
    return name;
  };
  return {
    report,
    sector: await nameOf('sector', q.sector, 'Lĩnh vực'),
    procedure: await nameOf('procedure', q.procedure, 'Thủ tục'),
  };
}

async function download(c: Ctx, format: 'xlsx' | 'pdf'): Promise<Response> {
  const { db, now } = c.get('deps');
  const at = now();
  const read = readReportQuery(c.req.query(), todayInVietnam(at));
  if (!read.ok) throw errors.invalidQuery(read.fields);
  const x = await readExport(db, actorOf(c), read.q, at);
  // Seconds of the event loop at the row cap: one of the process's few document builds (shared/slots.ts).
  const body = await withDocumentBuild(async () => (format === 'xlsx' ? await situationXlsx(x) : new Uint8Array(await situationPdf(x))));
  return c.body(body as Uint8Array<ArrayBuffer>, 200, {
    'Content-Type': format === 'xlsx' ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'application/pdf',
    'Content-Disposition': attachmentDisposition(exportFileName(x.report, format)),
    'X-Content-Type-Options': 'nosniff',
  });
}

statisticsExportRoutes.get('/thong-ke/tinh-hinh-giai-quyet.xlsx', (c) => download(c, 'xlsx'));
statisticsExportRoutes.get('/thong-ke/tinh-hinh-giai-quyet.pdf', (c) => download(c, 'pdf'));
