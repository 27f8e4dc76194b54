import { eq, inArray } from 'drizzle-orm';
import { recordAudit } from '../audit/record.js';
import type { Db } from '../db/client.js';
import { accounts, delegations, procedures, sectors } from '../db/schema/index.js';
import type { StaffActor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { isId, parseInput } from '../shared/validate.js';
import { lockDelegationAgencies } from './agency-lock.js';
import { DelegationInput } from './delegation-input.js';
import { mayDelegate, requireEligibleDelegate } from './policies.js';

/** A start this far in the past is taken as "now" (the form was filled in a minute ago); earlier is refused. */
const START_GRACE_MS = 10 * 60_000;

/**
 * Ủy quyền giải quyết DVC → Thêm → Xác nhận: the delegator lends their processing positions to another account of
 * the agency, for a scope and a period (docs/decisions/0017-delegation.md). Checks, row and audit row in one
 * transaction, after two locks taken before anything checked is read: the lock every move takes first
 * (agency-lock.ts) — a move at the same instant either is seen here (refused as of another agency) or sees this
 * delegation and ends it — and then the two accounts' rows (a suspension under way is waited for and then seen).
 */
export async function createDelegation(db: Db, actor: StaffActor, raw: unknown, now: Date) {
  if (actor.kind !== 'official' || actor.onBehalfOf) {
    throw new AppError('forbidden', 'Chỉ cán bộ đăng nhập bằng tài khoản của mình mới được ủy quyền.', 403);
  }
  const input = parseInput(DelegationInput, raw);
  if (input.from.getTime() < now.getTime() - START_GRACE_MS) {
    throw errors.validation({ from: 'Thời điểm bắt đầu đã qua. Vui lòng chọn từ bây giờ trở đi.' });
  }
  // A start already past is "from now", on the minute the page shows (in force at once: the minute began already).
  const startsAt = input.from.getTime() < now.getTime() ? new Date(Math.floor(now.getTime() / 60_000) * 60_000) : input.from;
  if (input.to.getTime() <= startsAt.getTime()) throw errors.validation({ to: 'Thời điểm kết thúc phải sau thời điểm bắt đầu.' });
  return db.transaction(async (tx) => {
    await lockDelegationAgencies(tx);
    // The same form again (a retried post, Back and resend): what it made, not a twin that "Kết thúc" would leave in
    // force. Under the lock above, which every creation takes first, two posts of one form cannot both pass here.
    if (input.formKey) {
      const [made] = await tx.select().from(delegations).where(eq(delegations.formKey, input.formKey));
      if (made && made.delegatorId === actor.accountId) return made;
      if (made) throw new AppError('form_used', 'Biểu mẫu này đã được dùng. Vui lòng tải lại trang và nhập lại.', 409);
    }
    // No key update: as strong as any write of the account (it waits for a suspension under way and holds it off),
    // never in the way of a foreign key's check. In id order: two creations between the same two wait in turn.
    const pair = isId(input.delegateId) ? [actor.accountId, input.delegateId] : [actor.accountId];
    await tx.select({ id: accounts.id }).from(accounts).where(inArray(accounts.id, pair)).orderBy(accounts.id).for('no key update');
    if (!(await mayDelegate(tx, actor))) {
      throw new AppError('nothing_to_delegate', 'Tài khoản của bạn không có vai trò xử lý hồ sơ nào để ủy quyền.', 403);
    }
    const delegate = await requireEligibleDelegate(tx, actor, input.delegateId);
    const sectorIds = input.scope === 'sectors' ? input.sectorIds : [];
    const procedureIds = input.scope === 'procedures' ? input.procedureIds : [];
    if (sectorIds.length) {
      const found = await tx.select({ id: sectors.id }).from(sectors).where(inArray(sectors.id, sectorIds));
      if (found.length !== sectorIds.length) throw errors.validation({ sectorIds: 'Có lĩnh vực không tồn tại.' });
    }
    if (procedureIds.length) {
      const found = await tx.select({ id: procedures.id }).from(procedures).where(inArray(procedures.id, procedureIds));
      if (found.length !== procedureIds.length) throw errors.validation({ procedureIds: 'Có thủ tục không tồn tại.' });
    }
    const [me] = await tx.select({ unitId: accounts.unitId }).from(accounts).where(eq(accounts.id, actor.accountId));
    const [row] = await tx
      .insert(delegations)
      .values({
        delegatorId: actor.accountId,
        delegateId: delegate.id,
        scope: input.scope,
        sectorIds,
        procedureIds,
        startsAt,
        endsAt: input.to,
        reason: input.reason,
        createdAt: now,
        formKey: input.formKey ?? null,
      })
      .returning();
    await recordAudit(tx, {
      action: 'delegation.create',
      actor,
      targetType: 'delegation',
      targetId: String(row!.id),
      unitId: me?.unitId ?? null,
      data: {
        delegate: delegate.username,
        scope: input.scope,
        sectorIds,
        procedureIds,
        startsAt: startsAt.toISOString(),
        endsAt: input.to.toISOString(),
        reason: input.reason,
      },
    });
    return row!;
  });
}
