import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { accounts, sessions } from '../db/schema/index.js';
import { endSessionsWhere } from '../sso/end-sessions.js';
import { recordAudit } from '../audit/record.js';
import { canAdministerUnit, isProvinceAdministrator, requireAdministeredAccount } from '../accounts/policies.js';
import { newTotpSecret, totpUri } from '../auth/totp.js';
import type { StaffActor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';

/** Chỉ định tài khoản khẩn cấp by username (the cutover page's form): as setBreakGlass, the name looked up in the actor's scope. */
export async function setBreakGlassByUsername(db: Db, actor: StaffActor, username: string, issuerName: string, now: Date) {
  const [acc] = await db
    .select({ id: accounts.id, unitId: accounts.unitId })
    .from(accounts)
    .where(and(eq(accounts.usernameLower, username.trim().toLowerCase()), isNull(accounts.deletedAt)));
  if (!acc || !(await canAdministerUnit(db, actor, acc.unitId))) {
    throw new AppError('not_found', 'Không tìm thấy tài khoản trong phạm vi bạn quản trị.', 400);
  }
  return setBreakGlass(db, actor, acc.id, true, issuerName, now);
}

/**
 * Name (or stop naming) a break-glass account: it keeps password login after the cutoff, with a
 * TOTP second factor, so an identity-provider outage cannot lock the province out. Only the
 * province administrator decides; the new TOTP secret is shown once.
 *
 * Either way the account's credentials change, so every session of the account ends at once, as a suspension's do
 * (sso/end-sessions.ts: its SSO provider sessions too, their applications told): stopping it must not leave a
 * break-glass session open for its remaining hours, and naming it starts the new regime from a fresh login. The
 * province administrator naming their own account logs themselves out after this answer (the secret is shown on it).
 */
export async function setBreakGlass(db: Db, actor: StaffActor, accountId: string, on: boolean, issuerName: string, now: Date) {
  return db.transaction(async (tx) => {
    if (!(await isProvinceAdministrator(tx, actor))) throw errors.forbidden();
    const acc = await requireAdministeredAccount(tx, actor, accountId);
    const secret = on ? newTotpSecret() : null;
    await tx
      .update(accounts)
      .set({ breakGlass: on, totpSecret: secret, totpLastStep: null, updatedAt: now })
      .where(eq(accounts.id, accountId));
    const ended = await endSessionsWhere(tx, eq(sessions.accountId, accountId), { subject: accountId, revokeOffline: true });
    await recordAudit(tx, {
      action: on ? 'cutover.break_glass_on' : 'cutover.break_glass_off',
      actor,
      targetType: 'account',
      targetId: accountId,
      unitId: acc.unitId,
      data: {
        old: { breakGlass: acc.breakGlass },
        new: { breakGlass: on },
        sessionsEnded: { browserSessions: ended.browserSessions, providerSessions: ended.providerSessions, notices: ended.notices },
      },
    });
    return { account: acc, secret, uri: secret ? totpUri(secret, acc.username, issuerName) : null };
  });
}
