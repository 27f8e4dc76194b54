/**
 * Quản trị → Hồ sơ từ Cổng DVC quốc gia: the dossiers submitted on the national portal that the pull could not
 * register (national_intake rows 'skipped': a procedure not in our catalog, an item we cannot read…), with the reason.
 * The pull never retries them and the national side believes they reached us, so a person has to see them: the
 * province's administrators (accounts/policies.ts); anyone else is told the page does not exist (404).
 */
import { count, desc, eq } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { isProvinceAdministrator } from '../accounts/policies.js';
import { nationalIntake } from '../db/schema/index.js';
import type { StaffActor } from '../shared/context.js';
import { errors } from '../shared/errors.js';

/** The newest shown; the count says how many there are in all. */
const LIST_LIMIT = 200;

export type SkippedIntake = {
  nationalId: string;
  procedureCode: string;
  reason: string;
  submittedAt: Date | null;
  pulledAt: Date;
};

export async function listSkippedIntake(db: Queryable, actor: StaffActor): Promise<{ total: number; rows: SkippedIntake[] }> {
  if (!(await isProvinceAdministrator(db, actor))) throw errors.notFound('Trang');
  const skipped = eq(nationalIntake.outcome, 'skipped');
  const [all] = await db.select({ n: count() }).from(nationalIntake).where(skipped);
  // national_intake_outcome_idx (outcome, pulled_at): the newest of one outcome, read backwards.
  const rows = await db
    .select({
      nationalId: nationalIntake.nationalId,
      procedureCode: nationalIntake.procedureCode,
      reason: nationalIntake.reason,
      submittedAt: nationalIntake.submittedAt,
      pulledAt: nationalIntake.pulledAt,
    })
    .from(nationalIntake)
    .where(skipped)
    .orderBy(desc(nationalIntake.pulledAt), desc(nationalIntake.nationalId))
    .limit(LIST_LIMIT);
  return {
    total: Number(all?.n ?? 0),
    rows: rows.map((r) => ({ ...r, reason: r.reason ?? 'Không rõ lý do.' })),
  };
}
