/**
 * Quản lý tập tin cá nhân (/ca-nhan/tap-tin): a citizen's files on the portal — list with the quota, upload (a plain
 * multipart form, no script needed), rename, delete (each a POST with _csrf), download. Every id in the address is
 * looked up among the citizen's own live files: another citizen's file answers 404 like a missing one. A refusal
 * re-renders the page with its message in Vietnamese and what was typed.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../web/env.js';
import type { Ctx } from '../web/http.js';
import { CsrfField, ErrorSummary, FieldError, Flash } from '../web/layout.js';
import { formData, uploadedPart } from '../web/body.js';
import { idParam, queryOf } from '../web/params.js';
import { sendFile } from '../web/download.js';
import { PortalPage } from '../portal/layout.js';
import { citizenUpload, requireCitizen } from '../portal/citizen-context.js';
import { formatDateTime } from '../shared/dates.js';
import { AppError } from '../shared/errors.js';
import { param } from '../shared/validate.js';
import type { IncomingFile } from '../storage/index.js';
import { MAX_PERSONAL_FILE_BYTES, NAME_MAX, PERSONAL_FILE_ACCEPT, PERSONAL_FILE_ALLOWED, sizeText, typeOfMime } from './files.js';
import { listPersonalFiles, type PersonalFileItem } from './list-personal-files.js';
import { uploadPersonalFile } from './upload-personal-file.js';
import { uploadedBytesWithin } from './upload-budget.js';
import { renamePersonalFile } from './rename-personal-file.js';
import { deletePersonalFile } from './delete-personal-file.js';
import { openPersonalFile } from './open-personal-file.js';
import { sendHtml } from '../web/send-html.js';

export const personalFileRoutes = new Hono<AppEnv>();

const BASE = '/ca-nhan/tap-tin';
const fileUrl = (id: string, action: 'tai-ve' | 'doi-ten' | 'xoa') => `${BASE}/${id}/${action}`;

const NOTICES = {
  'tai-len': 'Đã tải lên tệp.',
  'doi-ten': 'Đã đổi tên tệp.',
  xoa: 'Đã xóa tệp. Hồ sơ đã nộp kèm tệp này vẫn giữ bản của hồ sơ.',
} as const;
const ListQuery = z.object({ tb: param.oneOf(['tai-len', 'doi-ten', 'xoa'], 'Thông báo không hợp lệ.') });

const KIND_LABELS: Record<string, string> = {
  pdf: 'PDF',
  png: 'Ảnh PNG',
  jpg: 'Ảnh JPEG',
  docx: 'Word',
  doc: 'Word',
  xlsx: 'Excel',
  xls: 'Excel',
  odt: 'OpenDocument',
};
const kindLabel = (mime: string) => {
  const kind = typeOfMime(mime)?.kind;
  return (kind && KIND_LABELS[kind]) ?? 'Tệp';
};

/** The file a form chose: null when none was chosen (an empty part without a name); an empty file is kept, to be refused. */
async function chosenFile(c: Ctx): Promise<IncomingFile | null> {
  const part = await uploadedPart(c, 'file');
  return part ? { name: part.name, stream: part.stream } : null;
}

function Source(p: { file: PersonalFileItem }) {
  return p.file.source === 'issued' ? (
    <span class="badge ok">Do cơ quan cấp: {p.file.issuedBy ?? 'cơ quan có thẩm quyền'}</span>
  ) : (
    <span class="muted">Tải lên từ máy của bạn</span>
  );
}

function FileItem(p: { file: PersonalFileItem }) {
  const f = p.file;
  return (
    <li>
      <div class="file-name">
        <a href={fileUrl(f.id, 'tai-ve')}>{f.name}</a>
      </div>
      <div class="muted">
        {kindLabel(f.mime)} · {sizeText(f.size)} · <time datetime={f.createdAt.toISOString()}>{formatDateTime(f.createdAt)}</time>
      </div>
      <div>
        <Source file={f} />
      </div>
      <div class="toolbar">
        <a class="button" href={fileUrl(f.id, 'tai-ve')} aria-label={`Tải về ${f.name}`}>
          Tải về
        </a>
        <a class="button" href={fileUrl(f.id, 'doi-ten')} aria-label={`Đổi tên ${f.name}`}>
          Đổi tên
        </a>
        <a class="button danger" href={fileUrl(f.id, 'xoa')} aria-label={`Xóa ${f.name}`}>
          Xóa
        </a>
      </div>
    </li>
  );
}

type ListState = { error?: AppError; notice?: string | undefined; typedName?: string | undefined };

async function renderList(c: Ctx, state: ListState = {}, status: 200 | 400 | 409 | 413 | 415 | 429 = 200) {
  const { actor } = await requireCitizen(c);
  const deps = c.get('deps');
  const list = await listPersonalFiles(deps.db, actor, deps.config.personalFiles);
  const uploaded = await uploadedBytesWithin(deps.db, actor.citizenId, deps.now());
  const fieldErrors = state.error?.fields;
  const fileError = fieldErrors?.file;
  const formMessage = state.error && !fileError && !fieldErrors?.displayName ? state.error.message : null;
  const describedBy = ['file-help', fileError ? 'err-file' : null].filter(Boolean).join(' ');
  return sendHtml(
    c,
    await PortalPage(
      c,
      'Quản lý tập tin cá nhân',
      <>
        <p>
          <a href="/ca-nhan">← Trang cá nhân</a>
        </p>
        <h1>Quản lý tập tin cá nhân</h1>
        {state.notice ? <Flash kind="ok">{state.notice}</Flash> : null}
        {state.error ? (
          <ErrorSummary errors={fieldErrors ?? {}} onPage={(name) => name === 'file' || name === 'displayName'}>
            <p>{formMessage ?? 'Chưa tải lên được tệp. Vui lòng sửa mục sau (chạm vào để đến ô cần sửa):'}</p>
          </ErrorSummary>
        ) : null}
        <div class="quota">
          <label for="quota-used">
            Đã dùng {sizeText(list.usedBytes)} trên {sizeText(list.quota.quotaBytes)} · {list.usedFiles}/{list.quota.quotaFiles} tệp
          </label>
          <progress id="quota-used" max={String(list.quota.quotaBytes)} value={String(Math.min(list.usedBytes, list.quota.quotaBytes))}>
            {sizeText(list.usedBytes)}
          </progress>
          {list.draftFiles > 0 ? (
            <p class="muted">
              Trong đó {list.draftFiles} tệp ({sizeText(list.draftBytes)}) đang nằm trong hồ sơ nháp chưa nộp; gỡ tệp khỏi bản nháp để lấy
              lại dung lượng.
            </p>
          ) : null}
          <p class="muted">Tệp do cơ quan nhà nước cấp (kết quả giải quyết hồ sơ) không tính vào dung lượng.</p>
          <p class="muted" id="upload-volume">
            Trong 24 giờ qua bạn đã tải lên {uploaded > 0 ? sizeText(uploaded) : '0 KB'} trên {sizeText(list.quota.uploadDailyBytes)} được
            phép (tính cả tệp đã xóa, tệp đã thay trong hồ sơ nháp và tệp bổ sung).
          </p>
        </div>

        <h2 id="upload-title">Tải lên tệp mới</h2>
        <form method="post" action={BASE} enctype="multipart/form-data" class="action-form" aria-labelledby="upload-title">
          <CsrfField token={c.get('csrfToken')} />
          <label for="file">
            Chọn tệp
            <span class="req" aria-hidden="true">
              *
            </span>
          </label>
          <input
            type="file"
            id="file"
            name="file"
            accept={PERSONAL_FILE_ACCEPT}
            required
            aria-invalid={fileError ? 'true' : undefined}
            aria-describedby={describedBy}
          />
          <FieldError errors={fieldErrors} name="file" />
          <p class="muted" id="file-help">
            Nhận tệp {PERSONAL_FILE_ALLOWED}; mỗi tệp tối đa {sizeText(MAX_PERSONAL_FILE_BYTES)}.
          </p>
          <label for="displayName">Tên hiển thị (không bắt buộc)</label>
          <input
            type="text"
            id="displayName"
            name="displayName"
            maxlength={NAME_MAX}
            value={state.typedName ?? ''}
            aria-invalid={fieldErrors?.displayName ? 'true' : undefined}
            aria-describedby={fieldErrors?.displayName ? 'err-displayName' : undefined}
          />
          <FieldError errors={fieldErrors} name="displayName" />
          <p>
            <button type="submit" class="primary">
              Tải lên
            </button>
          </p>
        </form>

        <h2>Tệp của bạn ({list.files.length})</h2>
        {list.files.length ? (
          <ul class="file-list">
            {list.files.map((f) => (
              <FileItem file={f} />
            ))}
          </ul>
        ) : (
          <p class="muted">Bạn chưa có tệp nào.</p>
        )}
      </>,
      { address: BASE },
    ),
    status,
  );
}

const errorStatus = (err: AppError) => ([400, 409, 413, 415, 429] as const).find((s) => s === err.status) ?? 400;

personalFileRoutes.get(BASE, async (c) => {
  const { tb } = queryOf(c, ListQuery);
  return renderList(c, { notice: tb ? NOTICES[tb] : undefined });
});

personalFileRoutes.post(BASE, citizenUpload, async (c) => {
  const { actor } = await requireCitizen(c);
  const deps = c.get('deps');
  const fields = await formData(c);
  try {
    await uploadPersonalFile(
      deps.db,
      actor,
      { file: await chosenFile(c), displayName: fields.displayName },
      deps.config.personalFiles,
      deps.now(),
    );
    return c.redirect(`${BASE}?tb=tai-len`, 303);
  } catch (err) {
    if (!(err instanceof AppError) || err.status === 404) throw err;
    return renderList(c, { error: err, typedName: fields.displayName }, errorStatus(err));
  }
});

personalFileRoutes.get(`${BASE}/:id/tai-ve`, async (c) => {
  const { actor } = await requireCitizen(c);
  const f = await openPersonalFile(c.get('deps').db, actor, idParam(c, 'Tệp'));
  return sendFile(c, { open: f.open, size: f.size, mediaType: f.mime, fileName: f.name }, { 'Cache-Control': 'private, no-store' });
});

async function renderRename(c: Ctx, id: string, state: { error?: AppError; typed?: string | undefined } = {}, status: 200 | 400 = 200) {
  const { actor } = await requireCitizen(c);
  const f = await openPersonalFile(c.get('deps').db, actor, id);
  const nameError = state.error?.fields?.name ?? state.error?.fields?._;
  return sendHtml(
    c,
    await PortalPage(
      c,
      'Đổi tên tệp',
      <>
        <p>
          <a href={BASE}>← Quản lý tập tin cá nhân</a>
        </p>
        <h1>Đổi tên tệp</h1>
        {state.error ? (
          <ErrorSummary errors={nameError ? { name: nameError } : {}}>
            <p>{state.error.message}</p>
          </ErrorSummary>
        ) : null}
        <form method="post" action={fileUrl(f.id, 'doi-ten')} class="action-form">
          <CsrfField token={c.get('csrfToken')} />
          <label for="name">
            Tên mới
            <span class="req" aria-hidden="true">
              *
            </span>
          </label>
          <input
            type="text"
            id="name"
            name="name"
            required
            maxlength={NAME_MAX}
            value={state.typed ?? f.name}
            aria-invalid={nameError ? 'true' : undefined}
            aria-describedby={nameError ? 'name-help err-name' : 'name-help'}
          />
          {nameError ? (
            <span class="field-error" id="err-name">
              {nameError}
            </span>
          ) : null}
          <p class="muted" id="name-help">
            Phần mở rộng của tệp ({kindLabel(f.mime)}) được giữ theo nội dung tệp.
            {f.source === 'issued' ? ' Tệp vẫn được ghi là do cơ quan cấp sau khi đổi tên.' : ''}
          </p>
          <p class="toolbar">
            <button type="submit" class="primary">
              Lưu tên mới
            </button>
            <a class="button" href={BASE}>
              Hủy
            </a>
          </p>
        </form>
      </>,
      { address: `${BASE}/${id}/doi-ten` },
    ),
    status,
  );
}

personalFileRoutes.get(`${BASE}/:id/doi-ten`, (c) => renderRename(c, idParam(c, 'Tệp')));

personalFileRoutes.post(`${BASE}/:id/doi-ten`, async (c) => {
  const { actor } = await requireCitizen(c);
  const id = idParam(c, 'Tệp');
  const fields = await formData(c);
  try {
    await renamePersonalFile(c.get('deps').db, actor, id, { name: fields.name });
    return c.redirect(`${BASE}?tb=doi-ten`, 303);
  } catch (err) {
    if (!(err instanceof AppError) || err.status === 404) throw err;
    return renderRename(c, id, { error: err, typed: fields.name }, 400);
  }
});

personalFileRoutes.get(`${BASE}/:id/xoa`, async (c) => {
  const { actor } = await requireCitizen(c);
  const f = await openPersonalFile(c.get('deps').db, actor, idParam(c, 'Tệp'));
  return sendHtml(
    c,
    await PortalPage(
      c,
      'Xóa tệp',
      <>
        <p>
          <a href={BASE}>← Quản lý tập tin cá nhân</a>
        </p>
        <h1>Xóa tệp</h1>
        <form method="post" action={fileUrl(f.id, 'xoa')} class="action-form">
          <CsrfField token={c.get('csrfToken')} />
          <p>
            Bạn có chắc muốn xóa tệp <strong class="file-name">{f.name}</strong> ({kindLabel(f.mime)}, {sizeText(f.size)})?
          </p>
          <p class="muted">Hồ sơ đã nộp kèm tệp này vẫn giữ bản của hồ sơ.</p>
          <p class="toolbar">
            <button type="submit" class="danger">
              Xóa tệp
            </button>
            <a class="button" href={BASE}>
              Hủy
            </a>
          </p>
        </form>
      </>,
    ),
  );
});

personalFileRoutes.post(`${BASE}/:id/xoa`, async (c) => {
  const { actor } = await requireCitizen(c);
  const deps = c.get('deps');
  await deletePersonalFile(deps.db, actor, idParam(c, 'Tệp'), deps.now());
  return c.redirect(`${BASE}?tb=xoa`, 303);
});
