import { describe, expect, it } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import { actorFor, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { demoOfficials } from '../src/demo/officials.js';
import { accounts, dossiers, procedures, roleGrants } from '../src/db/schema/index.js';
import { receiveAtCounter } from './support/reception.js';
import { actOnDossier } from '../src/dossiers/act-on-dossier.js';
import { listInbox, type InboxFilter } from '../src/dossiers/inbox.js';
import type { StaffActor } from '../src/shared/context.js';

const t = useDemoApp();
const vn = (s: string) => new Date(`${s}+07:00`);
const who = (unitKey: string, position: string) => demoOfficials().find((o) => o.unitKey === unitKey && o.position === position)!.username;
const NOW = vn('2026-11-25T09:00');
const SOON = vn('2026-11-26T09:00');

async function procedureId(code: string) {
  const [p] = await t.database.db.select().from(procedures).where(eq(procedures.code, code));
  return p!.id;
}

/** Seven dossiers at the Sở Công Thương desk, received on different days, two procedures and sectors. */
async function desk() {
  const clerk = await actorFor(t.database, sctClerkUsername());
  const liquor = await procedureId('2.000633'); // 10 working days, sector LTHH
  const inspector = await procedureId('2.000176'); // 5 working days, sector DIEN
  const people = ['Nguyễn Văn An', 'Trần Thị Bình', 'Lê Văn Cường', 'Phạm Thị Dung', 'Hoàng Văn Em', 'Võ Thị Giang', 'Đặng Văn Hải'];
  const received = [];
  for (const [i, fullName] of people.entries()) {
    const at = vn(`2026-11-${String(9 + i).padStart(2, '0')}T09:00`);
    received.push(
      await receiveAtCounter(
        t.database.db,
        clerk,
        { procedureId: i % 3 === 2 ? inspector : liquor, channel: '1', fullName, phone: '0912000111' },
        at,
      ),
    );
  }
  return { clerk, received, liquor, inspector };
}

const list = (actor: StaffActor, f: InboxFilter = {}) => listInbox(t.database.db, actor, f, NOW, SOON);

describe('hồ sơ cần xử lý', () => {
  it('lists the dossiers at the official’s steps by due date, with counts per tab', async () => {
    const { clerk, received } = await desk();
    const res = await list(clerk);
    expect(res.rows).toHaveLength(7);
    const dues = res.rows.map((r) => r.dueAt.getTime());
    expect(dues).toEqual([...dues].sort((a, b) => a - b));
    expect(res.counts).toEqual({ 'cho-tiep-nhan': 0, 'cho-xu-ly': 7, 'bo-sung': 0, 'cho-tra': 0 });
    expect(res.rows[0]).toMatchObject({ status: 'received', channel: 1, currentStep: 0, procedureName: expect.any(String) });
    expect(res.rows[0]!.applicantName).toBeTruthy();
    expect(res.rows[0]!.receivedAt).toBeInstanceOf(Date);

    // One goes back to the applicant, one is handed over to Quản lý Thương mại, one comes in online.
    await actOnDossier(
      t.database.db,
      clerk,
      received[0]!.id,
      { action: 'request_supplement', note: 'Thiếu bản sao', items: 'Bản sao GCN' },
      NOW,
    );
    await actOnDossier(t.database.db, clerk, received[1]!.id, { action: 'handover' }, NOW);
    await receiveAtCounter(
      t.database.db,
      clerk,
      { procedureId: await procedureId('2.000633'), channel: '2', fullName: 'Bùi Thị Lan' },
      NOW,
    );
    const after = await list(clerk);
    expect(after.counts).toEqual({ 'cho-tiep-nhan': 1, 'cho-xu-ly': 5, 'bo-sung': 1, 'cho-tra': 0 });
    expect((await list(clerk, { tab: 'bo-sung' })).rows.map((r) => r.id)).toEqual([received[0]!.id]);
    expect((await list(clerk, { tab: 'cho-tiep-nhan' })).rows.map((r) => r.applicantName)).toEqual(['Bùi Thị Lan']);

    // The handed-over dossier is in the expert's inbox, not the clerk's.
    const expert = await actorFor(t.database, who('sct-qltm', 'Chuyên viên'));
    expect((await list(expert)).rows.map((r) => r.id)).toEqual([received[1]!.id]);
    expect(after.rows.map((r) => r.id)).not.toContain(received[1]!.id);
  });

  it('pages by keyset: every dossier once, in due-date order, and the counts do not depend on the page', async () => {
    const { clerk } = await desk();
    const all = (await list(clerk)).rows.map((r) => r.id);
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await list(clerk, { limit: 2, after });
      expect(res.counts['cho-xu-ly']).toBe(7);
      seen.push(...res.rows.map((r) => r.id));
      if (!res.next) break;
      after = res.next;
    }
    expect(seen).toEqual(all);
    // Two dossiers with the same due date are still both shown once.
    await t.database.db
      .update(dossiers)
      .set({ dueAt: vn('2026-12-01T17:00') })
      .where(inArray(dossiers.id, all.slice(2, 4)));
    const again: string[] = [];
    after = undefined;
    do {
      const res = await list(clerk, { limit: 3, after });
      again.push(...res.rows.map((r) => r.id));
      after = res.next ?? undefined;
    } while (after);
    expect(new Set(again).size).toBe(7);
    // A search pages the same way (all seven share a phone number), and counts what it found.
    const found: string[] = [];
    after = undefined;
    do {
      const res = await list(clerk, { q: '0912000111', limit: 3, after });
      expect(res.counts['cho-xu-ly']).toBe(7);
      found.push(...res.rows.map((r) => r.id));
      after = res.next ?? undefined;
    } while (after);
    expect(found).toEqual(again);
    // A forged cursor starts from the top rather than failing.
    expect((await list(clerk, { after: 'not-a-date|x' })).rows).toHaveLength(7);
  });

  it('filters by procedure, sector, due state, reception dates and free text without diacritics', async () => {
    const { clerk, received, inspector } = await desk();
    const byProcedure = await list(clerk, { procedureId: inspector });
    expect(byProcedure.rows.map((r) => r.applicantName).sort()).toEqual(['Lê Văn Cường', 'Võ Thị Giang']);
    expect(byProcedure.counts['cho-xu-ly']).toBe(2);
    const [dien] = await t.database.db.select({ sectorId: dossiers.sectorId }).from(dossiers).where(eq(dossiers.id, received[2]!.id));
    expect((await list(clerk, { sectorId: dien!.sectorId! })).rows).toHaveLength(2);

    // Due states against now = 25/11 09:00 and soon = 26/11 09:00.
    const ids = received.map((d) => d.id);
    await t.database.db
      .update(dossiers)
      .set({ dueAt: vn('2026-12-10T17:00') })
      .where(inArray(dossiers.id, ids));
    await t.database.db
      .update(dossiers)
      .set({ dueAt: vn('2026-11-24T17:00') })
      .where(eq(dossiers.id, ids[0]!));
    await t.database.db
      .update(dossiers)
      .set({ dueAt: vn('2026-11-25T17:00') })
      .where(eq(dossiers.id, ids[1]!));
    expect((await list(clerk, { dueState: 'qua-han' })).rows.map((r) => r.id)).toEqual([ids[0]]);
    expect((await list(clerk, { dueState: 'sap-den-han' })).rows.map((r) => r.id)).toEqual([ids[1]]);
    const ok = await list(clerk, { dueState: 'con-han' });
    expect(ok.rows).toHaveLength(5);
    expect(ok.counts['cho-xu-ly']).toBe(5);
    // Waiting for a supplement, the overdue one's clock is stopped: it is in none of the three, only in tam-dung.
    await actOnDossier(t.database.db, clerk, ids[0]!, { action: 'request_supplement', note: 'Thiếu bản sao', items: 'Bản sao' }, NOW);
    await t.database.db
      .update(dossiers)
      .set({ dueAt: vn('2026-11-24T17:00') })
      .where(eq(dossiers.id, ids[0]!));
    for (const dueState of ['qua-han', 'sap-den-han', 'con-han'] as const) {
      const res = await list(clerk, { tab: 'bo-sung', dueState });
      expect(res.rows, dueState).toEqual([]);
      expect(res.counts['bo-sung'], dueState).toBe(0);
    }
    expect((await list(clerk, { dueState: 'qua-han' })).counts['cho-xu-ly']).toBe(0);
    const paused = await list(clerk, { tab: 'bo-sung', dueState: 'tam-dung' });
    expect(paused.rows.map((r) => r.id)).toEqual([ids[0]]);
    expect(paused.counts).toEqual({ 'cho-tiep-nhan': 0, 'cho-xu-ly': 0, 'bo-sung': 1, 'cho-tra': 0 });
    expect((await list(clerk, { dueState: 'tam-dung' })).rows).toEqual([]);
    await actOnDossier(t.database.db, clerk, ids[0]!, { action: 'supplement_received' }, NOW);

    // Received 10/11 to 11/11 inclusive (the route turns dates into [from, to + 1 day)).
    const range = await list(clerk, { from: vn('2026-11-10T00:00'), to: vn('2026-11-12T00:00') });
    expect(range.rows.map((r) => r.applicantName).sort()).toEqual(['Lê Văn Cường', 'Trần Thị Bình']);

    expect((await list(clerk, { q: 'van cuong' })).rows.map((r) => r.applicantName)).toEqual(['Lê Văn Cường']);
    expect((await list(clerk, { q: 'VĂN CƯỜNG' })).rows).toHaveLength(1);
    expect((await list(clerk, { q: received[4]!.code.slice(-8) })).rows.map((r) => r.id)).toEqual([ids[4]]);
    expect((await list(clerk, { q: received[4]!.code.toLowerCase() })).rows.map((r) => r.id)).toEqual([ids[4]]);
    // LIKE wildcards typed by the official are plain characters.
    expect((await list(clerk, { q: '%' })).rows).toHaveLength(0);
    expect((await list(clerk, { q: 'khong ai ca' })).counts['cho-xu-ly']).toBe(0);
  });

  it('a role at a unit covers its subtree; admin roles and suspended accounts see nothing', async () => {
    const { clerk, received } = await desk();
    await actOnDossier(t.database.db, clerk, received[0]!.id, { action: 'handover' }, NOW);
    // An official of another Sở given the processing role at Sở Công Thương itself.
    const outsider = await actorFor(t.database, who('snv-vp', 'Chuyên viên'));
    expect((await list(outsider)).rows.map((r) => r.id)).not.toContain(received[0]!.id);
    const [sct] = await t.database.db
      .select({ unitId: accounts.unitId })
      .from(accounts)
      .where(eq(accounts.id, (await actorFor(t.database, who('sct-ld', 'Giám đốc'))).accountId));
    const { units } = await import('../src/db/schema/index.js');
    const [ld] = await t.database.db.select({ parentId: units.parentId }).from(units).where(eq(units.id, sct!.unitId!));
    await t.database.db.insert(roleGrants).values({ accountId: outsider.accountId, unitId: ld!.parentId!, role: 'processing' });
    expect((await list(outsider)).rows.map((r) => r.id)).toContain(received[0]!.id);

    const admin = await actorFor(t.database, 'quantri1');
    expect((await list(admin)).rows).toHaveLength(0);

    await t.database.db.update(accounts).set({ suspended: true }).where(eq(accounts.id, clerk.accountId));
    const none = await list(clerk);
    expect(none.rows).toHaveLength(0);
    expect(Object.values(none.counts).every((n) => n === 0)).toBe(true);
  });
});
