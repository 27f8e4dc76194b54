import { CHANNELS, DOSSIER_STATUSES, STATUS_LABELS, type DossierStatus } from '../db/schema/index.js';
import { ACTION_LABELS, actionDef, actionIssuing, eventLabel, mayAttachResultAt, type DossierAction } from '../dossiers/transitions.js';
import type { FormNumber } from '../dossiers/dossier-forms.js';
import { formatDateTime } from '../shared/dates.js';
import { eventActorLabel } from '../dossiers/presenters.js';
import { CsrfField, Flash } from '../web/layout.js';
import { templateUrl } from '../procedures/document-templates.js';
import { DeclarationAnswers } from '../dossiers/declaration-answers.js';
import { DueBadge } from './page-parts.js';
import { ResultSection, type ResultSectionData } from './result-section.js';

export function DossierPage(p: {
  csrfToken: string;
  view: Awaited<ReturnType<typeof import('../dossiers/view-dossier.js').viewDossier>>;
  notice?: string | undefined;
  error?: string | undefined;
  errors?: Record<string, string> | undefined;
  now: Date;
  soon: Date;
  result: ResultSectionData;
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
      <ResultSection
        dossierId={d.id}
        csrfToken={p.csrfToken}
        version={version}
        files={p.files}
        canRecord={canAttach}
        data={p.result}
        errors={p.errors}
      />
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
