import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { Client, TEST_PASSWORD } from './support/app.js';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { demoOfficials } from '../src/demo/officials.js';
import { auditLog, dossierEvents, dossiers, type Role } from '../src/db/schema/index.js';
import { createOfficial } from '../src/accounts/create-official.js';
import { setRoles } from '../src/accounts/set-roles.js';
import { receiveAtCounter } from './support/reception.js';
import { actOnDossier } from '../src/dossiers/act-on-dossier.js';
import { viewDossier } from '../src/dossiers/view-dossier.js';
import { listInbox } from '../src/dossiers/inbox.js';
import { assignDossier, assignmentChoices } from '../src/dossiers/assign-dossier.js';
import { capacityAtStep, delegationsInForce, mayActAtStep, type LentView } from '../src/dossiers/access.js';
import { createDelegation } from '../src/delegation/create-delegation.js';
import { lookupDossier } from '../src/dossiers/public-lookup.js';
import { STATUS_LABELS } from '../src/dossiers/transitions.js';
import { AppError } from '../src/shared/errors.js';
import type { StaffActor } from '../src/shared/context.js';
import { recordSignedResult } from './support/results.js';

const t = useDemoApp();
const vn = (s: string) => new Date(`${s}+07:00`);
const AT = vn('2026-12-03T09:00');
const SOON = vn('2026-12-04T09:00');
const demo = (unitKey: string, position: string) => demoOfficials().find((o) => o.unitKey === unitKey && o.position === position)!;
const name = (o: { middleName: string; givenName: string }) => `${o.middleName} ${o.givenName}`;
/** At Quản lý Thương mại: the expert, and the head (who also holds the approval position there: its leader). */
const EXPERT = demo('sct-qltm', 'Chuyên viên');
const HEAD = demo('sct-qltm', 'Trưởng phòng');

async function failure(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

/** A new official of `unitKey` with `roles` there. */
async function official(username: string, unitKey: string, roles: Role[]): Promise<StaffActor> {
  const root = await actorFor(t.database, 'quantri1');
  const { account } = await createOfficial(
    t.database.db,
    root,
    { username, middleName: 'Phan Văn', givenName: 'Ba', unitId: t.unitIds[unitKey], gender: 'male' },
    new Date(),
    { password: TEST_PASSWORD },
  );
  await setRoles(
    t.database.db,
    root,
    account.id,
    roles.map((role) => ({ unitId: t.unitIds[unitKey]!, role })),
  );
  return actorFor(t.database, username);
}

/** A dossier of 2.000633 received at Sở Công Thương's desk (step 1 of 4), and the clerk. */
async function received() {
  const { p } = await currentProcedure(t.database, '2.000633');
  const clerk = await actorFor(t.database, sctClerkUsername());
  const d = await receiveAtCounter(
    t.database.db,
    clerk,
    { procedureId: p.id, channel: '1', fullName: 'Trần Thị Thử', phone: '0912000111' },
    AT,
  );
  return { d, clerk, p };
}

/** "Giao cho tôi" as the inbox page reads it (in a delegation's tab, `via`). */
const assignedTo = async (who: StaffActor, via: LentView | null = null) =>
  (await listInbox(t.database.db, who, {}, AT, SOON, via)).assigned;
const row = async (id: string) => (await t.database.db.select().from(dossiers).where(eq(dossiers.id, id)))[0]!;

describe('hand-over to a person', () => {
  it('the clerk hands the dossier to a chosen official: stored, in the history and the audit, marked for them in the inbox', async () => {
    const { d, clerk } = await received();
    const expert = await actorFor(t.database, EXPERT.username);
    const view = await viewDossier(t.database.db, clerk, d.id, AT);
    const choices = await assignmentChoices(t.database.db, clerk, view.dossier, view.version.steps, true);
    // The next step's holders: exactly those who may act there.
    const holders = choices.next!.holders;
    expect(holders.map((h) => h.name).sort()).toEqual([name(EXPERT), name(HEAD)].sort());
    for (const h of holders)
      expect(await mayActAtStep(t.database.db, { accountId: h.id }, view.version.steps[1]!, d.agencyUnitId)).toBe(true);
    expect(choices.next!.proposed).toBeNull();

    await actOnDossier(t.database.db, clerk, d.id, { action: 'handover', assignee: expert.accountId }, AT);
    expect((await row(d.id)).assignedTo).toBe(expert.accountId);
    const [ev] = await t.database.db
      .select()
      .from(dossierEvents)
      .where(and(eq(dossierEvents.dossierId, d.id), eq(dossierEvents.action, 'handover')));
    expect(ev!.data).toMatchObject({ assignedTo: expert.accountId, assignee: name(EXPERT), toStep: 1 });
    const [audit] = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'dossier.handover'));
    expect(audit!.data).toMatchObject({ assignedTo: expert.accountId, assignee: name(EXPERT) });

    // The expert's inbox: listed, marked, and first in Giao cho tôi; the head sees it too, assigned to the expert.
    const mine = await assignedTo(expert);
    expect(mine.map((r) => r.id)).toEqual([d.id]);
    const inbox = await listInbox(t.database.db, expert, {}, AT, SOON);
    expect(inbox.rows.find((r) => r.id === d.id)).toMatchObject({ assignedTo: expert.accountId, assigneeName: name(EXPERT) });
    const head = await actorFor(t.database, HEAD.username);
    expect(await assignedTo(head)).toEqual([]);
    expect((await listInbox(t.database.db, head, {}, AT, SOON)).rows.map((r) => r.id)).toContain(d.id);
  });

  it('an approval step proposes the unit’s own leader', async () => {
    const { d, clerk } = await received();
    await actOnDossier(t.database.db, clerk, d.id, { action: 'handover' }, AT);
    const expert = await actorFor(t.database, EXPERT.username);
    const view = await viewDossier(t.database.db, expert, d.id, AT);
    const choices = await assignmentChoices(t.database.db, expert, view.dossier, view.version.steps, true);
    const leaders = [demo('sct-ld', 'Giám đốc'), demo('sct-ld', 'Phó Giám đốc')].map(name);
    expect(leaders).toContain(choices.next!.holders[0]!.name);
    expect(choices.next!.proposed).toBe(choices.next!.holders[0]!.id);
  });

  it('a forged assignee, or one without the next step’s position, is refused and nothing moves', async () => {
    const { d, clerk } = await received();
    const stranger = await actorFor(t.database, demo('skhdt', 'Chuyên viên').username);
    for (const assignee of ['7f1c2a8e-0000-4000-8000-000000000001', stranger.accountId, clerk.accountId, 'not-an-id']) {
      const err = await failure(actOnDossier(t.database.db, clerk, d.id, { action: 'handover', assignee }, AT));
      expect(err.status).toBe(400);
      expect(err.fields?.assignee).toBeTruthy();
    }
    const after = await row(d.id);
    expect(after.currentStep).toBe(0);
    expect(after.assignedTo).toBeNull();
  });

  it('while assigned, only the assignee, their delegate and the unit’s leaders act; the others see it and are told why', async () => {
    const { d, clerk } = await received();
    const expert = await actorFor(t.database, EXPERT.username);
    const other = await official('xuly2.qltm', 'sct-qltm', ['processing']);
    await actOnDossier(t.database.db, clerk, d.id, { action: 'handover', assignee: expert.accountId }, AT);

    // The other expert: listed in their inbox, not in Giao cho tôi, not offered actions, refused with the reason.
    expect((await listInbox(t.database.db, other, {}, AT, SOON)).rows.map((r) => r.id)).toContain(d.id);
    expect(await assignedTo(other)).toEqual([]);
    expect((await viewDossier(t.database.db, other, d.id, AT)).actions).toEqual([]);
    const err = await failure(actOnDossier(t.database.db, other, d.id, { action: 'handover' }, AT));
    expect(err.status).toBe(403);
    expect(err.code).toBe('assigned_to_other');
    expect(err.message).toContain(`Hồ sơ đã được giao cho ${name(EXPERT)}`);

    // What Giao cho tôi lists is exactly what the check lets them act on, for each of them.
    const d2 = await row(d.id);
    const step = (await viewDossier(t.database.db, expert, d.id, AT)).step;
    for (const who of [expert, other, await actorFor(t.database, HEAD.username)]) {
      const listed = (await assignedTo(who)).some((r) => r.id === d.id);
      const capacity = await capacityAtStep(t.database.db, who, step, d2, AT);
      expect(listed).toBe(capacity !== null && d2.assignedTo === who.accountId);
    }

    // The expert's delegate acts on the expert's behalf.
    const delegate = await official('thay.qltm', 'sct-vp', []);
    await createDelegation(
      t.database.db,
      expert,
      { delegateId: delegate.accountId, scope: 'all', from: '2026-12-03T08:00', to: '2026-12-03T17:00', reason: 'Nghỉ phép' },
      vn('2026-12-02T10:00'),
    );
    const [lent] = await delegationsInForce(t.database.db, delegate, AT);
    expect((await assignedTo(delegate, lent!)).map((r) => r.id)).toEqual([d.id]);
    expect(await capacityAtStep(t.database.db, delegate, step, d2, AT)).toMatchObject({ own: false });

    // The head, a leader of the unit, acts though not assigned; the new step is nobody's.
    await actOnDossier(t.database.db, await actorFor(t.database, HEAD.username), d.id, { action: 'handover' }, AT);
    const moved = await row(d.id);
    expect(moved.currentStep).toBe(2);
    expect(moved.assignedTo).toBeNull();
  });

  it('at an approval step the assignment binds the other leaders too: the deputy is refused until they reassign it', async () => {
    const { d, clerk } = await received();
    const expert = await actorFor(t.database, EXPERT.username);
    const director = await actorFor(t.database, demo('sct-ld', 'Giám đốc').username);
    const deputy = await actorFor(t.database, demo('sct-ld', 'Phó Giám đốc').username);
    await actOnDossier(t.database.db, clerk, d.id, { action: 'handover' }, AT);
    await recordSignedResult(t.database.db, expert, d.id, AT);
    await actOnDossier(t.database.db, expert, d.id, { action: 'handover', assignee: director.accountId }, AT);

    // The deputy leads the step's unit, yet is refused (told why), offered nothing, and sees the dossier marked.
    const err = await failure(actOnDossier(t.database.db, deputy, d.id, { action: 'approve' }, AT));
    expect(err.status).toBe(403);
    expect(err.code).toBe('assigned_to_other');
    expect(err.message).toContain('ở bước phê duyệt, chỉ người được giao');
    expect((await viewDossier(t.database.db, deputy, d.id, AT)).actions).toEqual([]);
    expect((await listInbox(t.database.db, deputy, {}, AT, SOON)).rows.find((r) => r.id === d.id)).toMatchObject({
      assignedTo: director.accountId,
    });
    expect((await row(d.id)).status).toBe('processing');

    // Giao cho tôi lists exactly what the check lets each of them act on.
    const d2 = await row(d.id);
    const step = (await viewDossier(t.database.db, director, d.id, AT)).step;
    for (const who of [director, deputy]) {
      const listed = (await assignedTo(who)).some((r) => r.id === d.id);
      const capacity = await capacityAtStep(t.database.db, who, step, d2, AT);
      expect(listed).toBe(capacity !== null);
    }
    expect((await assignedTo(director)).map((r) => r.id)).toEqual([d.id]);

    // The deputy may still reassign it — to themself — and then approve.
    expect((await viewDossier(t.database.db, deputy, d.id, AT)).dossier.assignedTo).toBe(director.accountId);
    await assignDossier(t.database.db, deputy, d.id, { assignee: deputy.accountId }, AT);
    expect((await actOnDossier(t.database.db, deputy, d.id, { action: 'approve' }, AT)).status).toBe('done');
  });

  it('a leader reassigns (Phân công lại); others cannot, a stranger is told nothing, a forged id is refused', async () => {
    const { d, clerk } = await received();
    const expert = await actorFor(t.database, EXPERT.username);
    const other = await official('xuly3.qltm', 'sct-qltm', ['processing']);
    const head = await actorFor(t.database, HEAD.username);
    await actOnDossier(t.database.db, clerk, d.id, { action: 'handover', assignee: expert.accountId }, AT);

    expect((await failure(assignDossier(t.database.db, expert, d.id, { assignee: other.accountId }, AT))).status).toBe(403);
    const stranger = await actorFor(t.database, demo('skhdt', 'Chuyên viên').username);
    expect((await failure(assignDossier(t.database.db, stranger, d.id, { assignee: other.accountId }, AT))).status).toBe(404);
    expect((await failure(assignDossier(t.database.db, head, d.id, { assignee: clerk.accountId }, AT))).status).toBe(400);

    const seen = (await viewDossier(t.database.db, head, d.id, AT)).history.at(-1)!.id;
    await assignDossier(t.database.db, head, d.id, { assignee: other.accountId, seen: String(seen) }, AT);
    expect((await row(d.id)).assignedTo).toBe(other.accountId);
    const [ev] = await t.database.db
      .select()
      .from(dossierEvents)
      .where(and(eq(dossierEvents.dossierId, d.id), eq(dossierEvents.action, 'assign')));
    expect(ev!.data).toMatchObject({ assignedTo: other.accountId, previous: expert.accountId });
    expect(await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'dossier.assign'))).toHaveLength(1);
    // The same form again (a double click): told what happened, one assignment only.
    const again = await failure(assignDossier(t.database.db, head, d.id, { assignee: other.accountId, seen: String(seen) }, AT));
    expect(again.code).toBe('dossier_moved');
    expect(await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'dossier.assign'))).toHaveLength(1);
    // Back to the pool: anyone holding the position acts again.
    await assignDossier(t.database.db, head, d.id, { assignee: '' }, AT);
    expect((await row(d.id)).assignedTo).toBeNull();
    expect((await viewDossier(t.database.db, expert, d.id, AT)).actions).toContain('handover');
  });

  it('the dossier page offers the choice, puts the expected action first and folds the others; the inbox says Giao cho tôi', async () => {
    const { d, clerk } = await received();
    const expert = await actorFor(t.database, EXPERT.username);
    await actOnDossier(t.database.db, clerk, d.id, { action: 'handover', assignee: expert.accountId }, AT);
    const c = new Client(t.app);
    expect((await c.login(EXPERT.username, TEST_PASSWORD)).status).toBe(303);
    const page = (await c.get(`/tiepnhan/ho-so/${d.id}`)).text;
    expect(page).toContain('Giao cho tôi');
    const first = page.indexOf('data-action="handover"');
    const folded = page.indexOf('<summary>Thao tác khác');
    expect(first).toBeGreaterThan(0);
    expect(folded).toBeGreaterThan(first);
    expect(page.indexOf('data-action="refuse"')).toBeGreaterThan(folded);
    expect(page).toContain('Người xử lý bước tiếp theo');
    // The next step is the approval: its unit's own leader is proposed, the pool still offered.
    expect(page).toMatch(/<option value="[0-9a-f-]{36}" selected="">[^<]+ — (Giám đốc|Phó Giám đốc)<\/option>/);
    expect(page).toContain('<option value="">Để đơn vị phân công</option>');
    const inbox = (await c.get('/tiepnhan/ho-so')).text;
    expect(inbox).toContain('Giao cho tôi (1)');

    // The head reassigns from the page.
    const h = new Client(t.app, '192.0.2.12');
    await h.login(HEAD.username, TEST_PASSWORD);
    const hp = (await h.get(`/tiepnhan/ho-so/${d.id}`)).text;
    expect(hp).toContain('Phân công lại');
    const seen = /id="reassign"[\s\S]*?name="seen" value="(\d+)"/.exec(hp)![1]!;
    const res = await h.post(`/tiepnhan/ho-so/${d.id}/phan-cong`, { assignee: '', seen }, { csrfFrom: `/tiepnhan/ho-so/${d.id}` });
    expect(res.status).toBe(303);
    expect((await row(d.id)).assignedTo).toBeNull();
  });
});

describe('a refusal says whether the dossier had been received', () => {
  it('refused while processing: Không đủ điều kiện giải quyết, on the official’s page and the public lookup', async () => {
    const { d, clerk } = await received();
    await actOnDossier(t.database.db, clerk, d.id, { action: 'handover' }, AT);
    const after = await actOnDossier(
      t.database.db,
      await actorFor(t.database, EXPERT.username),
      d.id,
      { action: 'refuse', note: 'Không đủ điều kiện' },
      AT,
    );
    expect(after.status).toBe('rejected');
    expect(STATUS_LABELS.rejected).toBe('Không đủ điều kiện giải quyết');
    const c = new Client(t.app);
    await c.login(EXPERT.username, TEST_PASSWORD);
    const page = (await c.get(`/tiepnhan/ho-so/${d.id}`)).text;
    expect(page).toContain('Không đủ điều kiện giải quyết (mã 8)');
    expect(page).not.toContain('Không được tiếp nhận');
    const found = await lookupDossier(t.database.db, d.code, d.lookupCode);
    expect(found!.status).toBe('rejected');
    const portal = await new Client(t.app, '192.0.2.13').get(`/tra-cuu?ma=${encodeURIComponent(d.code)}&matracuu=${d.lookupCode}`);
    expect(portal.text).toContain('Không đủ điều kiện giải quyết');
  });
});
