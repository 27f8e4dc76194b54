import { CHANNELS, DOSSIER_STATUSES, STATUS_LABELS, type DossierStatus } from '../db/schema/index.js';
import { ACTION_LABELS, actionIssuing, eventLabel, mayAttachResultAt } from '../dossiers/transitions.js';
import type { FormNumber } from '../dossiers/dossier-forms.js';
import { formatDateTime } from '../shared/dates.js';
import { eventActorLabel } from '../dossiers/presenters.js';
import { Flash } from '../web/layout.js';
import { templateUrl } from '../procedures/document-templates.js';
import { DeclarationAnswers } from '../dossiers/declaration-answers.js';
import { DueBadge } from './page-parts.js';
import { ResultSection, type ResultSectionData } from './result-section.js';
import { ActionForms, ReassignForm } from './action-form.js';
import type { AssignmentChoices } from '../dossiers/assign-dossier.js';
import { ComponentsSection } from './components-section.js';
import type { DossierComponent } from '../dossiers/dossier-components.js';
import { NationalSyncFact, type NationalSync } from '../national-portal/sync-state.js';
import { DossierNotificationsSection } from '../notify/dossier-notifications.js';
import { FeeFact } from '../payments/fee-fact.js';
import type { DossierFeeFacts } from '../payments/queries.js';

export function DossierPage(p: {
  csrfToken: string;
  /** The official viewing (their assignment is marked "Giao cho tôi"). */
  accountId: string;
  view: Awaited<ReturnType<typeof import('../dossiers/view-dossier.js').viewDossier>>;
  notice?: string | undefined;
  error?: string | undefined;
  errors?: Record<string, string> | undefined;
  /** The action form that was refused, as posted: shown again, filled in, with its messages beside its fields. */
  refusedAction?: Record<string, string> | undefined;
  now: Date;
  soon: Date;
  result: ResultSectionData;
  assignment: AssignmentChoices;
  files: Array<{ id: string; kind: 'result' | 'submitted' | 'supplement' | 'scan'; label: string | null; name: string; size: number }>;
  components: DossierComponent[];
  /** Page-only reads after viewDossier's check (the API and the forms do not need them). */
  nationalSync: NationalSync;
  notifications: Awaited<ReturnType<typeof import('../notify/dossier-notifications.js').dossierNotifications>>;
  fee: DossierFeeFacts;
}) {
  const { dossier: d, version, step, agency, sector, history, actions } = p.view;
  // The refused action's form, when it is still offered (the dossier may have moved on meanwhile).
  const refusedForm = actions.find((a) => a === p.refusedAction?.action);
  const refused = refusedForm && p.refusedAction ? { action: refusedForm, values: p.refusedAction, errors: p.errors ?? {} } : undefined;
  const canAttach = actions.length > 0 && mayAttachResultAt(d.status, step);
  // What the page shows is the dossier as of its latest history row: every form carries it (moved-on.ts).
  const seen = history.at(-1)?.id ?? null;
  const assignee = p.assignment.assignee;
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
      {p.error ? (
        <Flash kind="error">
          {p.error}
          {refusedForm ? (
            <>
              {' '}
              <a href={`#xu-ly-${refusedForm}`}>Sửa tại biểu mẫu «{ACTION_LABELS[refusedForm]}»</a>
            </>
          ) : null}
        </Flash>
      ) : null}
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
        {/* What the counter typed (or the portal sent) about the applicant: the official handling it needs all of it. */}
        {d.applicant.cccd ? (
          <>
            <dt>Số định danh cá nhân</dt>
            <dd>{d.applicant.cccd}</dd>
          </>
        ) : null}
        {d.applicant.email ? (
          <>
            <dt>Thư điện tử</dt>
            <dd>{d.applicant.email}</dd>
          </>
        ) : null}
        {d.applicant.address ? (
          <>
            <dt>Địa chỉ</dt>
            <dd>{d.applicant.address}</dd>
          </>
        ) : null}
        <dt>Ngày tiếp nhận</dt>
        <dd>{formatDateTime(d.receivedAt)}</dd>
        <dt>Hẹn trả kết quả</dt>
        <dd>
          {formatDateTime(d.dueAt)} <DueBadge dueAt={d.dueAt} now={p.now} soon={p.soon} status={d.status} />
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
        <dt>Người xử lý</dt>
        <dd id="assignee">
          {d.assignedTo
            ? `Giao cho ${assignee ? `${assignee.name}${assignee.position ? ` (${assignee.position})` : ''}` : 'một cán bộ'}`
            : 'Đơn vị phân công'}
          {d.assignedTo && d.assignedTo === p.accountId ? <strong class="badge"> Giao cho tôi</strong> : null}
        </dd>
        <dt>Phí, lệ phí</dt>
        <dd id="fee">
          <FeeFact version={version} dossier={d} facts={p.fee} />
        </dd>
        <dt>Mã tra cứu</dt>
        <dd>{d.lookupCode}</dd>
        <dt>Cổng DVC quốc gia</dt>
        <dd id="national-sync">
          <NationalSyncFact sync={p.nationalSync} />
        </dd>
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
      <ComponentsSection dossierId={d.id} digitised={d.digitised} components={p.components} />
      {p.files.some((f) => f.kind === 'submitted' || f.kind === 'supplement') ? (
        <>
          <h2>Hồ sơ nộp trực tuyến</h2>
          <ul id="submitted-files">
            {p.files
              .filter((f) => f.kind === 'submitted' || f.kind === 'supplement')
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
              Bạn xử lý hồ sơ này thay {p.view.capacity.delegation.delegatorName} theo ủy quyền số {p.view.capacity.delegation.id}; mỗi thao
              tác được ghi nhận như vậy.
            </Flash>
          ) : null}
          <ActionForms
            dossierId={d.id}
            actions={actions}
            status={d.status}
            step={step}
            steps={version.steps}
            at={d.currentStep}
            csrfToken={p.csrfToken}
            seen={seen}
            assignment={p.assignment}
            refused={refused}
          />
          {p.errors && !refused ? <p class="field-error">{Object.values(p.errors).join(' ')}</p> : null}
        </>
      ) : null}
      {p.assignment.reassign ? (
        <>
          <h2>Phân công lại</h2>
          <ReassignForm dossierId={d.id} csrfToken={p.csrfToken} seen={seen} holders={p.assignment.reassign} current={d.assignedTo} />
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
              <td>{eventLabel(h.action, h.data)}</td>
              <td>{STATUS_LABELS[h.toStatus as DossierStatus]}</td>
              <td>{h.note ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <DossierNotificationsSection rows={p.notifications} />
      <p>
        <a href="/tiepnhan/ho-so">← Hồ sơ cần xử lý</a>
      </p>
    </section>
  );
}
