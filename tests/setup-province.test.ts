/**
 * The set-up use case (src/setup/setup-province.ts) on both databases, in process: what `npm run setup` writes, and
 * its refusals — an installation already set up or holding the demo data, two set-ups at once, every bad field named
 * by its flag's key — each leaving the database as it was. tests/setup-production.test.ts runs the command itself.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import type { Database } from '../src/db/client.js';
import { accounts, auditLog, roleGrants, settings, units } from '../src/db/schema/index.js';
import { seedDemo } from '../src/demo/seed.js';
import { useTotp } from '../src/auth/totp.js';
import { verifyPassword } from '../src/auth/passwords.js';
import { AppError } from '../src/shared/errors.js';
import { rootUnitName } from '../src/org/unit-queries.js';
import { setupProvince, type SetupFields } from '../src/setup/setup-province.js';
import { resetDatabase, testDatabase } from './support/db.js';
import { TEST_PASSWORD } from './support/app.js';

const GOOD: SetupFields = {
  provinceName: '  Tỉnh   Bình Phước ',
  provinceShortName: 'BP',
  provinceCode: 'h10',
  agencyCode: '000.00.00.h10',
  adminUsername: 'quantri.tinh',
  adminMiddleName: 'Lê Văn',
  adminGivenName: 'Bình',
  adminGender: 'nam',
  adminMobile: '0912 345 678',
  adminEmail: 'quantri@binhphuoc.gov.vn',
  adminPassword: 'một mật khẩu đủ dài',
};

let database: Database;
beforeAll(async () => {
  database = await testDatabase();
});
beforeEach(async () => {
  await resetDatabase(database);
});

async function rowCounts() {
  const db = database.db;
  return {
    units: (await db.select().from(units)).length,
    accounts: (await db.select().from(accounts)).length,
    grants: (await db.select().from(roleGrants)).length,
    settings: (await db.select().from(settings)).length,
    audit: (await db.select().from(auditLog)).length,
  };
}

async function refusal(raw: SetupFields): Promise<AppError> {
  const err = await setupProvince(database.db, raw, new Date()).catch((e: unknown) => e);
  if (!(err instanceof AppError)) throw new Error(`expected a refusal, got ${String(err)}`);
  return err;
}

describe('setupProvince', () => {
  it('creates the province, its root unit and the break-glass administrator whose TOTP and password work', async () => {
    const res = await setupProvince(database.db, GOOD, new Date());
    expect(res.province).toEqual({ name: 'Tỉnh Bình Phước', code: 'H10' });
    expect(res.root).toMatchObject({ name: 'Tỉnh Bình Phước', shortName: 'BP', agencyCode: '000.00.00.H10', kind: 'province' });
    // The header of every page reads the root unit's name.
    expect(await rootUnitName(database.db)).toBe('Tỉnh Bình Phước');
    expect(res.account).toMatchObject({ username: 'quantri.tinh', mobile: '0912345678', position: 'Quản trị hệ thống' });
    expect(res.uri).toContain(`secret=${res.secret}`);
    expect(res.uri).toContain('quantri.tinh');
    const [acc] = await database.db.select().from(accounts);
    expect([acc!.breakGlass, acc!.totpSecret]).toEqual([true, res.secret]);
    expect(await verifyPassword(acc!.passwordHash, 'một mật khẩu đủ dài')).toBe(true);
    expect(await useTotp(database.db, acc!.id, res.secret, await generate({ secret: res.secret }))).toBe(true);
    expect(await rowCounts()).toEqual({ units: 1, accounts: 1, grants: 1, settings: 1, audit: 5 });
  });

  it('refuses a second run, whatever its input, and changes nothing', async () => {
    await setupProvince(database.db, GOOD, new Date());
    const before = await rowCounts();
    const err = await refusal({ ...GOOD, adminUsername: 'quantri2', provinceName: 'Tỉnh Khác' });
    expect([err.code, err.status]).toEqual(['already_set_up', 409]);
    expect(err.message).toContain('đã có tỉnh Tỉnh Bình Phước, mã H10');
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses a database holding the demo data (units and administrators), and changes nothing', async () => {
    await seedDemo(database.db, TEST_PASSWORD);
    const before = await rowCounts();
    const err = await refusal(GOOD);
    expect(err.message).toContain('đã có đơn vị gốc Tỉnh Bình Phước');
    expect(await rowCounts()).toEqual(before);
  });

  it('two set-ups at once: one creates, the other is refused', async () => {
    const results = await Promise.allSettled([
      setupProvince(database.db, GOOD, new Date()),
      setupProvince(database.db, { ...GOOD, adminUsername: 'quantri.hai' }, new Date()),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected');
    expect((refused as PromiseRejectedResult).reason).toMatchObject({ code: 'already_set_up' });
    expect(await rowCounts()).toEqual({ units: 1, accounts: 1, grants: 1, settings: 1, audit: 5 });
  });

  it('names every bad field at once, with the forms’ rules, and writes nothing', async () => {
    const err = await refusal({
      provinceName: 'X',
      provinceCode: '10',
      agencyCode: '000.00.00.H10.ABCDE',
      adminUsername: 'quản trị',
      adminMiddleName: '',
      adminGivenName: 'An',
      adminGender: 'khác',
      adminMobile: '12345',
      adminEmail: 'not-an-email',
      adminPassword: 'aaaaaaaaaaaaaa',
    });
    expect(err.code).toBe('validation_failed');
    expect(err.fields).toEqual({
      provinceName: 'Tên đơn vị phải có ít nhất 2 ký tự.',
      provinceCode: 'Mã tỉnh gồm 2–4 chữ cái hoặc chữ số, bắt đầu bằng chữ cái (ví dụ: H10), là nhóm cuối của mã định danh điện tử.',
      agencyCode: 'Mã định danh điện tử không đúng dạng (ví dụ: 000.00.13.H10).',
      adminUsername: 'Tên tài khoản chỉ gồm chữ không dấu, số và các ký tự . _ -',
      adminMiddleName: 'Vui lòng nhập họ và tên đệm.',
      adminGender: 'Vui lòng chọn giới tính.',
      adminMobile: 'Số di động phải là số di động Việt Nam gồm 10 chữ số (ví dụ 09xxxxxxxx).',
      adminEmail: 'Địa chỉ email không hợp lệ: not-an-email.',
      adminPassword: 'Mật khẩu quá dễ đoán. Vui lòng chọn mật khẩu khác.',
    });
    const missing = await refusal({});
    expect(Object.keys(missing.fields ?? {}).sort()).toEqual(
      [
        'provinceName',
        'provinceCode',
        'agencyCode',
        'adminUsername',
        'adminMiddleName',
        'adminGivenName',
        'adminGender',
        'adminPassword',
      ].sort(),
    );
    const control = await refusal({ ...GOOD, provinceName: 'Tỉnh\u0000Bình Phước' });
    expect(control.code).toBe('validation_failed');
    expect(await rowCounts()).toEqual({ units: 0, accounts: 0, grants: 0, settings: 0, audit: 0 });
  });
});
