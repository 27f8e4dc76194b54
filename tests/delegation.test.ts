import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { and, asc, eq, sql } from 'drizzle-orm';
import { extractText } from 'unpdf';
import { buildApp, Client, TEST_PASSWORD } from './support/app.js';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { demoOfficials } from '../src/demo/officials.js';
import { accounts, auditLog, dossierEvents, sectors, units, type ProcessStep, type Role } from '../src/db/schema/index.js';
import { OPEN_STATUSES_SQL } from '../src/dossiers/transitions.js';
import { openDatabase, queryRows, type Database } from '../src/db/client.js';
import { loadConfig } from '../src/config.js';
import { buildDeps } from '../src/deps.js';
import { createOfficial } from '../src/accounts/create-official.js';
import { setRoles } from '../src/accounts/set-roles.js';
import { setSuspended } from '../src/accounts/set-suspended.js';
import { deleteOfficial } from '../src/accounts/delete-official.js';
import { updateOfficial } from '../src/accounts/update-official.js';
import { updateUnit } from '../src/org/update-unit.js';
import { requireAdministrator } from '../src/accounts/policies.js';
import { receiveAtCounter } from './support/reception.js';
import { actOnDossier } from '../src/dossiers/act-on-dossier.js';
import { viewDossier } from '../src/dossiers/view-dossier.js';
import { listInbox } from '../src/dossiers/inbox.js';
import { capacityAtStep, delegationsInForce } from '../src/dossiers/access.js';
import { dossierFormPdf } from '../src/dossiers/dossier-forms.js';
import { createDelegation } from '../src/delegation/create-delegation.js';
import { endDelegation, recordDelegationExpiries } from '../src/delegation/end-delegation.js';
import { administeredDelegations, myDelegations } from '../src/delegation/list-delegations.js';
import { toLocalInput } from '../src/delegation/delegation-input.js';
import { systemActor, type StaffActor } from '../src/shared/context.js';
import { AppError } from '../src/shared/errors.js';

const t = useDemoApp();
const vn = (s: string) => new Date(`${s}+07:00`);
const who = (unitKey: string, position: string) => demoOfficials().find((o) => o.unitKey === unitKey && o.position === position)!.username;
/** The clock of these tests: the delegations are made on 2 December and run on 3 December (Vietnam time). */
const MADE = vn('2026-12-02T10:00');
const DAY = { from: '2026-12-03T08:00', to: '2026-12-03T17:00' };
const IN_FORCE = vn('2026-12-03T09:00');

async function failure(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

/** A new official of `unitKey` (the split of a shared account), with `roles` there. */
async function official(username: string, unitKey: string, roles: Role[] = []): Promise<StaffActor> {
  const root = await actorFor(t.database, 'quantri1');
  const { account } = await createOfficial(
    t.database.db,
    root,
    { username, middleName: 'Lê Văn', givenName: 'Nhận', unitId: t.unitIds[unitKey], gender: 'male' },
    new Date(),
    { password: TEST_PASSWORD },
  );
  if (roles.length)
    await setRoles(
      t.database.db,
      root,
      account.id,
      roles.map((role) => ({ unitId: t.unitIds[unitKey]!, role })),
    );
  return actorFor(t.database, username);
}

/** A dossier of 2.000633 (Sở Công Thương) waiting at Quản lý Thương mại's processing step. */
async function atProcessing(at = vn('2026-11-23T09:00')) {
  const { p } = await currentProcedure(t.database, '2.000633');
  const clerk = await actorFor(t.database, sctClerkUsername());
  const d = await receiveAtCounter(
    t.database.db,
    clerk,
    { procedureId: p.id, channel: '1', fullName: 'Trần Thị Thử', phone: '0912000111' },
    at,
  );
  await actOnDossier(t.database.db, clerk, d.id, { action: 'handover' }, at);
  return d;
}

const expert = () => actorFor(t.database, who('sct-qltm', 'Chuyên viên'));
const form = (delegate: StaffActor, extra: Record<string, unknown> = {}) => ({
  delegateId: delegate.accountId,
  scope: 'all',
  ...DAY,
  reason: 'Nghỉ phép, giao đồng chí xử lý thay',
  ...extra,
});
/** The form's period from the current minute for a day: in force at once. */
const fromNowForADay = () => {
  const now = new Date();
  return { from: toLocalInput(now), to: toLocalInput(new Date(now.getTime() + 86_400_000)) };
};

async function stepOf(dossierId: string) {
  const view = await viewDossier(t.database.db, await expert(), dossierId, IN_FORCE);
  return { step: view.step, dossier: view.dossier };
}

describe('delegation (Ủy quyền giải quyết DVC)', () => {
  it('lets the delegate see the delegator’s waiting dossiers in their own tab and act on them, recorded on behalf everywhere', async () => {
    const delegator = await expert();
    const delegate = await official('nhan.qltm', 'sct-qltm');
    const d = await atProcessing();
    const dl = await createDelegation(t.database.db, delegator, form(delegate), MADE);
    expect(dl).toMatchObject({ scope: 'all', startsAt: vn(DAY.from), endsAt: vn(DAY.to) });

    const soon = vn('2026-12-04T09:00');
    const own = await listInbox(t.database.db, delegate, {}, IN_FORCE, soon);
    expect(own.rows).toHaveLength(0);
    const [lent] = await delegationsInForce(t.database.db, delegate, IN_FORCE);
    expect(lent).toMatchObject({ id: dl.id, delegatorLabel: delegator.label, scope: 'all' });
    const tab = await listInbox(t.database.db, delegate, {}, IN_FORCE, soon, lent!);
    expect(tab.rows.map((r) => r.id)).toContain(d.id);
    // The delegated tab is exactly the delegator's inbox (scope all).
    const theirs = await listInbox(t.database.db, delegator, {}, IN_FORCE, soon);
    expect(tab.rows.map((r) => r.id)).toEqual(theirs.rows.map((r) => r.id));
    expect(tab.counts).toEqual(theirs.counts);

    const view = await viewDossier(t.database.db, delegate, d.id, IN_FORCE);
    expect(view.capacity).toEqual({
      own: false,
      delegation: { id: dl.id, delegatorId: delegator.accountId, delegatorLabel: delegator.label, delegatorName: expect.any(String) },
    });
    const [delegatorRow] = await t.database.db.select().from(accounts).where(eq(accounts.id, delegator.accountId));
    expect(view.capacity?.own === false && view.capacity.delegation.delegatorName).toBe(
      `${delegatorRow!.middleName} ${delegatorRow!.givenName}`,
    );
    expect(view.actions).toContain('handover');
    await actOnDossier(t.database.db, delegate, d.id, { action: 'handover' }, IN_FORCE);

    const [event] = await t.database.db
      .select()
      .from(dossierEvents)
      .where(and(eq(dossierEvents.dossierId, d.id), eq(dossierEvents.step, 2)));
    expect(event).toMatchObject({
      actorId: delegate.accountId,
      actorLabel: 'nhan.qltm',
      onBehalfOf: delegator.accountId,
      onBehalfLabel: delegator.label,
      delegationId: dl.id,
    });
    const [audit] = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'dossier.handover'), eq(auditLog.actorId, delegate.accountId)));
    expect(audit?.onBehalfOf).toBe(delegator.accountId);
    expect(audit?.data).toMatchObject({ delegation: { id: dl.id, onBehalfOf: delegator.label } });
    // The history as the API and the page write it, and Mẫu 06.
    const c = new Client(t.app);
    await c.login(who('sct-ld', 'Giám đốc'), TEST_PASSWORD);
    const api = await viewDossier(t.database.db, await actorFor(t.database, who('sct-ld', 'Giám đốc')), d.id, IN_FORCE);
    expect(api.history.some((h) => h.delegationId === dl.id)).toBe(true);
    const page = await c.get(`/tiepnhan/ho-so/${d.id}`);
    // Named as people: "Họ tên (Chức vụ)", joined at read time; the row keeps the usernames of then.
    const delegatorPerson = demoOfficials().find((o) => o.username === delegator.label)!;
    const named = `Lê Văn Nhận thay ${delegatorPerson.middleName} ${delegatorPerson.givenName} (Chuyên viên) (ủy quyền số ${dl.id})`;
    expect(page.text).toContain(named);
    expect(page.text).not.toContain(`nhan.qltm thay`);
    const { pdf: slip } = await dossierFormPdf(
      t.database.db,
      await actorFor(t.database, who('sct-ld', 'Giám đốc')),
      d.id,
      '06',
      'http://x',
      IN_FORCE,
    );
    const { text } = await extractText(new Uint8Array(slip), { mergePages: true });
    expect(text.replace(/\s+/g, ' ')).toContain(named);
  });

  it('honours the scope: a dossier outside the chosen sectors or procedures is neither listed, seen nor acted on', async () => {
    const delegator = await expert();
    const delegate = await official('nhan.qltm', 'sct-qltm');
    const d = await atProcessing();
    const { p, v } = await currentProcedure(t.database, '2.000633');
    const [other] = await t.database.db.select().from(sectors).where(sql`${sectors.id} <> ${v.sectorId}`).limit(1);
    const outside = await createDelegation(t.database.db, delegator, form(delegate, { scope: 'sectors', sectorIds: [other!.id] }), MADE);
    const [lent] = await delegationsInForce(t.database.db, delegate, IN_FORCE);
    expect(lent?.id).toBe(outside.id);
    expect((await listInbox(t.database.db, delegate, {}, IN_FORCE, IN_FORCE, lent!)).rows).toHaveLength(0);
    expect((await failure(viewDossier(t.database.db, delegate, d.id, IN_FORCE))).code).toBe('not_found');
    expect((await failure(actOnDossier(t.database.db, delegate, d.id, { action: 'handover' }, IN_FORCE))).code).toBe('not_found');

    // The same by procedure: in scope, it works.
    const inside = await createDelegation(t.database.db, delegator, form(delegate, { scope: 'procedures', procedureIds: [p.id] }), MADE);
    const views = await delegationsInForce(t.database.db, delegate, IN_FORCE);
    const byProcedure = views.find((x) => x.id === inside.id)!;
    expect((await listInbox(t.database.db, delegate, {}, IN_FORCE, IN_FORCE, byProcedure)).rows.map((r) => r.id)).toEqual([d.id]);
    const { step, dossier } = await stepOf(d.id);
    expect(await capacityAtStep(t.database.db, delegate, step, dossier, IN_FORCE)).toMatchObject({
      own: false,
      delegation: { id: inside.id },
    });
  });

  it('is in force from its first instant to just before its last, in Vietnam time', async () => {
    const delegator = await expert();
    const delegate = await official('nhan.qltm', 'sct-qltm');
    const d = await atProcessing();
    await createDelegation(t.database.db, delegator, form(delegate), MADE);
    const { step, dossier } = await stepOf(d.id);
    const at = (instant: Date) => capacityAtStep(t.database.db, delegate, step, dossier, instant);
    const start = vn('2026-12-03T08:00'); // 01:00 UTC
    const end = vn('2026-12-03T17:00');
    expect(start.toISOString()).toBe('2026-12-03T01:00:00.000Z');
    expect(await at(new Date(start.getTime() - 1))).toBeNull();
    expect((await at(start))?.own).toBe(false);
    expect((await at(new Date(end.getTime() - 1)))?.own).toBe(false);
    expect(await at(end)).toBeNull();
    expect((await failure(actOnDossier(t.database.db, delegate, d.id, { action: 'handover' }, end))).code).toBe('not_found');
    // The typed form reads Vietnam time whatever the server's zone: "03/12/2026 08:00" is the same instant.
    const again = await createDelegation(
      t.database.db,
      delegator,
      form(delegate, { from: '03/12/2026 08:00', to: '03/12/2026 17:00' }),
      MADE,
    );
    expect(again.startsAt.toISOString()).toBe(start.toISOString());
  });

  it('the delegated tab’s Lĩnh vực and Thủ tục offer the delegator’s procedures within the delegation’s scope (HTTP)', async () => {
    const delegator = await expert();
    const delegate = await official('nhan.qltm', 'sct-qltm');
    const { p, v } = await currentProcedure(t.database, '2.000633');
    const dl = await createDelegation(
      t.database.db,
      delegator,
      form(delegate, { ...fromNowForADay(), scope: 'procedures', procedureIds: [p.id] }),
      new Date(),
    );
    /** The ids a select of the filter form offers (its blank "Tất cả" left out). */
    const offered = (html: string, name: string) => {
      const select = new RegExp(`<select name="${name}"[^>]*>([\\s\\S]*?)</select>`).exec(html)?.[1] ?? '';
      return [...select.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]!);
    };
    const c = new Client(t.app);
    expect((await c.login('nhan.qltm', TEST_PASSWORD)).status).toBe(303);
    // Their own inbox: no position, nothing to choose from.
    const own = (await c.get('/tiepnhan/ho-so')).text;
    expect(offered(own, 'thutuc')).toEqual([]);
    expect(offered(own, 'linhvuc')).toEqual([]);
    // The delegator's: of their four trade procedures, the one lent.
    const lent = (await c.get(`/tiepnhan/ho-so?uyquyen=${dl.id}`)).text;
    expect(offered(lent, 'thutuc')).toEqual([p.id]);
    expect(offered(lent, 'linhvuc')).toEqual([v.sectorId]);
  });

  it('ends on the very next request when the delegator ends it, and the delegate can no longer act (HTTP)', async () => {
    const delegator = await expert();
    const delegate = await official('nhan.qltm', 'sct-qltm');
    const d = await atProcessing();
    const now = new Date();
    const dl = await createDelegation(
      t.database.db,
      delegator,
      form(delegate, { from: toLocalInput(now), to: toLocalInput(new Date(now.getTime() + 86_400_000)) }),
      now,
    );
    // "From now" starts on the minute the page shows, already begun: in force at once, no stray seconds.
    expect(dl.startsAt.getTime() % 60_000).toBe(0);
    expect(dl.startsAt.getTime()).toBeLessThanOrEqual(now.getTime());
    const c = new Client(t.app);
    expect((await c.login('nhan.qltm', TEST_PASSWORD)).status).toBe(303);
    const inbox = await c.get(`/tiepnhan/ho-so?uyquyen=${dl.id}`);
    expect(inbox.status).toBe(200);
    expect(inbox.text).toContain(d.code);
    const [who] = await t.database.db.select().from(accounts).where(eq(accounts.id, delegator.accountId));
    // The tab names the delegator as a person; the history keeps the username (below, Mẫu 06 both).
    expect(inbox.text).toContain(`Được ủy quyền: thay ${who!.middleName} ${who!.givenName} (số ${dl.id})`);
    // The delegate holds no reception position: no "+ Tiếp nhận hồ sơ", no TIẾP NHẬN HỒ SƠ in the menu.
    expect(inbox.text).not.toContain('+ Tiếp nhận hồ sơ');
    expect(inbox.text).not.toContain('TIẾP NHẬN HỒ SƠ');

    const boss = new Client(t.app);
    await boss.login(delegator.label, TEST_PASSWORD);
    const ended = await boss.post(`/tiepnhan/uy-quyen/${dl.id}/ket-thuc`, {}, { csrfFrom: '/tiepnhan/uy-quyen' });
    expect(ended.status).toBe(303);
    expect(ended.location).toBe(`/tiepnhan/uy-quyen?da-ket-thuc=${dl.id}`);

    const gone = await c.get(`/tiepnhan/ho-so?uyquyen=${dl.id}`);
    // A tab left open: the official's own inbox, saying what happened, with no way back into the delegation.
    expect(gone.status).toBe(200);
    expect(gone.text).toContain(`Ủy quyền số ${dl.id} đã kết thúc, hết hạn hoặc không phải của bạn`);
    expect(gone.text).not.toContain(d.code);
    expect(gone.text).not.toContain(`uyquyen=${dl.id}`);
    const refused = await c.post(`/tiepnhan/ho-so/${d.id}/xu-ly`, { action: 'handover' }, { csrfFrom: `/tiepnhan/ho-so` });
    expect(refused.status).toBe(404);
    expect((await failure(endDelegation(t.database.db, delegator, dl.id, {}, new Date()))).code).toBe('delegation_over');
    const [row] = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'delegation.end'));
    expect(row).toMatchObject({ actorId: delegator.accountId, targetId: String(dl.id) });
  });

  it('shows its tab in the delegate’s own inbox from the request after it is made, and not after it is ended (page chrome cached)', async () => {
    const delegate = await official('nhan.qltm', 'sct-qltm');
    const c = new Client(t.app);
    expect((await c.login('nhan.qltm', TEST_PASSWORD)).status).toBe(303);
    // The tabs are read once and cached for the page chrome: warm that cache before the delegation exists.
    const before = await c.get('/tiepnhan/ho-so');
    expect(before.status).toBe(200);
    expect(before.text).not.toMatch(/uyquyen=\d+/);

    const boss = new Client(t.app);
    await boss.login(who('sct-qltm', 'Chuyên viên'), TEST_PASSWORD);
    const made = await boss.post('/tiepnhan/uy-quyen/them', form(delegate, fromNowForADay()), { csrfFrom: '/tiepnhan/uy-quyen/them' });
    expect(made.status).toBe(303);
    const id = /da-them=(\d+)/.exec(made.location ?? '')?.[1];
    expect(id).toBeDefined();
    expect((await c.get('/tiepnhan/ho-so')).text).toContain(`uyquyen=${id}`);

    const ended = await boss.post(`/tiepnhan/uy-quyen/${id}/ket-thuc`, {}, { csrfFrom: '/tiepnhan/uy-quyen' });
    expect(ended.status).toBe(303);
    expect((await c.get('/tiepnhan/ho-so')).text).not.toContain(`uyquyen=${id}`);
  });

  it('a delegation number past PostgreSQL integer is "not found", never a 500 (HTTP)', async () => {
    const c = new Client(t.app);
    expect((await c.login(sctClerkUsername(), TEST_PASSWORD)).status).toBe(303);
    for (const id of ['2147483647', '2147483648', '9999999999']) {
      const res = await c.post(`/tiepnhan/uy-quyen/${id}/ket-thuc`, {}, { csrfFrom: '/tiepnhan/uy-quyen' });
      expect(res.status, id).toBe(404);
      expect(res.text, id).toContain('Ủy quyền không tồn tại hoặc bạn không có quyền xem.');
    }
  });

  it('ends when a move puts its two accounts in two agencies, audited; a move within the agency keeps it', async () => {
    const db = t.database.db;
    const root = await actorFor(t.database, 'quantri1');
    const delegator = await expert();
    const leaving = await official('nhan.qltm', 'sct-qltm');
    const staying = await official('o.lai.qltm', 'sct-qltm');
    const away = await createDelegation(db, delegator, form(leaving), MADE);
    const kept = await createDelegation(db, delegator, form(staying), MADE);
    const moveTo = async (who: StaffActor, unitKey: string) => {
      const [acc] = await db.select().from(accounts).where(eq(accounts.id, who.accountId));
      const fields = { username: acc!.username, middleName: acc!.middleName, givenName: acc!.givenName, gender: 'male' };
      await updateOfficial(db, root, acc!.id, { ...fields, unitId: t.unitIds[unitKey]! }, IN_FORCE);
    };
    await moveTo(staying, 'sct-qlcn'); // another division of Sở Công Thương
    await moveTo(leaving, 'snv-vp'); // Sở Nội vụ
    expect(await delegationsInForce(db, leaving, IN_FORCE)).toEqual([]);
    expect((await delegationsInForce(db, staying, IN_FORCE)).map((l) => l.id)).toEqual([kept.id]);
    const ended = await db
      .select({ targetId: auditLog.targetId, data: auditLog.data })
      .from(auditLog)
      .where(and(eq(auditLog.action, 'delegation.end'), eq(auditLog.targetId, String(away.id))));
    expect(ended).toEqual([{ targetId: String(away.id), data: { reason: 'agency_changed' } }]);
  });

  it('ends when a division of the agency is given an agency code of its own, the two accounts now in two agencies', async () => {
    const db = t.database.db;
    const root = await actorFor(t.database, 'quantri1');
    const delegator = await expert(); // sct-qltm
    const delegate = await official('nhan.qlcn', 'sct-qlcn');
    const dl = await createDelegation(db, delegator, form(delegate), MADE);
    const [u] = await db.select().from(units).where(eq(units.id, t.unitIds['sct-qlcn']!));
    expect(u!.agencyCode).toBeNull();
    const fields = { name: u!.name, shortName: u!.shortName ?? '', kind: u!.kind };
    // Renamed only: nothing changes for the delegation.
    await updateUnit(db, root, u!.id, { ...fields, name: `${u!.name} (đổi tên)` }, IN_FORCE);
    expect((await delegationsInForce(db, delegate, IN_FORCE)).map((l) => l.id)).toEqual([dl.id]);
    await updateUnit(db, root, u!.id, { ...fields, agencyCode: '000.99.01.H10' }, IN_FORCE);
    expect(await delegationsInForce(db, delegate, IN_FORCE)).toEqual([]);
  });

  it('cannot be passed on: a delegate delegates only their own positions, never lent ones', async () => {
    const delegator = await expert();
    const delegate = await official('nhan.qltm', 'sct-qltm');
    const third = await official('ba.qltm', 'sct-qltm');
    const d = await atProcessing();
    await createDelegation(t.database.db, delegator, form(delegate), MADE);
    // Holding only lent positions, the delegate has nothing to delegate.
    expect((await failure(createDelegation(t.database.db, delegate, form(third), MADE))).code).toBe('nothing_to_delegate');
    // With a position of their own elsewhere, they delegate that — and the third still cannot touch the first's dossier.
    await setRoles(t.database.db, await actorFor(t.database, 'quantri1'), delegate.accountId, [
      { unitId: t.unitIds['sct-qlcn']!, role: 'processing' },
    ]);
    await createDelegation(t.database.db, delegate, form(third), MADE);
    expect((await failure(actOnDossier(t.database.db, third, d.id, { action: 'handover' }, IN_FORCE))).code).toBe('not_found');
    expect((await failure(viewDossier(t.database.db, third, d.id, IN_FORCE))).code).toBe('not_found');
  });

  it('never lends administration, and only live accounts of the same agency receive one', async () => {
    const root = await actorFor(t.database, 'quantri1');
    // An administrator without a workflow role has nothing to delegate.
    expect((await failure(createDelegation(t.database.db, await actorFor(t.database, 'admin.sct'), form(await expert()), MADE))).code).toBe(
      'nothing_to_delegate',
    );
    // An official who is both processor and administrator lends the processing only.
    const both = await official('ca.hai', 'sct-qltm', ['processing', 'admin']);
    const delegate = await official('nhan.qltm', 'sct-qltm');
    await createDelegation(t.database.db, both, form(delegate), MADE);
    expect((await failure(requireAdministrator(t.database.db, delegate))).status).toBe(403);
    const c = new Client(t.app);
    await c.login('nhan.qltm', TEST_PASSWORD);
    expect((await c.get('/tiepnhan/quan-tri/nguoi-dung')).status).not.toBe(200);

    const delegator = await expert();
    const fieldOf = async (delegateId: string) =>
      (await failure(createDelegation(t.database.db, delegator, form({ ...delegate, accountId: delegateId }), MADE))).fields?.delegateId;
    expect(await fieldOf(delegator.accountId)).toBe('Không thể ủy quyền cho chính mình.');
    expect(await fieldOf('00000000-0000-4000-8000-000000000000')).toBe('Tài khoản nhận ủy quyền không tồn tại.');
    const other = await official('khac.snv', 'snv-tcbc');
    expect(await fieldOf(other.accountId)).toBe('Chỉ được ủy quyền cho tài khoản cùng cơ quan.');
    const sleepy = await official('nghi.qltm', 'sct-qltm');
    await setSuspended(t.database.db, root, sleepy.accountId, true, new Date());
    expect(await fieldOf(sleepy.accountId)).toBe('Tài khoản nhận ủy quyền đang bị tạm đình chỉ.');
    const gone = await official('xoa.qltm', 'sct-qltm');
    await deleteOfficial(t.database.db, root, gone.accountId, new Date());
    expect(await fieldOf(gone.accountId)).toBe('Tài khoản nhận ủy quyền không tồn tại.');

    // A delegate suspended after the fact holds nothing from the next request on.
    const d = await atProcessing();
    await setSuspended(t.database.db, root, delegate.accountId, true, new Date());
    const { step, dossier } = await stepOf(d.id);
    expect(await capacityAtStep(t.database.db, delegate, step, dossier, IN_FORCE)).toBeNull();
  });

  it('refuses a bad form with a message per field, and keeps what was typed (HTTP)', async () => {
    await official('nhan.qltm', 'sct-qltm');
    const c = new Client(t.app);
    await c.login(who('sct-qltm', 'Chuyên viên'), TEST_PASSWORD);
    const page = await c.get('/tiepnhan/uy-quyen/them');
    expect(page.status).toBe(200);
    expect(page.text).toContain('THÊM ỦY QUYỀN GIẢI QUYẾT DVC');
    expect(page.text).toContain('nhan.qltm');
    const bad = await c.post(
      '/tiepnhan/uy-quyen/them',
      { delegateId: '', scope: 'sectors', from: '32/12/2026 08:00', to: '2026-12-03T07:00', reason: 'Nghỉ ốm dài ngày' },
      { csrfFrom: '/tiepnhan/uy-quyen/them' },
    );
    expect(bad.status).toBe(400);
    for (const msg of ['Vui lòng chọn tài khoản nhận ủy quyền.', 'Thời điểm bắt đầu không hợp lệ.']) {
      expect(bad.text).toContain(msg);
    }
    expect(bad.text).toContain('Nghỉ ốm dài ngày');
    // The refusal names the form's address, where a GET shows it again (post-answer.ts); the GET names none.
    expect(bad.text).toContain('<meta name="motcua-address" content="/tiepnhan/uy-quyen/them"');
    expect(page.text).not.toContain('motcua-address');
    const nhan = (await actorFor(t.database, 'nhan.qltm')).accountId;
    const noSector = await c.post(
      '/tiepnhan/uy-quyen/them',
      { delegateId: nhan, scope: 'sectors', from: '2026-12-03T08:00', to: '2026-12-03T07:00', reason: 'Nghỉ ốm' },
      { csrfFrom: '/tiepnhan/uy-quyen/them' },
    );
    expect(noSector.text).toContain('Vui lòng chọn ít nhất một lĩnh vực.');
    expect(noSector.text).toContain('Thời điểm kết thúc phải sau thời điểm bắt đầu.');
    const past = await c.post(
      '/tiepnhan/uy-quyen/them',
      {
        delegateId: (await actorFor(t.database, 'nhan.qltm')).accountId,
        scope: 'all',
        from: '2020-01-01T08:00',
        to: '2020-01-02T08:00',
        reason: 'x',
      },
      { csrfFrom: '/tiepnhan/uy-quyen/them' },
    );
    expect(past.status).toBe(400);
    expect(past.text).toContain('Thời điểm bắt đầu đã qua.');
    // An official with nothing to delegate is told so.
    const admin = new Client(t.app);
    await admin.login('admin.sct', TEST_PASSWORD);
    expect((await admin.get('/tiepnhan/uy-quyen/them')).status).toBe(403);
  });

  it('is listed for both parties and the administrators of their units, audited when made, ended and expired', async () => {
    const delegator = await expert();
    const delegate = await official('nhan.qltm', 'sct-qltm');
    const dl = await createDelegation(t.database.db, delegator, form(delegate), MADE);
    expect((await myDelegations(t.database.db, delegator, IN_FORCE)).given.map((x) => [x.id, x.state])).toEqual([[dl.id, 'active']]);
    expect((await myDelegations(t.database.db, delegate, MADE)).received.map((x) => [x.id, x.state])).toEqual([[dl.id, 'scheduled']]);
    expect((await administeredDelegations(t.database.db, await actorFor(t.database, 'admin.sct'), IN_FORCE)).map((x) => x.id)).toEqual([
      dl.id,
    ]);
    const outsider = await actorFor(t.database, 'admin.snv');
    expect(await administeredDelegations(t.database.db, outsider, IN_FORCE)).toEqual([]);
    expect((await failure(endDelegation(t.database.db, outsider, dl.id, {}, IN_FORCE))).code).toBe('not_found');
    // The delegate cannot end it (it is the delegator's), nor can an unknown number be guessed.
    expect((await failure(endDelegation(t.database.db, delegate, dl.id, {}, IN_FORCE))).status).toBe(403);
    expect((await failure(endDelegation(t.database.db, delegator, 999_999, {}, IN_FORCE))).code).toBe('not_found');

    // Expiry: over by itself at its end; the job writes one audit row, once.
    const after = vn('2026-12-03T17:00');
    expect((await myDelegations(t.database.db, delegator, after)).given[0]?.state).toBe('expired');
    expect(await recordDelegationExpiries(t.database.db, systemActor('test'), after)).toBe(1);
    expect(await recordDelegationExpiries(t.database.db, systemActor('test'), after)).toBe(0);
    const actions = await queryRows<{ action: string }>(
      t.database.db,
      sql`select action from audit_log where target_type = 'delegation' and target_id = ${String(dl.id)} order by id`,
    );
    expect(actions.map((a) => a.action)).toEqual(['delegation.create', 'delegation.expire']);
    const html = await (async () => {
      // The page reads the application's clock: here, the end of the delegation.
      const c = new Client(buildApp(t.database, {}, { now: () => after }));
      await c.login('admin.sct', TEST_PASSWORD);
      return (await c.get('/tiepnhan/quan-tri/uy-quyen')).text;
    })();
    expect(html).toContain('Đã hết hạn');
  });

  it('the same Thêm form posted twice makes one delegation, so Kết thúc really ends it; another official cannot reuse its key (HTTP)', async () => {
    const delegate = await official('nhan.twice', 'sct-qltm');
    const c = new Client(t.app);
    expect((await c.login(who('sct-qltm', 'Chuyên viên'), TEST_PASSWORD)).status).toBe(303);
    const page = await c.get('/tiepnhan/uy-quyen/them');
    const formKey = /name="formKey" value="([0-9a-f-]{36})"/.exec(page.text)?.[1] ?? '';
    expect(formKey).toHaveLength(36);
    const csrf = await c.csrf('/tiepnhan/uy-quyen/them');
    const posted = { delegateId: delegate.accountId, scope: 'all', ...fromNowForADay(), reason: 'Nghỉ phép', formKey };
    const first = await c.post('/tiepnhan/uy-quyen/them', posted, { csrf });
    const second = await c.post('/tiepnhan/uy-quyen/them', posted, { csrf });
    expect([first.status, second.status]).toEqual([303, 303]);
    expect(second.location).toBe(first.location);
    const id = Number(/da-them=(\d+)/.exec(first.location ?? '')?.[1]);
    expect((await delegationsInForce(t.database.db, delegate, new Date())).map((d) => d.id)).toEqual([id]);
    expect((await c.post(`/tiepnhan/uy-quyen/${id}/ket-thuc`, {}, { csrfFrom: '/tiepnhan/uy-quyen' })).status).toBe(303);
    expect(await delegationsInForce(t.database.db, delegate, new Date())).toEqual([]);
    // The key of another official's form is no way to read or replay their delegation.
    const other = await official('nhan.other', 'sct-qltm', ['processing']);
    const stolen = await failure(createDelegation(t.database.db, other, { ...posted, delegateId: delegate.accountId }, new Date()));
    expect([stolen.status, stolen.code]).toEqual([409, 'form_used']);
    // A key that is no key is said, not a 500.
    const bad = await c.post('/tiepnhan/uy-quyen/them', { ...posted, formKey: 'x' }, { csrf });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Biểu mẫu không hợp lệ');
  });

  it('Quản trị → Ủy quyền offers Kết thúc only where the administrator may end the delegation (the list agrees with the check)', async () => {
    const root = await actorFor(t.database, 'quantri1');
    const delegator = await expert();
    const delegate = await official('nhan.qlcn', 'sct-qlcn');
    const admin = await official('admin.qlcn', 'sct-qlcn');
    await setRoles(t.database.db, root, admin.accountId, [{ unitId: t.unitIds['sct-qlcn']!, role: 'admin' }]);
    const dl = await createDelegation(t.database.db, delegator, { ...form(delegate), ...fromNowForADay() }, new Date());
    const listed = await administeredDelegations(t.database.db, await actorFor(t.database, 'admin.qlcn'), new Date());
    expect(listed.map((d) => [d.id, d.mayEnd])).toEqual([[dl.id, false]]);
    expect((await failure(endDelegation(t.database.db, await actorFor(t.database, 'admin.qlcn'), dl.id, {}, new Date()))).status).toBe(403);
    const ofDelegator = await administeredDelegations(t.database.db, await actorFor(t.database, 'admin.sct'), new Date());
    expect(ofDelegator.map((d) => [d.id, d.mayEnd])).toEqual([[dl.id, true]]);
    const c = new Client(t.app);
    expect((await c.login('admin.qlcn', TEST_PASSWORD)).status).toBe(303);
    const page = await c.get('/tiepnhan/quan-tri/uy-quyen');
    expect(page.text).toContain(`data-delegation="${dl.id}"`);
    expect(page.text).not.toContain(`/tiepnhan/uy-quyen/${dl.id}/ket-thuc`);
    const c2 = new Client(t.app);
    expect((await c2.login('admin.sct', TEST_PASSWORD)).status).toBe(303);
    expect((await c2.get('/tiepnhan/quan-tri/uy-quyen')).text).toContain(`/tiepnhan/uy-quyen/${dl.id}/ket-thuc`);
  });

  it('is used in person only: API credentials of the delegate act as their own account', async () => {
    const delegator = await expert();
    const delegate = await official('nhan.qltm', 'sct-qltm');
    const d = await atProcessing();
    await createDelegation(t.database.db, delegator, form(delegate), MADE);
    const api: StaffActor = { kind: 'api', accountId: delegate.accountId, clientId: 'x', label: 'api:nhan.qltm', meta: delegate.meta };
    expect((await failure(actOnDossier(t.database.db, api, d.id, { action: 'handover' }, IN_FORCE))).code).toBe('not_found');
    expect(await delegationsInForce(t.database.db, api, IN_FORCE)).toEqual([]);
  });

  it('agrees from the SQL side: the delegated tab lists exactly the dossiers the check lets the delegate act on', async () => {
    const delegator = await expert();
    const delegate = await official('nhan.qltm', 'sct-qltm');
    const ds = [
      await atProcessing(vn('2026-11-23T09:00')),
      await atProcessing(vn('2026-11-24T09:00')),
      await atProcessing(vn('2026-11-25T09:00')),
    ];
    const { p } = await currentProcedure(t.database, '2.000633');
    await createDelegation(t.database.db, delegator, form(delegate, { scope: 'procedures', procedureIds: [p.id] }), MADE);
    const [lent] = await delegationsInForce(t.database.db, delegate, IN_FORCE);
    const listed = new Set((await listInbox(t.database.db, delegate, { limit: 200 }, IN_FORCE, IN_FORCE, lent!)).rows.map((r) => r.id));
    // Every open dossier of the province, whatever its agency: the check and the list must agree on each.
    const waiting = await queryRows<{
      id: string;
      agency_unit_id: string;
      sector_id: string | null;
      procedure_id: string | null;
      steps: ProcessStep[];
      current_step: number;
    }>(
      t.database.db,
      sql`select d.id, d.agency_unit_id, d.sector_id, d.procedure_id, pv.steps, d.current_step
        from dossiers d join procedure_versions pv on pv.id = d.procedure_version_id
        where d.status in ${sql.raw(OPEN_STATUSES_SQL)}`,
    );
    expect(waiting.length).toBeGreaterThanOrEqual(3);
    for (const w of waiting) {
      const dossier = { agencyUnitId: w.agency_unit_id, sectorId: w.sector_id, procedureId: w.procedure_id };
      const cap = await capacityAtStep(t.database.db, delegate, w.steps[w.current_step]!, dossier, IN_FORCE);
      expect(listed.has(w.id), w.id).toBe(cap !== null && !cap.own);
    }
    for (const d of ds) expect(listed.has(d.id)).toBe(true);
    const events = await t.database.db.select().from(dossierEvents).orderBy(asc(dossierEvents.id));
    expect(events.every((e) => e.delegationId === null)).toBe(true);
  });
});

describe('delegation and the other instances’ page chrome', () => {
  let second: Database | null = null;
  afterAll(async () => {
    if (second && second !== t.database) await second.close();
  });

  it('a delegation made or ended through one instance drops the display cache of another on the same database; a refused form does not', async () => {
    // Another process: its own pool and listening connection on PostgreSQL; PGlite lives in one process, where a
    // second set of dependencies on the same database stands for it (catalog-index.test.ts does the same).
    const url = t.database.pool?.options.connectionString;
    second = url ? await openDatabase({ url, poolSize: 2 }) : t.database;
    const config = loadConfig({ NODE_ENV: 'test', PORT: '3999', SESSION_SECRET: 'test-secret-test-secret-test-secret-123' });
    const other = buildDeps(config, second, pino({ level: 'silent' }));
    let loads = 0;
    const probe = () => other.displayCache.get('probe', async () => ++loads);
    await other.changes.settled();
    expect(await probe()).toBe(1);

    const delegate = await official('nhan.qltm', 'sct-qltm');
    const c = new Client(t.app);
    await c.login(who('sct-qltm', 'Chuyên viên'), TEST_PASSWORD);
    const values = form(delegate, fromNowForADay());
    // Refused (no reason): nothing changed, nothing announced — the other instance keeps what it holds.
    const refused = await c.post('/tiepnhan/uy-quyen/them', { ...values, reason: '' }, { csrfFrom: '/tiepnhan/uy-quyen/them' });
    expect(refused.status).toBe(400);
    await other.changes.settled();
    expect(await probe()).toBe(1);

    const made = await c.post('/tiepnhan/uy-quyen/them', values, { csrfFrom: '/tiepnhan/uy-quyen/them' });
    expect(made.status).toBe(303);
    await other.changes.settled();
    expect(await probe()).toBe(2);

    const id = /da-them=(\d+)/.exec(made.location ?? '')?.[1];
    expect(id).toBeDefined();
    const ended = await c.post(`/tiepnhan/uy-quyen/${id}/ket-thuc`, {}, { csrfFrom: '/tiepnhan/uy-quyen' });
    expect(ended.status).toBe(303);
    await other.changes.settled();
    expect(await probe()).toBe(3);
  });

  it('an online dossier the delegate accepts at the desk is the delegator’s reception (Hồ sơ đã tiếp nhận, Mẫu 01)', async () => {
    const { listTracking } = await import('../src/dossiers/tracking.js');
    const { p } = await currentProcedure(t.database, '2.000633');
    const clerk = await actorFor(t.database, sctClerkUsername());
    const delegate = await official('nhan.vp', 'sct-vp');
    await createDelegation(t.database.db, clerk, form(delegate), MADE);
    const d = await receiveAtCounter(t.database.db, clerk, { procedureId: p.id, channel: '2', fullName: 'Trần Thị Thử' }, MADE);
    const accepted = await actOnDossier(t.database.db, delegate, d.id, { action: 'accept' }, IN_FORCE);
    expect(accepted.receivedBy).toBe(clerk.accountId);
    const [ev] = await t.database.db
      .select()
      .from(dossierEvents)
      .where(and(eq(dossierEvents.dossierId, d.id), eq(dossierEvents.action, 'accept')));
    expect(ev).toMatchObject({ actorId: delegate.accountId, onBehalfOf: clerk.accountId });
    const received = await listTracking(t.database.db, clerk, 'da-tiep-nhan', {}, IN_FORCE, IN_FORCE);
    expect(received.rows.map((r) => r.id)).toContain(d.id);
  });
});
