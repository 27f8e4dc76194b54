import type { DossierResult } from '../dossiers/record-result.js';
import { ResultFacts } from '../dossiers/result-facts.js';

/** Kết quả giải quyết as issued to the applicant (read-only): the document's số, ngày ký, trích yếu, or why there is none. */
export function IssuedResult(p: { result: DossierResult }) {
  return (
    <section aria-labelledby="ket-qua">
      <h2 id="ket-qua">Kết quả giải quyết</h2>
      <dl class="facts" id="issued-result">
        <ResultFacts result={p.result} />
      </dl>
    </section>
  );
}
