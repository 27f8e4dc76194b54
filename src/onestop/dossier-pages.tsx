import type { InboxTab } from '../dossiers/inbox.js';
import { INBOX_TABS } from '../dossiers/inbox.js';
import { CHANNELS, DOSSIER_STATUSES, STATUS_LABELS, type DossierStatus } from '../db/schema/index.js';
import { ACTION_LABELS, actionDef, actionIssuing, eventLabel, mayAttachResultAt, type DossierAction } from '../dossiers/transitions.js';
import type { FormNumber } from '../dossiers/dossier-forms.js';
import { formatDateTime } from '../shared/dates.js';
import { eventActorLabel } from '../dossiers/presenters.js';
import { CsrfField, FieldError, Flash } from '../web/layout.js';
import { templateUrl } from '../procedures/document-templates.js';
import { DeclarationAnswers } from '../dossiers/declaration-answers.js';

type Option = { id: string; name: string };

function DueBadge(p: { dueAt: Date; now: Date; soon: Date }) {
  if (p.dueAt < p.now) return <span class="badge warn">Quá hạn</span>;
  if (p.dueAt < p.soon) return <span class="badge soon">Sắp đến hạn</span>;
  return <span class="badge ok">Còn hạn</span>;
}

/** A choice among named things (sectors, procedures, agencies), with a first blank option. */
function OptionSelect(p: {
  id?: string;
  name: string;
  blank: string;
  options: Option[];
  selected: string | undefined;
  required?: boolean;
}) {
  return (
    <select id={p.id} name={p.name} required={p.required}>
      <option value="">{p.blank}</option>
      {p.options.map((o) => (
        <option value={o.id} selected={o.id === p.selected}>
          {o.name}
        </option>
      ))}
    </select>
  );
}

export function InboxPage(p: {
  tab: InboxTab;
  counts: Record<InboxTab, number>;
  rows: Array<{
    id: string;
    code: string;
    status: DossierStatus;
    applicant: { fullName: string };
    receivedAt: Date;
    dueAt: Date;
    procedureName: string;
  }>;
  next: string | null;
  query: Record<string, string>;
  sectors: Option[];
  procedures: Option[];
  now: Date;
  soon: Date;
  agencies: Option[];
  /** Delegations in force lent to this official: one tab each (Ủy quyền giải quyết DVC). */
  delegations: Array<{ id: number; delegatorName: string }>;
  /** The delegation whose dossiers are shown, or null for the official's own. */
  via: number | null;
  /** The official holds the reception position somewhere: "+ Tiếp nhận hồ sơ" is offered. */
  receives: boolean;
  /** Why the page is not what was asked for (a delegated tab whose delegation is gone). */
  notice: string | null;
}) {
  const link = (extra: Record<string, string>) =>
    `/tiepnhan/ho-so?${new URLSearchParams(Object.entries({ ...p.query, ...extra }).filter(([, v]) => v !== ''))}`;
  const viaLabel = p.delegations.find((d) => d.id === p.via)?.delegatorName;
  return (
    <section>
      <h1>HỒ SƠ CẦN XỬ LÝ{viaLabel ? ` — THAY ${viaLabel.toUpperCase()} (ỦY QUYỀN SỐ ${p.via})` : ''}</h1>
      {p.notice ? <Flash kind="error">{p.notice}</Flash> : null}
      {p.delegations.length > 0 && (
        <nav class="tabs" aria-label="Hồ sơ của tôi hoặc được ủy quyền">
          <a
            href={link({ uyquyen: '', after: '' })}
            aria-current={p.via === null ? 'page' : undefined}
            class={p.via === null ? 'tab current' : 'tab'}
          >
            Hồ sơ của tôi
          </a>
          {p.delegations.map((d) => (
            <a
              href={link({ uyquyen: String(d.id), after: '' })}
              aria-current={p.via === d.id ? 'page' : undefined}
              class={p.via === d.id ? 'tab current' : 'tab'}
            >
              Được ủy quyền: thay {d.delegatorName} (số {d.id})
            </a>
          ))}
        </nav>
      )}
      {p.receives && (
        <p>
          <a class="button primary" href="/tiepnhan/tiep-nhan">
            + Tiếp nhận hồ sơ
          </a>
        </p>
      )}
      <nav class="tabs" aria-label="Trạng thái">
        {(Object.keys(INBOX_TABS) as InboxTab[]).map((t) => (
          <a href={link({ tab: t, after: '' })} aria-current={t === p.tab ? 'page' : undefined} class={t === p.tab ? 'tab current' : 'tab'}>
            {INBOX_TABS[t].label} ({p.counts[t]})
          </a>
        ))}
      </nav>
      <form method="get" action="/tiepnhan/ho-so" class="filters">
        <input type="hidden" name="tab" value={p.tab} />
        {p.via !== null && <input type="hidden" name="uyquyen" value={String(p.via)} />}
        <label>
          Tìm kiếm
          <input name="q" value={p.query.q ?? ''} placeholder="Mã hồ sơ, tên người nộp" />
        </label>
        <label>
          Lĩnh vực
          <OptionSelect name="linhvuc" blank="Tất cả" options={p.sectors} selected={p.query.linhvuc} />
        </label>
        <label>
          Thủ tục
          <OptionSelect name="thutuc" blank="Tất cả" options={p.procedures} selected={p.query.thutuc} />
        </label>
        <label>
          Hạn xử lý
          <select name="han">
            <option value="">Tất cả</option>
            <option value="con-han" selected={p.query.han === 'con-han'}>
              Còn hạn
            </option>
            <option value="sap-den-han" selected={p.query.han === 'sap-den-han'}>
              Sắp đến hạn
            </option>
            <option value="qua-han" selected={p.query.han === 'qua-han'}>
              Quá hạn
            </option>
          </select>
        </label>
        <label>
          Tiếp nhận từ ngày
          <input name="tu" value={p.query.tu ?? ''} placeholder="dd/mm/yyyy" inputmode="numeric" />
        </label>
        <label>
          đến ngày
          <input name="den" value={p.query.den ?? ''} placeholder="dd/mm/yyyy" inputmode="numeric" />
        </label>
        <button type="submit">Lọc</button>
      </form>
      <table class="list" id="inbox">
        <thead>
          <tr>
            <th scope="col">Mã hồ sơ</th>
            <th scope="col">Thủ tục</th>
            <th scope="col">Người nộp</th>
            <th scope="col">Ngày tiếp nhận</th>
            <th scope="col">Hạn xử lý</th>
            <th scope="col">Trạng thái</th>
          </tr>
        </thead>
        <tbody>
          {p.rows.map((r) => (
            <tr>
              <td class="nowrap">
                <a href={`/tiepnhan/ho-so/${r.id}`}>{r.code}</a>
              </td>
              <td>{r.procedureName}</td>
              <td>{r.applicant.fullName}</td>
              <td>{formatDateTime(r.receivedAt)}</td>
              <td>
                {formatDateTime(r.dueAt)} <DueBadge dueAt={r.dueAt} now={p.now} soon={p.soon} />
              </td>
              <td>{STATUS_LABELS[r.status]}</td>
            </tr>
          ))}
          {p.rows.length === 0 ? (
            <tr>
              <td colspan={6} class="muted">
                Không có hồ sơ.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      {p.next ? (
        <p>
          <a href={link({ after: p.next })}>Trang sau →</a>
        </p>
      ) : null}
      {p.agencies.length ? (
        <form method="get" action="/tiepnhan/so-theo-doi.pdf" class="filters">
          <strong>Sổ theo dõi hồ sơ (Mẫu 07)</strong>
          <label>
            Cơ quan
            <select name="donvi">
              {p.agencies.map((a) => (
                <option value={a.id}>{a.name}</option>
              ))}
            </select>
          </label>
          <label>
            Từ ngày
            <input name="tu" placeholder="dd/mm/yyyy" inputmode="numeric" required />
          </label>
          <label>
            Đến ngày
            <input name="den" placeholder="dd/mm/yyyy" inputmode="numeric" required />
          </label>
          <button type="submit">Xem sổ (PDF)</button>
        </form>
      ) : null}
    </section>
  );
}

export function ReceptionPage(p: {
  csrfToken: string;
  sectors: Option[];
  procedures: Array<Option & { sectorId: string }>;
  values: Record<string, string>;
  errors?: Record<string, string> | undefined;
  error?: string | undefined;
  now: Date;
}) {
  const v = p.values;
  const shown = v.linhvuc ? p.procedures.filter((x) => x.sectorId === v.linhvuc) : p.procedures;
  return (
    <section class="narrow wide-ok">
      <h1>TIẾP NHẬN HỒ SƠ</h1>
      {p.error ? <Flash kind="error">{p.error}</Flash> : null}
      <form method="get" action="/tiepnhan/tiep-nhan" class="inline-form">
        <label for="linhvuc">Lĩnh vực dịch vụ công</label>
        <OptionSelect id="linhvuc" name="linhvuc" blank="-- Tất cả lĩnh vực --" options={p.sectors} selected={v.linhvuc} />
        <button type="submit">Chọn</button>
      </form>
      <form method="post" action="/tiepnhan/tiep-nhan" class="stack">
        <CsrfField token={p.csrfToken} />
        <label for="procedureId">
          Thủ tục hành chính<span class="req">*</span>
        </label>
        <OptionSelect id="procedureId" name="procedureId" blank="-- Chọn thủ tục --" options={shown} selected={v.procedureId} required />
        <FieldError errors={p.errors} name="procedureId" />
        <p>
          Mã hồ sơ: <em>được cấp tự động khi tiếp nhận</em> · Ngày tiếp nhận: <strong>{formatDateTime(p.now)}</strong>
        </p>
        <fieldset>
          <legend>Hình thức tiếp nhận</legend>
          <label class="check">
            <input type="radio" name="channel" value="1" checked={v.channel !== '3'} /> Trực tiếp
          </label>
          <label class="check">
            <input type="radio" name="channel" value="3" checked={v.channel === '3'} /> Bưu chính công ích
          </label>
          <FieldError errors={p.errors} name="channel" />
        </fieldset>
        <fieldset>
          <legend>THÔNG TIN NGƯỜI NỘP HỒ SƠ</legend>
          {(
            [
              ['fullName', 'Họ tên', true],
              ['cccd', 'Số CMND/CCCD', false],
              ['phone', 'Số điện thoại', false],
              ['email', 'Thư điện tử', false],
              ['address', 'Địa chỉ', false],
            ] as const
          ).map(([name, label, req]) => (
            <div class="field">
              <label for={`r-${name}`}>
                {label}
                {req ? <span class="req">*</span> : null}
              </label>
              <input id={`r-${name}`} name={name} value={v[name] ?? ''} required={req} />
              <FieldError errors={p.errors} name={name} />
            </div>
          ))}
          <label for="r-note">Ghi chú</label>
          <input id="r-note" name="note" value={v.note ?? ''} />
        </fieldset>
        <button type="submit" class="primary">
          Tiếp nhận
        </button>
      </form>
    </section>
  );
}

export function DossierPage(p: {
  csrfToken: string;
  view: Awaited<ReturnType<typeof import('../dossiers/view-dossier.js').viewDossier>>;
  notice?: string | undefined;
  error?: string | undefined;
  errors?: Record<string, string> | undefined;
  now: Date;
  soon: Date;
  files: Array<{ id: string; kind: 'result' | 'submitted' | 'supplement'; label: string | null; name: string; size: number }>;
}) {
  const { dossier: d, version, step, agency, sector, history, actions } = p.view;
  const canAttach = actions.length > 0 && mayAttachResultAt(d.status, step);
  // A form is printed once the action that issues it has happened (transitions.ts: ActionDef.form).
  const issued = (form: FormNumber) => {
    const by = actionIssuing(form);
    return by !== null && history.some((h) => h.action === by);
  };
  const pdf = (n: string, label: string) => (
    <a class="button" href={`/tiepnhan/ho-so/${d.id}/mau-${n}.pdf`}>
      {label}
    </a>
  );
  return (
    <section>
      <h1>Hồ sơ {d.code}</h1>
      {p.notice ? <Flash kind="ok">{p.notice}</Flash> : null}
      {p.error ? <Flash kind="error">{p.error}</Flash> : null}
      <dl class="facts">
        <dt>Thủ tục</dt>
        <dd>
          {version.name} (phiên bản {version.version})
        </dd>
        <dt>Lĩnh vực</dt>
        <dd>{sector.name}</dd>
        <dt>Cơ quan tiếp nhận</dt>
        <dd>{agency.name}</dd>
        <dt>Hình thức tiếp nhận</dt>
        <dd>{CHANNELS[d.channel]}</dd>
        <dt>Người nộp</dt>
        <dd>
          {d.applicant.fullName}
          {d.applicant.phone ? ` — ${d.applicant.phone}` : ''}
        </dd>
        <dt>Ngày tiếp nhận</dt>
        <dd>{formatDateTime(d.receivedAt)}</dd>
        <dt>Hẹn trả kết quả</dt>
        <dd>
          {formatDateTime(d.dueAt)} {d.status === 'returned' ? null : <DueBadge dueAt={d.dueAt} now={p.now} soon={p.soon} />}
        </dd>
        <dt>Trạng thái</dt>
        <dd id="status">
          {STATUS_LABELS[d.status]} (mã {DOSSIER_STATUSES[d.status]})
          {d.clockStoppedAt ? ` — tạm dừng tính thời gian từ ${formatDateTime(d.clockStoppedAt)}` : ''}
        </dd>
        <dt>Bước hiện tại</dt>
        <dd>
          {d.currentStep + 1}/{version.steps.length}: {step.name}
          {d.stepDueAt ? ` (hạn bước: ${formatDateTime(d.stepDueAt)})` : ''}
        </dd>
        <dt>Mã tra cứu</dt>
        <dd>{d.lookupCode}</dd>
      </dl>
      <p class="toolbar">
        {pdf('01', 'Giấy tiếp nhận (Mẫu 01)')}
        {issued('02') ? pdf('02', 'Phiếu yêu cầu bổ sung (Mẫu 02)') : null}
        {issued('03') ? pdf('03', 'Phiếu từ chối (Mẫu 03)') : null}
        {issued('04') ? pdf('04', 'Phiếu xin lỗi, hẹn lại (Mẫu 04)') : null}
        {issued('05') ? pdf('05', 'Thông báo dừng (Mẫu 05)') : null}
        {pdf('06', 'Phiếu kiểm soát (Mẫu 06)')}
      </p>
      <h2>Thành phần hồ sơ</h2>
      <ul>
        {version.documents.map((doc) => (
          <li>
            {doc.name}
            {doc.required ? '' : ' (nếu có)'}
            {doc.template ? (
              <>
                {' — '}
                <a href={templateUrl(doc.template)}>Tải mẫu</a>
              </>
            ) : null}
          </li>
        ))}
      </ul>
      <DeclarationAnswers answers={d.declaration} />
      {p.files.some((f) => f.kind !== 'result') ? (
        <>
          <h2>Hồ sơ nộp trực tuyến</h2>
          <ul id="submitted-files">
            {p.files
              .filter((f) => f.kind !== 'result')
              .map((f) => (
                <li>
                  {f.kind === 'supplement' ? 'Bổ sung' : (f.label ?? 'Tệp')}: <a href={`/tiepnhan/ho-so/${d.id}/tep/${f.id}`}>{f.name}</a> (
                  {Math.ceil(f.size / 1024)} KB)
                </li>
              ))}
          </ul>
        </>
      ) : null}
      <h2>Kết quả giải quyết</h2>
      <ul id="result-files">
        {p.files
          .filter((f) => f.kind === 'result')
          .map((f) => (
            <li>
              <a href={`/tiepnhan/ho-so/${d.id}/tep/${f.id}`}>{f.name}</a> ({Math.ceil(f.size / 1024)} KB)
            </li>
          ))}
        {p.files.every((f) => f.kind !== 'result') ? <li class="muted">Chưa có tệp kết quả.</li> : null}
      </ul>
      {canAttach ? (
        <form method="post" action={`/tiepnhan/ho-so/${d.id}/ket-qua`} enctype="multipart/form-data" class="inline-form">
          <CsrfField token={p.csrfToken} />
          <label for="result-file">Đính kèm kết quả (PDF, ảnh, Word; tối đa 10 MB)</label>
          <input id="result-file" name="file" type="file" accept=".pdf,.png,.jpg,.jpeg,.docx" required />
          <button type="submit">Đính kèm</button>
        </form>
      ) : null}
      {actions.length ? (
        <>
          <h2>Xử lý</h2>
          {p.view.capacity && !p.view.capacity.own ? (
            <Flash kind="info">
              Bạn xử lý hồ sơ này thay {p.view.capacity.delegation.delegatorLabel} theo ủy quyền số {p.view.capacity.delegation.id}; mỗi
              thao tác được ghi nhận như vậy.
            </Flash>
          ) : null}
          <div class="actions">
            {actions.map((a: DossierAction) => (
              <form method="post" action={`/tiepnhan/ho-so/${d.id}/xu-ly`} class="action-form" data-action={a}>
                <CsrfField token={p.csrfToken} />
                <input type="hidden" name="action" value={a} />
                <strong>{ACTION_LABELS[a]}</strong>
                {actionDef(a).inputs.note === 'required' ? (
                  <>
                    <label for={`note-${a}`}>Lý do / nội dung</label>
                    <input id={`note-${a}`} name="note" required />
                  </>
                ) : (
                  <>
                    <label for={`note-${a}`}>Ghi chú</label>
                    <input id={`note-${a}`} name="note" />
                  </>
                )}
                {actionDef(a).inputs.items ? (
                  <>
                    <label for="items">Giấy tờ cần bổ sung (mỗi dòng một mục)</label>
                    <textarea id="items" name="items" rows={3} required></textarea>
                  </>
                ) : null}
                {actionDef(a).inputs.newDueDate ? (
                  <>
                    <label for="newDueDate">Ngày hẹn trả mới</label>
                    <input id="newDueDate" name="newDueDate" placeholder="dd/mm/yyyy" inputmode="numeric" required />
                  </>
                ) : null}
                {actionDef(a).inputs.returnChannel ? (
                  <>
                    <label for="returnChannel">Hình thức trả kết quả</label>
                    <select id="returnChannel" name="returnChannel">
                      <option value="1">Trực tiếp</option>
                      <option value="3">Bưu chính công ích</option>
                      <option value="2">Trực tuyến</option>
                    </select>
                  </>
                ) : null}
                <button type="submit" class={actionDef(a).danger ? 'danger' : 'primary'}>
                  {ACTION_LABELS[a]}
                </button>
              </form>
            ))}
          </div>
          {p.errors ? <p class="field-error">{Object.values(p.errors).join(' ')}</p> : null}
        </>
      ) : null}
      <h2>Quá trình xử lý</h2>
      <table class="list" id="history">
        <thead>
          <tr>
            <th scope="col">Thời gian</th>
            <th scope="col">Người thực hiện</th>
            <th scope="col">Thao tác</th>
            <th scope="col">Trạng thái</th>
            <th scope="col">Nội dung</th>
          </tr>
        </thead>
        <tbody>
          {history.map((h) => (
            <tr>
              <td>{formatDateTime(h.at)}</td>
              <td>{eventActorLabel(h)}</td>
              <td>{eventLabel(h.action)}</td>
              <td>{STATUS_LABELS[h.toStatus as DossierStatus]}</td>
              <td>{h.note ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <a href="/tiepnhan/ho-so">← Hồ sơ cần xử lý</a>
      </p>
    </section>
  );
}
