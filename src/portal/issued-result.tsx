import type { DossierResult } from '../dossiers/record-result.js';
import { formatDate } from '../shared/dates.js';

/** Kết quả giải quyết as issued to the applicant (read-only): the document's số, ngày ký, trích yếu, or why there is none. */
export function IssuedResult(p: { result: DossierResult }) {
  const r = p.result;
  return (
    <section aria-labelledby="ket-qua">
      <h2 id="ket-qua">Kết quả giải quyết</h2>
      <dl class="facts" id="issued-result">
        {r.kind === 'document' ? (
          <>
            <dt>Số, ký hiệu</dt>
            <dd>{r.number}</dd>
            <dt>Ngày ký</dt>
            <dd>{formatDate(r.signedOn)}</dd>
            <dt>Trích yếu</dt>
            <dd>{r.summary}</dd>
            {r.signer ? (
              <>
                <dt>Người ký</dt>
                <dd>{r.signer}</dd>
              </>
            ) : null}
          </>
        ) : (
          <>
            <dt>Văn bản</dt>
            <dd>Không có văn bản — {r.noDocumentReason}</dd>
          </>
        )}
      </dl>
    </section>
  );
}
