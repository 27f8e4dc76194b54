import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { accounts } from '../db/schema/index.js';
import { recordAccountAudit, recordAudit } from '../audit/record.js';
import type { RequestMeta } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import type { ExternalIdentity } from './oidc/claims.js';
import { createSession, type SessionPolicy } from './sessions.js';
import { createPendingLogin } from './pending-logins.js';
import {
  candidateAccounts,
  confirmedAccounts,
  decideLink,
  identityLoginRefusal,
  linkRequestsOf,
  personForIdentity,
  type IdentityProof,
} from './person-accounts.js';

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
      'Tài khoản định danh điện tử này chưa được gắn với tài khoản cán bộ nào đã xác thực (hoặc bạn đã từ chối liên kết). Nếu còn đăng nhập được bằng mật khẩu (trước ngày chỉ dùng VNeID), bạn tự liên kết được: đăng nhập bằng tên tài khoản và mật khẩu, vào Thông tin tài khoản, nhập thông tin xác thực đúng như trên thẻ CCCD, bấm "Xác thực tài khoản VNEID", rồi đăng nhập lại bằng VNeID và chọn Đồng ý ở Liên kết tài khoản. Hoặc đề nghị quản trị đơn vị nhập và xác thực số CCCD của bạn (Quản trị hệ thống → Quản lý người dùng → Xác thực tài khoản VNEID), rồi đăng nhập lại.',
      403,
    ),
  organisation: () =>
    new AppError(
      'organisation_identity',
      'Đây là tài khoản định danh điện tử của tổ chức, doanh nghiệp. Cán bộ đăng nhập bằng tài khoản định danh điện tử cá nhân của mình.',
      403,
    ),
  suspended: () =>
    new AppError(
      'account_suspended',
      'Tài khoản cán bộ gắn với định danh này đang bị tạm đình chỉ. Vui lòng liên hệ quản trị đơn vị.',
      403,
    ),
};

export type IdentityLoginResult =
  | { kind: 'session'; token: string; account: typeof accounts.$inferSelect; proof: IdentityProof; pendingLinks: number }
  | { kind: 'choose'; pendingToken: string; proof: IdentityProof };

/**
 * An official logs in with an external identity (VNeID, or the provincial SSO). The identity proves a
 * person (person-accounts.ts); the login lands on the person's most recently used confirmed account.
 * A person with no confirmed account: the one account an administrator verified is accepted by this
 * first login; otherwise the person first chooses among the candidates (kind 'choose'). Typed data
 * alone never let anyone in. Every outcome is audited; failures open no session.
 */
export async function loginOfficialWithIdentity(
  db: Db,
  deps: { sessions: SessionPolicy; minLoa: 0 | 1 | 2; now: () => Date },
  provider: { key: 'vneid' | 'sso'; issuer: string },
  id: ExternalIdentity,
  meta: RequestMeta,
  returnTo: string | null = null,
): Promise<IdentityLoginResult> {
  // One instant for the whole login: the person's refresh, the link, the session and its expiry.
  const now = deps.now();
  const fail = async (reason: string, err: AppError, acc?: { id: string; unitId: string }) => {
    await db.transaction((tx) =>
      recordAudit(tx, {
        action: 'auth.login_failed',
        // Not the CCCD: whoever tried may be a citizen, and the log cannot be erased.
        actor: { kind: 'anonymous', id: acc?.id ?? null, label: `${provider.key}:${id.subject}`, meta },
        targetType: 'account',
        targetId: acc?.id ?? null,
        unitId: acc?.unitId ?? null,
        data: { method: provider.key, reason, issuer: provider.issuer, subject: id.subject, loa: id.loa },
      }),
    );
    return err;
  };
  if (id.loa < deps.minLoa) throw await fail('loa_too_low', identityErrors.loaTooLow(id.loa, deps.minLoa));
  // An organisation's electronic identity (LoaiTaiKhoan 2) is the business, not the official in person.
  if (id.accountType !== 1) throw await fail('organisation_identity', identityErrors.organisation());

  const person = await db.transaction((tx) => personForIdentity(tx, provider, id, now));
  if (!person) throw await fail('not_bound', identityErrors.notBound());
  const proof: IdentityProof = { personId: person.id, method: provider.key, loa: id.loa };

  let confirmed = await confirmedAccounts(db, person.id);
  let candidates = await candidateAccounts(db, person);
  // The first login accepts an account by itself only when nothing else names the person: with two
  // candidates, one may be planted (an insider typed the card), so the person chooses.
  const only = candidates.length === 1 ? candidates[0]! : null;
  if (confirmed.length === 0 && only?.verifiedByAdmin) {
    await decideLink(db, proof, only.id, 'accept', meta, now, 'first_login');
    confirmed = await confirmedAccounts(db, person.id);
    candidates = [];
  }
  if (confirmed.length === 0) {
    if (candidates.length === 0) throw await fail('not_bound', identityErrors.notBound());
    const pendingToken = await createPendingLogin(db, proof, returnTo, now);
    return { kind: 'choose', pendingToken, proof };
  }
  const account = confirmed.find((a) => !identityLoginRefusal(a, id.loa, deps.minLoa));
  if (!account) throw await fail('suspended', identityErrors.suspended(), confirmed[0]);

  const token = await openIdentitySession(db, account, proof, deps.sessions, meta, now, { issuer: provider.issuer, subject: id.subject });
  return { kind: 'session', token, account, proof, pendingLinks: candidates.length };
}

/** A session for an account of the proven person: new token, last login, audit row, in one transaction. */
async function openIdentitySession(
  db: Db,
  account: typeof accounts.$inferSelect,
  proof: IdentityProof,
  policy: SessionPolicy,
  meta: RequestMeta,
  now: Date,
  extra: Record<string, unknown> = {},
): Promise<string> {
  return db.transaction(async (tx) => {
    // A pending login's choice made now is no new login: the session's login is when VNeID proved the person.
    const earlier = proof.provedAt ? { authenticatedAt: proof.provedAt } : undefined;
    const t = await createSession(tx, account.id, policy, now, { ip: meta.ip, userAgent: meta.userAgent ?? null }, proof, earlier);
    await tx.update(accounts).set({ lastLoginAt: now, identityUsedAt: now }).where(eq(accounts.id, account.id));
    await recordAccountAudit(tx, account, 'auth.login', meta, { method: proof.method, loa: proof.loa, personId: proof.personId, ...extra });
    return t;
  });
}

/**
 * Đồng ý / Từ chối on the pending login of a person with no account yet: accepting an account that
 * meets its own login rules opens a session in it; otherwise the person goes on choosing, if anything is left.
 */
export async function decideAtLogin(
  db: Db,
  deps: { sessions: SessionPolicy; minLoa: number },
  proof: IdentityProof,
  accountId: string,
  decision: 'accept' | 'decline',
  meta: RequestMeta,
  now: Date,
): Promise<{ account: typeof accounts.$inferSelect; token: string | null; remaining: number }> {
  const account = await decideLink(db, proof, accountId, decision, meta, now);
  if (decision === 'accept' && !identityLoginRefusal(account, proof.loa, deps.minLoa)) {
    return { account, token: await openIdentitySession(db, account, proof, deps.sessions, meta, now, { linked: true }), remaining: 0 };
  }
  return { account, token: null, remaining: (await linkRequestsOf(db, proof.personId)).candidates.length };
}
