import type { Child } from 'hono/jsx';
import type { UnitNode } from '../org/tree.js';
import { formatDate } from '../shared/dates.js';
import { identityStatus, type IdentityState } from '../accounts/identity-status.js';
import { CsrfField, FieldError, GenderSelect } from '../web/layout.js';
import { UnitOptions } from './unit-tree.js';

/** Values as shown in the form: strings, dates as dd/mm/yyyy. */
export type OfficialFormValues = Record<string, string | boolean | null | undefined>;

export function officialToForm(
  a: Record<string, unknown>,
  person: {
    fullName: string | null;
    dateOfBirth: string | null;
    gender: string | null;
    cccd: string | null;
    issueDate: string | null;
    issuePlace: string | null;
    address: string | null;
  } | null,
): OfficialFormValues {
  return {
    ...(a as OfficialFormValues),
    // The instant of the account this page shows: a save from it after another change is refused (update-official.ts).
    seen: a.updatedAt instanceof Date ? String(a.updatedAt.getTime()) : undefined,
    cardName: person?.fullName ?? '',
    dateOfBirth: formatDate(person?.dateOfBirth),
    gender: person?.gender ?? '',
    cccd: person?.cccd ?? '',
    issueDate: formatDate(person?.issueDate),
    issuePlace: person?.issuePlace ?? '',
    address: person?.address ?? '',
  };
}

function Text(p: {
  name: string;
  label: string;
  v: OfficialFormValues;
  errors?: Record<string, string> | undefined;
  required?: boolean;
  placeholder?: string;
  type?: string;
  inputmode?: string;
  autocomplete?: string;
}) {
  const err = p.errors?.[p.name];
  return (
    <div class="field">
      <label for={`f-${p.name}`}>
        {p.label}
        {p.required ? <span class="req">*</span> : null}
      </label>
      <input
        id={`f-${p.name}`}
        name={p.name}
        type={p.type ?? 'text'}
        value={String(p.v[p.name] ?? '')}
        required={p.required}
        placeholder={p.placeholder}
        inputmode={p.inputmode as 'numeric' | undefined}
        autocomplete={p.autocomplete ?? 'off'}
        aria-invalid={err ? 'true' : undefined}
        aria-describedby={err ? `err-${p.name}` : undefined}
      />
      <FieldError errors={p.errors} name={p.name} />
    </div>
  );
}

function Check(p: { name: string; label: string; v: OfficialFormValues }) {
  const on = p.v[p.name] === true || p.v[p.name] === 'on' || p.v[p.name] === '1';
  return (
    <label class="check">
      <input type="checkbox" name={p.name} value="1" checked={on} /> {p.label}
    </label>
  );
}

/** THÔNG TIN CÁN BỘ and THÔNG TIN XÁC THỰC (seed 000 §1a Bước 2, §1b Bước 1). */
export function OfficialForm(p: {
  action: string;
  csrfToken: string;
  values: OfficialFormValues;
  errors?: Record<string, string> | undefined;
  units: Array<UnitNode & { depth: number }>;
  isNew: boolean;
  /** Where "Xác thực tài khoản VNEID" posts (saves the form, then asks the registry). */
  verifyAction?: string | undefined;
  identity?: IdentityState | undefined;
  /** Fields of a particular use of the form (Tách tài khoản dùng chung: Cấp cùng vai trò), shown under it. */
  children?: Child;
}) {
  const status = p.identity ? identityStatus(p.identity) : null;
  const v = p.values;
  return (
    <form method="post" action={p.action} class="official-form" id="official-form" novalidate data-submit-once>
      <CsrfField token={p.csrfToken} />
      {!p.isNew && typeof v.seen === 'string' ? <input type="hidden" name="seen" value={v.seen} /> : null}
      <div class="form-actions">
        {p.verifyAction && status ? (
          <span class={status.ok ? 'badge ok' : 'badge warn'} id="verify-status">
            {status.text}
          </span>
        ) : null}
        {p.verifyAction ? (
          <button type="submit" formaction={p.verifyAction}>
            Xác thực tài khoản VNEID
          </button>
        ) : null}
        <button type="submit" class="primary">
          Lưu
        </button>
      </div>
      <div class="two-col">
        <fieldset>
          <legend>THÔNG TIN CÁN BỘ</legend>
          <Text name="username" label="Tên tài khoản" v={v} errors={p.errors} required autocomplete="off" />
          <Text name="middleName" label="Họ và tên đệm" v={v} errors={p.errors} required />
          <Text name="givenName" label="Tên" v={v} errors={p.errors} required />
          <Text name="phone" label="Số điện thoại" v={v} errors={p.errors} placeholder="Nhập số điện thoại" type="tel" />
          <Text name="mobile" label="Số di động (Để liên hệ và gửi SMS)" v={v} errors={p.errors} placeholder="Nhập số di động" type="tel" />
          <Text name="emails" label="Email (cách nhau dấu ; nếu sử dụng nhiều email)" v={v} errors={p.errors} />
          <div class="field">
            <label for="f-unitId">
              Thuộc đơn vị/Phòng ban<span class="req">*</span>
            </label>
            <select id="f-unitId" name="unitId" required>
              <UnitOptions flat={p.units} selected={String(v.unitId ?? '')} />
            </select>
            <FieldError errors={p.errors} name="unitId" />
          </div>
          <Text name="position" label="Chức vụ" v={v} errors={p.errors} />
          <Text name="receptionPlace" label="Nơi tiếp nhận hồ sơ" v={v} errors={p.errors} />
          <Text name="returnAddress" label="Địa chỉ trả hồ sơ" v={v} errors={p.errors} />
          <Text name="beneficiaryAccount" label="Mã tài khoản thụ hưởng" v={v} errors={p.errors} inputmode="numeric" />
          <Text name="taxCode" label="Mã số thuế" v={v} errors={p.errors} inputmode="numeric" />
          <div class="checks">
            <Check name="suspended" label="Tạm đình chỉ" v={v} />
            <Check name="unitRepresentative" label="Đại diện phòng có số riêng/đơn vị" v={v} />
            <Check name="divisionRepresentative" label="Đại diện phòng ban" v={v} />
          </div>
        </fieldset>
        <fieldset>
          <legend>THÔNG TIN XÁC THỰC</legend>
          <Text name="cardName" label="Họ và tên trên thẻ CCCD" v={v} errors={p.errors} />
          <Text name="dateOfBirth" label="Ngày sinh" v={v} errors={p.errors} placeholder="dd/mm/yyyy" inputmode="numeric" />
          <div class="field">
            <label for="f-gender">
              Giới tính<span class="req">*</span>
            </label>
            <GenderSelect id="f-gender" value={typeof v.gender === 'string' ? v.gender : undefined} required />
            <FieldError errors={p.errors} name="gender" />
          </div>
          <Text name="cccd" label="Số CCCD (12 số)" v={v} errors={p.errors} inputmode="numeric" placeholder="Số CCCD (12 số)" />
          <Text name="issueDate" label="Ngày cấp" v={v} errors={p.errors} placeholder="dd/mm/yyyy" inputmode="numeric" />
          <Text name="issuePlace" label="Nơi cấp" v={v} errors={p.errors} />
          <Text name="address" label="Địa chỉ" v={v} errors={p.errors} />
          <Text name="receivingUnitPhone" label="Số điện thoại đơn vị tiếp nhận" v={v} errors={p.errors} type="tel" />
          <Text name="bankCode" label="Mã ngân hàng thụ hưởng" v={v} errors={p.errors} />
          <Text name="agencyAddress" label="Địa chỉ cơ quan" v={v} errors={p.errors} />
        </fieldset>
      </div>
      {p.children}
      {/* The form is a screen and more tall: saving from its end too, without scrolling back to the top. */}
      <div class="form-actions">
        <button type="submit" class="primary">
          Lưu thông tin
        </button>
      </div>
      {p.isNew ? (
        <p class="muted">
          Tài khoản mới được cấp mật khẩu tạm thời, hiển thị một lần sau khi lưu; cán bộ phải đổi mật khẩu ở lần đăng nhập đầu.
        </p>
      ) : null}
    </form>
  );
}
