import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Queryable } from '../db/client.js';
import { ROLES, roleGrants, units } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { StaffActor } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { idField, parseInput } from '../shared/validate.js';
import { administeredUnitIds, requireAdministeredAccount } from './policies.js';

/** The labels live with the roles' descriptions (roles.ts); re-exported for the pages that import them here. */
export { ROLE_LABELS } from './roles.js';

const Grants = z.array(z.object({ unitId: idField('Đơn vị không hợp lệ.'), role: z.enum(ROLES, { message: 'Vai trò không hợp lệ.' }) }));

/**
 * Phân quyền sử dụng: replace the account's grants within the actor's scope. Grants at units
 * outside the actor's subtree are neither shown to nor changed by them.
 */
/** The grants of an account that lie in the actor's subtree (Phân quyền sử dụng shows only what the actor administers). */
export async function administeredGrantsOf(db: Queryable, actor: StaffActor, accountId: string) {
  const acc = await requireAdministeredAccount(db, actor, accountId);
  const scope = new Set(await administeredUnitIds(db, actor));
  const grants = await db
    .select({ unitId: roleGrants.unitId, role: roleGrants.role, unitName: units.name })
    .from(roleGrants)
    .innerJoin(units, eq(units.id, roleGrants.unitId))
    .where(eq(roleGrants.accountId, accountId));
  return { account: acc, grants: grants.filter((g) => scope.has(g.unitId)) };
}

/** The grants a page showed, as the text of its hidden field `shown` (rolesShown), compared with what is there now. */
export const rolesShown = (grants: ReadonlyArray<{ unitId: string; role: string }>) =>
  grants
    .map((g) => `${g.unitId}:${g.role}`)
    .sort()
    .join(' ');

const rolesChangedMeanwhile = () =>
  new AppError(
    'roles_changed_meanwhile',
    'Quyền của tài khoản vừa được thay đổi sau khi bạn mở trang này; chưa lưu gì. Trang dưới đây cho thấy các quyền hiện có: vui lòng chọn lại rồi bấm Lưu.',
    409,
  );

/**
 * `opts.shown`: the grants the page showed (rolesShown). The form replaces every grant in scope with what it posts: from
 * a page older than a change made meanwhile (another administrator removed a grant), it would bring that grant back —
 * so such a save is refused. Absent (a caller without a page): not checked.
 */
export async function setRoles(db: Db, actor: StaffActor, accountId: string, raw: unknown, opts: { shown?: string } = {}) {
  const wanted = parseInput(Grants, raw);
  return db.transaction(async (tx) => {
    const acc = await requireAdministeredAccount(tx, actor, accountId, { forUpdate: true });
    const scope = new Set(await administeredUnitIds(tx, actor));
    const outside = wanted.filter((g) => !scope.has(g.unitId));
    if (outside.length) throw new AppError('grant_out_of_scope', 'Chỉ được phân quyền trong các đơn vị bạn quản trị.', 403);
    if (wanted.length) {
      const live = await tx
        .select({ id: units.id })
        .from(units)
        .where(and(inArray(units.id, [...new Set(wanted.map((g) => g.unitId))]), eq(units.active, true)));
      if (live.length !== new Set(wanted.map((g) => g.unitId)).size) {
        throw new AppError('unit_inactive', 'Không thể phân quyền tại đơn vị đã ngừng hoạt động.', 409);
      }
    }
    if (accountId === actor.accountId && !wanted.some((g) => g.role === 'admin')) {
      const current = await tx.select().from(roleGrants).where(eq(roleGrants.accountId, accountId));
      if (current.some((g) => g.role === 'admin' && scope.has(g.unitId))) {
        throw new AppError('self_demote', 'Bạn không thể tự bỏ quyền quản trị của mình.', 409);
      }
    }
    const current = (await tx.select().from(roleGrants).where(eq(roleGrants.accountId, accountId))).filter((g) => scope.has(g.unitId));
    if (opts.shown !== undefined && opts.shown.split(' ').filter(Boolean).sort().join(' ') !== rolesShown(current))
      throw rolesChangedMeanwhile();
    const key = (g: { unitId: string; role: string }) => `${g.unitId}:${g.role}`;
    const wantedKeys = new Set(wanted.map(key));
    const currentKeys = new Set(current.map(key));
    const removed = current.filter((g) => !wantedKeys.has(key(g)));
    const added = [...new Map(wanted.filter((g) => !currentKeys.has(key(g))).map((g) => [key(g), g])).values()];
    if (removed.length)
      await tx.delete(roleGrants).where(
        inArray(
          roleGrants.id,
          removed.map((g) => g.id),
        ),
      );
    if (added.length) {
      await tx.insert(roleGrants).values(added.map((g) => ({ ...g, accountId, grantedBy: actor.accountId })));
    }
    if (removed.length || added.length) {
      await recordAudit(tx, {
        action: 'account.roles',
        actor,
        targetType: 'account',
        targetId: accountId,
        unitId: acc.unitId,
        data: {
          old: current.map((g) => ({ unitId: g.unitId, role: g.role })),
          new: wanted,
          added,
          removed: removed.map((g) => ({ unitId: g.unitId, role: g.role })),
        },
      });
    }
    return { added: added.length, removed: removed.length };
  });
}
