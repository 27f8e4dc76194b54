import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testDatabase } from './support/db.js';
import { buildApp, Client, TEST_PASSWORD, type App } from './support/app.js';
import { accountByUsername, actorFor, freshDemo } from './support/fixtures.js';
import type { Database } from '../src/db/client.js';
import { canAdministerUnit, requireAdministeredAccount } from '../src/accounts/policies.js';
import { updateOfficial } from '../src/accounts/update-official.js';
import { setSuspended } from '../src/accounts/set-suspended.js';
import { resetPassword } from '../src/accounts/reset-password.js';
import { deleteOfficial } from '../src/accounts/delete-official.js';
import { setRoles } from '../src/accounts/set-roles.js';
import { createOfficial } from '../src/accounts/create-official.js';
import { listOfficials } from '../src/accounts/list-officials.js';
import { AppError } from '../src/shared/errors.js';

let database: Database;
let app: App;
let unitIds: Record<string, string>;

beforeAll(async () => {
  database = await testDatabase();
  app = buildApp(database);
});
beforeEach(async () => {
  unitIds = (await freshDemo(database)).unitIds;
});

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
    const sct = await actorFor(database, 'admin.sct');
    expect(await canAdministerUnit(database.db, sct, unitIds.sct!)).toBe(true);
    expect(await canAdministerUnit(database.db, sct, unitIds['sct-qlcn']!)).toBe(true);
    expect(await canAdministerUnit(database.db, sct, unitIds.snv!)).toBe(false);
    expect(await canAdministerUnit(database.db, sct, unitIds.tinh!)).toBe(false);
    const root = await actorFor(database, 'quantri1');
    expect(await canAdministerUnit(database.db, root, unitIds['snv-tcbc']!)).toBe(true);
    const clerk = await actorFor(database, 'thuy' + (await clerkSuffix()));
    expect(await canAdministerUnit(database.db, clerk, unitIds['sct-vp']!)).toBe(false);
  });

  it('every use case refuses an account of another subtree as "not found"', async () => {
    const sct = await actorFor(database, 'admin.sct');
    const other = (await accountByUsername(database, 'admin.snv'))!;
    await refusedAsNotFound(requireAdministeredAccount(database.db, sct, other.id));
    await refusedAsNotFound(setSuspended(database.db, sct, other.id, true));
    await refusedAsNotFound(resetPassword(database.db, sct, other.id));
    await refusedAsNotFound(deleteOfficial(database.db, sct, other.id));
    await refusedAsNotFound(setRoles(database.db, sct, other.id, []));
    await refusedAsNotFound(
      updateOfficial(database.db, sct, other.id, { username: 'admin.snv', middleName: 'X', givenName: 'Y', unitId: unitIds['sct-vp'], gender: 'male' }),
    );
    // Nothing changed.
    const after = (await accountByUsername(database, 'admin.snv'))!;
    expect(after.suspended).toBe(false);
    expect(after.deletedAt).toBeNull();
    expect(after.middleName).toBe(other.middleName);
  });

  it('cannot create an account in, move one to, or grant a role at a unit outside the subtree', async () => {
    const sct = await actorFor(database, 'admin.sct');
    await refusedAsNotFound(
      createOfficial(database.db, sct, { username: 'lan.snv', middleName: 'Trần Thị', givenName: 'Lan', unitId: unitIds['snv-vp'], gender: 'female' }),
    );
    const { account } = await createOfficial(database.db, sct, {
      username: 'lan.sct',
      middleName: 'Trần Thị',
      givenName: 'Lan',
      unitId: unitIds['sct-qltm'],
      gender: 'female',
    });
    await refusedAsNotFound(
      updateOfficial(database.db, sct, account.id, { username: 'lan.sct', middleName: 'Trần Thị', givenName: 'Lan', unitId: unitIds['snv-vp'], gender: 'female' }),
    );
    const err = await setRoles(database.db, sct, account.id, [{ unitId: unitIds.snv, role: 'admin' }]).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('grant_out_of_scope');
    await setRoles(database.db, sct, account.id, [{ unitId: unitIds['sct-qltm'], role: 'processing' }]);
  });

  it('lists only accounts of the subtree, and finds names without diacritics', async () => {
    const sct = await actorFor(database, 'admin.sct');
    const all = await listOfficials(database.db, sct, {});
    expect(all.rows.length).toBeGreaterThan(5);
    expect(all.rows.every((r) => r.unitName !== 'Sở Nội vụ' && !r.unitName.includes('Nội vụ'))).toBe(true);
    const found = await listOfficials(database.db, sct, { q: 'thuy' });
    expect(found.rows.map((r) => r.givenName)).toContain('Thủy');
    const foundUpper = await listOfficials(database.db, sct, { q: 'THỦY' });
    expect(foundUpper.rows.length).toBe(found.rows.length);
    await refusedAsNotFound(listOfficials(database.db, sct, { unitId: unitIds.snv }));
  });

  it('over HTTP: pages, form posts and crafted ids of another subtree are refused', async () => {
    const c = new Client(app);
    expect((await c.login('admin.sct', TEST_PASSWORD)).status).toBe(303);
    const other = (await accountByUsername(database, 'admin.snv'))!;
    const page = await c.get(`/tiepnhan/quan-tri/nguoi-dung?tk=${other.id}`);
    expect(page.status).toBe(404);
    expect(page.text).toContain('không tồn tại hoặc bạn không có quyền xem');
    expect((await c.get(`/tiepnhan/quan-tri/nguoi-dung?donvi=${unitIds.snv}`)).status).toBe(404);
    expect((await c.get(`/tiepnhan/quan-tri/nguoi-dung/${other.id}/phan-quyen`)).status).toBe(404);
    const csrfFrom = '/tiepnhan/quan-tri/nguoi-dung';
    expect((await c.post(`/tiepnhan/quan-tri/nguoi-dung/${other.id}/tam-dinh-chi`, { value: '1' }, { csrfFrom })).status).toBe(404);
    expect((await c.post(`/tiepnhan/quan-tri/nguoi-dung/${other.id}/dat-lai-mat-khau`, {}, { csrfFrom })).status).toBe(404);
    expect((await c.post(`/tiepnhan/quan-tri/nguoi-dung/${other.id}/xoa`, {}, { csrfFrom })).status).toBe(404);
    expect(
      (
        await c.post(
          `/tiepnhan/quan-tri/nguoi-dung/${other.id}`,
          { username: 'admin.snv', middleName: 'Bị', givenName: 'Sửa', unitId: unitIds['sct-vp']!, gender: 'male' },
          { csrfFrom },
        )
      ).status,
    ).toBe(404);
    expect((await c.get('/tiepnhan/quan-tri/nguoi-dung/not-a-uuid/xoa')).status).toBe(404);
    const tree = await c.get('/tiepnhan/quan-tri/nguoi-dung');
    expect(tree.text).toContain('Sở Công Thương');
    expect(tree.text).not.toContain('Sở Nội vụ');
    const after = (await accountByUsername(database, 'admin.snv'))!;
    expect(after.suspended).toBe(false);
    expect(after.deletedAt).toBeNull();
  });

  it('an official without an admin role cannot reach administration at all', async () => {
    const c = new Client(app);
    const clerk = 'thuy' + (await clerkSuffix());
    expect((await c.login(clerk, TEST_PASSWORD)).status).toBe(303);
    expect((await c.get('/tiepnhan/quan-tri/nguoi-dung')).status).toBe(403);
    expect((await c.get('/tiepnhan/quan-tri/don-vi')).status).toBe(403);
    expect((await c.get('/tiepnhan/quan-tri/nhat-ky')).status).toBe(403);
  });
});

/** The demo Sở Công Thương clerk is a Thủy; her username is thuy<initials>.sct. */
async function clerkSuffix() {
  const { demoOfficials } = await import('../src/demo/officials.js');
  const o = demoOfficials().find((x) => x.givenName === 'Thủy' && x.unitKey === 'sct-vp')!;
  return o.username.slice('thuy'.length);
}
