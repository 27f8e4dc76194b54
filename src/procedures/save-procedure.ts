import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { procedureVersions, procedures, sectors } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { requireAdministerUnit } from '../accounts/policies.js';
import type { Actor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { foldVietnamese } from '../shared/text.js';
import { parseInput } from '../shared/validate.js';
import { ProcedureInput } from './procedure-input.js';

/**
 * Save a procedure: a new procedure, or a new version of an existing one. Versions are never
 * edited in place — a dossier keeps the version it was received under. The actor must administer
 * the implementing unit (and, for a new version, the unit of the current one).
 */
export async function saveProcedure(db: Db, actor: Actor, procedureId: string | null, raw: unknown) {
  const input = parseInput(ProcedureInput, raw);
  return db.transaction(async (tx) => {
    await requireAdministerUnit(tx, actor, input.unitId);
    for (const s of input.steps) await requireAdministerUnit(tx, actor, s.unitId);
    const [sector] = await tx.select().from(sectors).where(eq(sectors.id, input.sectorId));
    if (!sector) throw errors.validation({ sectorId: 'Lĩnh vực không tồn tại.' });
    let id = procedureId;
    let version = 1;
    let previous: typeof procedureVersions.$inferSelect | undefined;
    if (id) {
      [previous] = await tx.select().from(procedureVersions).where(and(eq(procedureVersions.procedureId, id), eq(procedureVersions.current, true))).for('update');
      if (!previous) throw errors.notFound('Thủ tục');
      await requireAdministerUnit(tx, actor, previous.unitIds[0]!);
      const [last] = await tx.select({ v: procedureVersions.version }).from(procedureVersions).where(eq(procedureVersions.procedureId, id)).orderBy(desc(procedureVersions.version)).limit(1);
      version = (last?.v ?? 0) + 1;
      await tx.update(procedureVersions).set({ current: false }).where(eq(procedureVersions.id, previous.id));
    } else {
      const [exists] = await tx.select().from(procedures).where(eq(procedures.code, input.code));
      if (exists) throw new AppError('procedure_code_taken', 'Mã thủ tục đã tồn tại.', 409, { code: 'Mã thủ tục đã tồn tại.' });
      const [p] = await tx.insert(procedures).values({ code: input.code }).returning({ id: procedures.id });
      id = p!.id;
    }
    const [saved] = await tx
      .insert(procedureVersions)
      .values({
        procedureId: id!,
        version,
        name: input.name,
        nameFolded: foldVietnamese(input.name),
        sectorId: input.sectorId,
        unitIds: [input.unitId],
        workingDays: input.limitKind === 'days' ? Math.round(input.limit) : null,
        workingHours: input.limitKind === 'hours' ? input.limit : null,
        after1500NextDay: input.after1500NextDay,
        fee: input.fee,
        feeNote: input.feeNote,
        onlineLevel: input.onlineLevel,
        documents: input.documents,
        steps: input.steps,
        createdBy: actor.accountId,
      })
      .returning();
    await recordAudit(tx, {
      action: previous ? 'procedure.new_version' : 'procedure.create',
      actorId: actor.accountId,
      actorLabel: actor.label,
      targetType: 'procedure',
      targetId: id!,
      unitId: input.unitId,
      meta: actor.meta,
      data: { code: input.code, version, old: previous ? { version: previous.version, name: previous.name, workingDays: previous.workingDays, workingHours: previous.workingHours } : null, new: { name: input.name, limit: input.limit, limitKind: input.limitKind } },
    });
    return saved!;
  });
}
