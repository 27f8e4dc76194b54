import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { procedureVersions, procedures, sectors, type ProcedureDocument, units } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { requireAdministerUnit } from '../accounts/policies.js';
import type { StaffActor, SystemActor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { foldVietnamese } from '../shared/text.js';
import { isId, parseInput } from '../shared/validate.js';
import { provinceGroupOf } from '../org/unit-queries.js';
import { foreignProcedureCodeReason, ProcedureInput } from './procedure-input.js';
import { limitColumns } from './time-limit.js';

export type ProcedureVersion = typeof procedureVersions.$inferSelect;

/** What a version says (everything but its identity and bookkeeping). */
export type VersionContent = Pick<
  typeof procedureVersions.$inferInsert,
  | 'name'
  | 'sectorId'
  | 'unitIds'
  | 'workingDays'
  | 'workingHours'
  | 'after1500NextDay'
  | 'fee'
  | 'feeNote'
  | 'onlineLevel'
  | 'documents'
  | 'steps'
  | 'declaration'
  | 'resultName'
  | 'resultWithoutDocument'
>;

/**
 * Save a procedure: a new procedure, or a new version of an existing one. Versions are never
 * edited in place — a dossier keeps the version it was received under. The actor must administer
 * the implementing unit (and, for a new version, the unit of the current one). A form that names the version it was
 * opened on (the procedure's page does) is refused with a 409 once another version was saved meanwhile.
 */
export async function saveProcedure(db: Db, actor: StaffActor | SystemActor, procedureId: string | null, raw: unknown) {
  const input = parseInput(ProcedureInput, raw);
  return db.transaction(async (tx) => {
    const content: VersionContent = {
      name: input.name,
      sectorId: input.sectorId,
      unitIds: [input.unitId],
      ...limitColumns(input.limitKind, input.limit),
      after1500NextDay: input.after1500NextDay,
      fee: input.fee,
      feeNote: input.feeNote,
      onlineLevel: input.onlineLevel,
      documents: input.documents,
      steps: input.steps,
      declaration: input.declaration,
      resultName: input.resultName,
      resultWithoutDocument: input.resultWithoutDocument,
    };
    await requireEditableContent(tx, actor, content);
    const [sector] = await tx.select().from(sectors).where(eq(sectors.id, input.sectorId));
    if (!sector) throw errors.validation({ sectorId: 'Lĩnh vực không tồn tại.' });
    // The code is checked for a new procedure only: a saved procedure keeps the code it has (see below).
    const refused = { ...(await receivingUnitProblem(tx, input.unitId)), ...(procedureId ? {} : await codeProblem(tx, input.code)) };
    if (Object.keys(refused).length) throw errors.validation(refused);
    let saved: ProcedureVersion;
    let previous: ProcedureVersion | undefined;
    // A procedure's code never changes: the audit row names the one saved, whatever code the form sent.
    let code = input.code;
    if (procedureId) {
      previous = await lockCurrentVersion(tx, actor, procedureId);
      code = (await tx.select({ code: procedures.code }).from(procedures).where(eq(procedures.id, procedureId)))[0]!.code;
      // A page older than the current version would silently undo what was saved since it was opened.
      if (input.version !== undefined && input.version !== previous.version) {
        throw errors.conflict(`Thủ tục vừa được cập nhật thành phiên bản ${previous.version}. Vui lòng tải lại trang và thực hiện lại.`);
      }
      // The documents are typed as text: each keeps the template it had under the same name.
      saved = await writeNextVersion(tx, actor, previous, { ...content, documents: keepTemplates(input.documents, previous.documents) });
    } else {
      // Codes are one procedure whatever their case (the unique index on upper(code)); a save at the same moment
      // with the same code meets the index and is refused alike, never a server error.
      const [exists] = await tx.select({ id: procedures.id }).from(procedures).where(sql`upper(${procedures.code}) = ${input.code}`);
      const [p] = exists
        ? []
        : await tx.insert(procedures).values({ code: input.code }).onConflictDoNothing().returning({ id: procedures.id });
      if (!p) throw new AppError('procedure_code_taken', 'Mã thủ tục đã tồn tại.', 409, { code: 'Mã thủ tục đã tồn tại.' });
      saved = await insertVersion(tx, actor, p.id, 1, content);
    }
    await recordAudit(tx, {
      action: previous ? 'procedure.new_version' : 'procedure.create',
      actor,
      targetType: 'procedure',
      targetId: saved.procedureId,
      unitId: input.unitId,
      data: {
        code,
        version: saved.version,
        old: previous
          ? { version: previous.version, name: previous.name, workingDays: previous.workingDays, workingHours: previous.workingHours }
          : null,
        new: { name: input.name, limit: input.limit, limitKind: input.limitKind, declarationFields: input.declaration.length },
      },
    });
    return saved;
  });
}

/**
 * The receiving unit (the first implementing unit) must be active and have an electronic agency code: a dossier's code
 * starts with it, and reception refuses a unit without one (agency_code_missing) or an inactive one. Checked on every
 * save, as the import does.
 */
async function receivingUnitProblem(tx: Tx, unitId: string): Promise<Record<string, string>> {
  const [unit] = await tx.select({ agencyCode: units.agencyCode, active: units.active }).from(units).where(eq(units.id, unitId));
  if (!unit) return {};
  // An inactive unit (merged, or closed) receives nothing: the counter and the catalog hide its procedures (active-agency.ts).
  if (!unit.active)
    return { unitId: 'Đơn vị thực hiện đã ngừng hoạt động hoặc đã được sáp nhập. Hãy chọn cơ quan tiếp nhận đang hoạt động.' };
  if (unit.agencyCode) return {};
  return {
    unitId:
      'Đơn vị thực hiện chưa có mã định danh điện tử nên không cấp được mã hồ sơ. Hãy chọn cơ quan tiếp nhận có mã định danh điện tử.',
  };
}

/** A new procedure's code must not be another province's local code (the import's rule, procedure-input.ts). */
async function codeProblem(tx: Tx, code: string): Promise<Record<string, string>> {
  const [root] = await tx.select({ agencyCode: units.agencyCode }).from(units).where(isNull(units.parentId)).limit(1);
  const reason = foreignProcedureCodeReason(code, provinceGroupOf(root?.agencyCode ?? null));
  return reason ? { code: reason } : {};
}

/**
 * The current version of a procedure, locked until the transaction ends (concurrent saves queue up), once
 * the actor is known to administer its implementing unit. Anything else is "not found".
 */
export async function lockCurrentVersion(tx: Tx, actor: StaffActor | SystemActor, procedureId: string): Promise<ProcedureVersion> {
  if (!isId(procedureId)) throw errors.notFound('Thủ tục');
  const [current] = await tx
    .select()
    .from(procedureVersions)
    .where(and(eq(procedureVersions.procedureId, procedureId), eq(procedureVersions.current, true)))
    .for('update');
  if (!current) throw errors.notFound('Thủ tục');
  await requireAdministerUnit(tx, actor, current.unitIds[0]!);
  return current;
}

/** The actor must administer every unit a version names: the implementing unit and each step's. */
async function requireEditableContent(tx: Tx, actor: StaffActor | SystemActor, content: VersionContent) {
  await requireAdministerUnit(tx, actor, content.unitIds[0]!);
  for (const s of content.steps) if (s.unitId) await requireAdministerUnit(tx, actor, s.unitId);
}

/**
 * Writes `content` as the next version of `previous`'s procedure, which stops being current. The caller
 * holds the lock from lockCurrentVersion and writes the audit row in the same transaction.
 */
export async function writeNextVersion(
  tx: Tx,
  actor: StaffActor | SystemActor,
  previous: ProcedureVersion,
  content: VersionContent,
): Promise<ProcedureVersion> {
  await requireEditableContent(tx, actor, content);
  const [last] = await tx
    .select({ v: procedureVersions.version })
    .from(procedureVersions)
    .where(eq(procedureVersions.procedureId, previous.procedureId))
    .orderBy(desc(procedureVersions.version))
    .limit(1);
  await tx.update(procedureVersions).set({ current: false }).where(eq(procedureVersions.id, previous.id));
  return insertVersion(tx, actor, previous.procedureId, (last?.v ?? 0) + 1, content);
}

async function insertVersion(
  tx: Tx,
  actor: StaffActor | SystemActor,
  procedureId: string,
  version: number,
  content: VersionContent,
): Promise<ProcedureVersion> {
  const [saved] = await tx
    .insert(procedureVersions)
    .values({
      ...content,
      procedureId,
      version,
      nameFolded: foldVietnamese(content.name),
      createdBy: actor.kind === 'system' ? null : actor.accountId,
    })
    .returning();
  return saved!;
}

/** A version's content, to copy into the next one with a change. */
export function contentOf(v: ProcedureVersion): VersionContent {
  const { name, sectorId, unitIds, workingDays, workingHours, after1500NextDay, fee, feeNote, onlineLevel, documents, steps, declaration } =
    v;
  const { resultName, resultWithoutDocument } = v;
  return {
    name,
    sectorId,
    unitIds,
    workingDays,
    workingHours,
    after1500NextDay,
    fee,
    feeNote,
    onlineLevel,
    documents,
    steps,
    declaration,
    resultName,
    resultWithoutDocument,
  };
}

/** Documents edited as text get back the template their namesake (ignoring case and diacritics) had. */
export function keepTemplates(documents: ProcedureDocument[], previous: ProcedureDocument[]): ProcedureDocument[] {
  const templates = new Map<string, string>();
  for (const d of previous) {
    const key = foldVietnamese(d.name);
    if (d.template && !templates.has(key)) templates.set(key, d.template);
  }
  return documents.map((d) => {
    const template = templates.get(foldVietnamese(d.name));
    return template ? { ...d, template } : d;
  });
}
