import { describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import { and, eq, isNull } from 'drizzle-orm';
import { buildApp, Client, TEST_PASSWORD } from './support/app.js';
import { accountByUsername, actorFor, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { accounts, auditLog, accountIdentities, sessions, units } from '../src/db/schema/index.js';
import { setProvinceCutoff, setUnitCutoff } from '../src/cutover/set-cutoff.js';
import { moveUnit } from '../src/org/move-unit.js';
import { createUnit } from '../src/org/create-unit.js';
import { mergeUnits } from '../src/org/merge-units.js';
import { updateOfficial } from '../src/accounts/update-official.js';
import { setBreakGlass } from '../src/cutover/set-break-glass.js';
import { readyBreakGlass } from './support/break-glass.js';
import { lockedOutOn, readiness, recentBreakGlassLogins } from '../src/cutover/readiness.js';
import type { AppError } from '../src/shared/errors.js';

const t = useDemoApp();
const at = (iso: string) => () => new Date(`${iso}T09:00:00+07:00`);
const appOn = (iso: string) => buildApp(t.database, {}, { now: at(iso) });

describe('the VNeID-only cutoff', () => {
  it('password login works before the date and is refused from it on, pointing to VNeID', async () => {
    await setProvinceCutoff(t.database.db, await actorFor(t.database, 'quantri1'), { date: '20/10/2026' }, new Date());
    const clerk = sctClerkUsername();
    expect((await new Client(appOn('2026-10-19')).login(clerk, TEST_PASSWORD)).status).toBe(303);
    const after = await new Client(appOn('2026-10-20')).login(clerk, TEST_PASSWORD);
    expect(after.status).toBe(403);
    expect(after.text).toContain('Từ ngày 20/10/2026, cán bộ chỉ đăng nhập bằng tài khoản VNeID');
    expect(after.text).toContain('Đăng nhập bằng tài khoản VNEID');
    // A wrong password still says only that: the cutoff is never a hint that the name exists.
    const wrong = await new Client(appOn('2026-10-20')).login(clerk, 'sai-mat-khau-roi');
    expect(wrong.status).toBe(401);
    const page = await new Client(appOn('2026-10-20')).get('/tiepnhan/dang-nhap');
    expect(page.text).toContain('Từ ngày 20/10/2026, cán bộ chỉ đăng nhập bằng tài khoản VNeID.');
  });

  it('a unit can move earlier or later than the province (staged cutover)', async () => {
    const root = await actorFor(t.database, 'quantri1');
    await setProvinceCutoff(t.database.db, root, { date: '01/12/2026' }, new Date());
    await setUnitCutoff(t.database.db, root, t.unitIds.sct!, { date: '15/11/2026' }, new Date());
    await setUnitCutoff(t.database.db, root, t.unitIds.snv!, { date: '01/01/2027' }, new Date());
    const day = appOn('2026-11-20');
    expect((await new Client(day).login(sctClerkUsername(), TEST_PASSWORD)).status).toBe(403);
    expect((await new Client(day).login('admin.snv', TEST_PASSWORD)).status).toBe(303);
    expect((await new Client(day).login('admin.dx', TEST_PASSWORD)).status).toBe(303);
    expect((await new Client(appOn('2026-12-01')).login('admin.dx', TEST_PASSWORD)).status).toBe(403);
    expect((await new Client(appOn('2026-12-01')).login('admin.snv', TEST_PASSWORD)).status).toBe(303);
  });

  it('a unit administrator cannot postpone the date by moving a unit, merging one or moving an account under a later date', async () => {
    const root = await actorFor(t.database, 'quantri1');
    const sct = await actorFor(t.database, 'admin.sct');
    const now = new Date();
    await setProvinceCutoff(t.database.db, root, { date: '01/12/2026' }, now);
    // The province gave one centre of the department a later date (a staged cutover).
    await setUnitCutoff(t.database.db, root, t.unitIds['sct-tt-kc']!, { date: '01/06/2027' }, now);
    const day = appOn('2026-12-05');
    const clerk = sctClerkUsername(); // seated in sct-vp
    expect((await new Client(day).login(clerk, TEST_PASSWORD)).status).toBe(403);
    const refused = (p: Promise<unknown>) => p.then(() => null).catch((e: AppError) => e);

    const move = await refused(moveUnit(t.database.db, sct, t.unitIds['sct-vp']!, t.unitIds['sct-tt-kc']!, now));
    expect(move).toMatchObject({ code: 'cutoff_postpone_forbidden', status: 403 });
    expect(move?.message).toBe(
      'Không thể chuyển đơn vị: nơi chuyển đến thuộc nhánh có ngày chỉ đăng nhập bằng VNeID 01/06/2027, muộn hơn ngày 01/12/2026 của nơi hiện tại. Chuyển sang nhánh có ngày muộn hơn do quản trị cấp tỉnh thực hiện.',
    );
    // Nor through a unit made under the later-dated one and given an early date of its own: once the officials are in,
    // clearing that date (always allowed back to the date above) would hand them the later one.
    const decoy = await createUnit(t.database.db, sct, t.unitIds['sct-tt-kc']!, { name: 'Tổ tạm', kind: 'division' });
    await setUnitCutoff(t.database.db, sct, decoy.id, { date: '20/11/2026' }, now);
    expect(await refused(moveUnit(t.database.db, sct, t.unitIds['sct-vp']!, decoy.id, now))).toMatchObject({
      code: 'cutoff_postpone_forbidden',
    });
    const merge = await refused(mergeUnits(t.database.db, sct, t.unitIds['sct-vp']!, t.unitIds['sct-tt-kc']!, now));
    expect(merge).toMatchObject({ code: 'cutoff_postpone_forbidden' });
    const account = (await accountByUsername(t.database, clerk))!;
    const [claim] = await t.database.db.select().from(accountIdentities).where(eq(accountIdentities.accountId, account.id));
    const form = {
      username: account.username,
      middleName: account.middleName,
      givenName: account.givenName,
      gender: claim?.gender ?? 'male',
    };
    const moved = await refused(updateOfficial(t.database.db, sct, account.id, { ...form, unitId: t.unitIds['sct-tt-kc']! }, now));
    expect(moved).toMatchObject({ code: 'cutoff_postpone_forbidden' });
    expect(moved?.message).toContain('Không thể chuyển tài khoản');
    // Nothing moved, and the clerk is still held to the date in force.
    expect((await accountByUsername(t.database, clerk))!.unitId).toBe(t.unitIds['sct-vp']);
    const [vp] = await t.database.db.select().from(units).where(eq(units.id, t.unitIds['sct-vp']!));
    expect(vp).toMatchObject({ parentId: t.unitIds.sct, active: true });
    expect((await new Client(day).login(clerk, TEST_PASSWORD)).status).toBe(403);

    // Towards an earlier date, or a unit with its own date that the move does not change, the same administrator may.
    await setUnitCutoff(t.database.db, sct, t.unitIds['sct-qlcn']!, { date: '20/11/2026' }, now);
    expect(await refused(updateOfficial(t.database.db, sct, account.id, { ...form, unitId: t.unitIds['sct-qlcn']! }, now))).toBeNull();
    // A unit given a date of its own first is no way round: under the later-dated parent it could then be given that
    // parent's date (the ceiling of set-cutoff.ts), and moved back.
    await setUnitCutoff(t.database.db, sct, t.unitIds['sct-qltm']!, { date: '25/11/2026' }, now);
    expect(await refused(moveUnit(t.database.db, sct, t.unitIds['sct-qltm']!, t.unitIds['sct-tt-kc']!, now))).toMatchObject({
      code: 'cutoff_postpone_forbidden',
    });
    await setUnitCutoff(t.database.db, sct, t.unitIds['sct-vp']!, { date: '30/11/2026' }, now);
    expect(await refused(moveUnit(t.database.db, sct, t.unitIds['sct-vp']!, t.unitIds['sct-tt-kc']!, now))).toMatchObject({
      code: 'cutoff_postpone_forbidden',
    });
    await setUnitCutoff(t.database.db, sct, t.unitIds['sct-vp']!, {}, now);
    // Under a parent whose date is the same or earlier, it moves.
    expect(await refused(moveUnit(t.database.db, sct, t.unitIds['sct-qltm']!, t.unitIds['sct-vp']!, now))).toBeNull();
    // The province administrator decides postponements, moves included.
    expect(await refused(moveUnit(t.database.db, root, t.unitIds['sct-vp']!, t.unitIds['sct-tt-kc']!, now))).toBeNull();
    expect(await refused(updateOfficial(t.database.db, root, account.id, { ...form, unitId: t.unitIds['sct-tt-kc']! }, now))).toBeNull();
    expect((await new Client(day).login(clerk, TEST_PASSWORD)).status).toBe(303);
  });

  it('only the province administrator sets the province date; unit admins set their own units', async () => {
    const sct = await actorFor(t.database, 'admin.sct');
    const err = await setProvinceCutoff(t.database.db, sct, { date: '01/12/2026' }, new Date()).catch((e: AppError) => e);
    expect((err as AppError).status).toBe(403);
    await setUnitCutoff(t.database.db, sct, t.unitIds['sct-qlcn']!, { date: '01/12/2026' }, new Date());
    const other = await setUnitCutoff(t.database.db, sct, t.unitIds.snv!, { date: '01/12/2026' }, new Date()).catch((e: AppError) => e);
    expect((other as AppError).status).toBe(404);
    const bad = await setUnitCutoff(t.database.db, sct, t.unitIds.sct!, { date: '31/02/2026' }, new Date()).catch((e: AppError) => e);
    expect((bad as AppError).fields?.date).toContain('dd/mm/yyyy');
  });

  it('a unit administrator brings their units forward but never past the date in force (the province decides that)', async () => {
    const root = await actorFor(t.database, 'quantri1');
    const sct = await actorFor(t.database, 'admin.sct');
    await setProvinceCutoff(t.database.db, root, { date: '01/12/2026' }, new Date());
    const refuse = (unitId: string, date: string) =>
      setUnitCutoff(t.database.db, sct, unitId, { date }, new Date()).catch((e: AppError) => e);
    // Later than the province's, for the administrator's own unit or one below: refused, nothing written.
    const later = (await refuse(t.unitIds.sct!, '01/01/2099')) as AppError;
    expect([later.status, later.code]).toEqual([403, 'cutoff_postpone_forbidden']);
    expect(later.message).toContain('01/12/2026');
    expect(((await refuse(t.unitIds['sct-qlcn']!, '02/12/2026')) as AppError).status).toBe(403);
    expect((await new Client(appOn('2026-12-01')).login(sctClerkUsername(), TEST_PASSWORD)).status).toBe(403);
    // Earlier is theirs, and so is moving back up to the date above; so is following the parent again.
    await setUnitCutoff(t.database.db, sct, t.unitIds.sct!, { date: '15/11/2026' }, new Date());
    await setUnitCutoff(t.database.db, sct, t.unitIds.sct!, { date: '20/11/2026' }, new Date());
    expect(((await refuse(t.unitIds['sct-qlcn']!, '21/11/2026')) as AppError).status).toBe(403);
    await setUnitCutoff(t.database.db, sct, t.unitIds.sct!, { date: '' }, new Date());
    // A later date the province administrator gave the unit: the unit administrator may stay within it.
    await setUnitCutoff(t.database.db, root, t.unitIds.sct!, { date: '01/01/2027' }, new Date());
    await setUnitCutoff(t.database.db, sct, t.unitIds.sct!, { date: '20/12/2026' }, new Date());
    // With no date above, clearing the unit's own date would open password login again: refused too.
    await setProvinceCutoff(t.database.db, root, { date: '' }, new Date());
    expect(((await refuse(t.unitIds.sct!, '')) as AppError).status).toBe(403);
    // Over HTTP: the page says why.
    const c = new Client(t.app);
    await c.login('admin.sct', TEST_PASSWORD);
    const page = await c.post(
      `/tiepnhan/quan-tri/chuyen-doi-vneid/don-vi/${t.unitIds.sct}`,
      { date: '01/01/2099' },
      { csrfFrom: '/tiepnhan/quan-tri/chuyen-doi-vneid' },
    );
    expect(page.status).toBe(403);
    expect(page.text).toContain('Lùi ngày hoặc bỏ ngày do quản trị cấp tỉnh thực hiện.');
    const [u] = await t.database.db.select().from(units).where(eq(units.id, t.unitIds.sct!));
    expect(u!.passwordCutoff).toBe('2026-12-20');
  });

  it('break-glass accounts keep password login with TOTP, used once, audited and shown to administrators', async () => {
    const root = await actorFor(t.database, 'quantri1');
    await setProvinceCutoff(t.database.db, root, { date: '20/10/2026' }, new Date());
    const acc = (await accountByUsername(t.database, 'admin.dx'))!;
    const secret = await readyBreakGlass(t.database.db, root, acc.id);
    const day = appOn('2026-10-21');
    const CODE = '/tiepnhan/dang-nhap/ma-xac-thuc';
    // The right password alone: the code step, no session yet.
    const first = new Client(day);
    const noCode = await first.login('admin.dx', TEST_PASSWORD);
    expect([noCode.status, noCode.location]).toEqual([303, CODE]);
    expect((await first.get(CODE)).text).toContain('mã xác thực');
    expect(first.cookies.has('motcua_sid')).toBe(false);
    expect((await first.post(CODE, { code: '000000' })).status).toBe(401);
    // The app's clock is moved to the cutoff day; TOTP steps follow it.
    const epoch = Math.floor(at('2026-10-21')().getTime() / 1000);
    const code = await generate({ secret: secret!, epoch });
    expect((await first.post(CODE, { code })).status).toBe(303);
    // Used once: another browser's code step refuses it.
    const again = new Client(day);
    expect((await again.login('admin.dx', TEST_PASSWORD)).status).toBe(303);
    expect((await again.post(CODE, { code })).status).toBe(401);
    const logins = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'auth.login'));
    expect(logins.at(-1)!.data).toMatchObject({ method: 'password+totp', breakGlass: true });
    // The session says how it was opened; a break-glass session proves no person, so it switches nowhere.
    const [session] = await t.database.db
      .select()
      .from(sessions)
      .where(eq(sessions.accountId, (await accountByUsername(t.database, 'admin.dx'))!.id));
    expect(session).toMatchObject({ method: 'password+totp', personId: null });
    const shown = await recentBreakGlassLogins(t.database.db, root);
    expect(shown.map((e) => e.actorLabel)).toEqual(['admin.dx']);
    const sctAdmin = await actorFor(t.database, 'admin.sct');
    const err = await setBreakGlass(t.database.db, sctAdmin, acc.id, true, new Date()).catch((e: AppError) => e);
    expect((err as AppError).status).toBe(403);
  });

  it('the dry run lists exactly who cannot get in on the day', async () => {
    const root = await actorFor(t.database, 'quantri1');
    await setProvinceCutoff(t.database.db, root, { date: '20/10/2026' }, new Date());
    await setUnitCutoff(t.database.db, root, t.unitIds.bd!, { date: '01/03/2027' }, new Date());
    await readyBreakGlass(t.database.db, root, (await accountByUsername(t.database, 'quantri1'))!.id);
    // Named, but its owner has not set up the code: it cannot log in by password after the cutoff either.
    await setBreakGlass(t.database.db, root, (await accountByUsername(t.database, 'admin.sct'))!.id, true, new Date());
    const locked = new Set((await lockedOutOn(t.database.db, root, '2026-10-20')).map((a) => a.username));
    expect(locked.size).toBeGreaterThan(0);
    const day = appOn('2026-10-20');
    const live = await t.database.db
      .select({ username: accounts.username, breakGlass: accounts.breakGlass, verifiedAt: accountIdentities.verifiedAt })
      .from(accounts)
      .leftJoin(accountIdentities, eq(accountIdentities.accountId, accounts.id))
      .where(and(isNull(accounts.deletedAt), eq(accounts.suspended, false)));
    for (const a of live) {
      const res = await new Client(day, `198.51.100.${live.indexOf(a) + 1}`).login(a.username, TEST_PASSWORD);
      // A session, or for a break-glass account the code step (its holder has the code).
      const passwordWorks = res.status === 303;
      const vneidWorks = !!a.verifiedAt;
      expect({ username: a.username, canGetIn: passwordWorks || vneidWorks }).toEqual({
        username: a.username,
        canGetIn: !locked.has(a.username),
      });
    }
  });

  it('readiness counts bound and verified accounts per unit', async () => {
    const root = await actorFor(t.database, 'quantri1');
    const rows = await readiness(t.database.db, root);
    const total = rows.reduce((n, r) => n + r.total, 0);
    expect(total).toBe(36);
    for (const r of rows) {
      expect(r.verified).toBeLessThanOrEqual(r.bound);
      expect(r.notReady.length).toBe(r.total - r.verified);
    }
    const sct = await actorFor(t.database, 'admin.sct');
    expect((await readiness(t.database.db, sct)).every((r) => !r.unitName.includes('Nội vụ'))).toBe(true);
    const page = await (async () => {
      const c = new Client(t.app);
      await c.login('quantri1', TEST_PASSWORD);
      return c.get('/tiepnhan/quan-tri/chuyen-doi-vneid?ngay=20/10/2026');
    })();
    expect(page.status).toBe(200);
    expect(page.text).toContain('Mức độ sẵn sàng theo đơn vị');
    expect(page.text).toContain('Chạy thử');
  });
});
