import { eq } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { accounts, sessions } from '../db/schema/index.js';
import { endSessionsWhere } from '../sso/end-sessions.js';
import { recordAudit } from '../audit/record.js';
import { loadActiveUnit } from '../org/unit-queries.js';
import type { StaffActor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { parseInput } from '../shared/validate.js';
import { assertUsernameFree } from './create-official.js';
import { officialInput, type OfficialInput, accountFields, personFields } from './official-input.js';
import { identityAuditView, identityChanged, saveIdentityClaim, type IdentityRow } from './identity-claim.js';
import { isProvinceAdministrator, requireAdministerUnit, requireWhollyAdministeredAccount } from './policies.js';
import { accountSearchText } from './search-text.js';
import { requireNoLaterCutoff } from '../cutover/postponement.js';
import { endDelegationsAcrossAgencies } from '../delegation/end-across-agencies.js';
import { lockDelegationAgencies } from '../delegation/agency-lock.js';

const accountChangedMeanwhile = () =>
  new AppError(
    'account_changed_meanwhile',
    'Tài khoản vừa được thay đổi (ví dụ tạm đình chỉ, cấp lại mật khẩu hoặc một quản trị khác đã lưu) sau khi bạn mở trang này; chưa lưu gì. Vui lòng tải lại trang để xem dữ liệu mới nhất rồi nhập lại.',
    409,
  );

/** Only what changed goes into the audit row, old beside new. */
function diff(before: Record<string, unknown>, after: Record<string, unknown>) {
  const old: Record<string, unknown> = {};
  const neu: Record<string, unknown> = {};
  for (const k of Object.keys(after)) {
    if ((before[k] ?? null) !== (after[k] ?? null)) {
      old[k] = before[k] ?? null;
      neu[k] = after[k] ?? null;
    }
  }
  return { old, new: neu };
}

const identityHeld = () =>
  new AppError(
    'identity_held',
    'Tài khoản này đã được chính chủ xác nhận bằng VNeID: thông tin xác thực (họ tên, ngày sinh, giới tính, số CCCD, ngày cấp) chỉ do chính chủ sửa tại Thông tin tài khoản, hoặc do quản trị cấp tỉnh. Nếu tài khoản được giao cho người khác, chính chủ gỡ liên kết trước (Liên kết tài khoản → Gỡ liên kết). Chưa lưu thay đổi nào.',
    409,
  );

/** Lưu: save an official's account and identity data. Moving to another unit needs both units in scope. */
export async function updateOfficial(db: Db, actor: StaffActor, accountId: string, raw: unknown, now: Date) {
  const input = parseInput(officialInput(now), raw);
  return db.transaction(async (tx) => {
    // First, before any row: a Lưu may move the account to another agency (delegation/agency-lock.ts).
    await lockDelegationAgencies(tx);
    const before = await requireWhollyAdministeredAccount(tx, actor, accountId, { forUpdate: true });
    return saveOfficial(tx, actor, before, input, 'account.update', now);
  });
}

/** Thông tin tài khoản (seed 002 §I): officials update their own identity data and contact details. */
export async function updateOwnProfile(db: Db, actor: StaffActor, raw: Record<string, string>, now: Date) {
  return db.transaction(async (tx) => {
    // Locked: an administrator's Lưu of this account under way is waited for, and what it wrote is what is merged.
    const [before] = await tx.select().from(accounts).where(eq(accounts.id, actor.accountId)).for('update');
    if (!before || before.deletedAt) throw errors.unauthenticated();
    // Only these fields are the official's own to change; the rest stays as the administrator set it.
    const own = ['mobile', 'phone', 'emails', 'cardName', 'dateOfBirth', 'gender', 'cccd', 'issueDate', 'issuePlace', 'address'] as const;
    const merged: Record<string, unknown> = { ...before };
    for (const k of own) merged[k] = raw[k] ?? '';
    const input = parseInput(officialInput(now), merged);
    return saveOfficial(tx, actor, before, input, 'account.update_own', now);
  });
}

/** Whether saving `input` would change anything of the account or its identity claim. */
export function officialChanged(before: typeof accounts.$inferSelect, claim: IdentityRow | null, input: OfficialInput) {
  const fields = diff(before as Record<string, unknown>, accountFields(input) as Record<string, unknown>);
  const person = diff(
    (identityAuditView(claim) ?? {}) as Record<string, unknown>,
    identityAuditView(personFields(input)) as Record<string, unknown>,
  );
  return Object.keys(fields.new).length > 0 || Object.keys(person.new).length > 0 || identityChanged(claim, personFields(input));
}

export async function saveOfficial(
  tx: Tx,
  actor: StaffActor,
  before: typeof accounts.$inferSelect,
  input: OfficialInput,
  action: string,
  now: Date,
) {
  const accountId = before.id;
  {
    // The page was opened before the account's last change (a suspension, a reset, another administrator's Lưu):
    // saving it would silently write back what that change replaced — a suspension lifted by an unticked box.
    if (input.seen !== undefined && input.seen !== before.updatedAt.getTime()) throw accountChangedMeanwhile();
    if (input.unitId !== before.unitId) {
      await requireAdministerUnit(tx, actor, input.unitId);
      if (!(await loadActiveUnit(tx, input.unitId))) throw errors.unitInactive();
      await requireNoLaterCutoff(tx, actor, before.unitId, input.unitId, 'tài khoản');
    }
    if (input.suspended && !before.suspended && accountId === actor.accountId) {
      throw new AppError('self_suspend', 'Bạn không thể tự tạm đình chỉ tài khoản của mình.', 409);
    }
    const usernameLower = input.username.toLowerCase();
    if (usernameLower !== before.usernameLower) await assertUsernameFree(tx, usernameLower, accountId);
    const identity = await saveIdentityClaim(tx, before, personFields(input), now);
    // An account a person holds (their VNeID login accepted it) leaves them only by their own hand (Thông tin tài
    // khoản, Gỡ liên kết) or the province administrator's: a unit administrator who typed their own card data on a
    // director's account and verified it would hold it after their own VNeID login (an attacker review, 2026-12-06).
    if (identity.detached && accountId !== actor.accountId && !(await isProvinceAdministrator(tx, actor))) throw identityHeld();
    const fields = accountFields(input);
    const [after] = await tx
      .update(accounts)
      .set({
        ...fields,
        usernameLower,
        searchText: accountSearchText({ ...input }),
        updatedAt: now,
      })
      .where(eq(accounts.id, accountId))
      .returning();
    // Moved to another agency: its delegations with officials of the one it left end here (delegation/end-across-agencies.ts).
    if (input.unitId !== before.unitId) await endDelegationsAcrossAgencies(tx, actor, now);
    // Suspending through the form ends the account's sessions, as the Tạm đình chỉ button does.
    if (input.suspended && !before.suspended)
      await endSessionsWhere(tx, eq(sessions.accountId, accountId), { subject: accountId, revokeOffline: true });
    const accountDiff = diff(before as Record<string, unknown>, fields as Record<string, unknown>);
    const personDiff = diff(
      (identityAuditView(identity.before) ?? {}) as Record<string, unknown>,
      identityAuditView(identity.after) as Record<string, unknown>,
    );
    // The account left its person's confirmed accounts: say so next to the data that caused it.
    if (identity.detached) {
      personDiff.old.personId = before.personId;
      personDiff.new.personId = null;
    }
    await recordAudit(tx, {
      action,
      actor,
      targetType: 'account',
      targetId: accountId,
      unitId: after!.unitId,
      data: {
        old: { ...accountDiff.old, ...(Object.keys(personDiff.old).length ? { person: personDiff.old } : {}) },
        new: { ...accountDiff.new, ...(Object.keys(personDiff.new).length ? { person: personDiff.new } : {}) },
        ...(input.unitId !== before.unitId ? { fromUnitId: before.unitId } : {}),
      },
    });
    // The claim as saved here: Xác thực checks exactly these data, not what someone saved since.
    return { ...after!, identitySavedAt: identity.after.updatedAt };
  }
}
