/**
 * TRANG CÁ NHÂN and the citizen's dossiers: the groups with live counts, a group's list, one dossier (status,
 * history that concerns the applicant, files, forms), Bổ sung, Rút hồ sơ, Thanh toán, Đánh giá. Every id in a URL is
 * checked by citizen-dossiers.ts: another citizen's dossier answers like a missing one.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../web/env.js';
import type { Ctx } from '../web/http.js';
import { CsrfField, ErrorSummary, FieldError, Flash } from '../web/layout.js';
import { formData, uploadedStream } from '../web/body.js';
import { idParam, queryOf } from '../web/params.js';
import { attachmentDisposition, sendFile } from '../web/download.js';
import { AppError } from '../shared/errors.js';
import { formatDate, formatDateTime } from '../shared/dates.js';
import { param } from '../shared/validate.js';
import { openBlob } from '../storage/index.js';
import { actOnDossier } from '../dossiers/act-on-dossier.js';
import { APPLICANT_FORMS, dossierFormPdf, type FormNumber } from '../dossiers/dossier-forms.js';
import { owesNoFee } from '../payments/queries.js';
import { formatVnd } from '../payments/amount-words.js';
import { paymentPaths } from '../payments/start-payment.js';
import { MAX_PERSONAL_FILE_BYTES, PERSONAL_FILE_ACCEPT, PERSONAL_FILE_ALLOWED, sizeText } from '../personal-files/files.js';
import { listPersonalFiles } from '../personal-files/list-personal-files.js';
import { PortalPage } from './layout.js';
import { storeDocument } from './store-upload.js';
import { UPLOAD_BUDGET_REFUSAL } from '../personal-files/upload-budget.js';
import { citizenUpload, requireCitizen } from './citizen-context.js';
import { GROUPS, GROUP_KEYS, dossierCounts, listMyDossiers, myDossierFile, viewMyDossier } from './my-dossiers.js';
import { approvedResultOf } from '../dossiers/record-result.js';
import { IssuedResult } from './issued-result.js';
import { checkPickedFiles, supplyDocuments } from './supply-documents.js';
import { rateDossier } from './rate-dossier.js';
import { DeclarationAnswers } from '../dossiers/declaration-answers.js';
import { sendHtml } from '../web/send-html.js';

export const citizenDossierRoutes = new Hono<AppEnv>();

const GENDER = { male: 'Nam', female: 'Nữ' } as const;

/** TRANG CÁ NHÂN: Nộp hồ sơ, the dossier groups with their counts, personal files, the identity. */
citizenDossierRoutes.get('/ca-nhan', async (c) => {
  const { citizen } = await requireCitizen(c);
  // The citizen's row came with the session: the counts need no second read of it.
  const counts = await dossierCounts(c.get('deps').db, citizen);
  const facts: Array<[string, string]> = [
    ['Họ và tên', citizen.fullName],
    ['Loại tài khoản', citizen.accountType === 2 ? 'Tổ chức, doanh nghiệp' : 'Cá nhân'],
    ...(citizen.accountType === 2
      ? ([
          ['Tên doanh nghiệp', citizen.businessName ?? ''],
          ['Mã số thuế', citizen.taxCode ?? ''],
        ] as Array<[string, string]>)
      : []),
    ['Số định danh cá nhân', citizen.cccd ?? ''],
    ['Ngày sinh', formatDate(citizen.dateOfBirth)],
    ['Giới tính', citizen.gender ? GENDER[citizen.gender] : ''],
    ['Địa chỉ', citizen.address ?? ''],
    ['Số điện thoại', citizen.phone ?? ''],
    ['Thư điện tử', citizen.email ?? ''],
    ['Mức độ định danh', citizen.loa === 2 ? 'Mức độ 2' : 'Mức độ 1'],
  ];
  return sendHtml(
    c,
    await PortalPage(
      c,
      'Trang cá nhân',
      <>
        <h1>TRANG CÁ NHÂN</h1>
        <nav aria-label="Hồ sơ của tôi">
          <ul class="personal-menu">
            <li>
              <a class="button primary" href="/ca-nhan/nop-ho-so">
                Nộp hồ sơ
              </a>
            </li>
            {GROUP_KEYS.map((g) => (
              <li>
                <a href={`/ca-nhan/ho-so?loai=${g}`} id={`nhom-${g}`}>
                  {GROUPS[g].label} ({counts[g]})
                </a>
              </li>
            ))}
            <li>
              <a href="/ca-nhan/tap-tin">Quản lý tập tin cá nhân</a>
            </li>
            <li>
              <a href="/ca-nhan/du-lieu">Dữ liệu của tôi</a>
            </li>
          </ul>
        </nav>
        <h2>Thông tin định danh</h2>
        <dl class="facts">
          {facts.map(([k, v]) => (
            <>
              <dt>{k}</dt>
              <dd>{v || '—'}</dd>
            </>
          ))}
        </dl>
        <p class="muted">Thông tin được lấy từ tài khoản định danh điện tử VNeID ở mỗi lần đăng nhập.</p>
      </>,
    ),
  );
});

const ListQuery = z.object({
  loai: param.oneOf(GROUP_KEYS, 'Nhóm hồ sơ không hợp lệ.'),
  sau: param.text(80, 'Trang không hợp lệ.'),
});

citizenDossierRoutes.get('/ca-nhan/ho-so', async (c) => {
  const { citizen } = await requireCitizen(c);
  const q = queryOf(c, ListQuery);
  const group = q.loai ?? 'da-nop';
  const page = await listMyDossiers(c.get('deps').db, citizen, group, q.sau);
  return sendHtml(
    c,
    await PortalPage(
      c,
      GROUPS[group].label,
      <>
        <p>
          <a href="/ca-nhan">← Trang cá nhân</a>
        </p>
        <h1>{GROUPS[group].label}</h1>
        {page.rows.length ? (
          <ul class="dossier-list">
            {page.rows.map((d) => (
              <li>
                <a href={`/ca-nhan/ho-so/${d.id}`}>
                  <strong>{d.procedureName}</strong>
                </a>
                <br />
                <span>Mã hồ sơ: {d.code}</span> · <span>{d.statusLabel}</span>
                <br />
                <span class="muted">
                  {d.agencyName} · Nộp ngày {formatDateTime(d.createdAt)}
                </span>
              </li>
            ))}
          </ul>
        ) : (
          <p>Chưa có hồ sơ nào.</p>
        )}
        {page.next ? <a href={`/ca-nhan/ho-so?loai=${group}&sau=${encodeURIComponent(page.next)}`}>Xem tiếp</a> : null}
      </>,
    ),
  );
});

const NOTICES = {
  'da-nop': 'Đã nộp hồ sơ. Cơ quan tiếp nhận sẽ kiểm tra và xác nhận; hạn giải quyết tính từ khi hồ sơ được tiếp nhận.',
  'bo-sung': 'Đã gửi hồ sơ bổ sung. Thời hạn giải quyết được tính tiếp.',
  rut: 'Đã rút hồ sơ.',
  'danh-gia': 'Cảm ơn bạn đã đánh giá.',
} as const;
const DossierQuery = z.object({ tb: param.oneOf(Object.keys(NOTICES) as [keyof typeof NOTICES], 'Thông báo không hợp lệ.') });

const FORM_TITLES: Record<string, string> = {
  '01': 'Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01)',
  '02': 'Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)',
  '03': 'Phiếu từ chối tiếp nhận giải quyết hồ sơ (Mẫu 03)',
  '04': 'Phiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04)',
  '05': 'Phiếu dừng giải quyết hồ sơ (Mẫu 05)',
};
const FORM_OF: Record<string, FormNumber> = {
  accept: '01',
  receive: '01',
  request_supplement: '02',
  refuse: '03',
  extend: '04',
  stop: '05',
};

/** `typed`: what the refused form (Bổ sung, Đánh giá, Rút hồ sơ) held, shown again. */
async function dossierPage(
  c: Ctx,
  dossierId: string,
  errors: Record<string, string> = {},
  status: 200 | 400 | 409 | 429 = 200,
  typed: { note?: string | undefined; pick?: string | undefined; withdrawNote?: string | undefined; comment?: string | undefined } = {},
) {
  const { actor } = await requireCitizen(c);
  const db = c.get('deps').db;
  const v = await viewMyDossier(db, actor, dossierId);
  const d = v.dossier;
  const notice = queryOf(c, DossierQuery).tb;
  const forms = [...new Set(v.history.map((h) => FORM_OF[h.action]).filter((f): f is FormNumber => !!f))];
  // Online dossiers pay online; a dossier received at the counter paid its fee there.
  const owes = d.channel === 2 && v.fee > 0 && !v.paid && !owesNoFee(d.status);
  const mine = v.canSupply ? await listPersonalFiles(db, actor, c.get('deps').config.personalFiles) : null;
  // The result is the applicant's once it was returned, as its files are (my-dossiers.ts).
  const issued = d.status === 'returned' ? await approvedResultOf(db, d.id) : null;
  const csrf = c.get('csrfToken');
  // The fields whose form is on the page as it is now: the summary links only to a message that is there.
  const onPage: Record<string, boolean> = {
    file: v.canSupply,
    pick: v.canSupply,
    score: v.canRate,
    comment: v.canRate,
    confirm: v.canWithdraw,
  };
  return sendHtml(
    c,
    await PortalPage(
      c,
      `Hồ sơ ${d.code}`,
      <>
        <p>
          <a href="/ca-nhan">← Trang cá nhân</a>
        </p>
        <h1>{v.procedureName}</h1>
        {notice ? (
          <Flash kind="ok">
            {NOTICES[notice]}
            {/* Just submitted with a fee to pay: the next step is said with the notice, not left to be found below. */}
            {notice === 'da-nop' && owes
              ? ` Bước tiếp theo: thanh toán lệ phí ${formatVnd(v.fee)} đồng bằng nút “Thanh toán lệ phí trực tuyến” bên dưới.`
              : ''}
          </Flash>
        ) : null}
        {Object.keys(errors).length ? (
          <ErrorSummary errors={errors} onPage={(name) => onPage[name] === true}>
            <p>
              {errors.form ??
                (errors.confirm && !v.canWithdraw
                  ? 'Hồ sơ không còn ở trạng thái có thể rút.'
                  : 'Chưa gửi được. Vui lòng sửa mục sau (chạm vào để đến ô cần sửa):')}
            </p>
          </ErrorSummary>
        ) : null}
        <dl class="facts" id="dossier-facts">
          <dt>Mã hồ sơ</dt>
          <dd>{d.code}</dd>
          <dt>Trạng thái</dt>
          <dd id="dossier-status">{v.statusLabel}</dd>
          <dt>Cơ quan tiếp nhận</dt>
          <dd>{v.agencyName}</dd>
          <dt>Người đứng tên</dt>
          <dd>{d.applicant.fullName}</dd>
          {v.accepted ? (
            <>
              <dt>Mã tra cứu</dt>
              <dd>{d.lookupCode}</dd>
              <dt>Ngày tiếp nhận</dt>
              <dd>{formatDateTime(d.receivedAt)}</dd>
              <dt>Hẹn trả kết quả</dt>
              <dd>{formatDateTime(d.dueAt)}</dd>
            </>
          ) : (
            <>
              <dt>Hẹn trả kết quả</dt>
              <dd>Được tính khi cơ quan tiếp nhận hồ sơ.</dd>
            </>
          )}
          <dt>Lệ phí</dt>
          <dd>{v.fee > 0 ? `${formatVnd(v.fee)} đồng${v.paid ? ' — đã thanh toán' : ''}` : 'Không mất phí'}</dd>
          {/* Paid online: what was paid, when, under which transaction, and the Biên lai for the one who paid. */}
          {v.payment ? (
            <>
              <dt>Thanh toán trực tuyến</dt>
              <dd id="thanh-toan">
                Đã thanh toán {formatVnd(v.payment.amount)} đồng
                {v.payment.paidAt ? ` lúc ${formatDateTime(v.payment.paidAt)}` : ''}
                {v.payment.transactionId ? `, mã giao dịch ${v.payment.transactionId}` : ''}.
                {v.payment.receipt ? (
                  <>
                    {' '}
                    <a href={paymentPaths.receipt(v.payment.id)}>Tải biên lai thu phí, lệ phí</a>
                  </>
                ) : null}
              </dd>
            </>
          ) : null}
        </dl>
        {owes ? (
          <form method="post" action={`/ca-nhan/ho-so/${d.id}/thanh-toan`}>
            <CsrfField token={csrf} />
            <button type="submit" class="primary">
              Thanh toán lệ phí trực tuyến
            </button>
          </form>
        ) : null}
        {forms.length ? (
          <>
            <h2>Giấy tờ của cơ quan</h2>
            <ul>
              {forms.map((f) => (
                <li>
                  <a href={`/ca-nhan/ho-so/${d.id}/mau/${f}`}>{FORM_TITLES[f]}</a>
                </li>
              ))}
            </ul>
          </>
        ) : null}
        <DeclarationAnswers answers={d.declaration} />
        {issued ? <IssuedResult result={issued} /> : null}
        <h2>Tệp của hồ sơ</h2>
        {v.files.length ? (
          <ul>
            {v.files.map((f) => (
              <li>
                <a href={`/ca-nhan/ho-so/${d.id}/tep/${f.id}`}>{f.name}</a> ({sizeText(f.size)}) —{' '}
                {f.kind === 'result' ? 'Kết quả giải quyết' : (f.label ?? 'Tệp đã nộp')}
              </li>
            ))}
          </ul>
        ) : (
          <p>Không có tệp.</p>
        )}
        {v.canSupply ? (
          <section aria-labelledby="bo-sung">
            <h2 id="bo-sung">Bổ sung hồ sơ</h2>
            <form method="post" action={`/ca-nhan/ho-so/${d.id}/bo-sung`} enctype="multipart/form-data" class="stack">
              <CsrfField token={csrf} />
              <label for="file">Tệp bổ sung</label>
              <input
                id="file"
                name="file"
                type="file"
                accept={PERSONAL_FILE_ACCEPT}
                aria-invalid={errors.file ? 'true' : undefined}
                aria-describedby={errors.file ? 'err-file supply-help' : 'supply-help'}
              />
              {mine?.files.length ? (
                <>
                  <label for="pick">hoặc chọn từ tập tin cá nhân</label>
                  <select
                    id="pick"
                    name="pick"
                    aria-invalid={errors.pick ? 'true' : undefined}
                    aria-describedby={errors.pick ? 'err-pick' : undefined}
                  >
                    <option value="">—</option>
                    {mine.files.map((f) => (
                      <option value={f.id} selected={f.id === typed.pick}>
                        {f.name}
                      </option>
                    ))}
                  </select>
                </>
              ) : null}
              {/* Said even when no personal file is left to choose (the one picked was the last, deleted elsewhere). */}
              <FieldError errors={errors} name="pick" />
              <FieldError errors={errors} name="file" />
              <p class="muted" id="supply-help">
                Mỗi tệp tối đa {sizeText(MAX_PERSONAL_FILE_BYTES)}: {PERSONAL_FILE_ALLOWED}.
              </p>
              <label for="note">Ghi chú</label>
              <textarea id="note" name="note" rows={2}>
                {typed.note ?? ''}
              </textarea>
              <button type="submit" class="primary">
                Gửi hồ sơ bổ sung
              </button>
            </form>
          </section>
        ) : null}
        {v.canRate ? (
          <section aria-labelledby="danh-gia">
            <h2 id="danh-gia">Đánh giá mức độ hài lòng</h2>
            <form method="post" action={`/ca-nhan/ho-so/${d.id}/danh-gia`} class="stack">
              <CsrfField token={csrf} />
              <fieldset aria-describedby={errors.score ? 'err-score' : undefined}>
                <legend>Mức độ hài lòng (1: rất không hài lòng – 5: rất hài lòng)</legend>
                {[1, 2, 3, 4, 5].map((n) => (
                  <label class="check">
                    <input type="radio" name="score" value={String(n)} required /> {n}
                  </label>
                ))}
                <FieldError errors={errors} name="score" />
              </fieldset>
              <label for="comment">Góp ý</label>
              <textarea
                id="comment"
                name="comment"
                rows={3}
                aria-invalid={errors.comment ? 'true' : undefined}
                aria-describedby={errors.comment ? 'err-comment' : undefined}
              >
                {typed.comment ?? ''}
              </textarea>
              <FieldError errors={errors} name="comment" />
              <button type="submit" class="primary">
                Gửi đánh giá
              </button>
            </form>
          </section>
        ) : v.rating ? (
          <p>Bạn đã đánh giá: {v.rating.score}/5.</p>
        ) : null}
        <h2>Quá trình xử lý</h2>
        <ol class="history">
          {v.history.map((h) => (
            <li>
              <strong>{h.label}</strong> — {formatDateTime(h.at)} — {h.by}
              {h.note ? <p>{h.note}</p> : null}
              {h.items.length ? (
                <ul>
                  {h.items.map((i) => (
                    <li>{i}</li>
                  ))}
                </ul>
              ) : null}
            </li>
          ))}
        </ol>
        {v.canWithdraw ? (
          <section aria-labelledby="rut-ho-so">
            <h2 id="rut-ho-so">Rút hồ sơ</h2>
            {/* Withdrawal cannot be undone: the box must be ticked, so one stray tap on a phone withdraws nothing. */}
            <form method="post" action={`/ca-nhan/ho-so/${d.id}/rut`} class="stack">
              <CsrfField token={csrf} />
              <label for="ly-do">Lý do rút hồ sơ (không bắt buộc)</label>
              <input
                id="ly-do"
                name="note"
                maxlength={2000}
                value={typed.withdrawNote}
                aria-invalid={errors.withdrawNote ? 'true' : undefined}
                aria-describedby={errors.withdrawNote ? 'err-withdrawNote' : undefined}
              />
              <FieldError errors={errors} name="withdrawNote" />
              <label class="check">
                <input
                  type="checkbox"
                  name="xac-nhan"
                  value="1"
                  aria-invalid={errors.confirm ? 'true' : undefined}
                  aria-describedby={errors.confirm ? 'err-confirm' : undefined}
                />{' '}
                Tôi muốn rút hồ sơ này. Hồ sơ đã rút sẽ không được tiếp tục giải quyết và không thể khôi phục.
              </label>
              <FieldError errors={errors} name="confirm" />
              <button type="submit" class="danger">
                Rút hồ sơ
              </button>
            </form>
          </section>
        ) : null}
      </>,
      { address: `/ca-nhan/ho-so/${dossierId}` },
    ),
    status,
  );
}

citizenDossierRoutes.get('/ca-nhan/ho-so/:id', (c) => dossierPage(c, idParam(c, 'Hồ sơ')));

citizenDossierRoutes.post('/ca-nhan/ho-so/:id/rut', async (c) => {
  const { actor } = await requireCitizen(c);
  const id = idParam(c, 'Hồ sơ');
  const f = await formData(c);
  if (f['xac-nhan'] !== '1') {
    // Not confirmed: nothing happens; the page says why beside the box, with the reason as typed.
    return dossierPage(c, id, { confirm: 'Vui lòng đánh dấu ô xác nhận nếu bạn muốn rút hồ sơ.' }, 400, { withdrawNote: f.note });
  }
  try {
    await actOnDossier(c.get('deps').db, actor, id, { action: 'withdraw', note: f.note }, c.get('deps').now());
  } catch (err) {
    if (err instanceof AppError && err.code === 'invalid_transition') return dossierPage(c, id, { form: err.message }, 409);
    // The reason refused (too long, a control character): said beside it, with what was typed, on the dossier's page.
    if (err instanceof AppError && err.code === 'validation_failed')
      return dossierPage(c, id, { withdrawNote: err.fields?.note ?? err.message }, 400, { withdrawNote: f.note });
    throw err;
  }
  return c.redirect(`/ca-nhan/ho-so/${id}?tb=rut`, 303);
});

citizenDossierRoutes.post('/ca-nhan/ho-so/:id/bo-sung', citizenUpload, async (c) => {
  const { actor } = await requireCitizen(c);
  const id = idParam(c, 'Hồ sơ');
  // Nothing is stored for a dossier that is not theirs, or not waiting for a supplement (checked again when applied).
  const v = await viewMyDossier(c.get('deps').db, actor, id);
  if (!v.canSupply) return dossierPage(c, id, { form: 'Hồ sơ không ở trạng thái chờ bổ sung.' }, 409);
  const f = await formData(c);
  const deps = c.get('deps');
  const now = deps.now();
  const personalFileIds = f.pick ? [f.pick] : [];
  try {
    // A file picked on a page older than its deletion: refused before this request's upload is stored and counted.
    await checkPickedFiles(deps.db, actor, personalFileIds);
    const upload = await uploadedStream(c, 'file');
    const stored = [];
    if (upload) {
      // Counted against the citizen's upload budget over 24 hours as it is stored, even if the answer is then refused.
      const r = await storeDocument(deps.db, upload, 'bo-sung', {
        citizenId: actor.citizenId,
        dailyBytes: deps.config.personalFiles.uploadDailyBytes,
        now,
      });
      if ('refused' in r) return dossierPage(c, id, { file: r.refused }, r.refused === UPLOAD_BUDGET_REFUSAL ? 429 : 400, f);
      stored.push(r.stored);
    }
    await supplyDocuments(deps.db, actor, id, { stored, personalFileIds }, f.note, now);
  } catch (err) {
    if (err instanceof AppError && err.code === 'validation_failed') return dossierPage(c, id, err.fields ?? {}, 400, f);
    if (err instanceof AppError && err.code === 'invalid_transition') return dossierPage(c, id, { form: err.message }, 409);
    // The reason refused (too long, a control character): said beside it, with what was typed, on the dossier's page.
    if (err instanceof AppError && err.code === 'validation_failed')
      return dossierPage(c, id, { withdrawNote: err.fields?.note ?? err.message }, 400, { withdrawNote: f.note });
    throw err;
  }
  return c.redirect(`/ca-nhan/ho-so/${id}?tb=bo-sung`, 303);
});

citizenDossierRoutes.post('/ca-nhan/ho-so/:id/danh-gia', async (c) => {
  const { actor } = await requireCitizen(c);
  const id = idParam(c, 'Hồ sơ');
  const f = await formData(c);
  try {
    await rateDossier(c.get('deps').db, actor, id, f, c.get('deps').now());
  } catch (err) {
    if (err instanceof AppError && err.code === 'validation_failed')
      return dossierPage(c, id, err.fields ?? {}, 400, { comment: f.comment });
    if (err instanceof AppError && err.status === 409) return dossierPage(c, id, { form: err.message }, 409);
    throw err;
  }
  return c.redirect(`/ca-nhan/ho-so/${id}?tb=danh-gia`, 303);
});

citizenDossierRoutes.get('/ca-nhan/ho-so/:id/tep/:fileId', async (c) => {
  const { actor } = await requireCitizen(c);
  const f = await myDossierFile(c.get('deps').db, actor, idParam(c, 'Hồ sơ'), idParam(c, 'Tệp', 'fileId'));
  return sendFile(c, { open: () => openBlob(f.sha256), size: f.size, mediaType: f.mime, fileName: f.name });
});

const FormParam = z.enum(APPLICANT_FORMS as unknown as ['01', '02', '03', '04', '05']);

citizenDossierRoutes.get('/ca-nhan/ho-so/:id/mau/:form', async (c) => {
  const { actor } = await requireCitizen(c);
  const form = FormParam.safeParse(c.req.param('form'));
  if (!form.success) throw new AppError('not_found', 'Không tìm thấy trang bạn yêu cầu.', 404);
  const id = idParam(c, 'Hồ sơ');
  const { pdf, fileName } = await dossierFormPdf(
    c.get('deps').db,
    actor,
    id,
    form.data,
    c.get('deps').config.publicUrl,
    c.get('deps').now(),
  );
  return c.body(new Uint8Array(pdf), 200, {
    'Content-Type': 'application/pdf',
    'Content-Disposition': attachmentDisposition(fileName),
    'X-Content-Type-Options': 'nosniff',
  });
});
