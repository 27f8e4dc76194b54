/**
 * Import the unit tree from a sheet (name, parent, electronic agency code, unit type): rows in any order, parents
 * named by code or name, the tree resolved and checked as a whole before anything is written. A dry run reports
 * per row; applying writes every row in one transaction through the ordinary use cases (create, update, move), so
 * each change has its own audit row, plus one row for the import. Any refused row refuses the file.
 * Matching: a row is an existing unit with its agency code, else the unit of the same name under the same parent.
 * An empty code cell keeps a unit's code (an import never clears one). See docs/decisions/0030.
 */
import type { Db, Tx } from '../db/client.js';
import { units } from '../db/schema/index.js';
import { eq } from 'drizzle-orm';
import { recordAudit } from '../audit/record.js';
import { canAdministerUnit } from '../accounts/policies.js';
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
import { foldVietnamese } from '../shared/text.js';
import { createUnit } from './create-unit.js';
import { UNIT_KIND_HINT, UNIT_SHEET, type UnitColumn, unitKindOf } from './import-units-columns.js';
import { moveUnit } from './move-unit.js';
import { lockDelegationAgencies } from '../delegation/agency-lock.js';
import { UNIT_KIND_LABELS, UnitInput } from './unit-input.js';
import { kindMisfitReason } from './unit-kind-rule.js';
import { rowsPlacingTooDeep } from './import-units-depth.js';
import { tooDeepMessage } from './unit-depth.js';
import { foreignCodeReason, provinceGroupOf } from './unit-queries.js';
import { updateUnit } from './update-unit.js';

type Unit = typeof units.$inferSelect;
/** A unit of the tree being built: `u:<id>` an existing unit no row names, `r:<index>` a row of the sheet. */
type NodeKey = string;

type Row = {
  line: number;
  input: UnitInput | null;
  /** The short name cell, when the sheet has one and it is filled (otherwise the unit keeps its own). */
  shortName: string | null;
  parentRef: string;
  reasons: string[];
  /** The existing unit the row is, if any. */
  match: Unit | null;
  parent: NodeKey | null;
  isRoot: boolean;
};

function label(column: UnitColumn): string {
  return UNIT_SHEET.columns.find(([k]) => k === column)?.[1] ?? column;
}

function parseRow(raw: TableRow<UnitColumn>, provinceGroup: string | null): Row {
  const v = raw.values;
  const reasons: string[] = [];
  for (const c of raw.formulas) reasons.push(`Ô "${label(c)}" chứa công thức; hãy dán giá trị thay cho công thức.`);
  for (const c of ['name', 'parent', 'shortName', 'kind'] as const) {
    if (v[c] && looksLikeFormula(v[c])) reasons.push(`Ô "${label(c)}" không được bắt đầu bằng =, + hoặc @.`);
  }
  const kind = unitKindOf(v.kind ?? '');
  if (!v.kind) reasons.push('Chưa ghi loại đơn vị.');
  else if (!kind) reasons.push(`Loại đơn vị ${quote(v.kind)} không hợp lệ; dùng một trong: ${UNIT_KIND_HINT}.`);
  const parsed = UnitInput.safeParse({
    name: v.name ?? '',
    shortName: v.shortName || undefined,
    agencyCode: v.agencyCode || undefined,
    kind: kind ?? '',
  });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) if (issue.path[0] !== 'kind') reasons.push(issue.message);
  }
  const input = parsed.success ? parsed.data : null;
  const foreign = input?.agencyCode ? foreignCodeReason(input.agencyCode, provinceGroup) : null;
  if (foreign) reasons.push(foreign);
  return {
    line: raw.line,
    input,
    shortName: input?.shortName ?? null,
    parentRef: (v.parent ?? '').trim(),
    reasons,
    match: null,
    parent: null,
    isRoot: false,
  };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  map.set(key, [...(map.get(key) ?? []), value]);
}

/** Dry run, or apply in one transaction that plans again (shared/import-plan.ts: claim, expected plan). */
export function importUnits(
  db: Db,
  actor: StaffActor | SystemActor,
  sheet: TableRow<UnitColumn>[],
  opts: ImportOptions,
): Promise<ImportResult> {
  return runImport(db, opts, (q) => planUnits(q, actor, sheet, opts.source ?? null, opts.now));
}

async function planUnits(
  db: Db,
  actor: StaffActor | SystemActor,
  sheet: TableRow<UnitColumn>[],
  source: ImportSource | null,
  now: Date,
): Promise<ImportPlan> {
  const existing = await db.select().from(units).where(eq(units.active, true));
  const root = existing.find((u) => !u.parentId);
  if (!root) {
    throw new AppError('import_no_root', 'Chưa có đơn vị gốc (tỉnh). Hãy chạy "npm run setup" trước khi nhập cây đơn vị.', 409);
  }
  if (!(await canAdministerUnit(db, actor, root.id))) {
    throw new AppError('forbidden', 'Chỉ quản trị viên cấp tỉnh được nhập cây đơn vị.', 403);
  }
  const rows = sheet.map((r) => parseRow(r, provinceGroupOf(root.agencyCode)));
  const byId = new Map(existing.map((u) => [u.id, u]));
  const existingByCode = new Map(existing.flatMap((u) => (u.agencyCode ? [[u.agencyCode, u] as const] : [])));

  // Codes: unique in the file; a code already in the tree is that unit.
  const rowsByCode = new Map<string, number[]>();
  rows.forEach((r, i) => {
    if (r.input?.agencyCode) push(rowsByCode, r.input.agencyCode, i);
  });
  for (const [code, idx] of rowsByCode) {
    if (idx.length > 1) {
      for (const i of idx) {
        const others = idx.filter((j) => j !== i).map((j) => rows[j]!.line);
        rows[i]!.reasons.push(`Mã định danh ${code} trùng với dòng ${others.join(', ')}.`);
      }
    } else {
      rows[idx[0]!]!.match = existingByCode.get(code) ?? null;
    }
  }

  // Parents: a row of the file first (by code, then by name), then a unit already in the tree.
  const rowsByName = new Map<string, number[]>();
  rows.forEach((r, i) => {
    if (!r.input) return;
    push(rowsByName, foldVietnamese(r.input.name), i);
    if (r.input.shortName) push(rowsByName, foldVietnamese(r.input.shortName), i);
  });
  const unitsByName = new Map<string, Unit[]>();
  for (const u of existing) {
    push(unitsByName, foldVietnamese(u.name), u);
    if (u.shortName) push(unitsByName, foldVietnamese(u.shortName), u);
  }
  const nodeOfUnit = (u: Unit): NodeKey => {
    const i = rows.findIndex((r) => r.match?.id === u.id);
    return i >= 0 ? `r:${i}` : `u:${u.id}`;
  };
  const resolve = (ref: string): NodeKey | string[] => {
    const code = ref.toUpperCase();
    const byCode = rowsByCode.get(code);
    if (byCode?.length === 1) return `r:${byCode[0]}`;
    const unit = existingByCode.get(code);
    if (unit) return nodeOfUnit(unit);
    const key = foldVietnamese(ref);
    const fileRows = [...new Set(rowsByName.get(key) ?? [])];
    if (fileRows.length === 1) return `r:${fileRows[0]}`;
    if (fileRows.length > 1) {
      return [
        `Có nhiều dòng tên ${quote(ref)} (dòng ${fileRows.map((i) => rows[i]!.line).join(', ')}); hãy ghi mã định danh của đơn vị cấp trên.`,
      ];
    }
    const named = [...new Set(unitsByName.get(key) ?? [])];
    if (named.length === 1) return nodeOfUnit(named[0]!);
    if (named.length > 1) return [`Có nhiều đơn vị tên ${quote(ref)}; hãy ghi mã định danh của đơn vị cấp trên.`];
    return [`Không tìm thấy đơn vị cấp trên ${quote(ref)} trong tệp hay trong cây đơn vị.`];
  };
  rows.forEach((r) => {
    if (!r.input) return;
    const namesRoot = r.match?.id === root.id || (!r.input.agencyCode && foldVietnamese(r.input.name) === foldVietnamese(root.name));
    if (!r.parentRef) {
      if (namesRoot) {
        r.isRoot = true;
        r.match = root;
      } else r.reasons.push('Chưa ghi đơn vị cấp trên.');
      return;
    }
    if (r.match?.id === root.id) {
      r.reasons.push('Đơn vị gốc (tỉnh) không có đơn vị cấp trên; để trống ô này.');
      return;
    }
    const p = resolve(r.parentRef);
    if (Array.isArray(p)) r.reasons.push(...p);
    else r.parent = p;
  });
  for (const r of rows) {
    const misfit = r.input && (r.isRoot || r.parent) ? kindMisfitReason(r.input.kind, r.isRoot) : null;
    if (misfit) r.reasons.push(misfit);
  }

  // Rows without a code match: the unit of the same name under the same parent, once that parent is known.
  const existingIdOf = (node: NodeKey | null): string | null =>
    !node ? null : node.startsWith('u:') ? node.slice(2) : (rows[Number(node.slice(2))]!.match?.id ?? null);
  for (let changed = true; changed; ) {
    changed = false;
    for (const r of rows) {
      if (r.match || !r.input || !r.parent) continue;
      const parentId = existingIdOf(r.parent);
      if (!parentId) continue;
      const name = foldVietnamese(r.input.name);
      const same = existing.find((u) => u.parentId === parentId && foldVietnamese(u.name) === name);
      if (!same) continue;
      if (same.agencyCode && r.input.agencyCode && same.agencyCode !== r.input.agencyCode) {
        r.reasons.push(
          `Đơn vị ${quote(same.name)} đã có mã định danh ${same.agencyCode}, khác mã trong tệp; đổi mã trên màn hình Quản trị → Đơn vị.`,
        );
        continue;
      }
      r.match = same;
      changed = true;
    }
  }
  const rowsByUnit = new Map<string, number[]>();
  rows.forEach((r, i) => {
    if (r.match) push(rowsByUnit, r.match.id, i);
  });
  for (const idx of rowsByUnit.values()) {
    for (const i of idx.slice(1)) rows[i]!.reasons.push(`Đơn vị này đã có ở dòng ${rows[idx[0]!]!.line}.`);
  }

  // The tree after the import: every row under its parent, the other units where they are.
  const parentOf = (node: NodeKey): NodeKey | null => {
    if (node.startsWith('r:')) return rows[Number(node.slice(2))]!.parent;
    const parentId = byId.get(node.slice(2))?.parentId;
    const parent = parentId ? byId.get(parentId) : undefined;
    return parent ? nodeOfUnit(parent) : null;
  };
  const inCycle = new Set<number>();
  rows.forEach((r, i) => {
    if (!r.parent || inCycle.has(i)) return;
    const path: NodeKey[] = [`r:${i}`];
    for (let node = r.parent; node; node = parentOf(node)!) {
      const at = path.indexOf(node);
      if (at >= 0) {
        const loop = path
          .slice(at)
          .filter((n) => n.startsWith('r:'))
          .map((n) => Number(n.slice(2)));
        const lines = [...loop, loop[0]!].map((j) => `dòng ${rows[j]!.line}`).join(' → ');
        for (const j of loop) {
          if (inCycle.has(j)) continue;
          inCycle.add(j);
          rows[j]!.reasons.push(`Vòng lặp đơn vị cấp trên: ${lines}.`);
        }
        break;
      }
      path.push(node);
      if (path.length > existing.length + rows.length + 1) break;
    }
  });
  // Depth (unit-depth.ts), before the refusals flow down to children: the row placing a unit too deep is refused.
  const allUnits = await db.select({ id: units.id, parentId: units.parentId }).from(units);
  for (const [i, level] of rowsPlacingTooDeep(rows, allUnits)) {
    if (!rows[i]!.reasons.length) rows[i]!.reasons.push(tooDeepMessage(level));
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const r of rows) {
      if (r.reasons.length || !r.parent?.startsWith('r:')) continue;
      const parent = rows[Number(r.parent.slice(2))]!;
      if (parent.reasons.length) {
        r.reasons.push(`Đơn vị cấp trên (dòng ${parent.line}) bị từ chối.`);
        changed = true;
      }
    }
  }

  const nameOf = (node: NodeKey | null): string =>
    !node ? '' : node.startsWith('r:') ? (rows[Number(node.slice(2))]!.input?.name ?? '') : (byId.get(node.slice(2))?.name ?? '');
  const report: ImportRowReport[] = rows.map((r) => {
    const subject = r.input
      ? `${quote(r.input.name)}${r.input.agencyCode ? ` (${r.input.agencyCode})` : ''}`
      : quote(sheet.find((s) => s.line === r.line)?.values.name ?? '');
    if (r.reasons.length || !r.input) return { line: r.line, status: 'refused', subject, details: r.reasons };
    if (!r.match) return { line: r.line, status: 'created', subject, details: [`thuộc ${quote(nameOf(r.parent))}`] };
    const moved = !r.isRoot && existingIdOf(r.parent) !== r.match.parentId;
    const changes = changesOf(r.input, r.shortName, r.match);
    if (moved) changes.push(`chuyển sang đơn vị cấp trên ${quote(nameOf(r.parent))}`);
    return { line: r.line, status: changes.length ? 'updated' : 'unchanged', subject, details: changes };
  });
  return { report, write: (tx) => writeUnits(tx, actor, rows, report, root.id, source, now) };
}

/** Writes a plan without refused rows through the ordinary use cases, parents before children, then the import's audit row. */
async function writeUnits(
  tx: Tx,
  actor: StaffActor | SystemActor,
  rows: Row[],
  report: ImportRowReport[],
  rootId: string,
  source: ImportSource | null,
  now: Date,
): Promise<void> {
  // The delegations' lock first, before any row, as every move takes it (delegation/agency-lock.ts).
  await lockDelegationAgencies(tx);
  // The depth limit holds for the tree this leaves, not for each step on the way (a row may move a unit under one a
  // later row lifts): checked once more here, under the lock (the plan read the tree before it), and the steps below
  // skip their own check.
  const treeNow = await tx.select({ id: units.id, parentId: units.parentId }).from(units);
  const [tooDeep] = rowsPlacingTooDeep(rows, treeNow);
  if (tooDeep) throw rowWriteError(tooDeep[0], new AppError('unit_too_deep', tooDeepMessage(tooDeep[1]), 409));
  // Parents before children: a row's depth counts the rows above it in the new tree (no cycle is left).
  const depth = (i: number): number => {
    const p = rows[i]!.parent;
    return p?.startsWith('r:') ? 1 + depth(Number(p.slice(2))) : 0;
  };
  const order = rows.map((_, i) => i).sort((a, b) => depth(a) - depth(b));
  const idOfRow = new Map<number, string>();
  const unitIdOf = (node: NodeKey): string => (node.startsWith('u:') ? node.slice(2) : idOfRow.get(Number(node.slice(2)))!);
  for (const i of order) {
    const r = rows[i]!;
    const input = r.input!;
    try {
      if (!r.match) {
        const unit = await createUnit(
          tx,
          actor,
          unitIdOf(r.parent!),
          {
            name: input.name,
            shortName: input.shortName ?? undefined,
            agencyCode: input.agencyCode ?? undefined,
            kind: input.kind,
          },
          { finalTreeChecked: true },
        );
        idOfRow.set(i, unit.id);
        continue;
      }
      const u = r.match;
      idOfRow.set(i, u.id);
      if (changesOf(input, r.shortName, u).length) {
        await updateUnit(
          tx,
          actor,
          u.id,
          {
            name: input.name,
            shortName: r.shortName ?? u.shortName ?? undefined,
            agencyCode: input.agencyCode ?? u.agencyCode ?? undefined,
            kind: input.kind,
          },
          now,
        );
      }
      if (!r.isRoot && r.parent) {
        const parentId = unitIdOf(r.parent);
        if (parentId !== u.parentId) await moveUnit(tx, actor, u.id, parentId, now, { finalTreeChecked: true });
      }
    } catch (err) {
      // A use case or the database refused a row the plan accepted: nothing is written; the report says which row.
      throw rowWriteError(i, err);
    }
  }
  const { created, updated, unchanged } = makeReport(report, true).counts;
  await recordAudit(tx, {
    action: 'unit.import',
    actor,
    targetType: 'unit',
    targetId: rootId,
    unitId: rootId,
    data: { rows: rows.length, created, updated, unchanged, file: source },
  });
}

/** What an import row changes in the fields of the unit it matched, in words (the parent is compared apart). */
function changesOf(input: UnitInput, shortName: string | null, u: Unit): string[] {
  const out: string[] = [];
  if (input.name !== u.name) out.push(`tên ${quote(u.name)} → ${quote(input.name)}`);
  if (shortName && shortName !== u.shortName) out.push(`tên viết tắt → ${quote(shortName)}`);
  if (input.kind !== u.kind) out.push(`loại ${UNIT_KIND_LABELS[u.kind]} → ${UNIT_KIND_LABELS[input.kind]}`);
  if (input.agencyCode && !u.agencyCode) out.push(`thêm mã định danh ${input.agencyCode}`);
  return out;
}
