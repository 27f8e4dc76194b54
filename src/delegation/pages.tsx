import { formatDateTime } from '../shared/dates.js';
import { CsrfField, FieldError, Flash } from '../web/layout.js';
import { STATE_LABELS, type DelegationListItem } from './list-delegations.js';

const SCOPE_LABELS = { all: 'Tất cả thủ tục', sectors: 'Các lĩnh vực', procedures: 'Các thủ tục' } as const;

function scopeText(d: DelegationListItem): string {
  return d.scope === 'all' ? SCOPE_LABELS.all : `${SCOPE_LABELS[d.scope]}: ${d.scopeNames.join('; ')}`;
}

/** One table of delegations; `endable` says which rows offer Kết thúc (the use case checks again). */
export function DelegationTable<T extends DelegationListItem>(p: {
  id: string;
  caption: string;
  rows: T[];
  csrfToken: string;
  endable: (d: T) => boolean;
  back: string;
}) {
  if (p.rows.length === 0) return <p class="muted">{p.caption}: chưa có.</p>;
  return (
    <table class="list" id={p.id}>
      <caption>{p.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Số</th>
          <th scope="col">Người ủy quyền</th>
          <th scope="col">Người nhận ủy quyền</th>
          <th scope="col">Phạm vi</th>
          <th scope="col">Thời gian</th>
          <th scope="col">Lý do</th>
          <th scope="col">Tình trạng</th>
          <th scope="col"></th>
        </tr>
      </thead>
      <tbody>
        {p.rows.map((d) => (
          <tr data-delegation={String(d.id)} data-state={d.state}>
            <td>{d.id}</td>
            <td>
              {d.delegator.name} ({d.delegator.username})
            </td>
            <td>
              {d.delegate.name} ({d.delegate.username})
            </td>
            <td>{scopeText(d)}</td>
            <td>
              {formatDateTime(d.startsAt)} – {formatDateTime(d.endsAt)}
            </td>
            <td>{d.reason}</td>
            <td>
              {STATE_LABELS[d.state]}
              {d.endedAt ? ` (${formatDateTime(d.endedAt)})` : ''}
            </td>
            <td>
              {p.endable(d) && (d.state === 'active' || d.state === 'scheduled') ? (
                <form method="post" action={`/tiepnhan/uy-quyen/${d.id}/ket-thuc`} class="inline-form">
                  <CsrfField token={p.csrfToken} />
                  <input type="hidden" name="ve" value={p.back} />
                  <button type="submit">Kết thúc ủy quyền</button>
                </form>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function MyDelegationsPage(p: {
  given: DelegationListItem[];
  received: DelegationListItem[];
  canDelegate: boolean;
  csrfToken: string;
  flash: string | null;
}) {
  return (
    <section>
      <h1>ỦY QUYỀN GIẢI QUYẾT DVC</h1>
      {p.flash ? <Flash kind="ok">{p.flash}</Flash> : null}
      {p.canDelegate ? (
        <p>
          <a class="button primary" href="/tiepnhan/uy-quyen/them">
            + Thêm
          </a>
        </p>
      ) : (
        <p class="muted">Tài khoản của bạn không có vai trò xử lý hồ sơ nào trong quy trình nên không có gì để ủy quyền.</p>
      )}
      <DelegationTable id="given" caption="Tôi đã ủy quyền" rows={p.given} csrfToken={p.csrfToken} endable={() => true} back="" />
      <DelegationTable id="received" caption="Tôi được ủy quyền" rows={p.received} csrfToken={p.csrfToken} endable={() => false} back="" />
      <p class="muted">
        Người nhận ủy quyền thấy các hồ sơ đang chờ bạn xử lý (trong phạm vi ủy quyền) ở một thẻ riêng trong Hồ sơ cần xử lý, và mỗi thao
        tác của họ được ghi là làm thay bạn theo số ủy quyền. Quyền quản trị không bao giờ được ủy quyền; người nhận không thể ủy quyền lại.
      </p>
    </section>
  );
}

type Choice = { id: string; name: string };

export function NewDelegationPage(p: {
  csrfToken: string;
  delegates: Array<{ id: string; username: string; name: string; position: string | null; unit_name: string }>;
  sectors: Choice[];
  procedures: Choice[];
  values: Record<string, string | string[]>;
  errors?: Record<string, string> | undefined;
}) {
  const v = (k: string) => {
    const x = p.values[k];
    return Array.isArray(x) ? (x[0] ?? '') : (x ?? '');
  };
  const has = (k: string, id: string) => {
    const x = p.values[k];
    return Array.isArray(x) ? x.includes(id) : x === id;
  };
  const scope = v('scope') || 'all';
  const described = (name: string) => (p.errors?.[name] ? `err-${name}` : undefined);
  return (
    <section>
      <h1>THÊM ỦY QUYỀN GIẢI QUYẾT DVC</h1>
      {p.errors && Object.keys(p.errors).length ? <Flash kind="error">Vui lòng kiểm tra lại các ô được đánh dấu.</Flash> : null}
      {p.errors?._ || p.errors?.formKey ? <Flash kind="error">{p.errors._ ?? p.errors.formKey}</Flash> : null}
      <form method="post" action="/tiepnhan/uy-quyen/them" class="form" novalidate>
        <CsrfField token={p.csrfToken} />
        <input type="hidden" name="formKey" value={v('formKey')} />
        <label for="delegateId">Tài khoản nhận ủy quyền *</label>
        <select id="delegateId" name="delegateId" required aria-describedby={described('delegateId')}>
          <option value="">— Chọn tài khoản cùng cơ quan —</option>
          {p.delegates.map((a) => (
            <option value={a.id} selected={v('delegateId') === a.id}>
              {a.name} ({a.username}){a.position ? ` – ${a.position}` : ''} – {a.unit_name}
            </option>
          ))}
        </select>
        <FieldError errors={p.errors} name="delegateId" />
        <fieldset>
          <legend>Phạm vi ủy quyền *</legend>
          <label class="check">
            <input type="radio" name="scope" value="all" checked={scope === 'all'} /> Tất cả thủ tục tôi được giao xử lý
          </label>
          <label class="check">
            <input type="radio" name="scope" value="sectors" checked={scope === 'sectors'} /> Các lĩnh vực được chọn dưới đây
          </label>
          <label class="check">
            <input type="radio" name="scope" value="procedures" checked={scope === 'procedures'} /> Các thủ tục được chọn dưới đây
          </label>
          <FieldError errors={p.errors} name="scope" />
        </fieldset>
        <fieldset>
          <legend>Lĩnh vực (khi chọn phạm vi theo lĩnh vực)</legend>
          {p.sectors.map((s) => (
            <label class="check">
              <input type="checkbox" name="sectorIds" value={s.id} checked={has('sectorIds', s.id)} /> {s.name}
            </label>
          ))}
          <FieldError errors={p.errors} name="sectorIds" />
        </fieldset>
        <label for="procedureIds">Thủ tục (khi chọn phạm vi theo thủ tục; giữ Ctrl để chọn nhiều)</label>
        <select id="procedureIds" name="procedureIds" multiple size={6} aria-describedby={described('procedureIds')}>
          {p.procedures.map((x) => (
            <option value={x.id} selected={has('procedureIds', x.id)}>
              {x.name}
            </option>
          ))}
        </select>
        <FieldError errors={p.errors} name="procedureIds" />
        <label for="from">Từ (giờ Việt Nam) *</label>
        <input id="from" name="from" type="datetime-local" value={v('from')} required aria-describedby={described('from')} />
        <FieldError errors={p.errors} name="from" />
        <label for="to">Đến (giờ Việt Nam) *</label>
        <input id="to" name="to" type="datetime-local" value={v('to')} required aria-describedby={described('to')} />
        <FieldError errors={p.errors} name="to" />
        <label for="reason">Lý do *</label>
        <textarea id="reason" name="reason" maxlength={500} required aria-describedby={described('reason')}>
          {v('reason')}
        </textarea>
        <FieldError errors={p.errors} name="reason" />
        <p>
          <button type="submit" class="primary">
            Xác nhận
          </button>{' '}
          <a href="/tiepnhan/uy-quyen">Hủy</a>
        </p>
      </form>
    </section>
  );
}

/** The delegations section of Quyền sử dụng (src/accounts/permissions-page.tsx), read-only. */
export function AccountDelegations(p: { given: DelegationListItem[]; received: DelegationListItem[]; manageHref: string }) {
  const none = () => false;
  return (
    <>
      <h2>Ủy quyền giải quyết DVC</h2>
      <DelegationTable id="delegations-received" caption="Được ủy quyền" rows={p.received} csrfToken="" endable={none} back="" />
      <DelegationTable id="delegations-given" caption="Đã ủy quyền" rows={p.given} csrfToken="" endable={none} back="" />
      <p>
        <a href={p.manageHref}>Quản lý ủy quyền</a>
      </p>
    </>
  );
}
