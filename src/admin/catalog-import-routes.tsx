/**
 * Quản trị → Nhập đơn vị từ tệp, Nhập danh mục thủ tục từ tệp: the screens of the unit tree import and the procedure
 * catalog import (docs/decisions/0030), for a province administrator on a live system without a shell. The same
 * flow as the commands: upload → dry run with its per-row report → "Xác nhận nhập" applies. The previewed file stays
 * on the server (shared/staged-imports.ts): the confirmation names it by id and SHA-256, is good once, and writes
 * only the plan the dry run showed — if the data changed since, nothing is written and the new report is shown (409).
 * A confirmation whose write fails writes nothing either: the use case says why (a row the database refused, 409, or
 * import_not_written, 503) and logs the error; this page shows it with the confirmation again, the file still staged.
 * Only province administrators; anyone else gets 404, as for the other province-only admin pages.
 */
import { Hono } from 'hono';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { readTable, type TableRow, type TableSpec } from '../accounts/read-sheet.js';
import { isProvinceAdministrator } from '../accounts/policies.js';
import type { Db } from '../db/client.js';
import { importUnits } from '../org/import-units.js';
import { UNIT_KIND_HINT, UNIT_SHEET, type UnitColumn } from '../org/import-units-columns.js';
import { importCatalog } from '../procedures/import-catalog.js';
import { CATALOG_SHEET, type CatalogColumn } from '../procedures/import-catalog-columns.js';
import type { StaffActor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { IMPORT_NOT_WRITTEN, type ImportOptions, type ImportResult, planDigest } from '../shared/import-plan.js';
import type { ImportReport, ImportRowReport } from '../shared/import-report.js';
import { importTemplate } from '../shared/import-template.js';
import { openStagedImport, STAGED_IMPORT_HOURS, type StagedImport, stageImport } from '../shared/staged-imports.js';
import { acceptsUpload, formData, uploadedFile } from '../web/body.js';
import { attachmentDisposition } from '../web/download.js';
import type { AppEnv } from '../web/env.js';
import { actorOf, type Ctx, pageProps, requireLogin } from '../web/http.js';
import { CsrfField, Flash, Layout } from '../web/layout.js';
import { sendHtml } from '../web/send-html.js';
import { postAnswerAddress } from '../web/post-answer.js';

type ImportScreen<K extends string> = {
  base: string;
  title: string;
  spec: TableSpec<K>;
  run: (db: Db, actor: StaffActor, rows: TableRow<K>[], opts: ImportOptions) => Promise<ImportResult>;
  templateSheet: string;
  templateFile: string;
  /** Where the imported things are seen afterwards. */
  back: { href: string; label: string };
  help: Child;
};

const STATUS_LABELS: Record<ImportRowReport['status'], string> = {
  created: 'Tạo mới',
  updated: 'Cập nhật',
  unchanged: 'Không đổi',
  refused: 'Từ chối',
};

/** The column headers the template gives: the first (Vietnamese) header each column is read under. */
const headersOf = <K extends string>(spec: TableSpec<K>) => spec.columns.map(([, label]) => label ?? '');

function ReportTable(p: { report: ImportReport }) {
  return (
    <table class="list" id="import-rows">
      <thead>
        <tr>
          <th scope="col">Dòng</th>
          <th scope="col">Kết quả</th>
          <th scope="col">Nội dung</th>
          <th scope="col">Chi tiết, lý do</th>
        </tr>
      </thead>
      <tbody>
        {p.report.rows.map((r) => (
          <tr data-status={r.status}>
            <td>{r.line}</td>
            <td>{r.status === 'refused' ? <strong>{STATUS_LABELS[r.status]}</strong> : STATUS_LABELS[r.status]}</td>
            <td>{r.subject}</td>
            <td>{r.details.join('; ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

type PageState = {
  error?: string;
  /** A dry run's report, with the staged file to confirm when it may be applied. */
  preview?: { report: ImportReport; file: string; staged: StagedImport | null };
  /** The report of a confirmation: applied, refused at the last moment, or the new plan when the data changed. */
  result?: { report: ImportResult; file: string };
  /** A confirmation that wrote nothing and may be tried again as it is: its staged file, still kept. */
  again?: StagedImport;
};

const PLAN_CHANGED =
  'Dữ liệu đã thay đổi kể từ khi chạy thử: không có gì được ghi. Vui lòng chạy thử lại để xem kết quả mới. Kết quả dưới đây là theo dữ liệu hiện tại.';

/** A row refused while writing: the line, what it names, and why (the use case's words, never the database's). */
function refusedOnWrite(report: ImportReport): string {
  const rows = report.rows.filter((r) => r.status === 'refused');
  return rows.map((r) => `Dòng ${r.line} — ${r.subject}: ${r.details.join('; ')}`).join(' ');
}

function ConfirmForm(p: { action: string; csrfToken: string; staged: StagedImport; children: Child }) {
  return (
    <form method="post" action={p.action} class="stack" id="import-confirm">
      <CsrfField token={p.csrfToken} />
      <input type="hidden" name="tep" value={p.staged.id} />
      <input type="hidden" name="sha256" value={p.staged.sha256} />
      {p.children}
      <button type="submit" class="primary">
        Xác nhận nhập
      </button>
    </form>
  );
}

function counts(report: ImportReport): string {
  const { created, updated, unchanged, refused } = report.counts;
  return `${report.rows.length} dòng: ${created} tạo mới, ${updated} cập nhật, ${unchanged} không đổi, ${refused} từ chối.`;
}

function importScreen<K extends string>(screen: ImportScreen<K>) {
  const routes = new Hono<AppEnv>();
  routes.use('*', requireLogin);
  routes.use('*', async (c, next) => {
    // The use cases refuse anyone else too (403); the screen hides itself like the other province-only pages.
    if (!(await isProvinceAdministrator(c.get('deps').db, actorOf(c)))) throw errors.notFound('Trang');
    await next();
  });

  async function render(c: Ctx, s: PageState, status: ContentfulStatusCode = 200) {
    const props = await pageProps(c);
    const again = s.again ? (
      <ConfirmForm action={`${screen.base}/xac-nhan`} csrfToken={props.csrfToken} staged={s.again}>
        <p>
          Tệp đã chạy thử <strong>{s.again.name}</strong> vẫn được giữ: khi đã xử lý nguyên nhân, bấm "Xác nhận nhập" để nhập lại đúng nội
          dung đã chạy thử. Nếu cần sửa tệp, hãy tải tệp đã sửa lên và chạy thử lại.
        </p>
      </ConfirmForm>
    ) : null;
    // A dry run's report and a confirmation's result answer their post only (the staged file is named in the form,
    // never in an address): their history entry becomes the screen's own, which shows the upload form again.
    return sendHtml(
      c,
      <Layout title={screen.title} section="admin" {...props} address={postAnswerAddress(c, screen.base)}>
        <section class="narrow wide-ok">
          <h1>{screen.title}</h1>
          {s.error ? <Flash kind="error">{s.error}</Flash> : null}
          {s.preview ? (
            <div id="import-preview">
              <h2>Kết quả chạy thử: {s.preview.file}</h2>
              {s.preview.report.counts.refused ? (
                <Flash kind="error">
                  Chưa ghi gì. Tệp còn dòng bị từ chối ({counts(s.preview.report)}) Sửa các dòng bị từ chối trong tệp rồi tải lên lại.
                </Flash>
              ) : s.preview.staged ? (
                <Flash kind="info">Chạy thử, chưa ghi gì: {counts(s.preview.report)} Kiểm tra từng dòng rồi bấm "Xác nhận nhập".</Flash>
              ) : (
                <Flash kind="info">Không có thay đổi nào để nhập: {counts(s.preview.report)}</Flash>
              )}
              {s.preview.staged ? (
                <ConfirmForm action={`${screen.base}/xac-nhan`} csrfToken={props.csrfToken} staged={s.preview.staged}>
                  <p>
                    Tệp đã chạy thử được giữ {STAGED_IMPORT_HOURS} giờ; mã kiểm tra SHA-256: <code>{s.preview.staged.sha256}</code>.
                  </p>
                </ConfirmForm>
              ) : null}
              <ReportTable report={s.preview.report} />
            </div>
          ) : null}
          {s.result ? (
            <div id="import-result">
              <h2>Kết quả nhập: {s.result.file}</h2>
              {s.result.report.applied ? (
                <Flash kind="ok">
                  Đã nhập {counts(s.result.report)} <a href={screen.back.href}>{screen.back.label}</a>
                </Flash>
              ) : s.result.report.planChanged ? (
                <Flash kind="error">{PLAN_CHANGED}</Flash>
              ) : (
                <Flash kind="error">Không nhập được, chưa có thay đổi nào được ghi. {refusedOnWrite(s.result.report)}</Flash>
              )}
              {again}
              <ReportTable report={s.result.report} />
            </div>
          ) : (
            again
          )}
          <h2>{s.preview || s.result ? 'Tải lên tệp khác' : 'Tải lên tệp'}</h2>
          <form method="post" action={screen.base} enctype="multipart/form-data" class="stack" id="import-upload">
            <CsrfField token={props.csrfToken} />
            <label for="file">Tệp (.xlsx hoặc .csv UTF-8, tối đa 5 MB)</label>
            <input
              id="file"
              name="file"
              type="file"
              accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              required
            />
            <button type="submit" class="primary">
              Chạy thử
            </button>
          </form>
          <p>Chạy thử không ghi gì: hệ thống đọc từng dòng và cho biết dòng nào sẽ được tạo mới, cập nhật hay bị từ chối (và lý do).</p>
          {screen.help}
          <p>
            <a href={`${screen.base}/mau`}>Tải tệp mẫu</a>
          </p>
        </section>
      </Layout>,
      status,
    );
  }

  /**
   * An import error the administrator can act on is said on the page (an apply that wrote nothing, with `s.again` to
   * confirm it again); anything else is the error page's.
   */
  function refusal(c: Ctx, err: unknown, s: PageState = {}) {
    if (!(err instanceof AppError)) throw err;
    if (err.status === 400 || err.status === 409) return render(c, { ...s, error: err.message }, err.status);
    if (err.code === IMPORT_NOT_WRITTEN) return render(c, { ...s, error: err.message }, 503);
    throw err;
  }

  routes.get('/', (c) => render(c, {}));

  routes.post('/', acceptsUpload, async (c) => {
    const file = await uploadedFile(c);
    if (!file) return render(c, { error: 'Vui lòng chọn tệp cần nhập (tệp không được để trống).' }, 400);
    try {
      const { db, now } = c.get('deps');
      const actor = actorOf(c);
      const rows = await readTable(file.bytes, screen.spec);
      if (rows.length === 0) return render(c, { error: 'Tệp không có dòng dữ liệu nào dưới dòng tiêu đề.' }, 400);
      const report = await screen.run(db, actor, rows, { apply: false, now: now() });
      const applicable = report.counts.refused === 0 && report.counts.created + report.counts.updated > 0;
      const staged = applicable ? await stageImport(db, actor, file, planDigest(report), now()) : null;
      return render(c, { preview: { report, file: staged?.name ?? file.name, staged } });
    } catch (err) {
      return refusal(c, err);
    }
  });

  routes.post('/xac-nhan', async (c) => {
    const form = await formData(c);
    let again: StagedImport | undefined;
    try {
      const { db, now, logger } = c.get('deps');
      const actor = actorOf(c);
      const file = await openStagedImport(db, actor, { id: form.tep ?? '', sha256: form.sha256 ?? '' }, now());
      const source = { name: file.name, sha256: file.sha256 };
      const rows = await readTable(file.bytes, screen.spec);
      // The staged row is claimed inside the import's transaction: not applied, it is still there to confirm again.
      again = { id: file.id, name: file.name, sha256: file.sha256 };
      const report = await screen.run(db, actor, rows, {
        apply: true,
        now: now(),
        source,
        expectedPlan: file.plan,
        claim: file.claim,
        logger: logger.child({ requestId: c.get('requestId') }),
      });
      // A changed plan is not confirmed again as it is (its message asks for a new dry run); a refused row may be.
      const retry = report.applied || report.planChanged ? undefined : again;
      return render(c, { result: { report, file: file.name }, again: retry }, report.applied ? 200 : 409);
    } catch (err) {
      return refusal(c, err, err instanceof AppError && err.code === IMPORT_NOT_WRITTEN ? { again } : {});
    }
  });

  routes.get('/mau', async (c) => {
    const body = await importTemplate(screen.templateSheet, headersOf(screen.spec));
    return c.body(body as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'Content-Disposition': attachmentDisposition(screen.templateFile),
    });
  });
  return routes;
}

export const UNIT_IMPORT_PATH = '/tiepnhan/quan-tri/don-vi/nhap';
export const CATALOG_IMPORT_PATH = '/tiepnhan/quan-tri/thu-tuc/nhap';

/** Nhập đơn vị từ tệp (org/import-units.ts). */
export const unitImportRoutes = importScreen<UnitColumn>({
  base: UNIT_IMPORT_PATH,
  title: 'Nhập đơn vị từ tệp',
  spec: UNIT_SHEET,
  run: importUnits,
  templateSheet: 'Đơn vị',
  templateFile: 'mẫu-nhập-đơn-vị.xlsx',
  back: { href: '/tiepnhan/quan-tri/don-vi', label: 'Xem cây đơn vị' },
  help: (
    <>
      <p>
        Dòng tiêu đề gồm các cột: Tên đơn vị; Đơn vị cấp trên (mã định danh điện tử hoặc tên của đơn vị cấp trên, trong tệp hay đã có trong
        cây; để trống cho đơn vị gốc); Mã định danh điện tử; Loại đơn vị; Tên viết tắt (không bắt buộc). Các dòng có thể theo thứ tự bất kỳ.
      </p>
      <p>Loại đơn vị là một trong: {UNIT_KIND_HINT}.</p>
      <p>
        Đơn vị đã có (cùng mã định danh, hoặc cùng tên dưới cùng đơn vị cấp trên) được cập nhật; ô mã định danh để trống giữ mã cũ. Đơn vị
        không có trong tệp được giữ nguyên. Chỉ cần một dòng bị từ chối thì cả tệp không được ghi.
      </p>
    </>
  ),
});

/** Nhập danh mục thủ tục từ tệp (procedures/import-catalog.ts), from the national procedure database's export. */
export const catalogImportRoutes = importScreen<CatalogColumn>({
  base: CATALOG_IMPORT_PATH,
  title: 'Nhập danh mục thủ tục từ tệp',
  spec: CATALOG_SHEET,
  run: importCatalog,
  templateSheet: 'Thủ tục hành chính',
  templateFile: 'mẫu-nhập-thủ-tục.xlsx',
  back: { href: '/tiepnhan/quan-tri/thu-tuc', label: 'Xem danh mục thủ tục' },
  help: (
    <>
      <p>
        Dùng tệp xuất từ Cơ sở dữ liệu quốc gia về thủ tục hành chính, hoặc tệp mẫu. Các cột: Mã thủ tục; Tên thủ tục; Lĩnh vực (lĩnh vực
        chưa có sẽ được tạo); Mức độ (toàn trình, một phần); Cơ quan thực hiện (một đơn vị, theo mã định danh điện tử hoặc tên); Thời hạn
        giải quyết (ghi "N ngày làm việc", "N giờ làm việc" hoặc "Trong ngày làm việc" — không nhận ngày lịch); Phí, lệ phí; Thành phần hồ
        sơ (mỗi giấy tờ một dòng, ghi "(nếu có)" cho giấy tờ không bắt buộc); Kết quả thực hiện (không bắt buộc).
      </p>
      <p>
        Thủ tục mới được tạo với quy trình bốn bước tại cơ quan thực hiện, cần hoàn thiện trên màn hình Thủ tục hành chính. Thủ tục đã có mà
        thông tin thay đổi được ghi thành phiên bản mới: hồ sơ đã tiếp nhận giữ phiên bản cũ. Chỉ cần một dòng bị từ chối thì cả tệp không
        được ghi.
      </p>
    </>
  ),
});
