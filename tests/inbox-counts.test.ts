import { describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { actorFor, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { demoOfficials } from '../src/demo/officials.js';
import { dossiers, notifications, procedures } from '../src/db/schema/index.js';
import { queryRows } from '../src/db/client.js';
import { receiveAtCounter } from './support/reception.js';
import { actOnDossier } from '../src/dossiers/act-on-dossier.js';
import { recordSignedResult } from './support/results.js';
import { listInbox } from '../src/dossiers/inbox.js';
import { OPEN_STATUSES_SQL } from '../src/dossiers/transitions.js';

const t = useDemoApp();
const vn = (s: string) => new Date(`${s}+07:00`);
const who = (unitKey: string, position: string) => demoOfficials().find((o) => o.unitKey === unitKey && o.position === position)!.username;

/** The kept counts and the counts taken from the dossiers themselves, as comparable lists. */
async function keptAndActual() {
  const kept = await queryRows<{ k: string; n: number }>(
    t.database.db,
    sql`select unit_id || ' ' || role || ' ' || status as k, n from inbox_counts where n <> 0 order by 1`,
  );
  const actual = await queryRows<{ k: string; n: number }>(
    t.database.db,
    sql`select current_unit_id || ' ' || "current_role" || ' ' || status as k, count(*)::int as n from dossiers
        where status in ${sql.raw(OPEN_STATUSES_SQL)} group by 1 order by 1`,
  );
  return { kept, actual };
}

describe('inbox counts kept by the database', () => {
  it('follow every transition, so unfiltered tab counts equal the dossiers counted one by one', async () => {
    const [p] = await t.database.db.select().from(procedures).where(eq(procedures.code, '2.000633'));
    const clerk = await actorFor(t.database, sctClerkUsername());
    const expert = await actorFor(t.database, who('sct-qltm', 'Chuyên viên'));
    const director = await actorFor(t.database, who('sct-ld', 'Giám đốc'));
    const receive = (channel: string, at: string) =>
      receiveAtCounter(t.database.db, clerk, { procedureId: p!.id, channel, fullName: 'Lý Thị Đếm' }, vn(at));
    const act = (a: typeof clerk, id: string, action: string, at: string, extra: Record<string, string> = {}) =>
      actOnDossier(t.database.db, a, id, { action, ...extra }, vn(at));

    const ds = [];
    for (let i = 0; i < 6; i++) ds.push(await receive(i < 5 ? '1' : '2', `2026-11-2${i % 3}T09:0${i}`));
    await act(clerk, ds[0]!.id, 'handover', '2026-11-23T10:00');
    await act(expert, ds[0]!.id, 'request_supplement', '2026-11-23T11:00', { note: 'Thiếu giấy tờ', items: 'Bản sao' });
    await act(clerk, ds[1]!.id, 'handover', '2026-11-23T10:00');
    await act(expert, ds[1]!.id, 'handover', '2026-11-23T11:00');
    await act(director, ds[1]!.id, 'return', '2026-11-23T14:00', { note: 'Xem lại' });
    await recordSignedResult(t.database.db, expert, ds[1]!.id, vn('2026-11-23T14:30'));
    await act(expert, ds[1]!.id, 'handover', '2026-11-23T15:00');
    await act(director, ds[1]!.id, 'approve', '2026-11-24T08:00');
    await act(clerk, ds[1]!.id, 'return_result', '2026-11-24T09:00', { returnChannel: '1' });
    await act(clerk, ds[2]!.id, 'refuse', '2026-11-23T10:00', { note: 'Không thuộc thẩm quyền' });
    await act(clerk, ds[5]!.id, 'accept', '2026-11-23T10:00');
    await act(clerk, ds[3]!.id, 'handover', '2026-11-23T10:00');
    await recordSignedResult(t.database.db, expert, ds[3]!.id, vn('2026-11-23T10:30'));
    await act(expert, ds[3]!.id, 'handover', '2026-11-23T11:00');
    await act(director, ds[3]!.id, 'approve', '2026-11-23T14:00');
    let { kept, actual } = await keptAndActual();
    // Waiting: a supplement at Quản lý Thương mại, received ones at the desk, one done for the result desk.
    expect(actual.map((r) => r.k.split(' ').slice(1).join(' ')).sort()).toEqual(
      ['reception received', 'processing supplement', 'result done'].sort(),
    );
    expect(kept).toEqual(actual);

    // A bulk update (many rows, one statement) and a delete are counted too.
    await t.database.db.update(dossiers).set({ status: 'stopped' }).where(eq(dossiers.procedureId, p!.id));
    ({ kept, actual } = await keptAndActual());
    expect(kept).toEqual(actual);
    await t.database.db.execute(sql`delete from dossier_events`);
    await t.database.db.execute(sql`delete from dossier_results`);
    await t.database.db.execute(sql`delete from dossier_components`);
    await t.database.db.execute(sql`delete from dossier_files`);
    await t.database.db.delete(notifications);
    await t.database.db.delete(dossiers);
    expect((await keptAndActual()).kept).toEqual([]);
  });

  it('give the same tab counts as counting with a filter that keeps everything', async () => {
    const [p] = await t.database.db.select().from(procedures).where(eq(procedures.code, '2.000633'));
    const clerk = await actorFor(t.database, sctClerkUsername());
    for (let i = 0; i < 4; i++)
      await receiveAtCounter(
        t.database.db,
        clerk,
        { procedureId: p!.id, channel: i === 0 ? '2' : '1', fullName: `Người nộp ${i}` },
        vn('2026-11-23T09:00'),
      );
    const now = vn('2026-11-23T12:00');
    const plain = await listInbox(t.database.db, clerk, {}, now, now);
    const filtered = await listInbox(t.database.db, clerk, { from: vn('2000-01-01T00:00') }, now, now);
    expect(plain.counts).toEqual({ 'cho-tiep-nhan': 1, 'cho-xu-ly': 3, 'bo-sung': 0, 'cho-tra': 0 });
    expect(filtered.counts).toEqual(plain.counts);
  });
});
