/**
 * Tách tài khoản dùng chung (seed 000 §1b Bước 1): several people used one account; the administrator
 * creates one account per person. The new account is an ordinary new account (Thêm mới cán bộ) whose
 * creation records the shared account it was split from. It does not inherit the shared account's role
 * grants by itself: the administrator grants roles, or the official registered in the process delegates
 * (Ủy quyền giải quyết DVC). "Cấp cùng vai trò" copies, explicitly and audited, the shared account's
 * grants within the administrator's subtree — never administration, which is granted one by one.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Tx } from '../db/client.js';
import { roleGrants, units } from '../db/schema/index.js';
import { generateTemporaryPassword, hashPassword } from '../auth/passwords.js';
import type { StaffActor } from '../shared/context.js';
import { parseInput } from '../shared/validate.js';
import { insertOfficial } from './create-official.js';
import { officialInput } from './official-input.js';
import { administeredUnitIds, requireWhollyAdministeredAccount } from './policies.js';

const SplitChoice = z.object({
  sameRoles: z
    .union([z.string(), z.boolean()])
    .optional()
    .transform((v) => v === true || v === '1' || v === 'on'),
});

export async function splitSharedAccount(db: Db, actor: StaffActor, sharedAccountId: string, raw: Record<string, unknown>, now: Date) {
  const input = parseInput(officialInput(now), raw);
  const { sameRoles } = parseInput(SplitChoice, raw);
  const temporaryPassword = generateTemporaryPassword();
  const passwordHash = await hashPassword(temporaryPassword);
  const account = await db.transaction(async (tx) => {
    const shared = await requireWhollyAdministeredAccount(tx, actor, sharedAccountId);
    const copied = sameRoles ? await copyableGrants(tx, actor, shared.id) : [];
    const acc = await insertOfficial(
      tx,
      actor,
      input,
      {
        passwordHash,
        mustChangePassword: true,
        auditData: { splitFrom: { id: shared.id, username: shared.username }, sameRoles, rolesCopied: copied },
      },
      now,
    );
    if (copied.length) await tx.insert(roleGrants).values(copied.map((g) => ({ ...g, accountId: acc.id, grantedBy: actor.accountId })));
    return acc;
  });
  return { account, temporaryPassword };
}

/** The shared account's grants the actor could grant themself: in their subtree, at an active unit, not administration. */
async function copyableGrants(tx: Tx, actor: StaffActor, accountId: string) {
  const scope = await administeredUnitIds(tx, actor);
  if (scope.length === 0) return [];
  const rows = await tx
    .select({ unitId: roleGrants.unitId, role: roleGrants.role })
    .from(roleGrants)
    .innerJoin(units, eq(units.id, roleGrants.unitId))
    .where(and(eq(roleGrants.accountId, accountId), inArray(roleGrants.unitId, scope), eq(units.active, true)));
  return rows.filter((g) => g.role !== 'admin');
}
