import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { demoOfficials } from '../src/demo/officials.js';
import { dossiers, notifications } from '../src/db/schema/index.js';
import { queryRows } from '../src/db/client.js';
import { receiveAtCounter } from './support/reception.js';
import { actOnDossier } from '../src/dossiers/act-on-dossier.js';
import { listTracking } from '../src/dossiers/tracking.js';
import type { StaffActor } from '../src/shared/context.js';

const t = useDemoApp();
const vn = (s: string) => new Date(`${s}+07:00`);
const NOW = vn('2026-11-25T09:00');
const who = (unitKey: string, position: string) => demoOfficials().find((o) => o.unitKey === unitKey && o.position === position)!.username;
const theoDoi = async (actor: StaffActor) =>
  (await listTracking(t.database.db, actor, 'theo-doi', {}, NOW, vn('2026-11-26T09:00'))).rows.map((r) => r.id);

/** dossier_handlers as the triggers keep it, and as it follows from the history and the dossiers. */
async function keptAndActual() {
  const kept = await queryRows<{ k: string }>(
    t.database.db,
    sql`select account_id || ' ' || dossier_id || ' ' || received_at as k from dossier_handlers order by 1`,
  );
  const actual = await queryRows<{ k: string }>(
    t.database.db,
    sql`select distinct x.account_id || ' ' || d.id || ' ' || d.received_at as k from (
          select actor_id as account_id, dossier_id from dossier_events where actor_id is not null and actor_kind <> 'citizen'
          union select on_behalf_of, dossier_id from dossier_events where on_behalf_of is not null
        ) x join dossiers d on d.id = x.dossier_id order by 1`,
  );
  return { kept, actual };
}

describe('the dossiers that passed through an official’s hands (dossier_handlers)', () => {
  it('are kept by the database with each history row, follow a change of reception time, and go with the dossier', async () => {
    const clerk = await actorFor(t.database, sctClerkUsername());
    const expert = await actorFor(t.database, who('sct-qltm', 'Chuyên viên'));
    const liquor = (await currentProcedure(t.database, '2.000633')).p.id;
    const a = await receiveAtCounter(
      t.database.db,
      clerk,
      { procedureId: liquor, channel: '1', fullName: 'Đỗ Văn Hành' },
      vn('2026-11-10T09:00'),
    );
    const b = await receiveAtCounter(
      t.database.db,
      clerk,
      { procedureId: liquor, channel: '1', fullName: 'Mai Thị Tay' },
      vn('2026-11-11T09:00'),
    );
    await actOnDossier(t.database.db, clerk, a.id, { action: 'handover' }, vn('2026-11-12T08:00'));
    await actOnDossier(
      t.database.db,
      expert,
      a.id,
      { action: 'request_supplement', note: 'Thiếu giấy tờ', items: 'Bản sao' },
      vn('2026-11-12T10:00'),
    );
    // Online: received when the desk accepts it, which sets its reception time after the first history row.
    const c = await receiveAtCounter(
      t.database.db,
      clerk,
      { procedureId: liquor, channel: '2', fullName: 'Kha Văn Mạng' },
      vn('2026-11-09T09:00'),
    );
    await actOnDossier(t.database.db, clerk, c.id, { action: 'accept' }, vn('2026-11-13T09:00'));
    let { kept, actual } = await keptAndActual();
    expect(kept.length).toBeGreaterThanOrEqual(2);
    expect(kept).toEqual(actual);
    // One row per official and dossier, however many times they acted on it.
    const clerkRows = await queryRows<{ n: number }>(
      t.database.db,
      sql`select count(*)::int as n from dossier_handlers where account_id = ${clerk.accountId}::uuid`,
    );
    expect(clerkRows[0]!.n).toBe(3);
    expect(await theoDoi(clerk)).toEqual([c.id, b.id, a.id]);
    expect(await theoDoi(expert)).toContain(a.id);

    // A bulk change of reception time (as accepting an online dossier sets it) moves the rows with it.
    await t.database.db.update(dossiers).set({ receivedAt: sql`${dossiers.receivedAt} + interval '2 days'` });
    ({ kept, actual } = await keptAndActual());
    expect(kept).toEqual(actual);
    expect(await theoDoi(clerk)).toEqual([c.id, b.id, a.id]);

    await t.database.db.execute(sql`delete from dossier_events`);
    await t.database.db.execute(sql`delete from dossier_components`);
    await t.database.db.execute(sql`delete from dossier_files`);
    await t.database.db.delete(notifications);
    await t.database.db.delete(dossiers);
    expect((await keptAndActual()).kept).toEqual([]);
  });

  it('a history row on another unit’s dossier does not list it for an official who may not open it', async () => {
    const clerk = await actorFor(t.database, sctClerkUsername());
    const outsider = await actorFor(t.database, who('snv-vp', 'Chuyên viên'));
    const liquor = (await currentProcedure(t.database, '2.000633')).p.id;
    const d = await receiveAtCounter(
      t.database.db,
      clerk,
      { procedureId: liquor, channel: '1', fullName: 'Quách Văn Lạ' },
      vn('2026-11-10T09:00'),
    );
    // Forged straight into the history: the official of Sở Nội vụ "acted" on a dossier of Sở Công Thương.
    await t.database.db.execute(
      sql`insert into dossier_events (dossier_id, actor_kind, actor_id, actor_label, action, to_status)
          values (${d.id}::uuid, 'official', ${outsider.accountId}::uuid, 'forged', 'note', 'received')`,
    );
    expect((await keptAndActual()).kept.some((r) => r.k.startsWith(`${outsider.accountId} ${d.id}`))).toBe(true);
    expect(await theoDoi(outsider)).not.toContain(d.id);
    expect(await theoDoi(clerk)).toContain(d.id);
  });
});
