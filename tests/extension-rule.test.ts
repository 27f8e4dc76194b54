/**
 * Gia hạn (Mẫu 04, Phiếu xin lỗi và hẹn lại ngày trả kết quả) only before the due date, and once (extension-rule.ts,
 * Nghị định 61/2018/NĐ-CP as amended by Nghị định 107/2021/NĐ-CP). An attacker review: an official whose dossier was
 * three working days late extended it a week ahead; approved the next day, it was counted settled early in Biểu 06 and
 * on time for the QĐ 766 index — the lateness the apology admits, erased.
 */
import { describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { dossiers } from '../src/db/schema/index.js';
import { viewDossier } from '../src/dossiers/view-dossier.js';
import { EXTENSION_REFUSALS } from '../src/dossiers/extension-rule.js';
import type { AppError } from '../src/shared/errors.js';
import { queryRows } from '../src/db/client.js';
import { useDemoApp } from './support/fixtures.js';
import { statisticsScenario, vn } from './support/statistics.js';
import { recordSignedResult } from './support/results.js';

const t = useDemoApp();
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: AppError) => e.fields?.newDueDate ?? e.message,
  );
const row = async (id: string) => (await t.database.db.select().from(dossiers).where(eq(dossiers.id, id)))[0]!;

describe('Gia hạn', () => {
  it('after the due date it is refused and not offered; the dossier settled late is counted late', async () => {
    const s = await statisticsScenario(t.database, 'Trần Thị Thử');
    const d = await s.receive('1', '2026-11-23T09:00'); // 10 working days: due Mon 07/12 17:00
    await s.act(s.clerk, d.id, 'handover', '2026-11-23T10:00');
    // The last minute of the due day: still offered.
    expect((await viewDossier(t.database.db, s.expert, d.id, vn('2026-12-07T16:59'))).actions).toContain('extend');
    // Thu 10/12: three working days late.
    expect((await viewDossier(t.database.db, s.expert, d.id, vn('2026-12-10T09:00'))).actions).not.toContain('extend');
    const before = await row(d.id);
    const late = s.act(s.expert, d.id, 'extend', '2026-12-10T09:00', { note: 'Cần xác minh thêm', newDueDate: '18/12/2026' });
    expect(await refusal(late)).toBe(EXTENSION_REFUSALS.late);
    expect(await row(d.id)).toEqual(before);
    await recordSignedResult(t.database.db, s.expert, d.id, vn('2026-12-10T10:00'));
    await s.act(s.expert, d.id, 'handover', '2026-12-10T10:30');
    await s.act(s.director, d.id, 'approve', '2026-12-11T09:00');
    const measures = await queryRows<{ measure: string }>(
      t.database.db,
      sql`select measure from stats_counts where grain = 'd' and measure like 'settled%' and n > 0 order by measure`,
    );
    expect(measures.map((r) => r.measure)).toContain('settled_late');
    expect(measures.map((r) => r.measure)).not.toContain('settled_early');
  });

  it('before the due date it is made once; a second is refused and no longer offered', async () => {
    const s = await statisticsScenario(t.database, 'Lê Văn Hẹn');
    const d = await s.receive('1', '2026-11-23T09:00');
    await s.act(s.clerk, d.id, 'handover', '2026-11-23T10:00');
    const first = await s.act(s.expert, d.id, 'extend', '2026-12-03T09:00', { note: 'Cần xác minh', newDueDate: '15/12/2026' });
    expect(first.dueAt).toEqual(vn('2026-12-15T17:00'));
    expect((await viewDossier(t.database.db, s.expert, d.id, vn('2026-12-04T09:00'))).actions).not.toContain('extend');
    const again = s.act(s.expert, d.id, 'extend', '2026-12-04T09:00', { note: 'Còn xác minh', newDueDate: '22/12/2026' });
    expect(await refusal(again)).toBe(EXTENSION_REFUSALS.again);
    expect((await row(d.id)).dueAt).toEqual(vn('2026-12-15T17:00'));
  });
});
