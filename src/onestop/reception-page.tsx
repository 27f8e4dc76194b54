import crypto from 'node:crypto';
import type { ReceivableProcedure } from '../dossiers/receivable-procedures.js';
import { procedureChangedAtCounter } from '../dossiers/receive-dossier.js';

const PROCEDURE_CHANGED = procedureChangedAtCounter();
import { isFormKey } from '../shared/validate.js';
import { feeText } from '../dossiers/procedure-terms.js';
import { timeLimitText } from '../procedures/time-limit.js';
import { formatDateTime } from '../shared/dates.js';
import { CsrfField, FieldError, Flash } from '../web/layout.js';
import { OptionSelect, type Option } from './page-parts.js';
import { ReceptionChecklist, type KeptScan } from './reception-checklist.js';

/**
 * TIẾP NHẬN HỒ SƠ (seed 000): the clerk chooses a procedure among those they may receive (sector first, if they
 * like); its processing time, fee and documents appear; they tick the documents received with their scans and type
 * the applicant. The choice is kept in the address, what was typed in the form on a refusal, and the scans chosen
 * as references to their staged copies (dossiers/staged-scans.ts). The form's address names the procedure, so its
 * body is sized by that procedure's number of documents before it is read (reception-routes.tsx). Its one-time key
 * makes the same form sent twice one dossier (receive-dossier.ts).
 */
export function ReceptionPage(p: {
  csrfToken: string;
  sectors: Option[];
  procedures: ReceivableProcedure[];
  values: Record<string, string>;
  errors?: Record<string, string> | undefined;
  error?: string | undefined;
  now: Date;
  /** The scans kept from the refused submit, by document position. */
  kept?: Map<number, KeptScan> | undefined;
  scanMaxBytes: number;
}) {
  const v = p.values;
  const shown = v.linhvuc ? p.procedures.filter((x) => x.sectorId === v.linhvuc) : p.procedures;
  const chosen = shown.find((x) => x.id === v.procedureId);
  // Ticks and scans of a page of another version name positions of that version's list: not shown against this one.
  const otherVersion = !!chosen && v.procedureVersion !== undefined && v.procedureVersion !== String(chosen.version);
  const sectors = p.sectors.filter((s) => p.procedures.some((x) => x.sectorId === s.id));
  return (
    <section class="narrow wide-ok">
      <h1>TIẾP NHẬN HỒ SƠ</h1>
      <p>
        <a href="/tiepnhan/hoan-tra-le-phi">Lệ phí cần hoàn trả</a>
      </p>
      {p.error ? <Flash kind="error">{p.error}</Flash> : null}
      {otherVersion && p.error !== PROCEDURE_CHANGED.message ? <Flash kind="error">{PROCEDURE_CHANGED.message}</Flash> : null}
      <form method="get" action="/tiepnhan/tiep-nhan" class="stack">
        <label for="linhvuc">Lĩnh vực dịch vụ công</label>
        <OptionSelect id="linhvuc" name="linhvuc" blank="-- Tất cả lĩnh vực --" options={sectors} selected={v.linhvuc} />
        <label for="procedureId">
          Thủ tục hành chính<span class="req">*</span>
        </label>
        <OptionSelect id="procedureId" name="procedureId" blank="-- Chọn thủ tục --" options={shown} selected={chosen?.id} />
        <FieldError errors={p.errors} name="procedureId" />
        <button type="submit">Chọn</button>
      </form>
      {chosen ? (
        <dl class="facts" id="thu-tuc-da-chon">
          <dt>Thủ tục</dt>
          <dd>{chosen.name}</dd>
          <dt>Thời hạn giải quyết</dt>
          <dd>{timeLimitText(chosen)}</dd>
          <dt>Phí, lệ phí</dt>
          <dd>{feeText(chosen)}</dd>
        </dl>
      ) : (
        <p class="muted">Chọn thủ tục hành chính để hiện thời hạn giải quyết, lệ phí và thành phần hồ sơ.</p>
      )}
      {/* The applicant's part only once a procedure is chosen: filled before, it was refused with the choice lost. */}
      {chosen ? (
        <form method="post" action={`/tiepnhan/tiep-nhan?procedureId=${chosen.id}`} enctype="multipart/form-data" class="stack">
          <CsrfField token={p.csrfToken} />
          {/* One key per form drawn (kept through refusals): sent again — Back, then Tiếp nhận — it is the dossier it made. */}
          <input type="hidden" name="submissionKey" value={isFormKey(v.submissionKey) ? v.submissionKey : crypto.randomUUID()} />
          <input type="hidden" name="procedureId" value={chosen.id} />
          <input type="hidden" name="procedureVersion" value={String(chosen.version)} />
          {v.linhvuc ? <input type="hidden" name="linhvuc" value={v.linhvuc} /> : null}
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
          {chosen ? (
            <ReceptionChecklist
              documents={chosen.documents}
              values={otherVersion ? withoutChecklist(v) : v}
              errors={p.errors}
              kept={otherVersion ? undefined : p.kept}
              scanMaxBytes={p.scanMaxBytes}
            />
          ) : null}
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
      ) : null}
    </section>
  );
}

/** The form's values without its checklist (doc-N, originals-N, copies-N, scans): what a page of another version ticked. */
function withoutChecklist(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([k]) => !/^(doc|originals|copies|scan|staged|remove-scan)-\d+$/.test(k)));
}
