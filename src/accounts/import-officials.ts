import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { units } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { StaffActor } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { foldVietnamese } from '../shared/text.js';
import { createOfficial } from './create-official.js';
import { genderFromText } from './official-columns.js';
import { administeredUnitIds, requireAdministerUnit } from './policies.js';
import type { SheetRow } from './read-sheet.js';

export type ImportRowResult =
  | { line: number; username: string; ok: true; accountId: string; temporaryPassword: string }
  | { line: number; username: string; ok: false; reasons: string[] };

/**
 * Import officials row by row: each row is created in its own transaction or refused with its
 * reasons, so one bad row never blocks nor half-writes the others. Units are named by name,
 * short name or agency code, within the actor's scope; an empty cell means the chosen unit.
 */
export async function importOfficials(db: Db, actor: StaffActor, rows: SheetRow[], defaultUnitId: string | null, now: Date) {
  if (defaultUnitId) await requireAdministerUnit(db, actor, defaultUnitId);
  const scope = await administeredUnitIds(db, actor);
  const unitRows = scope.length
    ? await db
        .select({ id: units.id, name: units.name, shortName: units.shortName, agencyCode: units.agencyCode })
        .from(units)
        .where(and(inArray(units.id, scope), eq(units.active, true)))
    : [];
  const index = new Map<string, string[]>();
  const add = (k: string | null, id: string) => {
    if (!k) return;
    const key = foldVietnamese(k);
    index.set(key, [...(index.get(key) ?? []), id]);
  };
  for (const u of unitRows) {
    add(u.name, u.id);
    add(u.shortName, u.id);
    add(u.agencyCode, u.id);
  }

  const results: ImportRowResult[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const v = row.values;
    const username = (v.username ?? '').trim();
    const reasons: string[] = [];
    let unitId = defaultUnitId;
    if (v.unit) {
      const matches = [...new Set(index.get(foldVietnamese(v.unit)) ?? [])];
      if (matches.length === 1) unitId = matches[0]!;
      else if (matches.length > 1) reasons.push(`Có nhiều đơn vị tên "${v.unit}"; hãy ghi mã định danh hoặc tên viết tắt.`);
      else reasons.push(`Không tìm thấy đơn vị "${v.unit}" trong phạm vi bạn quản trị.`);
    } else if (!unitId) {
      reasons.push('Chưa ghi đơn vị/phòng ban.');
    }
    if (username && seen.has(username.toLowerCase())) reasons.push('Tên tài khoản bị lặp lại trong tệp.');
    if (reasons.length) {
      results.push({ line: row.line, username, ok: false, reasons });
      continue;
    }
    seen.add(username.toLowerCase());
    try {
      const { account, temporaryPassword } = await createOfficial(
        db,
        actor,
        {
          ...v,
          unitId,
          gender: genderFromText(v.gender ?? ''),
        },
        now,
      );
      results.push({ line: row.line, username, ok: true, accountId: account.id, temporaryPassword });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      const fieldReasons = err.fields ? Object.values(err.fields) : [err.message];
      results.push({ line: row.line, username, ok: false, reasons: fieldReasons });
    }
  }
  const created = results.filter((r) => r.ok).length;
  await db.transaction((tx) =>
    recordAudit(tx, {
      action: 'account.import',
      actor,
      unitId: defaultUnitId,
      data: {
        rows: rows.length,
        created,
        refused: results.length - created,
        refusedLines: results.filter((r) => !r.ok).map((r) => r.line),
      },
    }),
  );
  return { results, created, refused: results.length - created };
}
