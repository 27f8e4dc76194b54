import { and, eq } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { accounts, persons } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { Registry, RegistryAnswer } from '../auth/registry.js';
import type { Actor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { canAdministerUnit } from './policies.js';
import { isId } from '../shared/validate.js';

const FIELD_LABELS: Record<string, string> = {
  soDinhDanh: 'Số CCCD',
  hoVaTen: 'Họ và tên trên thẻ CCCD',
  ngaySinh: 'Ngày sinh',
  gioiTinh: 'Giới tính',
  ngayCap: 'Ngày cấp',
};

export type VerifyResult = { verified: true; message: string } | { verified: false; message: string; mismatched: string[] };

/**
 * Xác thực tài khoản VNEID (seed 000 §1a Bước 3, seed 002 §I): check the account's identity data
 * against the population registry. Only a verified binding lets the person log in with VNeID.
 * The administrator of the account's unit, or the official themself, may ask.
 */
export async function verifyIdentity(db: Db, registry: Registry, actor: Actor, accountId: string): Promise<VerifyResult> {
  if (!isId(accountId)) throw errors.notFound('Tài khoản');
  const [row] = await db
    .select({ account: accounts, person: persons })
    .from(accounts)
    .leftJoin(persons, eq(persons.id, accounts.personId))
    .where(eq(accounts.id, accountId));
  if (!row || row.account.deletedAt) throw errors.notFound('Tài khoản');
  const self = row.account.id === actor.accountId;
  if (!self && !(await canAdministerUnit(db, actor, row.account.unitId))) throw errors.notFound('Tài khoản');
  const p = row.person;
  if (!p?.cccd || !p.fullName || !p.dateOfBirth || !p.gender) {
    throw new AppError(
      'identity_incomplete',
      'Vui lòng nhập đủ Số CCCD, Họ và tên trên thẻ CCCD, Ngày sinh và Giới tính, bấm Lưu, rồi mới Xác thực tài khoản VNEID.',
      400,
    );
  }
  // Every outcome is audited; a match inside the transaction that marks the person verified.
  const auditIn = (tx: Tx, result: string, extra: Record<string, unknown> = {}) =>
    recordAudit(tx, {
      action: 'identity.verify',
      actorId: actor.accountId,
      actorLabel: actor.label,
      targetType: 'account',
      targetId: row.account.id,
      unitId: row.account.unitId,
      meta: actor.meta,
      data: { result, cccd: p.cccd, ...extra },
    });
  const audit = (result: string, extra: Record<string, unknown> = {}) => db.transaction((tx) => auditIn(tx, result, extra));
  let answer: RegistryAnswer;
  try {
    answer = await registry.verify({ soDinhDanh: p.cccd, hoVaTen: p.fullName, ngaySinh: p.dateOfBirth, gioiTinh: p.gender, ngayCap: p.issueDate });
  } catch (err) {
    await audit('unavailable');
    throw err;
  }
  const mismatched = answer.found
    ? Object.entries(answer.fields)
        .filter(([, v]) => v === 'mismatch')
        .map(([k]) => FIELD_LABELS[k] ?? k)
    : ['Số CCCD'];
  if (mismatched.length === 0) {
    // Verified only if the data is still what we sent (nobody saved other data meanwhile).
    const updated = await db.transaction(async (tx) => {
      const res = await tx
        .update(persons)
        .set({ verifiedAt: new Date() })
        .where(and(eq(persons.id, p.id), eq(persons.updatedAt, p.updatedAt)))
        .returning({ id: persons.id });
      if (res.length === 1) await auditIn(tx, 'match', { old: { verifiedAt: p.verifiedAt }, new: { verified: true } });
      return res.length === 1;
    });
    if (!updated) throw errors.conflict('Thông tin xác thực vừa được người khác thay đổi. Vui lòng tải lại trang và xác thực lại.');
    return { verified: true, message: 'Thông tin số CCCD chính xác' };
  }
  await db.update(persons).set({ verifiedAt: null }).where(eq(persons.id, p.id));
  await audit('mismatch', { mismatched });
  return {
    verified: false,
    mismatched,
    message: answer.found
      ? `Thông tin chưa khớp với Cơ sở dữ liệu quốc gia về dân cư: ${mismatched.join(', ')}. Vui lòng kiểm tra lại và Lưu trước khi xác thực.`
      : 'Số CCCD không có trong Cơ sở dữ liệu quốc gia về dân cư. Vui lòng kiểm tra lại số CCCD.',
  };
}
