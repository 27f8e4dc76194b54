/**
 * Mã xác thực khẩn cấp: the owner of a break-glass account sets up its TOTP second factor themselves (set-break-glass.ts
 * says why the administrator who names the account never sees it). Only in a session that proved, by VNeID (or the
 * provincial SSO bound to VNeID), the very person the account belongs to: a password session proves only that
 * someone knows the password, and an administrator can reset a password.
 *
 * Two steps, nothing kept in between: a new secret is offered (its QR code on the page, the secret in the form), and
 * kept only when the first code of the owner's app matches it — an app that was never set up cannot lock the owner
 * out. Setting it up again replaces the previous secret (a lost phone), audited either way.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Queryable } from '../db/client.js';
import { accounts, sessions } from '../db/schema/index.js';
import { endSessionsWhere } from '../sso/end-sessions.js';
import { recordAudit } from '../audit/record.js';
import type { IdentityProof } from '../auth/person-accounts.js';
import { breakGlassCodeOpens, newTotpSecret, totpStepOf } from '../auth/totp.js';
import type { StaffActor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { parseInput } from '../shared/validate.js';

const enrolErrors = {
  notBreakGlass: () => new AppError('not_break_glass', 'Tài khoản của bạn không phải tài khoản khẩn cấp.', 403),
  proofRequired: () =>
    new AppError(
      'identity_proof_required',
      'Mã xác thực khẩn cấp chỉ thiết lập được khi bạn đăng nhập bằng tài khoản VNeID của chính mình. Vui lòng đăng xuất rồi đăng nhập bằng VNeID.',
      403,
    ),
  wrongCode: () =>
    new AppError('totp_invalid', 'Mã xác thực không đúng. Vui lòng nhập mã 6 chữ số đang hiển thị trong ứng dụng xác thực.', 400, {
      code: 'Mã xác thực không đúng. Vui lòng nhập mã 6 chữ số đang hiển thị trong ứng dụng xác thực.',
    }),
};

/** A secret as newTotpSecret writes it (base32); the form carries it back. */
const EnrolInput = z.object({
  secret: z.string().regex(/^[A-Z2-7]{26,128}$/, 'Khóa xác thực không hợp lệ. Vui lòng tạo mã mới.'),
  code: z.string().max(20, 'Mã xác thực gồm 6 chữ số.'),
});

/** The actor's own break-glass account, in a session that proved its owner; refused otherwise. */
async function ownBreakGlassAccount(db: Queryable, actor: StaffActor, proof: IdentityProof | null, forUpdate = false) {
  // In person only: not an API key, and not under a delegation (the delegator's second factor is theirs alone).
  if (actor.kind !== 'official' || actor.onBehalfOf) throw errors.forbidden();
  const query = db
    .select()
    .from(accounts)
    .where(and(eq(accounts.id, actor.accountId), isNull(accounts.deletedAt)));
  const [acc] = forUpdate ? await query.for('update') : await query;
  if (!acc || acc.suspended || !acc.breakGlass) throw enrolErrors.notBreakGlass();
  if (!proof || !acc.personId || proof.personId !== acc.personId) throw enrolErrors.proofRequired();
  return acc;
}

/** Whether the actor's account is break-glass and its code opens it (set up by its person); null when not break-glass. */
export async function breakGlassStatus(db: Queryable, actor: StaffActor) {
  if (actor.kind !== 'official') return null;
  const [acc] = await db.select().from(accounts).where(eq(accounts.id, actor.accountId));
  return acc?.breakGlass ? { setUp: breakGlassCodeOpens(acc) } : null;
}

/** A new secret for the owner's app, not kept yet (the page shows it as a QR code, auth/totp.ts totpUri). */
export async function offerBreakGlassSecret(db: Db, actor: StaffActor, proof: IdentityProof | null) {
  const acc = await ownBreakGlassAccount(db, actor, proof);
  return { secret: newTotpSecret(), replacing: breakGlassCodeOpens(acc) };
}

/** Keep the offered secret once the owner's app shows a code for it; earlier codes of it cannot be used to log in. */
export async function enrolBreakGlass(db: Db, actor: StaffActor, proof: IdentityProof | null, raw: unknown, now: Date) {
  const input = parseInput(EnrolInput, raw);
  return db.transaction(async (tx) => {
    const acc = await ownBreakGlassAccount(tx, actor, proof, true);
    const step = await totpStepOf(input.secret, input.code, now);
    if (step === null) throw enrolErrors.wrongCode();
    await tx
      .update(accounts)
      .set({ totpSecret: input.secret, totpPersonId: acc.personId, totpLastStep: step, updatedAt: now })
      .where(eq(accounts.id, acc.id));
    // A code replaced (a lost phone): the sessions the old one opened end with it — whoever holds that phone.
    const replaced = acc.totpSecret !== null;
    const ended = replaced
      ? await endSessionsWhere(tx, and(eq(sessions.accountId, acc.id), eq(sessions.method, 'password+totp')), {
          subject: acc.id,
          revokeOffline: true,
        })
      : null;
    await recordAudit(tx, {
      action: 'cutover.break_glass_enrolled',
      actor,
      targetType: 'account',
      targetId: acc.id,
      unitId: acc.unitId,
      data: {
        replaced,
        personId: acc.personId,
        method: proof!.method,
        loa: proof!.loa,
        breakGlassSessionsEnded: ended?.browserSessions ?? 0,
      },
    });
    return { account: acc };
  });
}
