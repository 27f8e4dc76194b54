import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { accounts, identityLinks, persons } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { RequestMeta } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import type { ExternalIdentity } from './oidc/claims.js';
import { createSession, type SessionPolicy } from './sessions.js';

export const identityErrors = {
  loaTooLow: (level: number, min: number) =>
    new AppError(
      'loa_too_low',
      `Tài khoản định danh điện tử của bạn đang ở mức độ ${level}. Cán bộ cần tài khoản định danh điện tử mức độ ${min} để đăng nhập. Vui lòng nâng cấp tài khoản trên ứng dụng VNeID rồi đăng nhập lại.`,
      403,
    ),
  notBound: () =>
    new AppError(
      'identity_not_bound',
      'Tài khoản định danh điện tử này chưa được gắn với tài khoản cán bộ nào đã xác thực. Vui lòng đề nghị quản trị đơn vị nhập và xác thực số CCCD của bạn (Quản trị hệ thống → Quản lý người dùng → Xác thực tài khoản VNEID), rồi đăng nhập lại.',
      403,
    ),
  suspended: () =>
    new AppError('account_suspended', 'Tài khoản cán bộ gắn với định danh này đang bị tạm đình chỉ. Vui lòng liên hệ quản trị đơn vị.', 403),
};

/**
 * An official logs in with an external identity (VNeID, or the provincial SSO): the identity must
 * be linked by (issuer, subject), or carry the CCCD of a person whose binding was verified. Lands on
 * the person's most recently used account. Every outcome is audited; failures create nothing.
 */
export async function loginOfficialWithIdentity(
  db: Db,
  deps: { sessions: SessionPolicy; minLoa: 0 | 1 | 2 },
  provider: { key: 'vneid' | 'sso'; issuer: string },
  id: ExternalIdentity,
  meta: RequestMeta,
) {
  const fail = async (reason: string, err: AppError, acc?: { id: string; unitId: string }) => {
    await db.transaction((tx) =>
      recordAudit(tx, {
        action: 'auth.login_failed',
        actorId: acc?.id ?? null,
        actorLabel: id.cccd ?? id.subject,
        targetType: 'account',
        targetId: acc?.id ?? null,
        unitId: acc?.unitId ?? null,
        meta,
        data: { method: provider.key, reason, issuer: provider.issuer, subject: id.subject, loa: id.loa },
      }),
    );
    return err;
  };
  if (id.loa < deps.minLoa) throw await fail('loa_too_low', identityErrors.loaTooLow(id.loa, deps.minLoa));

  const [link] = await db
    .select()
    .from(identityLinks)
    .where(and(eq(identityLinks.issuer, provider.issuer), eq(identityLinks.subject, id.subject)));
  let personId: string | null = null;
  if (link) {
    const [p] = await db.select().from(persons).where(eq(persons.id, link.personId));
    // The link holds only while the person's binding stays verified and names the same CCCD.
    if (p?.verifiedAt && (!id.cccd || p.cccd === id.cccd)) personId = p.id;
  } else if (id.cccd) {
    const [p] = await db.select().from(persons).where(and(eq(persons.cccd, id.cccd), sql`${persons.verifiedAt} is not null`));
    if (p) personId = p.id;
  }
  if (!personId) throw await fail('not_bound', identityErrors.notBound());

  const candidates = await db
    .select()
    .from(accounts)
    .where(and(eq(accounts.personId, personId), isNull(accounts.deletedAt)))
    .orderBy(sql`${accounts.lastLoginAt} desc nulls last`, desc(accounts.createdAt), asc(accounts.usernameLower));
  const account = candidates.find((a) => !a.suspended);
  if (!account) throw await fail(candidates.length ? 'suspended' : 'not_bound', candidates.length ? identityErrors.suspended() : identityErrors.notBound(), candidates[0]);

  const token = await db.transaction(async (tx) => {
    if (!link) await tx.insert(identityLinks).values({ issuer: provider.issuer, subject: id.subject, personId: personId!, lastLoginAt: new Date() });
    else await tx.update(identityLinks).set({ lastLoginAt: new Date() }).where(eq(identityLinks.id, link.id));
    const t = await createSession(tx, account.id, deps.sessions, { ip: meta.ip, userAgent: meta.userAgent ?? null });
    await tx.update(accounts).set({ lastLoginAt: new Date() }).where(eq(accounts.id, account.id));
    await recordAudit(tx, {
      action: 'auth.login',
      actorId: account.id,
      actorLabel: account.username,
      targetType: 'account',
      targetId: account.id,
      unitId: account.unitId,
      meta,
      data: { method: provider.key, issuer: provider.issuer, subject: id.subject, loa: id.loa, linked: !link },
    });
    return t;
  });
  return { token, account };
}
