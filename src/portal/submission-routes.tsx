/**
 * Nộp hồ sơ (seed 000 §2 Bước 4): GET shows the choice of service, then the form with the draft; POST saves the
 * draft (uploads stored by content, personal files taken) and, on Nộp hồ sơ, submits it. Works without JavaScript.
 * A refusal re-renders the form with every typed value and every file already given.
 */
import crypto from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../web/env.js';
import type { Ctx } from '../web/http.js';
import { CsrfField, ErrorSummary, FieldError, Flash } from '../web/layout.js';
import { formData, formValues, oversizedFile, uploadedStream } from '../web/body.js';
import { queryOf } from '../web/params.js';
import { AppError } from '../shared/errors.js';
import { DATE_HINT, formatDate, formatDateTimeMinute } from '../shared/dates.js';
import { isFormKey, param } from '../shared/validate.js';
import { MAX_PERSONAL_FILE_BYTES, PERSONAL_FILE_ACCEPT, PERSONAL_FILE_ALLOWED, sizeText } from '../personal-files/files.js';
import { listPersonalFiles } from '../personal-files/list-personal-files.js';
import { PortalPage } from './layout.js';
import { storeDocument } from './store-upload.js';
import { quotaRefusal, usageOf } from '../personal-files/files.js';
import { citizenDraftUpload, citizenOrLapsed, requireCitizen, type Citizen } from './citizen-context.js';
import {
  type Draft,
  type DraftFile,
  type DraftForm,
  type DroppedDocument,
  type GivenDocument,
  DRAFT_CHANGED_MESSAGE,
  DraftChangedError,
  PROCEDURE_CHANGED_MESSAGE,
  ProcedureChangedError,
  checkDraft,
  dossierOfForm,
  draftChangedSince,
  draftFilesUnder,
  draftVersionOf,
  formDocumentCount,
  loadDraft,
  onlineVersion,
  recentSubmission,
  saveDraft,
  submitOnline,
  unreadableFields,
} from './submit-dossier.js';
import { submissionChoices } from './submission-choices.js';
import { DeclarationFields } from './declaration-fields.js';
import { strayAnswerNames } from './declaration-input.js';
import type { CitizenActor } from '../shared/context.js';
import { sendHtml } from '../web/send-html.js';
import { formatVnd } from '../payments/amount-words.js';

export const submissionRoutes = new Hono<AppEnv>();

const ChoiceQuery = z.object({
  donvi: param.id('Đơn vị không hợp lệ.'),
  linhvuc: param.id('Lĩnh vực không hợp lệ.'),
  thutuc: param.id('Thủ tục không hợp lệ.'),
  /** Back from Đăng nhập after the session lapsed during the form. */
  hetphien: param.oneOf(['1'], 'Tham số không hợp lệ.'),
});

type FormState = {
  draft: Draft | null;
  fields: Record<string, string>;
  errors: Record<string, string>;
  key: string;
  notice?: string;
  /** A dossier of this procedure the citizen submitted lately (recentSubmission), said above an empty form. */
  recent?: Awaited<ReturnType<typeof recentSubmission>>;
  /** The request was refused before its uploads were stored: the files just chosen must be chosen again. */
  uploadsDropped?: boolean;
  /** Files this request left out of the draft: their documents are not in the current version (DroppedDocument). */
  dropped?: DroppedDocument[];
  /**
   * The draft version the form carries (hidden `draftVersion`) when the page shows the posted fields rather than the
   * draft's (a refusal before anything was saved): the version that form was opened on, so that it stays as stale as
   * it was. Otherwise the shown draft's own.
   */
  seen?: string;
  /**
   * The form was older than the draft (DraftChangedError): the page shows the draft as it now is, and names what the
   * stale form had chosen that was not saved — nothing of it was written.
   */
  notSaved?: NotSaved[];
};

/** A file chosen on a stale form that was not saved: its document, and the file's name (null: a personal file picked). */
type NotSaved = { document: string; file: string | null };

function ChoiceSelect(p: {
  id: string;
  label: string;
  options: { id: string; name: string }[];
  selected?: string | undefined;
  blank: string;
}) {
  return (
    <>
      <label for={p.id}>{p.label}</label>
      <select id={p.id} name={p.id}>
        <option value="">{p.blank}</option>
        {p.options.map((o) => (
          <option value={o.id} selected={o.id === p.selected}>
            {o.name}
          </option>
        ))}
      </select>
    </>
  );
}

async function choosePage(c: Ctx, q: z.output<typeof ChoiceQuery>) {
  const choices = await submissionChoices(c.get('deps').db, { unitId: q.donvi, sectorId: q.linhvuc });
  return sendHtml(
    c,
    await PortalPage(
      c,
      'Nộp hồ sơ',
      <>
        <h1>Nộp hồ sơ trực tuyến</h1>
        <h2>THÔNG TIN DỊCH VỤ CÔNG</h2>
        <form method="get" action="/ca-nhan/nop-ho-so" class="stack">
          <ChoiceSelect id="donvi" label="Đơn vị tiếp nhận" options={choices.agencies} selected={q.donvi} blank="— Tất cả đơn vị —" />
          <ChoiceSelect id="linhvuc" label="Lĩnh vực" options={choices.sectors} selected={q.linhvuc} blank="— Tất cả lĩnh vực —" />
          <button type="submit">Lọc danh sách thủ tục</button>
        </form>
        <h2>Chọn thủ tục</h2>
        {choices.procedures.length ? (
          <ul class="choice-list">
            {choices.procedures.map((p) => (
              <li>
                <a href={`/ca-nhan/nop-ho-so?thutuc=${p.id}${q.donvi ? `&donvi=${q.donvi}` : ''}`}>{p.name}</a>
              </li>
            ))}
          </ul>
        ) : (
          <p>Không có thủ tục trực tuyến phù hợp. Vui lòng chọn đơn vị hoặc lĩnh vực khác.</p>
        )}
      </>,
    ),
  );
}

const GENDER = { male: 'Nam', female: 'Nữ' } as const;

/**
 * The documents of an older version of the procedure that the current one no longer has, with the files the citizen
 * had given for them: said above the documents, since those files are not carried over (never dropped unseen).
 */
function DroppedDocuments(p: { dropped: DroppedDocument[] }) {
  const byDocument = new Map<string, Array<string | null>>();
  for (const d of p.dropped) byDocument.set(d.document, [...(byDocument.get(d.document) ?? []), d.file]);
  if (!byDocument.size) return null;
  const files = (names: Array<string | null>) =>
    [...new Set(names.map((n) => (n === null ? 'tệp chọn từ Quản lý tập tin cá nhân (vẫn còn ở đó)' : `tệp ${n}`)))].join(', ');
  return (
    <div class="flash flash-info" role="status" id="giay-to-da-bo">
      <p>
        Thủ tục đã thay đổi thành phần hồ sơ: các giấy tờ sau không còn trong thủ tục (đã bỏ hoặc đổi tên), nên tệp đã gửi cho chúng không
        được chuyển sang hồ sơ này:
      </p>
      <ul>
        {[...byDocument].map(([document, names]) => (
          <li>
            {document}: {files(names)}
          </li>
        ))}
      </ul>
      <p>Nếu vẫn cần nộp tệp nào, vui lòng tải lên lại ở giấy tờ phù hợp bên dưới.</p>
    </div>
  );
}

/**
 * What a stale form had chosen (DraftChangedError): never saved, so named — an upload must be chosen again, a personal
 * file picked is still in Quản lý tập tin cá nhân.
 */
function NotSavedFiles(p: { files: NotSaved[] }) {
  return (
    <>
      <p>Các tệp vừa chọn trên biểu mẫu cũ chưa được lưu; nếu vẫn cần, vui lòng chọn lại:</p>
      <ul id="tep-chua-luu">
        {p.files.map((f) => (
          <li>
            {f.document}: {f.file === null ? 'tệp chọn từ Quản lý tập tin cá nhân (vẫn còn ở đó)' : `tệp ${f.file}`}
          </li>
        ))}
      </ul>
    </>
  );
}

async function formPage(c: Ctx, citizen: Citizen, actor: CitizenActor, procedureId: string, s: FormState, status: 200 | 400 | 409 = 200) {
  const db = c.get('deps').db;
  const version = await onlineVersion(db, procedureId);
  if (!version) throw new AppError('not_found', 'Không tìm thấy thủ tục.', 404);
  const choices = await submissionChoices(db, {});
  const mine = await listPersonalFiles(db, actor, c.get('deps').config.personalFiles);
  const v = (k: string) => s.fields[k] ?? '';
  // A draft of an older version shows its files under the same documents now (by name), and says the form changed.
  // Its files of documents the current version no longer has are named (not kept when the draft is next saved).
  const { files, stale, dropped } = await draftFilesUnder(db, s.draft, version);
  const agencyOptions = version.unitIds.map((id) => ({ id, name: choices.unitName(id) }));
  const self = [
    ['Họ và tên', citizen.accountType === 2 ? (citizen.businessName ?? citizen.fullName) : citizen.fullName],
    [citizen.accountType === 2 ? 'Mã số thuế' : 'Số định danh cá nhân', (citizen.accountType === 2 ? citizen.taxCode : citizen.cccd) ?? ''],
    ['Ngày sinh', formatDate(citizen.dateOfBirth)],
    ['Giới tính', citizen.gender ? GENDER[citizen.gender] : ''],
  ] as const;
  const errs = s.errors;
  // A field with a message is marked invalid and described by its message (WCAG 3.3.1).
  const invalid = (name: string) => (errs[name] ? { 'aria-invalid': 'true', 'aria-describedby': `err-${name}` } : {});
  const fieldErrors = Object.entries(errs).filter(([name]) => name !== 'form');
  return sendHtml(
    c,
    await PortalPage(
      c,
      'Nộp hồ sơ',
      <>
        <h1>Nộp hồ sơ trực tuyến</h1>
        <p class="lead">{version.name}</p>
        {s.notice ? <Flash kind="ok">{s.notice}</Flash> : null}
        {stale && !errs.form ? <Flash kind="info">{PROCEDURE_CHANGED_MESSAGE}</Flash> : null}
        {s.recent ? (
          <Flash kind="info">
            Bạn đã nộp hồ sơ thủ tục này lúc {formatDateTimeMinute(s.recent.createdAt)}, mã hồ sơ {s.recent.code}:{' '}
            <a href={`/ca-nhan/ho-so/${s.recent.id}`}>xem hồ sơ đã nộp</a>. Chỉ điền biểu mẫu dưới đây nếu bạn muốn nộp thêm một hồ sơ mới.
          </Flash>
        ) : null}
        {Object.keys(errs).length ? (
          <ErrorSummary errors={errs}>
            <p>
              Hồ sơ chưa nộp được. {errs.form ? `${errs.form} ` : ''}
              {s.notSaved
                ? ''
                : s.uploadsDropped
                  ? 'Thông tin đã nhập và tệp đã lưu trước đó vẫn được giữ; tệp vừa chọn chưa được lưu, vui lòng chọn lại.'
                  : 'Thông tin và tệp đã nhập vẫn được giữ.'}
              {fieldErrors.length ? ' Vui lòng sửa các mục sau (chạm vào từng mục để đến ô cần sửa):' : ''}
            </p>
            {s.notSaved?.length ? <NotSavedFiles files={s.notSaved} /> : null}
          </ErrorSummary>
        ) : null}
        {/* The address names the procedure so that the body is sized for its documents (citizen-context.ts). */}
        {/* data-submit-once (static/submit-once.js): on a slow phone connection a second tap on Nộp hồ sơ restarted the
            upload of every photo; the server makes one dossier of them anyway, the script spares the waiting. */}
        <form
          method="post"
          action={`/ca-nhan/nop-ho-so?thutuc=${procedureId}`}
          enctype="multipart/form-data"
          class="stack submission"
          data-submit-once
        >
          <CsrfField token={c.get('csrfToken')} />
          <input type="hidden" name="procedureId" value={procedureId} />
          <input type="hidden" name="submissionKey" value={s.key} />
          {/* The draft this form shows: a save or submit from a form older than the draft is refused (draftChangedSince). */}
          <input type="hidden" name="draftVersion" value={s.seen ?? draftVersionOf(s.draft)} />
          {/* The version whose documents the file fields below are numbered by: a post of another is not submitted. */}
          <input type="hidden" name="version" value={String(version.version)} />
          <fieldset>
            <legend>THÔNG TIN NGƯỜI NỘP HỒ SƠ</legend>
            <dl class="facts">
              {self.map(([k, val]) => (
                <>
                  <dt>{k}</dt>
                  <dd>{val || '—'}</dd>
                </>
              ))}
            </dl>
            <p class="muted">Thông tin trên do tài khoản định danh điện tử VNeID xác thực, không sửa được.</p>
            <label for="phone">Số điện thoại</label>
            <input
              id="phone"
              name="phone"
              type="tel"
              autocomplete="tel"
              value={v('phone') || (citizen.phone ?? '')}
              {...invalid('phone')}
            />
            <FieldError errors={errs} name="phone" />
            <label for="email">Thư điện tử</label>
            <input
              id="email"
              name="email"
              type="email"
              autocomplete="email"
              value={v('email') || (citizen.email ?? '')}
              {...invalid('email')}
            />
            <FieldError errors={errs} name="email" />
            <label for="address">Địa chỉ liên hệ</label>
            <input
              id="address"
              name="address"
              autocomplete="street-address"
              value={v('address') || (citizen.address ?? '')}
              {...invalid('address')}
            />
            <FieldError errors={errs} name="address" />
          </fieldset>
          <fieldset class="on-behalf">
            <legend>Nộp thay (người được ủy quyền)</legend>
            <label class="check">
              <input type="checkbox" name="onBehalf" value="1" checked={v('onBehalf') === '1'} /> Tôi nộp hồ sơ thay cho người khác
            </label>
            {/* Shown once the box is ticked (app.css, .on-behalf): seven fields a screen long that most never need. */}
            <div class="principal stack">
              <p class="muted">Nếu nộp thay, nhập thông tin của người ủy quyền (người đứng tên hồ sơ).</p>
              <label for="principalName">Họ và tên người ủy quyền</label>
              <input id="principalName" name="principalName" value={v('principalName')} {...invalid('principalName')} />
              <FieldError errors={errs} name="principalName" />
              <label for="principalCccd">Số định danh cá nhân người ủy quyền</label>
              <input id="principalCccd" name="principalCccd" inputmode="numeric" value={v('principalCccd')} {...invalid('principalCccd')} />
              <FieldError errors={errs} name="principalCccd" />
              <label for="principalDateOfBirth">Ngày sinh ({DATE_HINT})</label>
              <input
                id="principalDateOfBirth"
                name="principalDateOfBirth"
                inputmode="numeric"
                autocomplete="off"
                value={v('principalDateOfBirth')}
                {...invalid('principalDateOfBirth')}
              />
              <FieldError errors={errs} name="principalDateOfBirth" />
              <label for="principalGender">Giới tính</label>
              <select id="principalGender" name="principalGender" {...invalid('principalGender')}>
                <option value="">—</option>
                <option value="male" selected={v('principalGender') === 'male'}>
                  Nam
                </option>
                <option value="female" selected={v('principalGender') === 'female'}>
                  Nữ
                </option>
              </select>
              <FieldError errors={errs} name="principalGender" />
              <label for="principalAddress">Địa chỉ người ủy quyền</label>
              <input id="principalAddress" name="principalAddress" value={v('principalAddress')} {...invalid('principalAddress')} />
              <FieldError errors={errs} name="principalAddress" />
              <label for="principalPhone">Số điện thoại người ủy quyền</label>
              <input id="principalPhone" name="principalPhone" type="tel" value={v('principalPhone')} {...invalid('principalPhone')} />
              <FieldError errors={errs} name="principalPhone" />
              <label for="principalEmail">Thư điện tử người ủy quyền</label>
              <input id="principalEmail" name="principalEmail" type="email" value={v('principalEmail')} {...invalid('principalEmail')} />
              <FieldError errors={errs} name="principalEmail" />
            </div>
          </fieldset>
          <fieldset>
            <legend>THÔNG TIN DỊCH VỤ CÔNG</legend>
            <label for="unitId">Đơn vị tiếp nhận</label>
            <select id="unitId" name="unitId" {...invalid('unitId')}>
              {agencyOptions.map((o) => (
                <option value={o.id} selected={o.id === (v('unitId') || agencyOptions[0]?.id)}>
                  {o.name}
                </option>
              ))}
            </select>
            <FieldError errors={errs} name="unitId" />
            <p>
              Thủ tục: <strong>{version.name}</strong> · <a href="/ca-nhan/nop-ho-so">Chọn thủ tục khác</a>
            </p>
            {/* What it costs, before sending: the fee is paid online once the dossier is submitted (its page). */}
            <p id="le-phi">
              Lệ phí:{' '}
              {version.fee > 0 ? (
                <>
                  <strong>{formatVnd(version.fee)} đồng</strong>, thanh toán trực tuyến sau khi nộp hồ sơ.
                </>
              ) : (
                'Không mất phí.'
              )}
            </p>
          </fieldset>
          <DeclarationFields fields={version.declaration} values={s.fields} errors={errs} />
          <fieldset>
            <legend>THÀNH PHẦN HỒ SƠ</legend>
            <p class="muted">
              Mỗi tệp tối đa {sizeText(MAX_PERSONAL_FILE_BYTES)}: {PERSONAL_FILE_ALLOWED}. Tải lên từng tệp hoặc chọn từ Quản lý tập tin cá
              nhân.
            </p>
            <DroppedDocuments dropped={[...(s.dropped ?? []), ...dropped]} />
            {version.documents.map((doc, i) => {
              const have: DraftFile | undefined = files[String(i)];
              return (
                // One group per document: its fields are announced with the document's name.
                <fieldset class="document" id={`tp-${i}`}>
                  <legend>
                    <strong>
                      {i + 1}. {doc.name}
                    </strong>{' '}
                    {doc.required ? <span class="required">(bắt buộc)</span> : <span class="muted">(không bắt buộc)</span>}
                  </legend>
                  {have ? (
                    <p class="have-file">
                      Đã có tệp: {have.name} ({sizeText(have.size)}){' '}
                      <label class="check">
                        <input type="checkbox" name="remove" value={String(i)} /> Bỏ tệp này
                      </label>
                    </p>
                  ) : null}
                  <label for={`doc${i}`}>{have ? 'Thay bằng tệp khác' : 'Tải lên tệp'}</label>
                  <input id={`doc${i}`} name={`doc${i}`} type="file" accept={PERSONAL_FILE_ACCEPT} {...invalid(`doc${i}`)} />
                  {mine.files.length ? (
                    <>
                      <label for={`pick${i}`}>hoặc chọn từ tập tin cá nhân</label>
                      <select id={`pick${i}`} name={`pick${i}`}>
                        <option value="">—</option>
                        {mine.files.map((f) => (
                          <option value={f.id}>{f.name}</option>
                        ))}
                      </select>
                    </>
                  ) : null}
                  <FieldError errors={errs} name={`doc${i}`} />
                </fieldset>
              );
            })}
          </fieldset>
          <label for="note">Ghi chú cho cơ quan tiếp nhận</label>
          <textarea id="note" name="note" rows={3} {...invalid('note')}>
            {v('note')}
          </textarea>
          <FieldError errors={errs} name="note" />
          {s.recent ? (
            // The same procedure sent lately (see recentSubmission): a second dossier only when said so.
            <>
              <label class="check">
                <input type="checkbox" name="again" value="1" {...invalid('again')} /> Tôi muốn nộp thêm một hồ sơ mới cho thủ tục này
              </label>
              <FieldError errors={errs} name="again" />
            </>
          ) : null}
          <div class="actions">
            <button type="submit" name="do" value="save">
              Lưu nháp
            </button>
            <button type="submit" name="do" value="submit" class="primary">
              Nộp hồ sơ
            </button>
          </div>
          {/* Shown once sent (app.css, form.submission[data-submitting]): the buttons are greyed, this says why. */}
          <p class="sending muted">Đang gửi hồ sơ và các tệp, vui lòng chờ trong giây lát…</p>
        </form>
      </>,
      { address: `/ca-nhan/nop-ho-so?thutuc=${procedureId}` },
    ),
    status,
  );
}

submissionRoutes.get('/ca-nhan/nop-ho-so', async (c) => {
  const { citizen, actor } = await requireCitizen(c);
  const q = queryOf(c, ChoiceQuery);
  if (!q.thutuc) return choosePage(c, q);
  const draft = await loadDraft(c.get('deps').db, actor, q.thutuc);
  const fields = { ...(draft?.fields ?? {}), ...(q.donvi && !draft?.fields.unitId ? { unitId: q.donvi } : {}) };
  const notice =
    q.hetphien && draft
      ? 'Phiên đăng nhập đã hết hạn trong lúc nhập. Thông tin và tệp vừa nhập đã được lưu vào những ô còn trống của bản nháp; ô đã có nội dung được giữ như cũ, còn đơn vị tiếp nhận, số điện thoại, thư điện tử, địa chỉ liên hệ và thông tin người được nộp thay chỉ lưu khi bạn đã đăng nhập. Vui lòng kiểm tra, nhập lại nếu cần, rồi nộp hồ sơ.'
      : undefined;
  const recent = await recentSubmission(c.get('deps').db, actor, q.thutuc, c.get('deps').now());
  return formPage(c, citizen, actor, q.thutuc, {
    draft,
    fields,
    errors: {},
    key: crypto.randomUUID(),
    recent,
    ...(notice ? { notice } : {}),
  });
});

/**
 * Each document's upload, stored by content before the draft is saved; a refused file is named, the rest kept. Each
 * one counts against the citizen's upload budget over 24 hours as it is stored (store-upload.ts), kept or not.
 */
async function givenDocuments(c: Ctx, actor: CitizenActor, procedureId: string, count: number, now: Date) {
  const given: GivenDocument[] = [];
  const errors: Record<string, string> = {};
  const fields = await formData(c);
  // The quota counts drafts' files too: what is left of it bounds this request's uploads (saveDraft checks again).
  const quota = c.get('deps').config.personalFiles;
  const usage = await usageOf(c.get('deps').db, actor.citizenId);
  const kept = (await loadDraft(c.get('deps').db, actor, procedureId))?.files ?? {};
  for (let i = 0; i < count; i++) {
    // Past the per-file limit, the file was discarded while it streamed: said beside its field, the rest goes on.
    if ((await oversizedFile(c, `doc${i}`)) !== null) {
      errors[`doc${i}`] = `Tệp quá lớn (tối đa ${sizeText(MAX_PERSONAL_FILE_BYTES)}).`;
      continue;
    }
    const upload = await uploadedStream(c, `doc${i}`);
    if (upload) {
      // A file replacing the draft's own for this document frees what that one took.
      const replaced = kept[String(i)];
      const left = { bytes: usage.bytes - (replaced?.size ?? 0), files: usage.files - (replaced ? 1 : 0) };
      const full = quotaRefusal(left, 1, quota);
      const room = { bytes: full ? 0 : quota.quotaBytes - left.bytes, refusal: full ?? quotaRefusal(left, quota.quotaBytes + 1, quota)! };
      const r = await storeDocument(c.get('deps').db, upload, 'tai-lieu', {
        citizenId: actor.citizenId,
        dailyBytes: quota.uploadDailyBytes,
        now,
        room,
      });
      if ('stored' in r) {
        given.push({ index: i, stored: r.stored });
        usage.bytes += r.stored.size;
        usage.files += 1;
      } else errors[`doc${i}`] = r.refused;
      continue;
    }
    const pick = fields[`pick${i}`];
    if (pick) given.push({ index: i, personalFileId: pick });
  }
  return { given, errors, fields };
}

/** The procedure's documents, as far as the page names them. */
type ProcedureDocument = { name: string };

/** A document's name in the current version, by the form's index (a number past its documents: an older form's). */
const documentLabel = (documents: ProcedureDocument[], index: number) => documents[index]?.name ?? `Giấy tờ số ${index + 1}`;

/** What a stale form chose, read from its body without storing anything: each upload's name, each personal file picked. */
async function chosenFiles(c: Ctx, documents: ProcedureDocument[], count: number): Promise<NotSaved[]> {
  const fields = await formData(c);
  const chosen: NotSaved[] = [];
  for (let i = 0; i < count; i++) {
    const oversized = await oversizedFile(c, `doc${i}`);
    const upload = oversized === null ? await uploadedStream(c, `doc${i}`) : null;
    if (upload) await upload.stream.cancel();
    const name = oversized ?? upload?.name;
    if (name) chosen.push({ document: documentLabel(documents, i), file: name });
    else if (fields[`pick${i}`]) chosen.push({ document: documentLabel(documents, i), file: null });
  }
  return chosen;
}

/** The files a request gave (stored, or picked) that a refused save did not keep. */
const notSavedOf = (given: GivenDocument[], documents: ProcedureDocument[]): NotSaved[] =>
  given.map((g) => ({ document: documentLabel(documents, g.index), file: 'stored' in g ? g.stored.name : null }));

/**
 * The answer to a form older than the draft (DraftChangedError): 409, the draft as it now is with its version (so the
 * page, checked and saved again, is accepted), the notice, and the files the stale form had chosen, not saved.
 */
async function draftChangedPage(c: Ctx, citizen: Citizen, actor: CitizenActor, procedureId: string, key: string, notSaved: NotSaved[]) {
  const db = c.get('deps').db;
  const draft = await loadDraft(db, actor, procedureId);
  const recent = await recentSubmission(db, actor, procedureId, c.get('deps').now(), key);
  return formPage(
    c,
    citizen,
    actor,
    procedureId,
    { draft, fields: { ...(draft?.fields ?? {}) }, errors: { form: DRAFT_CHANGED_MESSAGE }, key, recent, notSaved },
    409,
  );
}

submissionRoutes.post('/ca-nhan/nop-ho-so', citizenDraftUpload, async (c) => {
  const { citizen, actor } = await citizenOrLapsed(c);
  const deps = c.get('deps');
  const raw = await formData(c);
  const procedureId = raw.procedureId ?? '';
  // The address sized the body for its procedure's documents (citizen-context.ts): it must be this form's procedure.
  const sizedFor = c.req.query('thutuc');
  if (sizedFor !== undefined && sizedFor !== procedureId)
    throw new AppError('invalid_form', 'Dữ liệu biểu mẫu gửi lên không hợp lệ. Vui lòng tải lại trang và thử lại.', 400);
  const version = await onlineVersion(deps.db, procedureId);
  if (!version) throw new AppError('not_found', 'Không tìm thấy thủ tục.', 404);
  const key = isFormKey(raw.submissionKey) ? raw.submissionKey : crypto.randomUUID();
  // The version the form was opened on (its hidden field); a value that names none is another version than the current.
  const formVersion = raw.version === undefined ? undefined : /^\d{1,9}$/.test(raw.version) ? Number(raw.version) : -1;
  // This form sent again after it made its dossier (a retry, a double tap, Back then resend): that dossier, and
  // nothing stored or written — its files again would make a draft no one sees, counted against the quota. saveDraft
  // asks again under its locks, for the tap whose request got past here while the first one was submitting.
  const toDossier = (id: string) => {
    const shown = `/ca-nhan/ho-so/${id}?tb=da-nop`;
    return c.redirect(citizen ? shown : `/dang-nhap?tiep=${encodeURIComponent(shown)}`, 303);
  };
  const made = await dossierOfForm(deps.db, actor, key);
  if (made) return toDossier(made.id);
  const form: DraftForm = { key, seen: raw.draftVersion, procedureVersion: formVersion };
  const loginAgain = () => c.redirect(`/dang-nhap?tiep=${encodeURIComponent(`/ca-nhan/nop-ho-so?thutuc=${procedureId}&hetphien=1`)}`, 303);
  // A form of an older version is read by its own documents (saveDraft moves each file by name, or names it).
  const documentCount =
    formVersion !== undefined && formVersion !== version.version
      ? Math.max(version.documents.length, await formDocumentCount(deps.db, procedureId, formVersion))
      : version.documents.length;
  // A form older than the draft (another tab saved since): refused before any of its uploads is stored, the draft
  // shown as it now is, and what the form had chosen named (saveDraft asks again under its locks).
  if (citizen && draftChangedSince(await loadDraft(deps.db, actor, procedureId), form)) {
    return draftChangedPage(c, citizen, actor, procedureId, key, await chosenFiles(c, version.documents, documentCount));
  }
  // Text no draft can keep (a control character): refused beside its field before any upload is stored, nothing
  // written; what was typed is shown again. A lapsed session has no form to show: it logs in again, its draft as it was.
  const unreadable = unreadableFields(version, raw);
  if (Object.keys(unreadable).length) {
    // Nothing was kept: the login page says so (het-phien), and the form does not claim it was (hetphien).
    if (!citizen) return c.redirect(`/dang-nhap?tiep=${encodeURIComponent(`/ca-nhan/nop-ho-so?thutuc=${procedureId}`)}&het-phien=1`, 303);
    const draft = await loadDraft(deps.db, actor, procedureId);
    return formPage(
      c,
      citizen,
      actor,
      procedureId,
      { draft, fields: raw, errors: unreadable, key, uploadsDropped: true, seen: raw.draftVersion ?? '' },
      400,
    );
  }
  const now = deps.now();
  const { given, errors: fileErrors, fields } = await givenDocuments(c, actor, procedureId, documentCount, now);
  // A procedure received by one unit only: that unit (the form's select has nothing else to offer).
  if (!fields.unitId && version.unitIds.length === 1 && version.unitIds[0]) fields.unitId = version.unitIds[0];
  const removed = (await formValues(c, 'remove')).map(Number).filter((n) => Number.isInteger(n));
  const save = (documents: GivenDocument[], lapsed = false) =>
    saveDraft(deps.db, actor, procedureId, fields, documents, removed, now, deps.config.personalFiles, { ...form, lapsed });
  if (!citizen) {
    // The session lapsed while the form was being filled: keep it all as the draft, then log in and come back to it.
    const kept = await save(given, true);
    return kept.submitted ? toDossier(kept.submitted.id) : loginAgain();
  }
  let saved: Awaited<ReturnType<typeof save>>;
  // A personal file that is not the citizen's: the rest saved, the file named on its document, nothing else lost.
  let pickMissing = false;
  try {
    saved = await save(given).catch((err: unknown) => {
      if (!(err instanceof AppError) || err.status !== 404) throw err;
      pickMissing = true;
      return save(given.filter((g) => 'stored' in g));
    });
  } catch (err) {
    // Another tab saved between the check above and the save: nothing written; this request's uploads, named by no
    // row, are collected like every discarded upload, and named on the page to be chosen again.
    if (!(err instanceof DraftChangedError)) throw err;
    return draftChangedPage(c, citizen, actor, procedureId, key, notSavedOf(given, version.documents));
  }
  if (saved.submitted) return toDossier(saved.submitted.id);
  const { draft, refused: overQuota, stale, dropped } = saved;
  if (pickMissing) {
    return formPage(
      c,
      citizen,
      actor,
      procedureId,
      { draft, fields, errors: { ...fileErrors, ...overQuota, form: 'Không tìm thấy tệp đã chọn.' }, key, dropped },
      400,
    );
  }
  // The same procedure submitted lately under another form key (Back, then Nộp hồ sơ with the photos the browser put
  // back): a second dossier only if the box says it is meant. The same key is this form's own dossier (a double tap,
  // a retry, also after a newer dossier): recentSubmission then finds nothing to ask, and submitOnline answers with it.
  const recent = await recentSubmission(deps.db, actor, procedureId, now, key);
  const duplicate: Record<string, string> =
    raw.do === 'submit' && recent && raw.again !== '1'
      ? {
          again: `Bạn vừa nộp hồ sơ thủ tục này (mã hồ sơ ${recent.code}). Nếu muốn nộp thêm một hồ sơ mới, hãy đánh dấu ô này rồi bấm Nộp hồ sơ.`,
        }
      : {};
  // A tờ khai answer the procedure does not ask for (a forged form, or a page from before the procedure changed): it
  // was not saved, and nothing is submitted until the citizen has seen the form as it is now.
  // A form of another version of the procedure (opened before an administrator saved a new one), or a draft kept from
  // one: its files were moved to the same documents by name; nothing is submitted until the citizen has seen the form
  // as it is now.
  const changed = stale ? PROCEDURE_CHANGED_MESSAGE : undefined;
  const stray = strayAnswerNames(version.declaration, fields).length
    ? 'Biểu mẫu có trường không thuộc tờ khai của thủ tục này (trang có thể đã cũ) nên đã bị bỏ qua.'
    : undefined;
  const formMessage = changed ?? stray;
  const refused: Record<string, string> = {
    ...fileErrors,
    ...overQuota,
    ...duplicate,
    ...(formMessage ? { form: formMessage } : {}),
  };
  if (raw.do !== 'submit' || Object.keys(refused).length) {
    const notice = Object.keys(refused).length ? undefined : 'Đã lưu bản nháp. Bạn có thể nộp tiếp lúc khác.';
    // Nộp hồ sơ with a refused file: the other mistakes of the draft are said in the same answer, beside their fields
    // (a refused file's own message wins over "Vui lòng tải lên"), not one round trip later over a slow connection.
    const pending = raw.do === 'submit' && Object.keys(refused).length ? checkDraft(version, draft, now) : null;
    const shown = pending && !pending.ok ? { ...pending.errors, ...refused } : refused;
    return formPage(
      c,
      citizen,
      actor,
      procedureId,
      { draft, fields, errors: shown, key, recent, dropped, ...(notice ? { notice } : {}) },
      changed ? 409 : Object.keys(refused).length ? 400 : 200,
    );
  }
  try {
    const d = await submitOnline(deps.db, actor, procedureId, key, now, draft.updatedAt);
    return c.redirect(`/ca-nhan/ho-so/${d.id}?tb=da-nop`, 303);
  } catch (err) {
    if (err instanceof AppError && err.code === 'validation_failed') {
      return formPage(c, citizen, actor, procedureId, { draft, fields, errors: err.fields ?? {}, key, recent }, 400);
    }
    // Another tab saved the draft between this request's save and its submission: nothing submitted, the form shown
    // as the draft now is (this request's own uploads were saved with it).
    if (err instanceof DraftChangedError) return draftChangedPage(c, citizen, actor, procedureId, key, []);
    // A new version saved between this draft's save and its submission: submitOnline brought the draft to it (its
    // files moved by name), so the form shows it as it now is, and this form sent again is submitted.
    if (err instanceof ProcedureChangedError) {
      const kept = await loadDraft(deps.db, actor, procedureId);
      return formPage(
        c,
        citizen,
        actor,
        procedureId,
        { draft: kept, fields, errors: { form: err.message }, key, recent, dropped: [...dropped, ...err.dropped] },
        409,
      );
    }
    throw err;
  }
});
