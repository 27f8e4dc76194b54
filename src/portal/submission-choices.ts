/** THÔNG TIN DỊCH VỤ CÔNG: đơn vị tiếp nhận → lĩnh vực → thủ tục, each choice narrowing the next. */
import { inArray } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { units } from '../db/schema/index.js';
import { listCurrentProcedures } from '../procedures/list-procedures.js';

type Choice = { id: string; name: string };

export async function submissionChoices(db: Queryable, chosen: { unitId?: string | undefined; sectorId?: string | undefined }) {
  const all = await listCurrentProcedures(db);
  const unitIds = [...new Set(all.flatMap((p) => p.version.unitIds))];
  const unitRows = unitIds.length
    ? await db.select({ id: units.id, name: units.name, active: units.active }).from(units).where(inArray(units.id, unitIds))
    : [];
  const agencies: Choice[] = unitRows.filter((u) => u.active).map(({ id, name }) => ({ id, name }));
  agencies.sort((a, b) => a.name.localeCompare(b.name, 'vi'));
  const atUnit = chosen.unitId ? all.filter((p) => p.version.unitIds.includes(chosen.unitId ?? '')) : all;
  const sectorMap = new Map(atUnit.map((p) => [p.version.sectorId, p.sector]));
  const sectors: Choice[] = [...sectorMap].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name, 'vi'));
  const inSector = chosen.sectorId ? atUnit.filter((p) => p.version.sectorId === chosen.sectorId) : atUnit;
  const procedures: Choice[] = inSector.map((p) => ({ id: p.version.procedureId, name: p.version.name }));
  return { agencies, sectors, procedures, unitName: (id: string) => unitRows.find((u) => u.id === id)?.name ?? '' };
}
