import { formatDateTime } from '../shared/dates.js';
import { CsrfField, FieldError, Flash } from '../web/layout.js';
import { OptionSelect, type Option } from './page-parts.js';

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
