/**
 * A province's first day (`npm run setup`, issue 16 item 6): on a database with no organisation yet, creates in one
 * transaction the province — its root unit, whose name every page header shows (web/http.ts siteName), and a
 * `province` setting with its name and code —, that unit's electronic agency code, and the first province
 * administrator: the admin role at the root, break-glass with a fresh TOTP secret (returned once, never shown
 * again), so the province is never locked out while VNeID is not yet in use or is down. Every row is audited
 * as the system actor `setup`. A second run, or a run on a database that already has units or an administrator
 * (the demo data), is refused and writes nothing.
 */
import { eq, isNull, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db, Tx } from '../db/client.js';
import { accounts, roleGrants, settings, units } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { insertOfficial } from '../accounts/create-official.js';
import { officialInput, type OfficialInput } from '../accounts/official-input.js';
import { hashPassword, passwordProblem } from '../auth/passwords.js';
import { newTotpSecret, totpUri } from '../auth/totp.js';
import { UnitInput } from '../org/unit-input.js';
import { systemActor } from '../shared/context.js';
import { AppError, errors, type FieldErrors } from '../shared/errors.js';
import { CONTROL_CHARS_MESSAGE, foldVietnamese, hasControlChars } from '../shared/text.js';

/** The setting that names the province (and marks the installation as set up). */
const PROVINCE_KEY = 'province';

/**
 * The demo seed's transaction lock (src/demo/seed.ts): the seed and the setup both create the tree, so a
 * setup and a starting demo instance, or two setups, never run together — the second sees the first's rows.
 */
const TREE_LOCK_KEY = 7411003;

/** The province's code in the national agency codes: the last group of each, e.g. H10 in 000.00.13.H10. */
const PROVINCE_CODE = /^[A-Z][A-Z0-9]{1,3}$/;

/** What `npm run setup` asks for; the keys are its flags in camelCase (province-name → provinceName). */
export type SetupFields = {
  provinceName?: string | undefined;
  provinceShortName?: string | undefined;
  provinceCode?: string | undefined;
  agencyCode?: string | undefined;
  adminUsername?: string | undefined;
  adminMiddleName?: string | undefined;
  adminGivenName?: string | undefined;
  adminGender?: string | undefined;
  adminPosition?: string | undefined;
  adminMobile?: string | undefined;
  adminEmail?: string | undefined;
  adminPassword?: string | undefined;
};

export type SetupInput = {
  province: { name: string; code: string };
  unit: z.output<typeof UnitInput> & { agencyCode: string };
  admin: OfficialInput;
  password: string;
};

/** Fields of the admin the official form names differently. */
const ADMIN_KEYS: Record<string, keyof SetupFields> = {
  username: 'adminUsername',
  middleName: 'adminMiddleName',
  givenName: 'adminGivenName',
  gender: 'adminGender',
  position: 'adminPosition',
  mobile: 'adminMobile',
  emails: 'adminEmail',
};
const UNIT_KEYS: Record<string, keyof SetupFields> = { name: 'provinceName', shortName: 'provinceShortName', agencyCode: 'agencyCode' };

/** The official form's values, and the words an operator types at the prompt. */
const GENDERS: Record<string, 'male' | 'female'> = { male: 'male', female: 'female', nam: 'male', nữ: 'female', nu: 'female' };

/** A placeholder unit id while validating: the account's unit is the root unit, made in the transaction. */
const NO_UNIT_YET = '00000000-0000-0000-0000-000000000000';

/**
 * Every field checked at once, with the same rules (and Vietnamese messages) as the unit and official forms, so the
 * operator sees every mistake in one run. Throws the validation error keyed by SetupFields names.
 */
export function parseSetupInput(raw: SetupFields, now: Date): SetupInput {
  const fields: FieldErrors = {};
  // As parseInput does for every form: a control character (a NUL cannot even be stored) is named, not stored.
  for (const [key, value] of Object.entries(raw))
    if (typeof value === 'string' && hasControlChars(value)) fields[key] = CONTROL_CHARS_MESSAGE;
  const code = (raw.provinceCode ?? '').trim().toUpperCase();
  if (!code) fields.provinceCode = 'Vui lòng nhập mã tỉnh (ví dụ: H10).';
  else if (!PROVINCE_CODE.test(code))
    fields.provinceCode = 'Mã tỉnh gồm 2–4 chữ cái hoặc chữ số, bắt đầu bằng chữ cái (ví dụ: H10), là nhóm cuối của mã định danh điện tử.';
  const unit = UnitInput.safeParse({
    name: raw.provinceName ?? '',
    shortName: raw.provinceShortName,
    agencyCode: raw.agencyCode,
    kind: 'province',
  });
  if (!unit.success) for (const i of unit.error.issues) fields[UNIT_KEYS[String(i.path[0])] ?? 'provinceName'] ??= i.message;
  if (!raw.provinceName?.trim()) fields.provinceName = 'Vui lòng nhập tên tỉnh (ví dụ: Tỉnh Bình Phước).';
  const agency = unit.success ? unit.data.agencyCode : null;
  if (!raw.agencyCode?.trim()) fields.agencyCode ??= 'Vui lòng nhập mã định danh điện tử của đơn vị gốc (ví dụ: 000.00.00.H10).';
  if (agency && code && !fields.provinceCode && !agency.endsWith(`.${code}`))
    fields.agencyCode = `Mã định danh điện tử ${agency} không thuộc tỉnh có mã ${code}: nhóm cuối phải là ${code} (ví dụ: 000.00.00.${code}).`;
  const admin = officialInput(now).safeParse({
    username: raw.adminUsername ?? '',
    middleName: raw.adminMiddleName ?? '',
    givenName: raw.adminGivenName ?? '',
    gender: GENDERS[(raw.adminGender ?? '').trim().toLowerCase()] ?? raw.adminGender,
    position: raw.adminPosition ?? 'Quản trị hệ thống',
    mobile: raw.adminMobile,
    emails: raw.adminEmail,
    unitId: NO_UNIT_YET,
  });
  if (!admin.success) for (const i of admin.error.issues) fields[ADMIN_KEYS[String(i.path[0])] ?? 'adminUsername'] ??= i.message;
  const password = raw.adminPassword ?? '';
  const weak = password ? passwordProblem(password, admin.success ? admin.data.username : (raw.adminUsername ?? '').trim()) : null;
  if (!password) fields.adminPassword = 'Vui lòng nhập mật khẩu của quản trị tỉnh.';
  else if (weak) fields.adminPassword = weak;
  if (Object.keys(fields).length > 0 || !unit.success || !admin.success || !agency) throw errors.validation(fields);
  return { province: { name: unit.data.name, code }, unit: { ...unit.data, agencyCode: agency }, admin: admin.data, password };
}

/** The database already holds an organisation or an administrator: set-up is for an empty installation only. */
const alreadySetUp = (what: string) =>
  new AppError(
    'already_set_up',
    `Hệ thống đã được khởi tạo (${what}). Lệnh khởi tạo chỉ chạy một lần, trên cơ sở dữ liệu chưa có đơn vị nào.`,
    409,
  );

async function refuseIfSetUp(tx: Tx) {
  const [province] = await tx.select({ value: settings.value }).from(settings).where(eq(settings.key, PROVINCE_KEY));
  if (province) {
    const v = province.value as { name?: string; code?: string };
    throw alreadySetUp(`đã có tỉnh ${v.name ?? '?'}, mã ${v.code ?? '?'}`);
  }
  const [root] = await tx.select({ name: units.name }).from(units).where(isNull(units.parentId)).limit(1);
  if (root) throw alreadySetUp(`đã có đơn vị gốc ${root.name}`);
  const [unit] = await tx.select({ name: units.name }).from(units).limit(1);
  if (unit) throw alreadySetUp(`đã có đơn vị ${unit.name}`);
  const [admin] = await tx.select({ id: roleGrants.id }).from(roleGrants).where(eq(roleGrants.role, 'admin')).limit(1);
  if (admin) throw alreadySetUp('đã có tài khoản quản trị');
}

/** Creates the province, its root unit and its first administrator (break-glass); the TOTP secret is returned once. */
export async function setupProvince(db: Db, raw: SetupFields, now: Date) {
  const input = parseSetupInput(raw, now);
  const passwordHash = await hashPassword(input.password);
  const actor = systemActor('setup');
  const secret = newTotpSecret();
  const created = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${TREE_LOCK_KEY})`);
    await refuseIfSetUp(tx);
    await tx.insert(settings).values({ key: PROVINCE_KEY, value: input.province });
    const [root] = await tx
      .insert(units)
      .values({ ...input.unit, parentId: null, sortOrder: 0, nameFolded: foldVietnamese(input.unit.name) })
      .returning();
    await recordAudit(tx, {
      action: 'unit.create',
      actor,
      targetType: 'unit',
      targetId: root!.id,
      unitId: root!.id,
      data: { new: input.unit, parentId: null },
    });
    // Thêm mới cán bộ's own insert (username rules, identity claim, account.create audit); the password is the one
    // the operator chose at set-up, not a temporary one.
    const account = await insertOfficial(tx, actor, { ...input.admin, unitId: root!.id }, { passwordHash, mustChangePassword: false }, now);
    const grant = { unitId: root!.id, role: 'admin' as const };
    await tx.insert(roleGrants).values({ ...grant, accountId: account.id });
    await recordAudit(tx, {
      action: 'account.roles',
      actor,
      targetType: 'account',
      targetId: account.id,
      unitId: root!.id,
      data: { old: [], new: [grant], added: [grant], removed: [] },
    });
    // As Chỉ định tài khoản khẩn cấp does (cutover/set-break-glass.ts), for an account no administrator exists yet to name.
    await tx.update(accounts).set({ breakGlass: true, totpSecret: secret, totpLastStep: null }).where(eq(accounts.id, account.id));
    await recordAudit(tx, {
      action: 'cutover.break_glass_on',
      actor,
      targetType: 'account',
      targetId: account.id,
      unitId: root!.id,
      data: { old: { breakGlass: false }, new: { breakGlass: true } },
    });
    await recordAudit(tx, {
      action: 'setup.province',
      actor,
      targetType: 'setting',
      targetId: PROVINCE_KEY,
      unitId: root!.id,
      data: { province: input.province, rootUnitId: root!.id, agencyCode: input.unit.agencyCode, admin: account.username },
    });
    return { root: root!, account };
  });
  // The issuer an authenticator app shows, as the cutover page names it (cutover/routes.tsx).
  const uri = totpUri(secret, created.account.username, `MotCua ${input.province.name}`);
  return { province: input.province, root: created.root, account: created.account, secret, uri };
}
