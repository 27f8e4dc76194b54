import { formatDate } from '../shared/dates.js';
import type { DossierResult } from './record-result.js';

/**
 * The recorded result as terms of a <dl class="facts">: số, ngày ký, trích yếu and người ký of the document, or why
 * there is none. One wording for the officials' dossier page and the applicant's.
 */
export function ResultFacts(p: { result: DossierResult }) {
  const r = p.result;
  return r.kind === 'document' ? (
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
  );
}
