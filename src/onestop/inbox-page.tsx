import type { InboxTab } from '../dossiers/inbox.js';
import { INBOX_TABS } from '../dossiers/inbox.js';
import { STATUS_LABELS, type DossierStatus } from '../db/schema/index.js';
import { formatDateTime } from '../shared/dates.js';
import { Flash } from '../web/layout.js';
import { DueBadge, OptionSelect, type Option } from './page-parts.js';

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
