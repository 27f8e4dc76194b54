/**
 * Thực hiện một thao tác through the API (POST /api/v1/dossiers/{id}/transitions): the workflow action of
 * act-on-dossier.ts with `seen` required. The screens always send it (every form carries the latest history row it
 * showed); an API client that retried an action after losing the answer — the first request committed — moved the
 * dossier a second step (a handover twice skipped a step whenever the caller held both positions). With `seen` the
 * retry is the stale form of decision 0018: 409 dossier_moved, saying what happened. Clients read it as `seen` of
 * GET /dossiers/{id}. (An Idempotency-Key, as reception takes, would serve too; `seen` is what the screens already
 * use, and it also refuses an action decided on a state that has changed meanwhile.)
 */
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { TransitionInput, actOnDossier } from '../dossiers/act-on-dossier.js';
import type { StaffActor } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { numberField } from '../shared/validate.js';

const SEEN_REQUIRED =
  'Thiếu "seen": số dòng lịch sử mới nhất của hồ sơ mà phần mềm đã đọc (trường seen của GET /dossiers/{id}). Thao tác qua API phải gửi kèm để một yêu cầu gửi lại không xử lý hồ sơ thêm lần nữa.';

/** The body as the API documents it (src/api/openapi.ts): TransitionInput with `seen` required. */
export const ApiTransitionInput = TransitionInput.extend({
  seen: numberField(
    z
      .number({ message: SEEN_REQUIRED })
      .int()
      .min(1)
      .describe(
        'Bắt buộc: số dòng lịch sử mới nhất đã đọc (seen của GET /dossiers/{id}); nếu hồ sơ đã thay đổi sau đó — kể cả do chính yêu cầu này gửi lần trước — 409 dossier_moved kèm diễn biến',
      ),
  ),
});

/** 400 seen_required, naming the field: the body has no `seen` (absent, null, or empty once trimmed as numberField trims). */
const seenRequired = () => new AppError('seen_required', SEEN_REQUIRED, 400, { seen: SEEN_REQUIRED });

export function actThroughApi(db: Db, actor: StaffActor, dossierId: string, raw: unknown, now: Date) {
  const seen = typeof raw === 'object' && raw !== null && 'seen' in raw ? raw.seen : undefined;
  if (seen === undefined || seen === null || (typeof seen === 'string' && seen.trim() === '')) throw seenRequired();
  // Its value is checked where the screens' is (a number, at least 1), and compared under the dossier's row lock.
  return actOnDossier(db, actor, dossierId, raw, now);
}
