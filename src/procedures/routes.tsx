import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../web/env.js';
import { CsrfField, FieldError, Flash, Layout } from '../web/layout.js';
import { actorOf, pageProps, requireLogin, type Ctx } from '../web/http.js';
import { idParam, queryOf } from '../web/params.js';
import { acceptsUpload, formData, uploadedStream } from '../web/body.js';
import { param } from '../shared/validate.js';
import { AppError, errors } from '../shared/errors.js';
import { formatDateTime } from '../shared/dates.js';
import { requireAdministrator } from '../accounts/policies.js';
import { administeredForest } from '../org/list-units.js';
import { UnitOptions } from '../admin/unit-tree.js';
import { ROLE_LABELS } from '../accounts/set-roles.js';
import { ACTION_LABELS, type DossierAction } from '../dossiers/transitions.js';
import { saveProcedure } from './save-procedure.js';
import { listSectors, loadProcedureWithVersions, searchProcedures, type ProcedureVersion } from './procedure-queries.js';
import { DECLARATION_HELP } from './declaration-form.js';
import { procedureFormValues, procedureInputOf, STEP_ROWS, type ProcedureFormValues } from './procedure-form.js';
import { TEMPLATE_ACCEPT, removeDocumentTemplate, templateUrl, templatesInfo, uploadDocumentTemplate } from './document-templates.js';
import { sendHtml } from '../web/send-html.js';
import { timeLimitText } from './time-limit.js';
import { postAnswerAddress } from '../web/post-answer.js';

/** Quản trị → Thủ tục hành chính: the catalog with versioned internal processes. */
export const procedureRoutes = new Hono<AppEnv>();
procedureRoutes.use('*', requireLogin);
procedureRoutes.use('*', async (c, next) => {
  await requireAdministrator(c.get('deps').db, actorOf(c));
  await next();
});

/** The catalog: ?q= part of a procedure's name. */
const ListQuery = z.object({ q: param.text(100, 'Từ khóa tìm kiếm tối đa 100 ký tự.') });
/** A procedure's page: ?tb= the notice after a change. */
const FormQuery = z.object({ tb: param.text(40, 'Thông báo không hợp lệ.') });

procedureRoutes.get('/', async (c) => {
  const { db } = c.get('deps');
  const q = queryOf(c, ListQuery).q ?? '';
  const rows = await searchProcedures(db, q);
  const props = await pageProps(c);
  return sendHtml(
    c,
    <Layout title="Thủ tục hành chính" section="admin" {...props}>
      <section>
        <h1>THỦ TỤC HÀNH CHÍNH</h1>
        <form method="get" class="inline-form">
          <input name="q" value={q} placeholder="Tìm theo tên thủ tục" aria-label="Tìm theo tên thủ tục" />
          <button type="submit">Tìm</button>
          <a class="button primary" href="/tiepnhan/quan-tri/thu-tuc/moi">
            Thêm thủ tục
          </a>
        </form>
        <table class="list" id="procedures">
          <thead>
            <tr>
              <th scope="col">Mã</th>
              <th scope="col">Tên thủ tục</th>
              <th scope="col">Lĩnh vực</th>
              <th scope="col">Thời hạn</th>
              <th scope="col">Phiên bản</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr>
                <td>{r.code}</td>
                <td>
                  <a href={`/tiepnhan/quan-tri/thu-tuc/${r.id}`}>{r.name}</a>
                </td>
                <td>{r.sector}</td>
                <td>{timeLimitText(r)}</td>
                <td>{r.version}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Layout>,
  );
});

type Values = ProcedureFormValues;

async function renderForm(
  c: Ctx,
  procedureId: string | null,
  values: Values | null,
  s: { notice?: string | undefined; error?: AppError; savedVersion?: number } = {},
) {
  const { db } = c.get('deps');
  const props = await pageProps(c);
  const { flat } = await administeredForest(db, actorOf(c));
  const sectorRows = await listSectors(db);
  let v: Values = values ?? { limitKind: 'days', onlineLevel: 'mot_phan', fee: '0' };
  let versions: ProcedureVersion[] = [];
  let current: ProcedureVersion | undefined;
  let templates = new Map<string, { fileName: string; size: number }>();
  let code = '';
  if (procedureId) {
    const found = await loadProcedureWithVersions(db, procedureId);
    if (!found) throw errors.notFound('Thủ tục');
    const p = found.procedure;
    code = p.code;
    versions = found.versions;
    const cur = versions.find((x) => x.current)!;
    current = cur;
    templates = await templatesInfo(db, cur.documents);
    if (!values) v = procedureFormValues(p.code, cur);
  }
  const stepRows = Array.from({ length: STEP_ROWS }, (_, i) => i);
  const errs = s.error?.fields;
  const notice = s.savedVersion !== undefined && s.savedVersion === current?.version ? `Đã lưu phiên bản ${s.savedVersion}.` : s.notice;
  return sendHtml(
    c,
    <Layout
      title="Thủ tục hành chính"
      section="admin"
      {...props}
      address={postAnswerAddress(c, procedureId ? `/tiepnhan/quan-tri/thu-tuc/${procedureId}` : '/tiepnhan/quan-tri/thu-tuc/moi')}
    >
      <section class="narrow wide-ok">
        <h1>{procedureId ? `Thủ tục ${code}` : 'Thêm thủ tục hành chính'}</h1>
        {notice ? <Flash kind="ok">{notice}</Flash> : null}
        {s.error ? <Flash kind="error">{s.error.message}</Flash> : null}
        <form method="post" class="stack">
          <CsrfField token={props.csrfToken} />
          {current ? <input type="hidden" name="version" value={v.version ?? String(current.version)} /> : null}
          <label for="p-code">Mã thủ tục</label>
          <input id="p-code" name="code" value={v.code ?? ''} readonly={!!procedureId} required />
          <FieldError errors={errs} name="code" />
          <label for="p-name">Tên thủ tục</label>
          <input id="p-name" name="name" value={v.name ?? ''} required />
          <FieldError errors={errs} name="name" />
          <label for="p-sector">Lĩnh vực</label>
          <select id="p-sector" name="sectorId">
            {sectorRows.map((x) => (
              <option value={x.id} selected={x.id === v.sectorId}>
                {x.name}
              </option>
            ))}
          </select>
          <label for="p-unit">Đơn vị thực hiện (tiếp nhận)</label>
          <select id="p-unit" name="unitId">
            <UnitOptions flat={flat} selected={v.unitId ?? null} />
          </select>
          <FieldError errors={errs} name="unitId" />
          <label for="p-limit">Thời hạn giải quyết</label>
          <div class="inline-form">
            <input id="p-limit" name="limit" value={v.limit ?? ''} inputmode="decimal" class="short" aria-describedby="p-limit-help" />
            <select name="limitKind" aria-label="Đơn vị thời hạn">
              <option value="days" selected={v.limitKind !== 'hours' && v.limitKind !== 'same_day'}>
                ngày làm việc
              </option>
              <option value="hours" selected={v.limitKind === 'hours'}>
                giờ làm việc
              </option>
              <option value="same_day" selected={v.limitKind === 'same_day'}>
                trong ngày làm việc
              </option>
            </select>
          </div>
          <p class="muted" id="p-limit-help">
            "Trong ngày làm việc": trả kết quả trước khi hết giờ làm việc của ngày tiếp nhận (không cần nhập số); thời gian các bước tính
            bằng giờ, tổng không quá 8 giờ.
          </p>
          <FieldError errors={errs} name="limit" />
          <label class="check">
            <input type="checkbox" name="after1500NextDay" value="1" checked={v.after1500NextDay === '1' || v.after1500NextDay === 'on'} />{' '}
            Hồ sơ nhận sau 15 giờ tính từ ngày làm việc tiếp theo
          </label>
          <label for="p-fee">Lệ phí (đồng)</label>
          <input id="p-fee" name="fee" value={v.fee ?? '0'} inputmode="numeric" />
          <FieldError errors={errs} name="fee" />
          <label for="p-feeNote">Ghi chú lệ phí</label>
          <input id="p-feeNote" name="feeNote" value={v.feeNote ?? ''} />
          <label for="p-level">Mức độ dịch vụ công trực tuyến</label>
          <select id="p-level" name="onlineLevel">
            <option value="toan_trinh" selected={v.onlineLevel === 'toan_trinh'}>
              Toàn trình
            </option>
            <option value="mot_phan" selected={v.onlineLevel !== 'toan_trinh'}>
              Một phần
            </option>
          </select>
          <label for="p-docs">Thành phần hồ sơ (mỗi dòng một giấy tờ; thêm "(nếu có)" cho giấy tờ không bắt buộc)</label>
          <textarea id="p-docs" name="documents" rows={5}>
            {v.documents ?? ''}
          </textarea>
          <FieldError errors={errs} name="documents" />
          <label for="p-resultName">Kết quả thực hiện (tên văn bản, ví dụ: Giấy phép bán lẻ sản phẩm rượu)</label>
          <input id="p-resultName" name="resultName" value={v.resultName ?? ''} maxlength={300} />
          <FieldError errors={errs} name="resultName" />
          <label for="p-resultWithoutDocument">Trường hợp kết quả không có văn bản (để trống nếu kết quả luôn là văn bản)</label>
          <input id="p-resultWithoutDocument" name="resultWithoutDocument" value={v.resultWithoutDocument ?? ''} maxlength={500} />
          <FieldError errors={errs} name="resultWithoutDocument" />
          <DeclarationEditor value={v.declaration ?? ''} errors={errs} />
          <fieldset>
            <legend>Quy trình nội bộ</legend>
            <p class="muted">
              Bắt đầu bằng bước tiếp nhận, kết thúc bằng bước trả kết quả. Có thể có nhiều cấp phê duyệt (ví dụ lãnh đạo phòng xem xét, lãnh
              đạo sở phê duyệt): phê duyệt ở một cấp chuyển hồ sơ sang bước sau; phê duyệt ở bước phê duyệt cuối cùng hoàn thành việc giải
              quyết, nên sau bước đó chỉ còn bước trả kết quả.
            </p>
            <table class="list">
              <thead>
                <tr>
                  <th scope="col">Bước</th>
                  <th scope="col">Đơn vị</th>
                  <th scope="col">Vai trò</th>
                  <th scope="col">Thời gian (ngày/giờ)</th>
                </tr>
              </thead>
              <tbody>
                {stepRows.map((i) => (
                  <tr>
                    <td>
                      <input name={`steps.${i}.name`} value={v[`steps.${i}.name`] ?? ''} aria-label={`Tên bước ${i + 1}`} />
                    </td>
                    <td>
                      <select name={`steps.${i}.unitId`} aria-label={`Đơn vị bước ${i + 1}`}>
                        <option value="">—</option>
                        <UnitOptions flat={flat} selected={v[`steps.${i}.unitId`] ?? null} />
                      </select>
                    </td>
                    <td>
                      <select name={`steps.${i}.role`} aria-label={`Vai trò bước ${i + 1}`}>
                        {(['reception', 'processing', 'approval', 'result'] as const).map((r) => (
                          <option value={r} selected={v[`steps.${i}.role`] === r}>
                            {ROLE_LABELS[r]}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td>
                      <input
                        name={`steps.${i}.share`}
                        value={v[`steps.${i}.share`] ?? ''}
                        inputmode="decimal"
                        class="short"
                        aria-label={`Thời gian bước ${i + 1}`}
                      />
                      <StepActions step={i} value={v[`steps.${i}.actions`] ?? ''} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <FieldError errors={errs} name="steps" />
          </fieldset>
          <button type="submit" class="primary">
            {procedureId ? 'Lưu thành phiên bản mới' : 'Lưu'}
          </button>
        </form>
        {procedureId && current ? (
          <TemplatesSection procedureId={procedureId} current={current} templates={templates} csrfToken={props.csrfToken} />
        ) : null}
        {versions.length ? (
          <>
            <h2>Các phiên bản</h2>
            <ul>
              {versions.map((x) => (
                <li>
                  Phiên bản {x.version} — {formatDateTime(x.createdAt)} {x.current ? '(hiện hành)' : ''}
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </section>
    </Layout>,
    (s.error?.status ?? 200) as 200,
  );
}

/**
 * The actions a step narrows itself to (ProcessStep.actions), carried to the save as they were and named for the
 * administrator; the page does not edit them. Empty: the step allows what its role allows.
 */
function StepActions(p: { step: number; value: string }) {
  const names = p.value.split(',').filter((a): a is DossierAction => Object.hasOwn(ACTION_LABELS, a));
  return (
    <>
      <input type="hidden" name={`steps.${p.step}.actions`} value={p.value} />
      {names.length ? <div class="muted">Chỉ cho phép: {names.map((a) => ACTION_LABELS[a]).join(', ')}</div> : null}
    </>
  );
}

/** Tờ khai điện tử: the fields the citizen fills in on Nộp hồ sơ, one per line, with the syntax explained. */
function DeclarationEditor(p: { value: string; errors: Record<string, string> | undefined }) {
  const invalid = p.errors?.declaration ? { 'aria-invalid': 'true', 'aria-describedby': 'p-decl-help err-declaration' } : {};
  return (
    <fieldset>
      <legend>Tờ khai điện tử (người dân điền khi nộp hồ sơ trực tuyến)</legend>
      <div id="p-decl-help" class="muted">
        <p>
          Cú pháp mỗi dòng: <code>{DECLARATION_HELP.syntax}</code>
        </p>
        <ul>
          {DECLARATION_HELP.rules.map((r) => (
            <li>{r}</li>
          ))}
        </ul>
        <p>Ví dụ:</p>
        <pre>{DECLARATION_HELP.example.join('\n')}</pre>
      </div>
      <label for="p-decl">Các trường của tờ khai</label>
      <textarea id="p-decl" name="declaration" rows={6} aria-describedby="p-decl-help" {...invalid}>
        {p.value}
      </textarea>
      <FieldError errors={p.errors} name="declaration" />
    </fieldset>
  );
}

/**
 * Mẫu đơn, tờ khai of the current version's documents: download, upload or replace, remove. Each change
 * saves a new version; the hidden version number refuses a change made on a page that is out of date.
 */
function TemplatesSection(p: {
  procedureId: string;
  current: ProcedureVersion;
  templates: Map<string, { fileName: string; size: number }>;
  csrfToken: string;
}) {
  const base = `/tiepnhan/quan-tri/thu-tuc/${p.procedureId}/mau`;
  return (
    <>
      <h2>Mẫu đơn, tờ khai</h2>
      <p class="muted">
        Word (.doc, .docx), PDF, Excel (.xls, .xlsx) hoặc OpenDocument (.odt), tối đa 5 MB. Mỗi lần tải lên, thay hoặc xóa mẫu tạo một phiên
        bản mới của thủ tục; hồ sơ đã tiếp nhận giữ mẫu của phiên bản cũ.
      </p>
      <table class="list" id="templates">
        <thead>
          <tr>
            <th scope="col">Giấy tờ</th>
            <th scope="col">Mẫu hiện tại</th>
            <th scope="col">Tải lên mẫu</th>
          </tr>
        </thead>
        <tbody>
          {p.current.documents.map((d, i) => {
            const t = d.template ? p.templates.get(d.template) : undefined;
            return (
              <tr>
                <td>
                  {d.name}
                  {d.required ? '' : ' (nếu có)'}
                </td>
                <td>
                  {d.template ? (
                    <>
                      <a href={templateUrl(d.template)}>Tải mẫu</a>
                      {t ? (
                        <span class="muted">
                          {' '}
                          {t.fileName} ({Math.max(1, Math.ceil(t.size / 1024))} KB)
                        </span>
                      ) : null}
                      <form method="post" action={`${base}/xoa`} class="inline-form">
                        <CsrfField token={p.csrfToken} />
                        <input type="hidden" name="version" value={String(p.current.version)} />
                        <input type="hidden" name="document" value={String(i)} />
                        <button type="submit" class="danger">
                          Xóa mẫu
                        </button>
                      </form>
                    </>
                  ) : (
                    <span class="muted">Chưa có mẫu</span>
                  )}
                </td>
                <td>
                  <form method="post" action={base} enctype="multipart/form-data" class="inline-form">
                    <CsrfField token={p.csrfToken} />
                    <input type="hidden" name="version" value={String(p.current.version)} />
                    <input type="hidden" name="document" value={String(i)} />
                    <input type="file" name="file" accept={TEMPLATE_ACCEPT} required aria-label={`Tệp mẫu: ${d.name}`} />
                    <button type="submit">{d.template ? 'Thay mẫu' : 'Tải lên'}</button>
                  </form>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}

async function readForm(c: Ctx) {
  const flat: Values = await formData(c);
  return { flat, input: procedureInputOf(flat) };
}

procedureRoutes.get('/moi', (c) => renderForm(c, null, null));
procedureRoutes.get('/:id', (c) => {
  const id = idParam(c, 'Thủ tục');
  const { tb } = queryOf(c, FormQuery);
  // "Đã lưu phiên bản N" only while N is the current version: an address naming another says nothing.
  const saved = /^da-luu-(\d{1,6})$/.exec(tb ?? '')?.[1];
  const named = tb !== undefined && Object.hasOwn(NOTICES, tb) ? NOTICES[tb] : undefined;
  return renderForm(c, id, null, saved ? { savedVersion: Number(saved) } : { notice: named });
});

const NOTICES: Record<string, string> = {
  'mau-tai-len': 'Đã lưu tệp mẫu thành phiên bản mới của thủ tục.',
  'mau-xoa': 'Đã xóa tệp mẫu; thủ tục có phiên bản mới.',
};

/** The document a template form points at: the version shown and the document's position in it. */
function documentRef(body: Record<string, unknown>) {
  const num = (v: unknown) => (typeof v === 'string' && /^\d{1,4}$/.test(v) ? Number(v) : -1);
  return { version: num(body.version), document: num(body.document) };
}

procedureRoutes.post('/:id/mau', acceptsUpload, async (c) => {
  const id = idParam(c, 'Thủ tục');
  const upload = await uploadedStream(c);
  try {
    await uploadDocumentTemplate(c.get('deps').db, actorOf(c), id, documentRef(await formData(c)), upload);
    return c.redirect(`/tiepnhan/quan-tri/thu-tuc/${id}?tb=mau-tai-len`, 303);
  } catch (err) {
    if (!(err instanceof AppError) || err.status === 404) throw err;
    return renderForm(c, id, null, { error: err });
  }
});

procedureRoutes.post('/:id/mau/xoa', async (c) => {
  const id = idParam(c, 'Thủ tục');
  try {
    await removeDocumentTemplate(c.get('deps').db, actorOf(c), id, documentRef(await formData(c)));
    return c.redirect(`/tiepnhan/quan-tri/thu-tuc/${id}?tb=mau-xoa`, 303);
  } catch (err) {
    if (!(err instanceof AppError) || err.status === 404) throw err;
    return renderForm(c, id, null, { error: err });
  }
});

for (const path of ['/moi', '/:id'] as const) {
  procedureRoutes.post(path, async (c) => {
    const id = path === '/moi' ? null : idParam(c, 'Thủ tục');
    const { flat, input } = await readForm(c);
    try {
      const saved = await saveProcedure(c.get('deps').db, actorOf(c), id, input);
      // Post/Redirect/Get: a reload of the page shows it again; it never posts the form a second time (which a newer
      // version, the one just saved, would refuse as stale — or, for a new procedure, as a code already taken).
      return c.redirect(`/tiepnhan/quan-tri/thu-tuc/${saved.procedureId}?tb=da-luu-${saved.version}`, 303);
    } catch (err) {
      if (!(err instanceof AppError) || err.status === 404) throw err;
      return renderForm(c, id, flat, { error: err });
    }
  });
}
