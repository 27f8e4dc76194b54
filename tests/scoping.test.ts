import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { Client, TEST_PASSWORD } from './support/app.js';
import { accountByUsername, actorFor, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { canAdministerUnit, requireAdministeredAccount } from '../src/accounts/policies.js';
import { updateOfficial } from '../src/accounts/update-official.js';
import { setSuspended } from '../src/accounts/set-suspended.js';
import { resetPassword } from '../src/accounts/reset-password.js';
import { deleteOfficial } from '../src/accounts/delete-official.js';
import { setRoles } from '../src/accounts/set-roles.js';
import { createOfficial } from '../src/accounts/create-official.js';
import { listOfficials } from '../src/accounts/list-officials.js';
import { AppError } from '../src/shared/errors.js';
import { issueApiClient } from '../src/api/issue-api-client.js';
import { apiClients, delegations, roleGrants } from '../src/db/schema/index.js';
import { demoOfficials } from '../src/demo/officials.js';

const who = (unitKey: string, position: string) => demoOfficials().find((o) => o.unitKey === unitKey && o.position === position)!.username;

const t = useDemoApp();

async function refusedAsNotFound(p: Promise<unknown>) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).status).toBe(404);
}

describe('scoped administration', () => {
  it('an administrator covers their unit subtree and nothing else', async () => {
    const sct = await actorFor(t.database, 'admin.sct');
    expect(await canAdministerUnit(t.database.db, sct, t.unitIds.sct!)).toBe(true);
    expect(await canAdministerUnit(t.database.db, sct, t.unitIds['sct-qlcn']!)).toBe(true);
    expect(await canAdministerUnit(t.database.db, sct, t.unitIds.snv!)).toBe(false);
    expect(await canAdministerUnit(t.database.db, sct, t.unitIds.tinh!)).toBe(false);
    const root = await actorFor(t.database, 'quantri1');
    expect(await canAdministerUnit(t.database.db, root, t.unitIds['snv-tcbc']!)).toBe(true);
    const clerk = await actorFor(t.database, sctClerkUsername());
    expect(await canAdministerUnit(t.database.db, clerk, t.unitIds['sct-vp']!)).toBe(false);
  });

  it('every use case refuses an account of another subtree as "not found"', async () => {
    const sct = await actorFor(t.database, 'admin.sct');
    const other = (await accountByUsername(t.database, 'admin.snv'))!;
    await refusedAsNotFound(requireAdministeredAccount(t.database.db, sct, other.id));
    await refusedAsNotFound(setSuspended(t.database.db, sct, other.id, true, new Date()));
    await refusedAsNotFound(resetPassword(t.database.db, sct, other.id, new Date()));
    await refusedAsNotFound(deleteOfficial(t.database.db, sct, other.id, new Date()));
    await refusedAsNotFound(setRoles(t.database.db, sct, other.id, []));
    await refusedAsNotFound(
      updateOfficial(
        t.database.db,
        sct,
        other.id,
        {
          username: 'admin.snv',
          middleName: 'X',
          givenName: 'Y',
          unitId: t.unitIds['sct-vp'],
          gender: 'male',
        },
        new Date(),
      ),
    );
    // Nothing changed.
    const after = (await accountByUsername(t.database, 'admin.snv'))!;
    expect(after.suspended).toBe(false);
    expect(after.deletedAt).toBeNull();
    expect(after.middleName).toBe(other.middleName);
  });

  it('cannot create an account in, move one to, or grant a role at a unit outside the subtree', async () => {
    const sct = await actorFor(t.database, 'admin.sct');
    await refusedAsNotFound(
      createOfficial(
        t.database.db,
        sct,
        {
          username: 'lan.snv',
          middleName: 'Trần Thị',
          givenName: 'Lan',
          unitId: t.unitIds['snv-vp'],
          gender: 'female',
        },
        new Date(),
      ),
    );
    const { account } = await createOfficial(
      t.database.db,
      sct,
      {
        username: 'lan.sct',
        middleName: 'Trần Thị',
        givenName: 'Lan',
        unitId: t.unitIds['sct-qltm'],
        gender: 'female',
      },
      new Date(),
    );
    await refusedAsNotFound(
      updateOfficial(
        t.database.db,
        sct,
        account.id,
        {
          username: 'lan.sct',
          middleName: 'Trần Thị',
          givenName: 'Lan',
          unitId: t.unitIds['snv-vp'],
          gender: 'female',
        },
        new Date(),
      ),
    );
    const err = await setRoles(t.database.db, sct, account.id, [{ unitId: t.unitIds.snv, role: 'admin' }]).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('grant_out_of_scope');
    await setRoles(t.database.db, sct, account.id, [{ unitId: t.unitIds['sct-qltm'], role: 'processing' }]);
  });

  it('lists only accounts of the subtree, and finds names without diacritics', async () => {
    const sct = await actorFor(t.database, 'admin.sct');
    const all = await listOfficials(t.database.db, sct, {});
    expect(all.rows.length).toBeGreaterThan(5);
    expect(all.rows.every((r) => r.unitName !== 'Sở Nội vụ' && !r.unitName.includes('Nội vụ'))).toBe(true);
    const found = await listOfficials(t.database.db, sct, { q: 'thuy' });
    expect(found.rows.map((r) => r.givenName)).toContain('Thủy');
    const foundUpper = await listOfficials(t.database.db, sct, { q: 'THỦY' });
    expect(foundUpper.rows.length).toBe(found.rows.length);
    await refusedAsNotFound(listOfficials(t.database.db, sct, { unitId: t.unitIds.snv }));
  });

  it('over HTTP: pages, form posts and crafted ids of another subtree are refused', async () => {
    const c = new Client(t.app);
    expect((await c.login('admin.sct', TEST_PASSWORD)).status).toBe(303);
    const other = (await accountByUsername(t.database, 'admin.snv'))!;
    const page = await c.get(`/tiepnhan/quan-tri/nguoi-dung?tk=${other.id}`);
    expect(page.status).toBe(404);
    expect(page.text).toContain('không tồn tại hoặc bạn không có quyền xem');
    expect((await c.get(`/tiepnhan/quan-tri/nguoi-dung?donvi=${t.unitIds.snv}`)).status).toBe(404);
    expect((await c.get(`/tiepnhan/quan-tri/nguoi-dung/${other.id}/phan-quyen`)).status).toBe(404);
    const csrfFrom = '/tiepnhan/quan-tri/nguoi-dung';
    expect((await c.post(`/tiepnhan/quan-tri/nguoi-dung/${other.id}/tam-dinh-chi`, { value: '1' }, { csrfFrom })).status).toBe(404);
    expect((await c.post(`/tiepnhan/quan-tri/nguoi-dung/${other.id}/dat-lai-mat-khau`, {}, { csrfFrom })).status).toBe(404);
    expect((await c.post(`/tiepnhan/quan-tri/nguoi-dung/${other.id}/xoa`, {}, { csrfFrom })).status).toBe(404);
    expect(
      (
        await c.post(
          `/tiepnhan/quan-tri/nguoi-dung/${other.id}`,
          { username: 'admin.snv', middleName: 'Bị', givenName: 'Sửa', unitId: t.unitIds['sct-vp']!, gender: 'male' },
          { csrfFrom },
        )
      ).status,
    ).toBe(404);
    expect((await c.get('/tiepnhan/quan-tri/nguoi-dung/not-a-uuid/xoa')).status).toBe(404);
    const tree = await c.get('/tiepnhan/quan-tri/nguoi-dung');
    expect(tree.text).toContain('Sở Công Thương');
    expect(tree.text).not.toContain('Sở Nội vụ');
    const after = (await accountByUsername(t.database, 'admin.snv'))!;
    expect(after.suspended).toBe(false);
    expect(after.deletedAt).toBeNull();
  });

  it('an account seated in the subtree with a role beyond it, or lent one by a delegation, is administered whole only from above', async () => {
    const db = t.database.db;
    const root = await actorFor(t.database, 'quantri1');
    const sct = await actorFor(t.database, 'admin.sct');
    const clerk = (await accountByUsername(t.database, sctClerkUsername()))!;
    const grantsOf = (id: string) =>
      db.select({ unitId: roleGrants.unitId, role: roleGrants.role }).from(roleGrants).where(eq(roleGrants.accountId, id));
    // The province seconds SCT's clerk to SNV's reception: the clerk now acts on SNV's dossiers too.
    await setRoles(db, root, clerk.id, [...(await grantsOf(clerk.id)), { unitId: t.unitIds.snv!, role: 'reception' }]);
    const beyond = async (p: Promise<unknown>) => {
      const err = await p.then(
        () => null,
        (e: unknown) => e,
      );
      expect((err as AppError).code).toBe('account_beyond_scope');
      expect((err as AppError).status).toBe(403);
    };
    const identity = { username: clerk.username, middleName: 'Văn', givenName: 'Chiếm', unitId: clerk.unitId, gender: 'male' };
    await beyond(resetPassword(db, sct, clerk.id, new Date()));
    await beyond(issueApiClient(db, sct, clerk.id, { name: 'chiếm quyền' }));
    await beyond(updateOfficial(db, sct, clerk.id, identity, new Date()));
    await beyond(setSuspended(db, sct, clerk.id, true, new Date()));
    await beyond(deleteOfficial(db, sct, clerk.id, new Date()));
    const after = (await accountByUsername(t.database, clerk.username))!;
    expect([after.passwordHash, after.givenName, after.suspended, after.deletedAt]).toEqual([
      clerk.passwordHash,
      clerk.givenName,
      false,
      null,
    ]);
    expect(await db.select().from(apiClients).where(eq(apiClients.accountId, clerk.id))).toEqual([]);
    // Still seen, and its SCT roles still set, by SCT's administrator; the whole account is the province's to act on.
    expect((await requireAdministeredAccount(db, sct, clerk.id)).id).toBe(clerk.id);
    await setRoles(
      db,
      sct,
      clerk.id,
      (await grantsOf(clerk.id)).filter((g) => g.unitId !== t.unitIds.snv),
    );
    expect((await grantsOf(clerk.id)).some((g) => g.unitId === t.unitIds.snv)).toBe(true);
    await resetPassword(db, root, clerk.id, new Date());

    // Lent: an SCT official holding the clerk's delegation acts from SNV too while it is not over.
    const expert = (await accountByUsername(t.database, who('sct-qltm', 'Chuyên viên')))!;
    const now = new Date();
    const [lent] = await db
      .insert(delegations)
      .values({
        delegatorId: clerk.id,
        delegateId: expert.id,
        scope: 'all',
        startsAt: now,
        endsAt: new Date(now.getTime() + 86_400_000),
        reason: 'Nghỉ phép',
      })
      .returning({ id: delegations.id });
    await beyond(resetPassword(db, sct, expert.id, new Date()));
    await db.update(delegations).set({ endedAt: now, endedBy: clerk.id }).where(eq(delegations.id, lent!.id));
    expect((await resetPassword(db, sct, expert.id, new Date())).temporaryPassword).toBeTruthy();
  });

  it('an official without an admin role cannot reach administration at all', async () => {
    const c = new Client(t.app);
    const clerk = sctClerkUsername();
    expect((await c.login(clerk, TEST_PASSWORD)).status).toBe(303);
    expect((await c.get('/tiepnhan/quan-tri/nguoi-dung')).status).toBe(403);
    expect((await c.get('/tiepnhan/quan-tri/don-vi')).status).toBe(403);
    expect((await c.get('/tiepnhan/quan-tri/nhat-ky')).status).toBe(403);
  });

  it('page chrome follows an administrator’s change at once, though it is cached between requests', async () => {
    const official = new Client(t.app, '192.0.2.31');
    expect((await official.login(sctClerkUsername(), TEST_PASSWORD)).status).toBe(303);
    expect((await official.get('/tiepnhan/ho-so')).text).not.toContain('QUẢN TRỊ HỆ THỐNG');
    const admin = new Client(t.app, '192.0.2.32');
    expect((await admin.login('admin.sct', TEST_PASSWORD)).status).toBe(303);
    const clerk = (await accountByUsername(t.database, sctClerkUsername()))!;
    const keep = ['reception', 'result'].map((role) => `${clerk.unitId}:${role}`);
    const res = await admin.post(
      `/tiepnhan/quan-tri/nguoi-dung/${clerk.id}/phan-quyen`,
      { grant: [...keep, `${clerk.unitId}:admin`] },
      { csrfFrom: `/tiepnhan/quan-tri/nguoi-dung/${clerk.id}/phan-quyen` },
    );
    expect(res.status).toBe(303);
    expect((await official.get('/tiepnhan/ho-so')).text).toContain('QUẢN TRỊ HỆ THỐNG');
  });
});
