/**
 * The procedures follow a merge: every procedure whose current version names the merged unit — as its receiving
 * agency (or another implementing unit) or as a step's unit — gets a new version naming the unit it merged into
 * instead, written as a save on the procedure's screen writes one (writeNextVersion, one audit row each). Dossiers
 * already received keep the version they were received under. Only the merged unit itself becomes inactive: its
 * sub-units move with it and stay live, so a step naming one of them is left as it is.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import { procedureVersions as pv, procedures, units } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { canAdministerUnit } from '../accounts/policies.js';
import type { StaffActor } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { contentOf, type ProcedureVersion, type VersionContent, writeNextVersion } from '../procedures/save-procedure.js';

type Unit = { id: string; name: string };

/** The current versions naming `unitId`, locked (in procedure order, so two merges queue up rather than deadlock). */
function lockVersionsNaming(tx: Tx, unitId: string) {
  const asJson = JSON.stringify([unitId]);
  return tx
    .select()
    .from(pv)
    .where(
      and(
        eq(pv.current, true),
        sql`(${pv.unitIds} @> ${asJson}::jsonb or exists (
          select 1 from jsonb_array_elements(${pv.steps}) s where s ->> 'unitId' = ${unitId}))`,
      ),
    )
    .orderBy(pv.procedureId)
    .for('update');
}

/** `v`'s content with `target` wherever it names `source` (an implementing unit named twice is kept once). */
function renamed(v: ProcedureVersion, source: string, target: string): VersionContent {
  const swap = (id: string) => (id === source ? target : id);
  return {
    ...contentOf(v),
    unitIds: [...new Set(v.unitIds.map(swap))],
    steps: v.steps.map((s) => (s.unitId === source ? { ...s, unitId: swap(s.unitId) } : s)),
  };
}

/** The units a save must administer (writeNextVersion's rule): the receiving agency and each step's unit. */
const unitsToAdminister = (c: VersionContent) => [c.unitIds[0]!, ...c.steps.flatMap((s) => (s.unitId ? [s.unitId] : []))];

/**
 * Inside mergeUnits' transaction, after the tree has moved: rewrites the procedures naming `source`. A procedure
 * whose new version the actor could not save on the procedure screen (a step at a unit outside their scope) refuses
 * the whole merge, naming it, rather than a bare "not found". Returns how many procedures got a new version.
 */
export async function moveProceduresOfMergedUnit(tx: Tx, actor: StaffActor, source: Unit, target: Unit): Promise<number> {
  let moved = 0;
  // A save committed while this waited for its row wrote a version this statement does not see: read again until
  // none is left (each pass sees what committed before it; the rewritten versions no longer match).
  for (let rows = await lockVersionsNaming(tx, source.id); rows.length; rows = await lockVersionsNaming(tx, source.id)) {
    const codes = new Map(
      (
        await tx
          .select({ id: procedures.id, code: procedures.code })
          .from(procedures)
          .where(
            inArray(
              procedures.id,
              rows.map((r) => r.procedureId),
            ),
          )
      ).map((p) => [p.id, p.code]),
    );
    const next = rows.map((v) => ({ v, content: renamed(v, source.id, target.id), code: codes.get(v.procedureId)! }));
    // The survivor becomes the receiving agency of these: it must be able to number their dossiers (the procedure
    // screen refuses a receiving unit without an agency code for the same reason).
    const received = next.filter((n) => n.content.unitIds[0] === target.id);
    if (received.length && !(await hasAgencyCode(tx, target.id))) {
      throw new AppError(
        'unit_merge_target_uncoded',
        `Không thể sáp nhập: ${target.name} chưa có mã định danh điện tử, nhưng sẽ là cơ quan tiếp nhận của ${received.length} thủ tục (${received
          .slice(0, 10)
          .map((n) => n.code)
          .join(', ')}${received.length > 10 ? ', …' : ''}). Hãy cấp mã định danh điện tử cho đơn vị này trước khi sáp nhập.`,
        409,
      );
    }
    const outOfScope: string[] = [];
    for (const n of next) {
      for (const unitId of new Set(unitsToAdminister(n.content))) {
        if (!(await canAdministerUnit(tx, actor, unitId))) {
          outOfScope.push(`${n.code} ${n.v.name}`);
          break;
        }
      }
    }
    if (outOfScope.length) {
      throw new AppError(
        'unit_merge_procedures_out_of_scope',
        `Không thể sáp nhập: ${outOfScope.length} thủ tục do đơn vị này tiếp nhận hoặc xử lý còn có bước tại đơn vị ngoài phạm vi quản trị của bạn: ${outOfScope.join('; ')}. Hãy nhờ quản trị cấp trên thực hiện việc sáp nhập.`,
        409,
      );
    }
    for (const { v, content, code } of next) {
      const saved = await writeNextVersion(tx, actor, v, content);
      await recordAudit(tx, {
        action: 'procedure.new_version',
        actor,
        targetType: 'procedure',
        targetId: saved.procedureId,
        unitId: content.unitIds[0]!,
        data: {
          code,
          version: saved.version,
          source: 'unit.merge',
          merge: { source, target },
          old: { version: v.version, unitIds: v.unitIds, stepUnitIds: v.steps.map((s) => s.unitId) },
          new: { unitIds: content.unitIds, stepUnitIds: content.steps.map((s) => s.unitId) },
        },
      });
      moved++;
    }
  }
  return moved;
}

async function hasAgencyCode(tx: Tx, unitId: string): Promise<boolean> {
  const [unit] = await tx.select({ agencyCode: units.agencyCode }).from(units).where(eq(units.id, unitId));
  return !!unit?.agencyCode;
}
