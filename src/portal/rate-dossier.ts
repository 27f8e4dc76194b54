/** Đánh giá mức độ hài lòng: once per dossier, by the citizen whose it is, after the result was returned. */
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { dossierRatings } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { CitizenActor } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { cleanOptional } from '../shared/text.js';
import { numberField, parseInput } from '../shared/validate.js';
import { requireCitizenDossier } from './citizen-dossiers.js';

const RatingInput = z.object({
  score: numberField(
    z
      .number({ message: 'Vui lòng chọn mức độ hài lòng từ 1 đến 5.' })
      .int('Vui lòng chọn mức độ hài lòng từ 1 đến 5.')
      .min(1, 'Vui lòng chọn mức độ hài lòng từ 1 đến 5.')
      .max(5, 'Vui lòng chọn mức độ hài lòng từ 1 đến 5.'),
  ),
  comment: z
    .string()
    .optional()
    .transform((v) => cleanOptional(v))
    .pipe(z.string().max(1000, 'Góp ý tối đa 1000 ký tự.').nullable()),
});

export async function rateDossier(db: Db, actor: CitizenActor, dossierId: string, raw: unknown, now: Date) {
  const input = parseInput(RatingInput, raw);
  return db.transaction(async (tx) => {
    const d = await requireCitizenDossier(tx, actor, dossierId, true);
    if (d.status !== 'returned') throw new AppError('not_returned', 'Chỉ đánh giá được khi hồ sơ đã trả kết quả.', 409);
    const [row] = await tx
      .insert(dossierRatings)
      .values({ dossierId: d.id, citizenId: actor.citizenId, score: input.score, comment: input.comment, at: now })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new AppError('already_rated', 'Hồ sơ này đã được đánh giá.', 409);
    await recordAudit(tx, {
      action: 'dossier.rate',
      actor,
      targetType: 'dossier',
      targetId: d.id,
      unitId: d.agencyUnitId,
      data: { score: input.score },
    });
    return row;
  });
}
