/**
 * Import the procedure catalog from the national procedure database's export (import-catalog-columns.ts). A row
 * is the procedure of its code: a new one is created through saveProcedure with a four-step process at the
 * implementing agency (the export has no internal process; an administrator refines it later), an existing one
 * whose catalog fields differ gets a new version (dossiers keep the version they were received under) that keeps
 * its process, tờ khai and templates. Dry run by default, all or nothing, a per-row report. See docs/decisions/0030.
 */
import { and, eq } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { type ProcedureDocument, type ProcessStep, procedureVersions, procedures, sectors, units } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { isProvinceAdministrator } from '../accounts/policies.js';
import type { TableRow } from '../accounts/read-sheet.js';
import type { StaffActor, SystemActor } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { type ImportRowReport, looksLikeFormula, makeReport, quote } from '../shared/import-report.js';
import {
  type ImportOptions,
  type ImportPlan,
  type ImportResult,
  type ImportSource,
  rowWriteError,
  runImport,
} from '../shared/import-plan.js';
import { cleanText, foldVietnamese } from '../shared/text.js';
import { provinceGroupOf } from '../org/unit-queries.js';
import {
  CATALOG_SHEET,
  type CatalogColumn,
  checkProcedureCode,
  parseDocuments,
  parseFees,
  parseLevel,
  parseTimeLimit,
} from './import-catalog-columns.js';
import { procedureFormValues, procedureInputOf } from './procedure-form.js';
import { normaliseProcedureCode, ProcedureInput } from './procedure-input.js';
import {
  contentOf,
  keepTemplates,
  lockCurrentVersion,
  type ProcedureVersion,
  saveProcedure,
  type VersionContent,
  writeNextVersion,
} from './save-procedure.js';
import { limitColumns, limitKindOf, shareUnit, stepBudget, timeLimitText, type LimitKind } from './time-limit.js';

type Actor = StaffActor | SystemActor;

/** What a row says, read and checked. */
type Entry = {
  code: string;
  name: string;
  sectorName: string;
  unitId: string;
  kind: LimitKind;
  /** Days or hours; 0 for a same-day limit (time-limit.ts). */
  limit: number;
  after1500: boolean;
  fee: number;
  feeNote: string | null;
  level: 'toan_trinh' | 'mot_phan' | null;
  documents: ProcedureDocument[];
  resultName: string | null;
};

type Plan = {
  line: number;
  entry: Entry | null;
  reasons: string[];
  remarks: string[];
  current: ProcedureVersion | null;
  changes: string[];
};

const label = (c: CatalogColumn) => CATALOG_SHEET.columns.find(([k]) => k === c)?.[1] ?? c;

/** Units by agency code, name and short name (folded); a name ending in the province's own name matches too. */
async function unitIndex(db: Db) {
  const rows = await db.select().from(units).where(eq(units.active, true));
  const root = rows.find((u) => !u.parentId);
  if (!root) throw new AppError('import_no_root', 'Chưa có đơn vị gốc (tỉnh). Hãy chạy "npm run setup" trước.', 409);
  const byKey = new Map<string, Set<string>>();
  const add = (k: string | null, id: string) => {
    if (!k) return;
    const key = foldVietnamese(k);
    byKey.set(key, (byKey.get(key) ?? new Set()).add(id));
  };
  for (const u of rows) {
    add(u.name, u.id);
    add(u.shortName, u.id);
    add(u.agencyCode, u.id);
  }
  const province = foldVietnamese(root.name).replace(/^(tinh|thanh pho) /, '');
  const coded = new Set(rows.filter((u) => u.agencyCode).map((u) => u.id));
  const find = (cell: string): string | { error: string } => {
    const key = foldVietnamese(cell);
    const hits = byKey.get(key) ?? byKey.get(key.replace(new RegExp(` (tinh |thanh pho )?${province}$`), ''));
    if (hits && hits.size > 1) return { error: `Có nhiều đơn vị tên ${quote(cell)}; hãy ghi mã định danh điện tử của cơ quan.` };
    const [id] = hits ?? [];
    if (!id) return { error: `Không tìm thấy cơ quan thực hiện ${quote(cell)} trong cây đơn vị (theo mã định danh điện tử hoặc tên).` };
    // The agency receives the dossiers and its code starts theirs: reception refuses a unit without one (the screen too).
    if (!coded.has(id)) {
      return {
        error: `Cơ quan thực hiện ${quote(cell)} là đơn vị chưa có mã định danh điện tử nên không cấp được mã hồ sơ; hãy ghi cơ quan tiếp nhận có mã định danh điện tử.`,
      };
    }
    return id;
  };
  return { find, root, provinceSuffix: provinceGroupOf(root.agencyCode) };
}

function readRow(raw: TableRow<CatalogColumn>, index: Awaited<ReturnType<typeof unitIndex>>): Plan {
  const v = raw.values;
  const reasons: string[] = [];
  const remarks: string[] = [];
  for (const c of raw.formulas) reasons.push(`Ô "${label(c)}" chứa công thức; hãy dán giá trị thay cho công thức.`);
  for (const c of ['name', 'sector', 'agency', 'documents'] as const) {
    if (v[c] && looksLikeFormula(v[c])) reasons.push(`Ô "${label(c)}" không được bắt đầu bằng =, + hoặc @.`);
  }
  // Kept as typed (the fee note, the result's name) or quoted in the report: a leading minus starts a formula too
  // (OWASP CSV injection); a bullet is no reason for one in these cells.
  for (const c of ['timeLimit', 'fees', 'result'] as const) {
    if (v[c] && (looksLikeFormula(v[c]) || /^\s*-\s*\S/.test(v[c]))) {
      reasons.push(`Ô "${label(c)}" không được bắt đầu bằng =, +, - hoặc @.`);
    }
  }
  const code = checkProcedureCode(v.code ?? '', index.provinceSuffix);
  if ('error' in code) reasons.push(code.error);
  const name = cleanText(v.name ?? '');
  if (name.length < 5) reasons.push('Tên thủ tục quá ngắn.');
  else if (name.length > 500) reasons.push('Tên thủ tục tối đa 500 ký tự.');
  const sectorName = cleanText(v.sector ?? '');
  if (!sectorName) reasons.push('Chưa ghi lĩnh vực.');
  else if (sectorName.length > 200) reasons.push('Tên lĩnh vực tối đa 200 ký tự.');
  const agencies = (v.agency ?? '').split(/[;\n]/).map(cleanText).filter(Boolean);
  let unitId: string | null = null;
  if (agencies.length === 0) reasons.push('Chưa ghi cơ quan thực hiện.');
  else if (agencies.length > 1) reasons.push(`Ghi một cơ quan thực hiện (tệp ghi ${agencies.length}).`);
  else {
    const found = index.find(agencies[0]!);
    if (typeof found === 'string') unitId = found;
    else reasons.push(found.error);
  }
  const time = parseTimeLimit(v.timeLimit ?? '');
  if ('error' in time) reasons.push(time.error);
  const fees = parseFees(v.fees ?? '');
  if ('error' in fees) reasons.push(fees.error);
  else if (fees.remark) remarks.push(fees.remark);
  const documents = parseDocuments(v.documents ?? '');
  if ('error' in documents) reasons.push(documents.error);
  const level = v.level === undefined ? null : parseLevel(v.level);
  if (level && 'error' in level) reasons.push(level.error);
  else if (level?.remark) remarks.push(level.remark);
  const resultName = v.result ? cleanText(v.result) : null;
  if (resultName && resultName.length > 300) reasons.push('Kết quả thực hiện tối đa 300 ký tự.');
  const plan: Plan = { line: raw.line, entry: null, reasons, remarks, current: null, changes: [] };
  if (
    reasons.length ||
    'error' in code ||
    'error' in time ||
    'error' in fees ||
    'error' in documents ||
    (level && 'error' in level) ||
    !unitId
  ) {
    return plan;
  }
  plan.entry = {
    code: code.code,
    name,
    sectorName,
    unitId,
    kind: time.kind,
    limit: time.limit,
    after1500: time.after1500,
    fee: fees.fee,
    feeNote: fees.note,
    level: level?.level ?? null,
    documents,
    resultName,
  };
  return plan;
}

const sameDocs = (a: ProcedureDocument[], b: ProcedureDocument[]) =>
  a.length === b.length && a.every((d, i) => d.name === b[i]!.name && d.required === b[i]!.required);

/** True when the steps' shares no longer fit the row's limit (shorter, or days became hours): they are scaled down. */
function rescales(e: Entry, current: ProcedureVersion): boolean {
  const unitChanged = shareUnit(limitKindOf(current)) !== shareUnit(e.kind);
  return unitChanged || current.steps.reduce((n, s) => n + s.share, 0) > stepBudget(e.kind, e.limit) + 1e-9;
}

/**
 * The steps' shares scaled to a new limit, in hundredths, each at least 0.01 (the screen refuses a step of 0): what
 * that floor adds is taken off the longest steps. A limit too short for a hundredth per step stays over it, and the
 * screen's rule refuses the row (versionProblems).
 */
function rescaledSteps(steps: ProcessStep[], limit: number): ProcessStep[] {
  const total = steps.reduce((n, s) => n + s.share, 0);
  const cents = steps.map((s) => Math.max(1, Math.floor((s.share * limit * 100) / total)));
  let over = cents.reduce((n, c) => n + c, 0) - Math.floor(limit * 100 + 1e-9);
  while (over > 0) {
    const longest = cents.indexOf(Math.max(...cents));
    if (cents[longest]! <= 1) break;
    cents[longest]! -= 1;
    over -= 1;
  }
  return steps.map((s, i) => ({ ...s, share: cents[i]! / 100 }));
}

/** The current version's content with the row's catalog fields; the process shares rescaled when the limit no longer holds them. */
function nextContent(e: Entry, current: ProcedureVersion, sectorId: string): VersionContent {
  const before = contentOf(current);
  const steps = rescales(e, current) ? rescaledSteps(before.steps, stepBudget(e.kind, e.limit)) : before.steps;
  const copies = new Map(current.documents.map((d) => [foldVietnamese(d.name), d.copies]));
  return {
    ...before,
    name: e.name,
    sectorId,
    ...limitColumns(e.kind, e.limit),
    after1500NextDay: e.after1500,
    fee: e.fee,
    feeNote: e.feeNote,
    onlineLevel: e.level ?? current.onlineLevel,
    documents: keepTemplates(
      e.documents.map((d) => ({ ...d, copies: copies.get(foldVietnamese(d.name)) ?? d.copies })),
      current.documents,
    ),
    steps,
    resultName: e.resultName ?? current.resultName,
  };
}

function changesOf(e: Entry, current: ProcedureVersion, sectorId: string | null, sectorNames: Map<string, string>): string[] {
  const out: string[] = [];
  if (e.name !== current.name) out.push(`tên → ${quote(e.name)}`);
  if (sectorId !== current.sectorId) out.push(`lĩnh vực ${quote(sectorNames.get(current.sectorId) ?? '')} → ${quote(e.sectorName)}`);
  const limit = limitColumns(e.kind, e.limit);
  if (
    limit.workingDays !== current.workingDays ||
    limit.workingHours !== current.workingHours ||
    e.after1500 !== current.after1500NextDay
  ) {
    out.push(`thời hạn → ${timeLimitText(limit).toLowerCase()}${e.after1500 ? ' (sau 15 giờ tính ngày tiếp theo)' : ''}`);
  }
  if (e.fee !== current.fee || e.feeNote !== current.feeNote) out.push(`phí, lệ phí → ${e.fee.toLocaleString('vi-VN')} đồng`);
  if (e.level && e.level !== current.onlineLevel) out.push(`mức độ → ${e.level === 'toan_trinh' ? 'toàn trình' : 'một phần'}`);
  if (!sameDocs(e.documents, current.documents)) out.push(`thành phần hồ sơ → ${e.documents.length} giấy tờ`);
  if (e.resultName !== null && e.resultName !== current.resultName) out.push(`kết quả → ${quote(e.resultName)}`);
  return out;
}

/**
 * What the procedure form (ProcedureInput) refuses in a version's content, filled in as the page fills it: an imported
 * version obeys the screen's rules. Empty when the screen would save it.
 */
function versionProblems(code: string, current: ProcedureVersion, content: VersionContent): string[] {
  const parsed = ProcedureInput.safeParse(procedureInputOf(procedureFormValues(code, { ...current, ...content })));
  return parsed.success ? [] : [...new Set(parsed.error.issues.map((i) => i.message))];
}

/** A short code for a new sector from its name's initials ("Lưu thông hàng hóa trong nước" → LTHHTN), unique. */
function sectorCode(name: string, taken: Set<string>): string {
  const base =
    foldVietnamese(name)
      .replace(/[^a-z0-9 ]+/g, ' ')
      .split(' ')
      .filter(Boolean)
      .map((w) => w[0]!.toUpperCase())
      .join('')
      .slice(0, 20) || 'LV';
  let code = base;
  for (let n = 2; taken.has(code); n++) code = `${base}-${n}`;
  taken.add(code);
  return code;
}

/** The four-step process a new procedure starts with, all at the implementing agency (form rows of ProcedureInput). */
function defaultSteps(unitId: string, limit: number) {
  const share = (p: number) => String(Math.floor(limit * p * 100) / 100 || 0.01);
  return [
    { name: 'Tiếp nhận hồ sơ', unitId, role: 'reception', share: share(0.1) },
    { name: 'Thẩm định, xử lý hồ sơ', unitId, role: 'processing', share: share(0.6) },
    { name: 'Phê duyệt', unitId, role: 'approval', share: share(0.2) },
    { name: 'Trả kết quả', unitId, role: 'result', share: share(0.1) },
  ];
}

/** Dry run, or apply in one transaction that plans again (shared/import-plan.ts: claim, expected plan). */
export function importCatalog(db: Db, actor: Actor, sheet: TableRow<CatalogColumn>[], opts: ImportOptions): Promise<ImportResult> {
  return runImport(db, opts, (q) => planCatalog(q, actor, sheet, opts.source ?? null));
}

async function planCatalog(db: Db, actor: Actor, sheet: TableRow<CatalogColumn>[], source: ImportSource | null): Promise<ImportPlan> {
  // The catalog is the province's: a unit administrator edits their own procedures on the screen, not by file.
  if (actor.kind !== 'system' && !(await isProvinceAdministrator(db, actor))) {
    throw new AppError('forbidden', 'Chỉ quản trị viên cấp tỉnh được nhập danh mục thủ tục.', 403);
  }
  const index = await unitIndex(db);
  const plans = sheet.map((r) => readRow(r, index));
  const allSectors = await db.select().from(sectors);
  const sectorByName = new Map(allSectors.map((s) => [foldVietnamese(s.name), s.id]));
  const sectorNames = new Map(allSectors.map((s) => [s.id, s.name]));

  const byCode = new Map<string, Plan[]>();
  for (const p of plans) if (p.entry) byCode.set(p.entry.code, [...(byCode.get(p.entry.code) ?? []), p]);
  for (const [code, same] of byCode) {
    if (same.length < 2) continue;
    for (const p of same)
      p.reasons.push(
        `Mã thủ tục ${code} trùng với dòng ${same
          .filter((q) => q !== p)
          .map((q) => q.line)
          .join(', ')}.`,
      );
  }
  const currentRows = await db
    .select({ code: procedures.code, v: procedureVersions })
    .from(procedures)
    .innerJoin(procedureVersions, and(eq(procedureVersions.procedureId, procedures.id), eq(procedureVersions.current, true)));
  // Codes are stored in capitals (procedure-input.ts); upper-cased here too, as the unique index on upper(code) compares.
  const currentByCode = new Map(currentRows.map((r) => [normaliseProcedureCode(r.code), r.v]));
  const unitNames = new Map((await db.select({ id: units.id, name: units.name }).from(units)).map((u) => [u.id, u.name]));

  const report: ImportRowReport[] = plans.map((p) => {
    const e = p.entry;
    const subject = e ? `${e.code} ${quote(e.name)}` : quote(sheet.find((s) => s.line === p.line)?.values.code ?? '');
    if (!e || p.reasons.length) return { line: p.line, status: 'refused', subject, details: p.reasons };
    const sectorId = sectorByName.get(foldVietnamese(e.sectorName)) ?? null;
    const newSector = sectorId ? [] : [`lĩnh vực mới ${quote(e.sectorName)}`];
    const current = currentByCode.get(e.code) ?? null;
    if (!current) return { line: p.line, status: 'created', subject, details: [...newSector, ...p.remarks] };
    p.current = current;
    if (current.unitIds[0] !== e.unitId) {
      p.reasons.push(
        `Cơ quan thực hiện đổi từ ${quote(unitNames.get(current.unitIds[0]!) ?? '')}: quy trình nội bộ gắn với cơ quan cũ; hãy sửa thủ tục trên màn hình Quản trị → Thủ tục hành chính.`,
      );
      return { line: p.line, status: 'refused', subject, details: p.reasons };
    }
    p.changes = changesOf(e, current, sectorId, sectorNames);
    if (!p.changes.length) return { line: p.line, status: 'unchanged', subject, details: [] };
    // The next version must be one the screen would save: the same rules (a rescaled process that no longer fits…).
    const problems = versionProblems(e.code, current, nextContent(e, current, sectorId ?? current.sectorId));
    if (problems.length) {
      p.reasons.push(...problems.map((m) => `Phiên bản mới không hợp lệ: ${m}`));
      return { line: p.line, status: 'refused', subject, details: p.reasons };
    }
    const rescaled = rescales(e, current) ? ['thời gian các bước của quy trình được chia lại theo thời hạn mới'] : [];
    return { line: p.line, status: 'updated', subject, details: [...p.changes, ...rescaled, ...p.remarks] };
  });
  const write = async (tx: Tx) => {
    const taken = new Set(allSectors.map((s) => s.code));
    for (const [i, p] of plans.entries()) {
      const e = p.entry!;
      if (report[i]!.status === 'unchanged') continue;
      try {
        const sectorId =
          sectorByName.get(foldVietnamese(e.sectorName)) ?? (await createSector(tx, actor, e.sectorName, taken, index.root.id));
        sectorByName.set(foldVietnamese(e.sectorName), sectorId);
        if (!p.current) await createProcedure(tx, actor, e, sectorId);
        else await newVersion(tx, actor, e, p.current, sectorId, p.changes);
      } catch (err) {
        // A use case or the database refused a row the plan accepted: nothing is written; the report says which row.
        throw rowWriteError(i, err);
      }
    }
    const { created, updated, unchanged } = makeReport(report, true).counts;
    await recordAudit(tx, {
      action: 'procedure.import',
      actor,
      unitId: index.root.id,
      data: { rows: plans.length, created, updated, unchanged, file: source },
    });
  };
  return { report, write };
}

async function createSector(tx: Tx, actor: Actor, name: string, taken: Set<string>, rootId: string): Promise<string> {
  const [s] = await tx
    .insert(sectors)
    .values({ code: sectorCode(name, taken), name })
    .returning();
  await recordAudit(tx, {
    action: 'sector.create',
    actor,
    targetType: 'sector',
    targetId: s!.id,
    unitId: rootId,
    data: { new: { code: s!.code, name } },
  });
  return s!.id;
}

function createProcedure(tx: Tx, actor: Actor, e: Entry, sectorId: string) {
  return saveProcedure(tx, actor, null, {
    code: e.code,
    name: e.name,
    sectorId,
    unitId: e.unitId,
    limitKind: e.kind,
    limit: String(e.limit),
    after1500NextDay: e.after1500,
    fee: String(e.fee),
    feeNote: e.feeNote ?? undefined,
    onlineLevel: e.level ?? 'mot_phan',
    resultName: e.resultName ?? undefined,
    documents: e.documents.map((d) => (d.required ? d.name : `${d.name} (nếu có)`)).join('\n'),
    declaration: '',
    steps: defaultSteps(e.unitId, stepBudget(e.kind, e.limit)),
  });
}

async function newVersion(tx: Tx, actor: Actor, e: Entry, seen: ProcedureVersion, sectorId: string, changes: string[]) {
  const previous = await lockCurrentVersion(tx, actor, seen.procedureId);
  const saved = await writeNextVersion(tx, actor, previous, nextContent(e, previous, sectorId));
  await recordAudit(tx, {
    action: 'procedure.new_version',
    actor,
    targetType: 'procedure',
    targetId: saved.procedureId,
    unitId: e.unitId,
    data: {
      code: e.code,
      version: saved.version,
      source: 'import',
      changes,
      old: {
        version: previous.version,
        name: previous.name,
        workingDays: previous.workingDays,
        workingHours: previous.workingHours,
        fee: previous.fee,
      },
      new: { name: e.name, limit: e.limit, limitKind: e.kind, fee: e.fee },
    },
  });
}
