import type { FieldErrors } from '../shared/errors.js';
import { formatDate, formatDateTime } from '../shared/dates.js';
import type { DossierResult } from '../dossiers/record-result.js';
import { ResultFacts } from '../dossiers/result-facts.js';
import { CsrfField, FieldError } from '../web/layout.js';

/** What the route gives the section: the recorded result, and the result forms' messages and typed values. */
export type ResultSectionData = {
  record: DossierResult | null;
  errors?: FieldErrors | undefined;
  values?: Record<string, string> | undefined;
};

type Props = {
  dossierId: string;
  csrfToken: string;
  version: { resultName: string; resultWithoutDocument: string | null };
  files: Array<{ id: string; kind: string; name: string; size: number }>;
  /** The viewer may attach files and record the result at this step (transitions.ts: mayAttachResultAt). */
  canRecord: boolean;
  data: ResultSectionData;
  /** The messages of a refused action (an approval without its result names the field here too). */
  errors?: FieldErrors | undefined;
};

/** aria attributes that tie a control to its message (FieldError's id). */
const marked = (errors: FieldErrors, name: string) =>
  errors[name] ? { 'aria-invalid': 'true' as const, 'aria-describedby': `err-${name}` } : {};

/**
 * Kết quả giải quyết on the dossier page: what the procedure results in, the recorded result (số, ngày ký, trích yếu,
 * người ký, or no document and why) and its files; at a processing or approval step, the forms that attach a file and
 * record the result (record-result.ts), each message next to its field.
 */
export function ResultSection(p: Props) {
  const r = p.data.record;
  const errors: FieldErrors = { ...p.errors, ...p.data.errors };
  const v = p.data.values ?? {};
  const results = p.files.filter((f) => f.kind === 'result');
  const kind = v.kind ?? r?.kind ?? 'document';
  const text = (name: 'number' | 'summary' | 'signer' | 'noDocumentReason') => v[name] ?? r?.[name] ?? '';
  const allowsNone = p.version.resultWithoutDocument !== null;
  return (
    <section aria-labelledby="ket-qua" id="result-section">
      <h2 id="ket-qua">Kết quả giải quyết</h2>
      <p>
        Kết quả của thủ tục: <strong>{p.version.resultName || 'văn bản kết quả'}</strong>
        {allowsNone ? ` — hoặc không có văn bản khi: ${p.version.resultWithoutDocument}` : ''}
      </p>
      {r ? (
        <dl class="facts" id="result-record">
          <ResultFacts result={r} />
          <dt>Tình trạng</dt>
          <dd>
            {r.approvedAt
              ? `Đã phê duyệt lúc ${formatDateTime(r.approvedAt)}`
              : `Ghi nhận lúc ${formatDateTime(r.recordedAt)}, chờ phê duyệt`}
          </dd>
        </dl>
      ) : (
        <p class="muted" id="result-record">
          Chưa ghi nhận kết quả.
        </p>
      )}
      <FieldError errors={errors} name="result" />
      <ul id="result-files">
        {results.map((f) => (
          <li>
            <a href={`/tiepnhan/ho-so/${p.dossierId}/tep/${f.id}`}>{f.name}</a> ({Math.ceil(f.size / 1024)} KB)
          </li>
        ))}
        {results.length ? null : <li class="muted">Chưa có tệp kết quả.</li>}
      </ul>
      {p.canRecord ? (
        <>
          <form method="post" action={`/tiepnhan/ho-so/${p.dossierId}/ket-qua`} enctype="multipart/form-data" class="stack">
            <CsrfField token={p.csrfToken} />
            <label for="result-file">Đính kèm kết quả — bản ký (PDF, ảnh PNG/JPEG, Word .docx; tối đa 10 MB)</label>
            <input id="result-file" name="file" type="file" accept=".pdf,.png,.jpg,.jpeg,.docx" required {...marked(errors, 'file')} />
            <FieldError errors={errors} name="file" />
            <button type="submit">Đính kèm</button>
          </form>
          <form method="post" action={`/tiepnhan/ho-so/${p.dossierId}/ket-qua/ghi-nhan`} class="stack" id="record-result">
            <CsrfField token={p.csrfToken} />
            {allowsNone ? (
              <fieldset>
                <legend>Kết quả là</legend>
                <label class="check">
                  <input type="radio" name="kind" value="document" checked={kind !== 'none'} /> Văn bản (
                  {p.version.resultName || 'văn bản kết quả'})
                </label>
                <label class="check">
                  <input type="radio" name="kind" value="none" checked={kind === 'none'} /> Không có văn bản
                </label>
                <FieldError errors={errors} name="kind" />
              </fieldset>
            ) : (
              <input type="hidden" name="kind" value="document" />
            )}
            <label for="result-number">Số, ký hiệu</label>
            <input id="result-number" name="number" value={text('number')} maxlength={100} {...marked(errors, 'number')} />
            <FieldError errors={errors} name="number" />
            <label for="result-signedOn">Ngày ký (dd/mm/yyyy)</label>
            <input
              id="result-signedOn"
              name="signedOn"
              value={v.signedOn ?? formatDate(r?.signedOn)}
              placeholder="dd/mm/yyyy"
              inputmode="numeric"
              {...marked(errors, 'signedOn')}
            />
            <FieldError errors={errors} name="signedOn" />
            <label for="result-summary">Trích yếu</label>
            <input id="result-summary" name="summary" value={text('summary')} maxlength={1000} {...marked(errors, 'summary')} />
            <FieldError errors={errors} name="summary" />
            <label for="result-signer">Người ký (nếu có)</label>
            <input id="result-signer" name="signer" value={text('signer')} maxlength={200} {...marked(errors, 'signer')} />
            <FieldError errors={errors} name="signer" />
            {allowsNone ? (
              <>
                <label for="result-noDocumentReason">Lý do không có văn bản</label>
                <input
                  id="result-noDocumentReason"
                  name="noDocumentReason"
                  value={text('noDocumentReason')}
                  maxlength={1000}
                  {...marked(errors, 'noDocumentReason')}
                />
                <FieldError errors={errors} name="noDocumentReason" />
              </>
            ) : null}
            <button type="submit">Ghi nhận kết quả</button>
          </form>
        </>
      ) : null}
    </section>
  );
}
