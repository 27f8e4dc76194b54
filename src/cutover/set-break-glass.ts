import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { accounts, sessions } from '../db/schema/index.js';
import { endSessionsWhere } from '../sso/end-sessions.js';
import { recordAudit } from '../audit/record.js';
import { canAdministerUnit, isProvinceAdministrator, requireAdministeredAccount } from '../accounts/policies.js';
import type { StaffActor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';

/** Chỉ định tài khoản khẩn cấp by username (the cutover page's form): as setBreakGlass, the name looked up in the actor's scope. */
export async function setBreakGlassByUsername(db: Db, actor: StaffActor, username: string, now: Date) {
  const [acc] = await db
    .select({ id: accounts.id, unitId: accounts.unitId })
    .from(accounts)
    .where(and(eq(accounts.usernameLower, username.trim().toLowerCase()), isNull(accounts.deletedAt)));
  if (!acc || !(await canAdministerUnit(db, actor, acc.unitId))) {
    throw new AppError('not_found', 'Không tìm thấy tài khoản trong phạm vi bạn quản trị.', 400);
  }
  return setBreakGlass(db, actor, acc.id, true, now);
}

/**
 * Name (or stop naming) a break-glass account: it keeps password login after the cutoff, with a TOTP second factor,
 * so an identity-provider outage cannot lock the province out. Only the province administrator decides.
 *
 * Naming gives the administrator no secret: the account's owner sets up their authenticator app themselves, logged in
 * with VNeID (enrol-break-glass.ts, Thông tin tài khoản → Mã xác thực khẩn cấp). Were the secret shown here, a province
 * administrator could name anyone's account, reset its password and, after the cutoff, log in as that person with
 * both factors in hand. Until the owner has set it up the account cannot log in by password after the cutoff.
 * An account already named is refused (naming it again would only have wiped the owner's set-up).
 *
 * Either way the account's credentials change, so every session of the account ends at once, as a suspension's do
 * (sso/end-sessions.ts: its SSO provider sessions too, their applications told): stopping it must not leave a
 * break-glass session open for its remaining hours, and naming it starts the new regime from a fresh login.
 */
export async function setBreakGlass(db: Db, actor: StaffActor, accountId: string, on: boolean, now: Date) {
  return db.transaction(async (tx) => {
    if (!(await isProvinceAdministrator(tx, actor))) throw errors.forbidden();
    const acc = await requireAdministeredAccount(tx, actor, accountId, { forUpdate: true });
    if (on && acc.breakGlass) {
      throw new AppError('already_break_glass', `Tài khoản ${acc.username} đã là tài khoản khẩn cấp.`, 409);
    }
    await tx
      .update(accounts)
      .set({ breakGlass: on, totpSecret: null, totpPersonId: null, totpLastStep: null, updatedAt: now })
      .where(eq(accounts.id, accountId));
    const ended = await endSessionsWhere(tx, eq(sessions.accountId, accountId), { subject: accountId, revokeOffline: true });
    await recordAudit(tx, {
      action: on ? 'cutover.break_glass_on' : 'cutover.break_glass_off',
      actor,
      targetType: 'account',
      targetId: accountId,
      unitId: acc.unitId,
      data: {
        old: { breakGlass: acc.breakGlass, totpSetUp: acc.totpSecret !== null },
        new: { breakGlass: on, totpSetUp: false },
        sessionsEnded: { browserSessions: ended.browserSessions, providerSessions: ended.providerSessions, notices: ended.notices },
      },
    });
    return { account: acc };
  });
}
