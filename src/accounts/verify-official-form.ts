import { and, eq } from 'drizzle-orm';
import type { Db, Queryable, Tx } from '../db/client.js';
import { accountIdentities, accounts } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { Registry } from '../auth/registry.js';
import type { StaffActor } from '../shared/context.js';
import { errors } from '../shared/errors.js';
import { isId, parseInput } from '../shared/validate.js';
import { officialInput, type OfficialInput, personFields } from './official-input.js';
import { identityChanged, type IdentityRow } from './identity-claim.js';
import { requireAdministerUnit, requireWhollyAdministeredAccount } from './policies.js';
import { lockDelegationAgencies } from '../delegation/agency-lock.js';
import { officialChanged, saveOfficial } from './update-official.js';
import { askRegistry, identityIncomplete, mismatchMessage } from './verify-identity.js';

const MATCH = 'Thông tin số CCCD chính xác. Đã lưu thông tin cán bộ và kết quả xác thực.';
const NOTHING_SAVED = 'Chưa lưu thay đổi nào: thông tin đã lưu trước đó được giữ nguyên.';

export type FormVerifyResult =
  | { verified: true; message: string; unitId: string }
  | { verified: false; message: string; mismatched: string[] };

async function claimOf(db: Queryable, accountId: string, lock = false): Promise<IdentityRow | null> {
  const q = db.select().from(accountIdentities).where(eq(accountIdentities.accountId, accountId));
  const [row] = lock ? await q.for('update') : await q;
  return row ?? null;
}

/** Nothing to do: the form holds exactly what is stored, and that is verified (the second click of a double click). */
function alreadyDone(acc: typeof accounts.$inferSelect, claim: IdentityRow | null, input: OfficialInput) {
  return !!claim?.verifiedAt && !officialChanged(acc, claim, input);
}

/**
 * Xác thực tài khoản VNEID on the administrator's form (issue 12 §13). The data ON THE FORM are asked of the
 * population registry first. A match saves the form and marks the claim verified in one transaction; a mismatch
 * (or a registry that does not answer) saves nothing, so the data stored before stay as they were. Typed card data
 * are a claim, never proof: the registry answers within the administrator's scope (the account and, if the form
 * moves it, the new unit), and saving goes through the same claim rules as Lưu (a changed claim leaves its person).
 * A repeated request with the same data finds them saved and verified, asks nobody and writes nothing.
 */
export async function verifyOfficialForm(
  db: Db,
  registry: Registry,
  actor: StaffActor,
  accountId: string,
  raw: unknown,
  now: Date,
): Promise<FormVerifyResult> {
  if (!isId(accountId)) throw errors.notFound('Tài khoản');
  const acc = await requireWhollyAdministeredAccount(db, actor, accountId);
  const input = parseInput(officialInput(now), raw);
  if (input.unitId !== acc.unitId) await requireAdministerUnit(db, actor, input.unitId);
  const claim = personFields(input);
  if (!claim.cccd || !claim.fullName || !claim.dateOfBirth || !claim.gender) throw identityIncomplete();
  const stored = await claimOf(db, accountId);
  if (alreadyDone(acc, stored, input)) return { verified: true, message: MATCH, unitId: acc.unitId };
  const byAdmin = acc.id !== actor.accountId;
  const auditIn = (tx: Queryable, result: string, extra: Record<string, unknown> = {}) =>
    recordAudit(tx, {
      action: 'identity.verify',
      actor,
      targetType: 'account',
      targetId: acc.id,
      unitId: acc.unitId,
      data: { result, cccd: claim.cccd, ...extra },
    });
  const audit = (result: string) => db.transaction((tx) => auditIn(tx, result, { saved: false }));
  const { found, mismatched } = await askRegistry(
    db,
    registry,
    actor,
    byAdmin,
    { cccd: claim.cccd, fullName: claim.fullName, dateOfBirth: claim.dateOfBirth, gender: claim.gender, issueDate: claim.issueDate },
    audit,
    now,
  );
  if (mismatched.length > 0) {
    await db.transaction(async (tx) => {
      // The stored claim itself was asked: it no longer holds (as when verifying the stored data).
      if (stored && !identityChanged(stored, claim))
        await tx
          .update(accountIdentities)
          .set({ verifiedAt: null, verifiedBy: null, verifiedByAdmin: false })
          .where(and(eq(accountIdentities.accountId, acc.id), eq(accountIdentities.updatedAt, stored.updatedAt)));
      await auditIn(tx, 'mismatch', { mismatched, saved: false });
    });
    return { verified: false, mismatched, message: `${mismatchMessage(found, mismatched)} ${NOTHING_SAVED}` };
  }
  return db.transaction(async (tx: Tx) => {
    // First, before any row: the save may move the account to another agency (delegation/agency-lock.ts).
    await lockDelegationAgencies(tx);
    // One verification at a time per account: a concurrent second request waits here, then finds the work done.
    await tx.select({ id: accounts.id }).from(accounts).where(eq(accounts.id, acc.id)).for('update');
    const latest = await requireWhollyAdministeredAccount(tx, actor, acc.id);
    const current = await claimOf(tx, acc.id, true);
    if (alreadyDone(latest, current, input)) return { verified: true as const, message: MATCH, unitId: latest.unitId };
    // Someone else saved other data since the form was read: the registry answered about this form, not about theirs.
    if (current?.updatedAt.getTime() !== stored?.updatedAt.getTime()) throw changedMeanwhile();
    const saved = officialChanged(latest, current, input) ? await saveOfficial(tx, actor, latest, input, 'account.update', now) : latest;
    await tx
      .update(accountIdentities)
      .set({ verifiedAt: now, verifiedBy: actor.accountId, verifiedByAdmin: byAdmin })
      .where(eq(accountIdentities.accountId, acc.id));
    await auditIn(tx, 'match', { old: { verifiedAt: current?.verifiedAt ?? null }, new: { verified: true, byAdmin }, saved: true });
    return { verified: true as const, message: MATCH, unitId: saved.unitId };
  });
}

const changedMeanwhile = () =>
  errors.conflict('Thông tin xác thực vừa được người khác thay đổi. Chưa lưu thay đổi nào; vui lòng tải lại trang và xác thực lại.');
