/**
 * A dossier's tờ khai as answered, for the official's dossier page and the applicant's: the labels stored with the
 * answers, never the procedure's current ones.
 */
import type { DeclarationAnswer } from '../db/schema/index.js';
import { formatDate } from '../shared/dates.js';

/** One answer as text: dates dd/mm/yyyy, decimals with a comma, Có/Không. */
export function answerText(a: DeclarationAnswer): string {
  if (a.value === null || a.value === '') return '—';
  if (typeof a.value === 'boolean') return a.value ? 'Có' : 'Không';
  if (typeof a.value === 'number') return String(a.value).replace('.', ',');
  return a.type === 'date' ? formatDate(a.value) : a.value;
}

export function DeclarationAnswers(p: { answers: DeclarationAnswer[] | null }) {
  if (!p.answers?.length) return null;
  return (
    <section aria-labelledby="to-khai">
      <h2 id="to-khai">Tờ khai</h2>
      <dl class="facts" id="declaration-answers">
        {p.answers.map((a) => (
          <>
            <dt>{a.label}</dt>
            <dd>
              {answerText(a)
                .split('\n')
                .map((line, i) => (i ? [<br />, line] : line))}
            </dd>
          </>
        ))}
      </dl>
    </section>
  );
}
