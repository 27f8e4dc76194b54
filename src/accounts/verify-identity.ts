import { and, eq } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { accountIdentities, accounts } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { Registry, RegistryAnswer } from '../auth/registry.js';
import type { StaffActor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { requireWhollyAdministeredAccount } from './policies.js';
import { lockRemainingMs, recordFailure, type ThrottleRule } from '../auth/throttle.js';
import { isId } from '../shared/validate.js';

const FIELD_LABELS: Record<string, string> = {
  soDinhDanh: 'Số CCCD',
  hoVaTen: 'Họ và tên trên thẻ CCCD',
  ngaySinh: 'Ngày sinh',
  gioiTinh: 'Giới tính',
  ngayCap: 'Ngày cấp',
};

/**
 * Questions to the population registry per asker and hour: an official checks their own data a few times,
 * an administrator binds a unit's accounts (the cutover) — neither needs more, a probe would.
 */
const REGISTRY_QUESTIONS = {
  own: { limit: 10, windowMs: 3_600_000, lockMs: 3_600_000 },
  administrator: { limit: 200, windowMs: 3_600_000, lockMs: 3_600_000 },
} satisfies Record<string, ThrottleRule>;

const registryQuestionsExhausted = (ms: number) =>
  new AppError(
    'registry_rate_limited',
    `Bạn đã gửi quá nhiều yêu cầu xác thực tới Cơ sở dữ liệu quốc gia về dân cư trong một giờ. Vui lòng thử lại sau ${Math.ceil(ms / 60_000)} phút.`,
    429,
  );

const changedMeanwhile = () => errors.conflict('Thông tin xác thực vừa được người khác thay đổi. Vui lòng tải lại trang và xác thực lại.');

export const identityIncomplete = () =>
  new AppError(
    'identity_incomplete',
    'Vui lòng nhập đủ Số CCCD, Họ và tên trên thẻ CCCD, Ngày sinh và Giới tính rồi mới Xác thực tài khoản VNEID.',
    400,
  );

export function mismatchMessage(found: boolean, mismatched: string[]) {
  return found
    ? `Thông tin chưa khớp với Cơ sở dữ liệu quốc gia về dân cư: ${mismatched.join(', ')}. Vui lòng kiểm tra lại thông tin trên thẻ CCCD.`
    : 'Số CCCD không có trong Cơ sở dữ liệu quốc gia về dân cư. Vui lòng kiểm tra lại số CCCD.';
}

/** The data the registry checks, as typed or as stored. */
export type IdentityClaim = {
  cccd: string;
  fullName: string;
  dateOfBirth: string;
  gender: 'male' | 'female';
  issueDate: string | null;
};

/**
 * One question to the population registry about a claim. Every question counts against whoever asks (so nobody
 * can probe the registry); a refused or failed question is audited through `audit` before the error is thrown.
 */
export async function askRegistry(
  db: Db,
  registry: Registry,
  actor: StaffActor,
  byAdmin: boolean,
  claim: IdentityClaim,
  audit: (result: string) => Promise<void>,
  now: Date,
): Promise<{ found: boolean; mismatched: string[] }> {
  const key = `registry:${actor.accountId}`;
  const locked = await lockRemainingMs(db, key, now);
  if (locked > 0) {
    await audit('rate_limited');
    throw registryQuestionsExhausted(locked);
  }
  await recordFailure(db, key, byAdmin ? REGISTRY_QUESTIONS.administrator : REGISTRY_QUESTIONS.own, now);
  let answer: RegistryAnswer;
  try {
    answer = await registry.verify({
      soDinhDanh: claim.cccd,
      hoVaTen: claim.fullName,
      ngaySinh: claim.dateOfBirth,
      gioiTinh: claim.gender,
      ngayCap: claim.issueDate,
    });
  } catch (err) {
    await audit('unavailable');
    throw err;
  }
  const mismatched = answer.found
    ? Object.entries(answer.fields)
        .filter(([, v]) => v === 'mismatch')
        .map(([k]) => FIELD_LABELS[k] ?? k)
    : ['Số CCCD'];
  return { found: answer.found, mismatched };
}

export type VerifyResult = { verified: true; message: string } | { verified: false; message: string; mismatched: string[] };

/**
 * Xác thực tài khoản VNEID (seed 000 §1a Bước 3, seed 002 §I): check the account's identity data
 * against the population registry. The administrator of the account's unit, or the official themself,
 * may ask. A match makes the account a candidate of that person, nothing more: the person confirms it
 * at a VNeID login (auth/person-accounts.ts). A match asked by an administrator (not the official)
 * lets the person's first VNeID login confirm this one account by itself.
 */
export async function verifyIdentity(
  db: Db,
  registry: Registry,
  actor: StaffActor,
  accountId: string,
  now: Date,
  /** When the caller just saved the data: the verification is of that save, not of a later one. */
  opts: { asSaved?: Date } = {},
): Promise<VerifyResult> {
  if (!isId(accountId)) throw errors.notFound('Tài khoản');
  const [row] = await db
    .select({ account: accounts, person: accountIdentities })
    .from(accounts)
    .leftJoin(accountIdentities, eq(accountIdentities.accountId, accounts.id))
    .where(eq(accounts.id, accountId));
  if (!row || row.account.deletedAt) throw errors.notFound('Tài khoản');
  const self = row.account.id === actor.accountId;
  // Verified data binds the account to a person (who may then take it with VNeID): the whole account's administrator only.
  if (!self) await requireWhollyAdministeredAccount(db, actor, row.account.id);
  const byAdmin = !self;
  const p = row.person;
  if (p && opts.asSaved && p.updatedAt.getTime() !== opts.asSaved.getTime()) throw changedMeanwhile();
  if (!p?.cccd || !p.fullName || !p.dateOfBirth || !p.gender) throw identityIncomplete();
  // Every outcome is audited; a match inside the transaction that marks the person verified.
  const auditIn = (tx: Tx, result: string, extra: Record<string, unknown> = {}) =>
    recordAudit(tx, {
      action: 'identity.verify',
      actor,
      targetType: 'account',
      targetId: row.account.id,
      unitId: row.account.unitId,
      data: { result, cccd: p.cccd, ...extra },
    });
  const audit = (result: string, extra: Record<string, unknown> = {}) => db.transaction((tx) => auditIn(tx, result, extra));
  const { found, mismatched } = await askRegistry(
    db,
    registry,
    actor,
    byAdmin,
    { cccd: p.cccd, fullName: p.fullName, dateOfBirth: p.dateOfBirth, gender: p.gender, issueDate: p.issueDate },
    audit,
    now,
  );
  if (mismatched.length === 0) {
    // Verified only if the data is still what we sent (nobody saved other data meanwhile).
    const updated = await db.transaction(async (tx) => {
      const res = await tx
        .update(accountIdentities)
        .set({ verifiedAt: now, verifiedBy: actor.accountId, verifiedByAdmin: byAdmin })
        .where(and(eq(accountIdentities.accountId, p.accountId), eq(accountIdentities.updatedAt, p.updatedAt)))
        .returning({ id: accountIdentities.accountId });
      if (res.length === 1) await auditIn(tx, 'match', { old: { verifiedAt: p.verifiedAt }, new: { verified: true, byAdmin } });
      return res.length === 1;
    });
    if (!updated) throw changedMeanwhile();
    return { verified: true, message: 'Thông tin số CCCD chính xác' };
  }
  await db.transaction(async (tx) => {
    await tx
      .update(accountIdentities)
      .set({ verifiedAt: null, verifiedBy: null, verifiedByAdmin: false })
      .where(and(eq(accountIdentities.accountId, p.accountId), eq(accountIdentities.updatedAt, p.updatedAt)));
    await auditIn(tx, 'mismatch', { mismatched });
  });
  return {
    verified: false,
    mismatched,
    message: mismatchMessage(found, mismatched),
  };
}
