import type { InboxTab } from '../dossiers/inbox.js';
import { INBOX_TABS } from '../dossiers/inbox.js';
import { STATUS_LABELS, type DossierStatus } from '../db/schema/index.js';
import { formatDateTime } from '../shared/dates.js';
import { Flash } from '../web/layout.js';
import { DueBadge, DueStateBadge, dueStateOf, type Option } from './page-parts.js';
import type { DueState } from '../dossiers/list-query.js';
import { memoized } from '../web/jsx/memoized.js';
import type { FieldErrors } from '../shared/errors.js';
import { FilterErrors, FilterForm, ListsNav, NextPage } from './list-filters.js';
import { RegisterForm } from './tracking-page.js';
import type { AssignedRow } from '../dossiers/inbox.js';

/** "Giao cho tôi": what was handed to this official by name, before the unit's list. */
function AssignedToMe(p: { rows: AssignedRow[]; now: Date; soon: Date }) {
  if (p.rows.length === 0) return null;
  return (
    <section id="assigned-to-me" aria-labelledby="assigned-heading">
      <h2 id="assigned-heading">Giao cho tôi ({p.rows.length})</h2>
      <ul>
        {p.rows.map((r) => (
          <li>
            <a href={`/tiepnhan/ho-so/${r.id}`}>{r.code}</a> — {r.procedureName} — {r.applicantName} — hạn {formatDateTime(r.dueAt)}{' '}
            <DueBadge dueAt={r.dueAt} now={p.now} soon={p.soon} status={r.status} />
          </li>
        ))}
      </ul>
    </section>
  );
}

/**
 * One row of the inbox's table, from the values it shows (a row seen before is not rendered again: memoized.ts). Its
 * due state is decided by the caller from the clock, so the row's HTML depends on nothing else.
 */
const InboxRow = memoized(
  'id',
  (r: {
    id: string;
    code: string;
    /** "Giao cho tôi" / "Giao cho <name>", or null when the dossier is assigned to nobody. */
    assigned: string | null;
    procedure: string;
    applicant: string;
    /** Instants as epoch milliseconds (a prop is a plain value: memoized.ts). */
    receivedAt: number;
    dueAt: number;
    dueState: DueState | null;
    status: DossierStatus;
  }) => (
    <tr>
      <td class="nowrap">
        <a href={`/tiepnhan/ho-so/${r.id}`}>{r.code}</a>
        {r.assigned ? <span class="badge assigned">{r.assigned}</span> : null}
      </td>
      <td>{r.procedure}</td>
      <td>{r.applicant}</td>
      <td>{formatDateTime(new Date(r.receivedAt))}</td>
      <td>
        {formatDateTime(new Date(r.dueAt))} <DueStateBadge state={r.dueState} />
      </td>
      <td>{STATUS_LABELS[r.status]}</td>
    </tr>
  ),
);

export function InboxPage(p: {
  tab: InboxTab;
  counts: Record<InboxTab, number>;
  rows: Array<{
    id: string;
    code: string;
    status: DossierStatus;
    applicantName: string;
    receivedAt: Date;
    dueAt: Date;
    procedureName: string;
    assignedTo: string | null;
    assigneeName: string | null;
  }>;
  /** "Giao cho tôi": the dossiers assigned to this official (or the delegator in a delegation's tab), shown first. */
  assigned: AssignedRow[];
  /** Whose assignment reads "Giao cho tôi": the official, or the delegator in a delegation's tab. */
  mine: string;
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
  /** The official leads somewhere: Tất cả hồ sơ is offered beside the inbox. */
  leads: boolean;
  /** The filters that cannot be read (list-filters.tsx): said at their fields, and no list is shown. */
  errors?: FieldErrors | undefined;
}) {
  const link = (extra: Record<string, string>) =>
    `/tiepnhan/ho-so?${new URLSearchParams(Object.entries({ ...p.query, ...extra }).filter(([, v]) => v !== ''))}`;
  const viaLabel = p.delegations.find((d) => d.id === p.via)?.delegatorName;
  return (
    <section>
      <h1>HỒ SƠ CẦN XỬ LÝ{viaLabel ? ` — THAY ${viaLabel.toUpperCase()} (ỦY QUYỀN SỐ ${p.via})` : ''}</h1>
      <ListsNav current="can-xu-ly" receives={p.receives} leads={p.leads} />
      {p.notice ? <Flash kind="error">{p.notice}</Flash> : null}
      <FilterErrors errors={p.errors} />
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
      <FilterForm
        action="/tiepnhan/ho-so"
        hidden={{ tab: p.tab, ...(p.via !== null ? { uyquyen: String(p.via) } : {}) }}
        query={p.query}
        sectors={p.sectors}
        procedures={p.procedures}
        errors={p.errors}
      />
      <AssignedToMe rows={p.assigned} now={p.now} soon={p.soon} />
      <table class="list" id="inbox" hidden={p.errors ? true : undefined}>
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
            <InboxRow
              id={r.id}
              code={r.code}
              assigned={r.assignedTo ? (r.assignedTo === p.mine ? 'Giao cho tôi' : `Giao cho ${r.assigneeName ?? 'cán bộ khác'}`) : null}
              procedure={r.procedureName}
              applicant={r.applicantName}
              receivedAt={r.receivedAt.getTime()}
              dueAt={r.dueAt.getTime()}
              dueState={dueStateOf(r, p.now, p.soon)}
              status={r.status}
            />
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
      <NextPage href={p.next ? link({ after: p.next }) : null} errors={p.errors} />
      {p.agencies.length ? <RegisterForm agencies={p.agencies} query={{}} /> : null}
    </section>
  );
}
