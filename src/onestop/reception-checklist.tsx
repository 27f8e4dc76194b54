import type { ProcedureDocument } from '../db/schema/index.js';
import { scanAllowed } from '../dossiers/reception-checklist.js';
import { sizeText } from '../personal-files/files.js';
import { FieldError } from '../web/layout.js';

/** A scan kept from a refused submit: its staged reference (opaque to the page), name and size. */
export type KeptScan = { ref: string; name: string; size: number };

/**
 * THÀNH PHẦN HỒ SƠ at reception: each document of the chosen procedure version, required or "nếu có", with a box to
 * tick it received, the numbers of originals and copies, and its scan (số hóa). A problem is said beside its document.
 * A scan kept from a refused submit is named with its size; its reference rides in `staged-<i>` unless "Bỏ tệp này"
 * is ticked, and a new file chosen replaces it.
 */
export function ReceptionChecklist(p: {
  documents: ProcedureDocument[];
  values: Record<string, string>;
  errors?: Record<string, string> | undefined;
  kept?: Map<number, KeptScan> | undefined;
  scanMaxBytes: number;
}) {
  const v = p.values;
  const fresh = !Object.keys(v).some((k) => k.startsWith('doc-') || k.startsWith('originals-'));
  const invalid = (name: string) => (p.errors?.[name] ? { 'aria-invalid': 'true', 'aria-describedby': `err-${name}` } : {});
  return (
    <fieldset id="thanh-phan-ho-so">
      <legend>THÀNH PHẦN HỒ SƠ</legend>
      <p class="muted">
        Đánh dấu giấy tờ đã nhận, ghi số bản chính, số bản sao và đính kèm bản quét ({scanAllowed(p.scanMaxBytes)}) để số hóa hồ sơ. Hồ sơ
        được số hóa khi mọi thành phần đã nhận có bản quét.
      </p>
      {p.kept?.size ? <p class="muted">Các bản quét đã chọn được giữ lại bên dưới: không cần chọn lại.</p> : null}
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
            {keptScan(p.kept?.get(i), i, d.name)}
            <div class="field">
              <label for={`scan-${i}`}>
                {p.kept?.has(i) ? 'Thay bằng bản quét khác' : 'Bản quét (số hóa)'}
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

/** The kept scan of a document: its name and size, its reference, and a box to leave it out. */
function keptScan(kept: KeptScan | undefined, i: number, docName: string) {
  if (!kept) return null;
  return (
    <p class="have-file" id={`kept-${i}`}>
      <input type="hidden" name={`staged-${i}`} value={kept.ref} />
      Đã có bản quét: <strong>{kept.name}</strong> ({sizeText(kept.size)}){' '}
      <label class="check">
        <input type="checkbox" name={`remove-scan-${i}`} value="1" /> Bỏ tệp này
        <span class="visually-hidden"> — {docName}</span>
      </label>
    </p>
  );
}
