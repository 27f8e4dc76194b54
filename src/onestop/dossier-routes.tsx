import { Hono } from 'hono';
import { z } from 'zod';
import { delegationsInForce, registerAgencies } from '../dossiers/access.js';
import type { AppEnv } from '../web/env.js';
import { Layout } from '../web/layout.js';
import { actorOf, formData, pageProps, requireLogin, type Ctx } from '../web/http.js';
import { idParam, queryOf } from '../web/params.js';
import { acceptsUpload, uploadedStream } from '../web/body.js';
import { sendFile } from '../web/download.js';
import { param } from '../shared/validate.js';
import { AppError, errors } from '../shared/errors.js';
import { atLocal } from '../calendar/working-time.js';
import { loadCalendar } from '../calendar/load.js';
import { listProcedureChoices, listSectors } from '../procedures/procedure-queries.js';
import { INBOX_TABS, listInbox, type InboxTab } from '../dossiers/inbox.js';
import { receiveDossier } from '../dossiers/receive-dossier.js';
import { actOnDossier } from '../dossiers/act-on-dossier.js';
import { viewDossier } from '../dossiers/view-dossier.js';
import { officeMinutesPerDay } from '../dossiers/steps.js';
import { DossierPage, InboxPage, ReceptionPage } from './dossier-pages.js';
import { dossierFormPdf, type FormNumber } from '../dossiers/dossier-forms.js';
import { dossierRegisterPdf } from '../dossiers/register.js';
import { attachResult, readResultFile, resultFilesOf } from '../dossiers/attach-result.js';

export const dossierRoutes = new Hono<AppEnv>();
dossierRoutes.use('*', requireLogin);

/**
 * "Sắp đến hạn" ends one working day from now. The calendar here only colours and filters the
 * inbox, so it may come from the display cache; due dates themselves are computed by the use cases
 * on the calendar read afresh.
 */
async function soonThreshold(c: Ctx, now: Date) {
  const { db, displayCache } = c.get('deps');
  const cal = await displayCache.get('calendar', () => loadCalendar(db, now));
  return cal.addWorkingMinutes(now, officeMinutesPerDay(cal));
}

/** The agencies whose Mẫu 07 the official may read (page chrome: the register checks again). */
function agenciesOf(c: Ctx) {
  const { db, displayCache } = c.get('deps');
  const actor = actorOf(c);
  return displayCache.get(`agencies:${actor.accountId}`, () => registerAgencies(db, actor));
}

/** Sectors and current procedures, for the filters and the reception form's choices. */
function catalog(c: Ctx) {
  const { db, displayCache } = c.get('deps');
  return displayCache.get('catalog', async () => {
    const [sectorRows, procs] = await Promise.all([listSectors(db), listProcedureChoices(db)]);
    return { sectors: sectorRows, procedures: procs };
  });
}

/** The inbox's filters, with the Vietnamese names of its form (the API takes InboxQuery). */
const InboxPageQuery = z.object({
  tab: param.oneOf(Object.keys(INBOX_TABS) as [InboxTab, ...InboxTab[]], 'Danh sách hồ sơ không hợp lệ.'),
  linhvuc: param.id('Mã lĩnh vực không hợp lệ.'),
  thutuc: param.id('Mã thủ tục không hợp lệ.'),
  han: param.oneOf(['con-han', 'sap-den-han', 'qua-han'], 'Tình trạng hạn không hợp lệ.'),
  tu: param.date('Từ ngày không hợp lệ. Vui lòng nhập theo dạng dd/mm/yyyy.'),
  den: param.date('Đến ngày không hợp lệ. Vui lòng nhập theo dạng dd/mm/yyyy.'),
  q: param.text(100, 'Từ khóa tìm kiếm tối đa 100 ký tự.'),
  after: param.text(80, 'Vị trí trang không hợp lệ.'),
  uyquyen: param.int(1, 2_147_483_647, 'Số ủy quyền không hợp lệ.'),
});

/** HỒ SƠ CẦN XỬ LÝ. */
dossierRoutes.get('/ho-so', async (c) => {
  const { db, now: clock } = c.get('deps');
  const now = clock();
  const q = queryOf(c, InboxPageQuery);
  const tab = q.tab ?? 'cho-xu-ly';
  const day = (iso: string | undefined, plus = 0) => (iso ? new Date(atLocal(iso, 0).getTime() + plus * 86_400_000) : undefined);
  const soon = await soonThreshold(c, now);
  const filter = {
    tab,
    sectorId: q.linhvuc,
    procedureId: q.thutuc,
    dueState: q.han,
    from: day(q.tu),
    to: day(q.den, 1),
    q: q.q,
    after: q.after,
  };
  // The delegations in force lent to the official: a tab each; the chosen one is read again on every request, so
  // one ended or expired a moment ago is gone from the very next page. Only a delegated tab needs them before the
  // list; the own inbox reads them beside it.
  const lentRead = delegationsInForce(db, actorOf(c), now);
  const lent = q.uyquyen === undefined ? [] : await lentRead;
  // A tab whose delegation is gone (a bookmark, a page left open) shows the official's own dossiers and says why.
  const via = q.uyquyen === undefined ? null : (lent.find((l) => l.id === q.uyquyen) ?? null);
  const gone =
    q.uyquyen !== undefined && !via
      ? `Ủy quyền số ${q.uyquyen} đã kết thúc, hết hạn hoặc không phải của bạn: bạn không còn xử lý hồ sơ thay người ủy quyền. Dưới đây là hồ sơ của bạn.`
      : null;
  const [result, tabs, { sectors: sectorRows, procedures }, props, agencies] = await Promise.all([
    listInbox(db, actorOf(c), filter, now, soon, via),
    lentRead,
    catalog(c),
    pageProps(c),
    agenciesOf(c),
  ]);
  const raw = c.req.query();
  const keep = Object.fromEntries(
    Object.entries(raw).filter(
      ([k, v]) => ['tab', 'q', 'linhvuc', 'thutuc', 'han', 'tu', 'den', ...(via ? ['uyquyen'] : [])].includes(k) && v,
    ),
  );
  return c.html(
    <Layout title="Hồ sơ cần xử lý" section="dossiers" {...props}>
      <InboxPage
        tab={tab}
        counts={result.counts}
        rows={result.rows}
        next={result.next}
        query={keep}
        sectors={sectorRows}
        procedures={procedures}
        now={now}
        soon={soon}
        agencies={agencies}
        delegations={tabs}
        via={via?.id ?? null}
        receives={props.receives}
        notice={gone}
      />
    </Layout>,
  );
});

async function renderReception(c: Ctx, values: Record<string, string>, err?: AppError) {
  const { sectors: sectorRows, procedures } = await catalog(c);
  const props = await pageProps(c);
  return c.html(
    <Layout title="Tiếp nhận hồ sơ" section="reception" {...props}>
      <ReceptionPage
        csrfToken={props.csrfToken}
        sectors={sectorRows}
        procedures={procedures}
        values={values}
        errors={err?.fields}
        error={err?.message}
        now={c.get('deps').now()}
      />
    </Layout>,
    (err?.status ?? 200) as 200,
  );
}

/** The reception form's choices kept in its address (choosing a sector reloads the form). */
const ReceptionQuery = z.object({
  linhvuc: param.id('Mã lĩnh vực không hợp lệ.'),
  procedureId: param.id('Mã thủ tục không hợp lệ.'),
  channel: param.oneOf(['1', '2', '3'], 'Hình thức tiếp nhận không hợp lệ.'),
  fullName: param.text(150, 'Họ tên tối đa 150 ký tự.'),
  cccd: param.text(20, 'Số CCCD không hợp lệ.'),
  phone: param.text(20, 'Số điện thoại không hợp lệ.'),
  email: param.text(200, 'Địa chỉ email tối đa 200 ký tự.'),
  address: param.text(300, 'Địa chỉ tối đa 300 ký tự.'),
  note: param.text(1000, 'Ghi chú tối đa 1000 ký tự.'),
});

/** TIẾP NHẬN HỒ SƠ (seed 000): direct and postal dossiers. */
dossierRoutes.get('/tiep-nhan', (c) => {
  const values = Object.entries(queryOf(c, ReceptionQuery)).filter((e): e is [string, string] => typeof e[1] === 'string');
  return renderReception(c, Object.fromEntries(values));
});

dossierRoutes.post('/tiep-nhan', async (c) => {
  const form = await formData(c);
  try {
    const d = await receiveDossier(c.get('deps').db, actorOf(c), form, c.get('deps').now());
    return c.redirect(`/tiepnhan/ho-so/${d.id}?tb=received`, 303);
  } catch (err) {
    if (!(err instanceof AppError) || err.status === 404) throw err;
    return renderReception(c, form, err);
  }
});

const NOTICES: Record<string, string> = {
  attached: 'Đã đính kèm tệp kết quả.',
  received: 'Đã tiếp nhận hồ sơ. In Giấy tiếp nhận và hẹn trả kết quả (Mẫu 01) cho người nộp.',
  done: 'Đã cập nhật hồ sơ.',
};

async function renderDossier(c: Ctx, id: string, s: { notice?: string; error?: AppError } = {}) {
  const { db, now: clock } = c.get('deps');
  const now = clock();
  const view = await viewDossier(db, actorOf(c), id, c.get('deps').now());
  const props = await pageProps(c);
  return c.html(
    <Layout title={`Hồ sơ ${view.dossier.code}`} section="dossiers" {...props}>
      <DossierPage
        csrfToken={props.csrfToken}
        view={view}
        notice={s.notice}
        error={s.error?.message}
        errors={s.error?.fields}
        now={now}
        soon={await soonThreshold(c, now)}
        files={await resultFilesOf(db, view.dossier.id)}
      />
    </Layout>,
    (s.error?.status ?? 200) as 200,
  );
}

/** A dossier's page: ?tb= the notice after a change. */
const DossierQuery = z.object({ tb: param.text(40, 'Thông báo không hợp lệ.') });

dossierRoutes.get('/ho-so/:id', (c) => {
  const id = idParam(c, 'Hồ sơ');
  return renderDossier(c, id, { notice: NOTICES[queryOf(c, DossierQuery).tb ?? ''] });
});

dossierRoutes.post('/ho-so/:id/xu-ly', async (c) => {
  const id = idParam(c, 'Hồ sơ');
  const form = await formData(c);
  try {
    await actOnDossier(c.get('deps').db, actorOf(c), id, form, c.get('deps').now());
    return c.redirect(`/tiepnhan/ho-so/${id}?tb=done`, 303);
  } catch (err) {
    if (!(err instanceof AppError) || err.status === 404) throw err;
    return renderDossier(c, id, { error: err });
  }
});

/** Mẫu 01–06 of a dossier, as PDF. */
dossierRoutes.get('/ho-so/:id/:form{mau-0[1-6]\\.pdf}', async (c) => {
  const id = idParam(c, 'Hồ sơ');
  const form = c.req.param('form').slice(4, 6) as FormNumber;
  const pdf = await dossierFormPdf(c.get('deps').db, actorOf(c), id, form, c.get('deps').config.publicUrl, c.get('deps').now());
  return c.body(new Uint8Array(pdf), 200, {
    'Content-Type': 'application/pdf',
    'Content-Disposition': `inline; filename="mau-${form}.pdf"`,
  });
});

/** Mẫu 07 — Sổ theo dõi hồ sơ of an agency and period (dd/mm/yyyy). */
const RegisterQuery = z.object({
  donvi: param.id('Mã cơ quan tiếp nhận không hợp lệ.'),
  tu: param.date('Từ ngày không hợp lệ. Vui lòng nhập theo dạng dd/mm/yyyy.'),
  den: param.date('Đến ngày không hợp lệ. Vui lòng nhập theo dạng dd/mm/yyyy.'),
});

dossierRoutes.get('/so-theo-doi.pdf', async (c) => {
  const { donvi, tu: from, den: to } = queryOf(c, RegisterQuery);
  if (!from || !to || to < from)
    throw new AppError('invalid_period', 'Vui lòng chọn khoảng thời gian hợp lệ (từ ngày, đến ngày theo dạng dd/mm/yyyy).', 400);
  if (!donvi) throw errors.notFound('Đơn vị');
  const pdf = await dossierRegisterPdf(
    c.get('deps').db,
    actorOf(c),
    donvi,
    atLocal(from, 0),
    new Date(atLocal(to, 0).getTime() + 86_400_000),
  );
  return c.body(new Uint8Array(pdf), 200, {
    'Content-Type': 'application/pdf',
    'Content-Disposition': 'inline; filename="so-theo-doi-ho-so.pdf"',
  });
});

dossierRoutes.post('/ho-so/:id/ket-qua', acceptsUpload, async (c) => {
  const id = idParam(c, 'Hồ sơ');
  const file = await uploadedStream(c);
  try {
    if (!file) throw new AppError('validation_failed', 'Vui lòng chọn tệp kết quả.', 400);
    await attachResult(c.get('deps').db, actorOf(c), id, file, c.get('deps').now());
    return c.redirect(`/tiepnhan/ho-so/${id}?tb=attached`, 303);
  } catch (err) {
    if (!(err instanceof AppError) || err.status === 404) throw err;
    return renderDossier(c, id, { error: err });
  }
});

dossierRoutes.get('/ho-so/:id/tep/:fileId', async (c) => {
  const f = await readResultFile(c.get('deps').db, actorOf(c), idParam(c, 'Hồ sơ'), idParam(c, 'Tệp', 'fileId'), c.get('deps').now());
  return sendFile(c, { open: f.open, size: f.size, mediaType: f.mime, fileName: f.name });
});
