import { ROLE_LABELS } from '../accounts/roles.js';
import { STATUS_LABELS, type DossierStatus, type Role } from '../db/schema/index.js';
import type { DueState } from '../dossiers/list-query.js';
import type { TrackingList, TrackingRow } from '../dossiers/tracking.js';
import { isOpenStatus } from '../dossiers/transitions.js';
import type { FieldErrors } from '../shared/errors.js';
import { formatDateTime } from '../shared/dates.js';
import { FieldError, Flash } from '../web/layout.js';
import { FilterErrors, FilterForm, ListsNav, NextPage } from './list-filters.js';
import { DueStateBadge, dueStateOf, type Option } from './page-parts.js';
import { memoized } from '../web/jsx/memoized.js';

export const TRACKING_PATHS: Record<TrackingList, string> = {
  'da-tiep-nhan': '/tiepnhan/ho-so-da-tiep-nhan',
  'theo-doi': '/tiepnhan/theo-doi',
  'tat-ca': '/tiepnhan/tat-ca-ho-so',
};

const HEADINGS: Record<TrackingList, { title: string; lead: string }> = {
  'da-tiep-nhan': {
    title: 'HỒ SƠ ĐÃ TIẾP NHẬN',
    lead: 'Các hồ sơ bạn đã tiếp nhận, mới nhất trước, với bước đang xử lý và nơi đang giữ hồ sơ.',
  },
  'theo-doi': {
    title: 'THEO DÕI HỒ SƠ',
    lead: 'Các hồ sơ đã qua tay bạn và hồ sơ của đơn vị bạn (tiếp nhận hoặc xử lý tại đơn vị), mới nhất trước.',
  },
  'tat-ca': { title: 'TẤT CẢ HỒ SƠ', lead: 'Mọi hồ sơ được tiếp nhận hoặc xử lý tại các đơn vị bạn lãnh đạo (cả các đơn vị trực thuộc).' },
};

/**
 * One row of the lists' table, from the values it shows (a row seen before is not rendered again: memoized.ts). The
 * caller decides the due state from the clock (null once the dossier is finished: no badge) and where the dossier is
 * held (null holder once nobody holds it: "Đã kết thúc"), so the row's HTML depends on nothing else.
 */
const TrackingRowView = memoized(
  'id',
  (r: {
    id: string;
    code: string;
    procedure: string;
    applicant: string;
    /** Instants as epoch milliseconds (a prop is a plain value: memoized.ts). */
    receivedAt: number;
    dueAt: number;
    dueState: DueState | null;
    status: DossierStatus;
    /** Who holds it now: the current step's name, the unit, the role's label and the assignee; null holder: finished. */
    stepName: string | null;
    holderUnit: string | null;
    holderRole: string | null;
    assigneeName: string | null;
  }) => (
    <tr>
      <td class="nowrap">
        <a href={`/tiepnhan/ho-so/${r.id}`}>{r.code}</a>
      </td>
      <td>{r.procedure}</td>
      <td>{r.applicant}</td>
      <td>{formatDateTime(new Date(r.receivedAt))}</td>
      <td>
        {formatDateTime(new Date(r.dueAt))} <DueStateBadge state={r.dueState} />
      </td>
      <td>{STATUS_LABELS[r.status]}</td>
      <td>
        {r.holderUnit === null ? (
          <span class="muted">Đã kết thúc</span>
        ) : (
          <>
            {r.stepName ? <strong>{r.stepName}</strong> : null}
            <br />
            {r.holderUnit}
            {r.holderRole ? ` — ${r.holderRole}` : ''}
            {r.assigneeName ? (
              <>
                <br />
                Giao cho: {r.assigneeName}
              </>
            ) : null}
          </>
        )}
      </td>
    </tr>
  ),
);

/** A list's row as the values its table row shows. */
function rowView(r: TrackingRow, now: Date, soon: Date) {
  const open = isOpenStatus(r.status);
  // Where the dossier is and who holds it now; a finished one (or one nobody holds) reads "Đã kết thúc".
  const held = open && !!r.holderUnit;
  return {
    id: r.id,
    code: r.code,
    procedure: r.procedureName,
    applicant: r.applicantName,
    receivedAt: r.receivedAt.getTime(),
    dueAt: r.dueAt.getTime(),
    dueState: dueStateOf(r, now, soon),
    status: r.status,
    stepName: held ? r.stepName : null,
    holderUnit: held ? r.holderUnit : null,
    holderRole: held && r.holderRole ? (ROLE_LABELS[r.holderRole as Role] ?? r.holderRole) : null,
    assigneeName: held ? r.assigneeName : null,
  };
}

export function TrackingPage(p: {
  list: TrackingList;
  rows: TrackingRow[];
  next: string | null;
  query: Record<string, string>;
  sectors: Option[];
  procedures: Option[];
  now: Date;
  soon: Date;
  receives: boolean;
  leads: boolean;
  /** The filters that cannot be read: said at their fields, and no list is shown. */
  errors?: FieldErrors | undefined;
}) {
  const path = TRACKING_PATHS[p.list];
  const next = p.next ? `${path}?${new URLSearchParams({ ...p.query, after: p.next })}` : null;
  return (
    <section>
      <h1>{HEADINGS[p.list].title}</h1>
      <ListsNav current={p.list} receives={p.receives} leads={p.leads} />
      <p class="muted">{HEADINGS[p.list].lead}</p>
      <FilterErrors errors={p.errors} />
      <FilterForm action={path} query={p.query} sectors={p.sectors} procedures={p.procedures} errors={p.errors} />
      {p.errors ? null : (
        <table class="list" id="tracking">
          <thead>
            <tr>
              <th scope="col">Mã hồ sơ</th>
              <th scope="col">Thủ tục</th>
              <th scope="col">Người nộp</th>
              <th scope="col">Ngày tiếp nhận</th>
              <th scope="col">Hạn xử lý</th>
              <th scope="col">Trạng thái</th>
              <th scope="col">Đang xử lý tại</th>
            </tr>
          </thead>
          <tbody>
            {p.rows.map((r) => (
              <TrackingRowView {...rowView(r, p.now, p.soon)} />
            ))}
            {p.rows.length === 0 ? (
              <tr>
                <td colspan={7} class="muted">
                  Không có hồ sơ.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      )}
      <NextPage href={next} errors={p.errors} />
    </section>
  );
}

/** Sổ theo dõi hồ sơ (Mẫu 07): the agency and the period, each field with its message when it cannot be read. */
export function RegisterForm(p: { agencies: Option[]; query: Record<string, string>; errors?: FieldErrors | undefined }) {
  const e = p.errors;
  const invalid = (name: string) => (e?.[name] ? { 'aria-invalid': 'true' as const, 'aria-describedby': `err-${name}` } : {});
  return (
    <form method="get" action="/tiepnhan/so-theo-doi" class="filters" novalidate>
      <strong>Sổ theo dõi hồ sơ (Mẫu 07)</strong>
      <label>
        Cơ quan
        <select name="donvi" {...invalid('donvi')}>
          {p.agencies.map((a) => (
            <option value={a.id} selected={a.id === p.query.donvi}>
              {a.name}
            </option>
          ))}
        </select>
        <FieldError errors={e} name="donvi" />
      </label>
      <label>
        Từ ngày
        <input name="tu" value={p.query.tu ?? ''} placeholder="dd/mm/yyyy" inputmode="numeric" maxlength={20} {...invalid('tu')} />
        <FieldError errors={e} name="tu" />
      </label>
      <label>
        Đến ngày
        <input name="den" value={p.query.den ?? ''} placeholder="dd/mm/yyyy" inputmode="numeric" maxlength={20} {...invalid('den')} />
        <FieldError errors={e} name="den" />
      </label>
      <button type="submit">Xem sổ (PDF)</button>
    </form>
  );
}

export function RegisterPage(p: { agencies: Option[]; query: Record<string, string>; errors?: FieldErrors | undefined }) {
  return (
    <section>
      <h1>SỔ THEO DÕI HỒ SƠ (MẪU 07)</h1>
      {p.errors ? <Flash kind="error">Chưa thể lập sổ: vui lòng sửa ô được đánh dấu rồi bấm Xem sổ.</Flash> : null}
      {p.agencies.length ? (
        <RegisterForm agencies={p.agencies} query={p.query} errors={p.errors} />
      ) : (
        <p class="muted">Bạn chưa được giao vị trí nào tại cơ quan tiếp nhận hồ sơ.</p>
      )}
    </section>
  );
}
