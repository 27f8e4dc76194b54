import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { demoOfficials } from '../src/demo/officials.js';
import { accounts, dossiers, roleGrants } from '../src/db/schema/index.js';
import { receiveAtCounter } from './support/reception.js';
import { actOnDossier } from '../src/dossiers/act-on-dossier.js';
import { viewDossier } from '../src/dossiers/view-dossier.js';
import { listTracking, TRACKING_LISTS, type TrackingFilter, type TrackingList } from '../src/dossiers/tracking.js';
import type { StaffActor } from '../src/shared/context.js';

const t = useDemoApp();
const vn = (s: string) => new Date(`${s}+07:00`);
const NOW = vn('2026-11-25T09:00');
const SOON = vn('2026-11-26T09:00');
const who = (unitKey: string, position: string) => demoOfficials().find((o) => o.unitKey === unitKey && o.position === position)!.username;
const LISTS = Object.keys(TRACKING_LISTS) as TrackingList[];

const list = (actor: StaffActor, which: TrackingList, f: TrackingFilter = {}) => listTracking(t.database.db, actor, which, f, NOW, SOON);
const ids = async (actor: StaffActor, which: TrackingList, f: TrackingFilter = {}) => (await list(actor, which, f)).rows.map((r) => r.id);

/** Four dossiers at the Sở Công Thương desk on four days, two at Sở Nội vụ; one of Sở Công Thương handed on. */
async function scene() {
  const clerk = await actorFor(t.database, sctClerkUsername());
  const snvClerk = await actorFor(t.database, who('snv-vp', 'Chuyên viên'));
  const liquor = (await currentProcedure(t.database, '2.000633')).p.id;
  const medal = (await currentProcedure(t.database, '1.000775')).p.id;
  const names = ['Nguyễn Văn An', 'Trần Thị Bình', 'Lê Văn Cường', 'Phạm Thị Dung'];
  const sct = [];
  for (const [i, fullName] of names.entries())
    sct.push(await receiveAtCounter(t.database.db, clerk, { procedureId: liquor, channel: '1', fullName }, vn(`2026-11-1${i}T09:00`)));
  const snv = [];
  for (const fullName of ['Hoàng Văn Em', 'Võ Thị Giang'])
    snv.push(await receiveAtCounter(t.database.db, snvClerk, { procedureId: medal, channel: '1', fullName }, vn('2026-11-12T10:00')));
  await actOnDossier(t.database.db, clerk, sct[1]!.id, { action: 'handover' }, vn('2026-11-13T08:00'));
  return { clerk, snvClerk, sct, snv };
}

describe('hồ sơ đã tiếp nhận, theo dõi, tất cả hồ sơ', () => {
  it('the clerk keeps sight of what they received and handed on, newest first, with who holds it now', async () => {
    const { clerk, sct } = await scene();
    const received = await list(clerk, 'da-tiep-nhan');
    expect(received.rows.map((r) => r.id)).toEqual([...sct].reverse().map((d) => d.id));
    const handed = received.rows.find((r) => r.id === sct[1]!.id)!;
    expect(handed).toMatchObject({
      status: 'processing',
      currentStep: 1,
      holderRole: 'processing',
      holderUnit: expect.stringMatching(/Thương mại/),
    });
    expect(handed.stepName).toBeTruthy();
    // Theo dõi holds the same dossiers (all of the desk's procedure), the handed one with its new holder.
    expect(new Set(await ids(clerk, 'theo-doi'))).toEqual(new Set(sct.map((d) => d.id)));
    // The expert who now holds it follows it too; a clerk is no leader: Tất cả hồ sơ is empty.
    const expert = await actorFor(t.database, who('sct-qltm', 'Chuyên viên'));
    expect(await ids(expert, 'theo-doi')).toContain(sct[1]!.id);
    expect(await ids(expert, 'da-tiep-nhan')).toEqual([]);
    expect(await ids(clerk, 'tat-ca')).toEqual([]);
  });

  it('a leader sees every dossier of the units they lead, and none of another unit', async () => {
    const { sct, snv } = await scene();
    const director = await actorFor(t.database, who('sct-ld', 'Giám đốc'));
    expect(new Set(await ids(director, 'tat-ca'))).toEqual(new Set(sct.map((d) => d.id)));
    const snvLeader = await actorFor(t.database, who('snv-tcbc', 'Trưởng phòng'));
    expect(new Set(await ids(snvLeader, 'tat-ca'))).toEqual(new Set(snv.map((d) => d.id)));
  });

  it('every dossier any demo official finds in any list opens for them; another unit’s never lists', async () => {
    const { sct, snv } = await scene();
    const sctIds = new Set(sct.map((d) => d.id));
    const snvIds = new Set(snv.map((d) => d.id));
    let listed = 0;
    for (const o of demoOfficials()) {
      const actor = await actorFor(t.database, o.username);
      for (const which of LISTS) {
        for (const row of (await list(actor, which)).rows) {
          listed++;
          await expect(viewDossier(t.database.db, actor, row.id, NOW)).resolves.toBeTruthy();
          if (o.unitKey.startsWith('snv')) expect(sctIds.has(row.id)).toBe(false);
          if (o.unitKey.startsWith('sct')) expect(snvIds.has(row.id)).toBe(false);
        }
      }
    }
    expect(listed).toBeGreaterThan(10);
  });

  it('filters as the inbox does and pages by keyset, every dossier once', async () => {
    const { clerk, sct } = await scene();
    expect(await ids(clerk, 'da-tiep-nhan', { q: 'binh' })).toEqual([sct[1]!.id]);
    expect(await ids(clerk, 'da-tiep-nhan', { q: sct[2]!.code.slice(-8).toLowerCase() })).toEqual([sct[2]!.id]);
    expect(await ids(clerk, 'theo-doi', { from: vn('2026-11-11T00:00'), to: vn('2026-11-13T00:00') })).toEqual([sct[2]!.id, sct[1]!.id]);
    const medalSector = (await currentProcedure(t.database, '1.000775')).v.sectorId;
    expect(await ids(clerk, 'theo-doi', { sectorId: medalSector })).toEqual([]);
    // Received on 10/11 with ten working days, the first is late on 25/11; the three states part the four.
    const late = await ids(clerk, 'theo-doi', { dueState: 'qua-han' });
    expect(late).toEqual([sct[0]!.id]);
    const states = [
      ...late,
      ...(await ids(clerk, 'theo-doi', { dueState: 'sap-den-han' })),
      ...(await ids(clerk, 'theo-doi', { dueState: 'con-han' })),
    ];
    expect(states.sort()).toEqual(sct.map((d) => d.id).sort());
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await list(clerk, 'theo-doi', { limit: 1, after });
      seen.push(...page.rows.map((r) => r.id));
      after = page.next ?? undefined;
    } while (after);
    expect(seen).toEqual([...sct].reverse().map((d) => d.id));
    // A forged cursor starts from the top instead of failing.
    expect(await ids(clerk, 'theo-doi', { after: 'x|not-an-id' })).toHaveLength(4);
  });

  it('a clerk who lost the role no longer lists the dossiers they received (nor may open them)', async () => {
    const { clerk, sct } = await scene();
    await t.database.db.delete(roleGrants).where(eq(roleGrants.accountId, clerk.accountId));
    for (const which of LISTS) expect(await ids(clerk, which)).toEqual([]);
    await expect(viewDossier(t.database.db, clerk, sct[0]!.id, NOW)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('a suspended leader lists nothing; a dossier moved to another agency leaves the leader’s list', async () => {
    const { sct, snv } = await scene();
    const director = await actorFor(t.database, who('sct-ld', 'Giám đốc'));
    // Forge a dossier of Sở Nội vụ onto the Sở Công Thương clerk's name: it still does not list for them.
    const clerk = await actorFor(t.database, sctClerkUsername());
    await t.database.db.update(dossiers).set({ receivedBy: clerk.accountId }).where(eq(dossiers.id, snv[0]!.id));
    expect(await ids(clerk, 'da-tiep-nhan')).not.toContain(snv[0]!.id);
    await t.database.db
      .update(accounts)
      .set({ suspended: true })
      .where(and(eq(accounts.id, director.accountId)));
    expect(await ids(director, 'tat-ca')).toEqual([]);
    expect(sct).toHaveLength(4);
  });
});
