import type { ProcedureDocument } from '../db/schema/index.js';
import { SCAN_ALLOWED } from '../dossiers/reception-checklist.js';
import { FieldError } from '../web/layout.js';

/**
 * THÀNH PHẦN HỒ SƠ at reception: each document of the chosen procedure version, required or "nếu có", with a box to
 * tick it received, the numbers of originals and copies, and its scan (số hóa). A problem is said beside its document.
 */
export function ReceptionChecklist(p: {
  documents: ProcedureDocument[];
  values: Record<string, string>;
  errors?: Record<string, string> | undefined;
}) {
  const v = p.values;
  const fresh = !Object.keys(v).some((k) => k.startsWith('doc-') || k.startsWith('originals-'));
  const invalid = (name: string) => (p.errors?.[name] ? { 'aria-invalid': 'true', 'aria-describedby': `err-${name}` } : {});
  return (
    <fieldset id="thanh-phan-ho-so">
      <legend>THÀNH PHẦN HỒ SƠ</legend>
      <p class="muted">
        Đánh dấu giấy tờ đã nhận, ghi số bản chính, số bản sao và đính kèm bản quét ({SCAN_ALLOWED}) để số hóa hồ sơ. Hồ sơ được số hóa khi
        mọi thành phần đã nhận có bản quét.
      </p>
      {p.errors ? <p class="field-error">Trình duyệt không giữ tệp đã chọn khi biểu mẫu báo lỗi: vui lòng chọn lại các bản quét.</p> : null}
      <FieldError errors={p.errors} name="documents" />
      {p.documents.length === 0 ? <p>Thủ tục không quy định thành phần hồ sơ.</p> : null}
      <ol class="checklist">
        {p.documents.map((d, i) => (
          <li>
            <label class="check">
              <input type="checkbox" name={`doc-${i}`} value="1" checked={!!v[`doc-${i}`]} {...invalid(`doc-${i}`)} />
              <span>
                {d.name} {d.required ? <span class="req">(bắt buộc)</span> : <span class="muted">(nếu có)</span>}
              </span>
            </label>
            <FieldError errors={p.errors} name={`doc-${i}`} />
            <div class="field">
              <label for={`originals-${i}`}>
                Số bản chính
                <span class="visually-hidden"> — {d.name}</span>
              </label>
              <input
                id={`originals-${i}`}
                name={`originals-${i}`}
                type="number"
                min="0"
                max="99"
                inputmode="numeric"
                value={fresh ? '1' : (v[`originals-${i}`] ?? '')}
              />
            </div>
            <div class="field">
              <label for={`copies-${i}`}>
                Số bản sao
                <span class="visually-hidden"> — {d.name}</span>
              </label>
              <input
                id={`copies-${i}`}
                name={`copies-${i}`}
                type="number"
                min="0"
                max="99"
                inputmode="numeric"
                value={fresh ? '0' : (v[`copies-${i}`] ?? '')}
              />
            </div>
            <div class="field">
              <label for={`scan-${i}`}>
                Bản quét (số hóa)
                <span class="visually-hidden"> — {d.name}</span>
              </label>
              <input
                id={`scan-${i}`}
                name={`scan-${i}`}
                type="file"
                accept=".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"
                {...invalid(`scan-${i}`)}
              />
              <FieldError errors={p.errors} name={`scan-${i}`} />
            </div>
          </li>
        ))}
      </ol>
    </fieldset>
  );
}
