import { and, eq, isNull } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { accounts } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { generateTemporaryPassword, hashPassword } from '../auth/passwords.js';
import { loadActiveUnit } from '../org/unit-queries.js';
import type { StaffActor, SystemActor } from '../shared/context.js';
import { errors } from '../shared/errors.js';
import { parseInput } from '../shared/validate.js';
import { officialInput, type OfficialInput, accountFields, personFields } from './official-input.js';
import { identityAuditView, saveIdentityClaim } from './identity-claim.js';
import { requireAdministerUnit } from './policies.js';
import { accountSearchText } from './search-text.js';

export async function assertUsernameFree(tx: Tx, usernameLower: string, exceptId: string | null) {
  const [other] = await tx
    .select({ id: accounts.id })
    .from(accounts)
    .where(and(eq(accounts.usernameLower, usernameLower), isNull(accounts.deletedAt)));
  if (other && other.id !== exceptId) throw errors.usernameTaken();
}

/**
 * The account row, its identity claim and the account.create audit row, inside the caller's transaction
 * (Thêm mới cán bộ, and Tách tài khoản dùng chung, which adds `auditData` such as the account split from).
 */
export async function insertOfficial(
  tx: Tx,
  actor: StaffActor | SystemActor,
  input: OfficialInput,
  opts: { passwordHash: string; mustChangePassword: boolean; auditData?: Record<string, unknown> },
  now: Date,
) {
  await requireAdministerUnit(tx, actor, input.unitId);
  if (!(await loadActiveUnit(tx, input.unitId))) throw errors.unitInactive();
  const usernameLower = input.username.toLowerCase();
  await assertUsernameFree(tx, usernameLower, null);
  const fields = accountFields(input);
  const [acc] = await tx
    .insert(accounts)
    .values({
      ...fields,
      usernameLower,
      passwordHash: opts.passwordHash,
      mustChangePassword: opts.mustChangePassword,
      searchText: accountSearchText({ ...input }),
    })
    .returning();
  const identity = await saveIdentityClaim(tx, acc!, personFields(input), now);
  await recordAudit(tx, {
    action: 'account.create',
    actor,
    targetType: 'account',
    targetId: acc!.id,
    unitId: acc!.unitId,
    data: { new: { ...fields, person: identityAuditView(identity.after) }, ...opts.auditData },
  });
  return acc!;
}

/**
 * Thêm mới cán bộ: create an official's account in a unit the actor administers.
 * The account gets a temporary password, shown once, to be changed at the first login.
 */
export async function createOfficial(
  db: Db,
  actor: StaffActor | SystemActor,
  raw: unknown,
  now: Date,
  /** Demo data only: a password already chosen (and hashed), not to be changed at first login. */
  opts: { password?: string; passwordHash?: string } = {},
) {
  const input = parseInput(officialInput(now), raw);
  const temporaryPassword = opts.password ?? generateTemporaryPassword();
  const passwordHash = opts.passwordHash ?? (await hashPassword(temporaryPassword));
  const account = await db.transaction((tx) =>
    insertOfficial(tx, actor, input, { passwordHash, mustChangePassword: opts.password === undefined }, now),
  );
  return { account, temporaryPassword };
}
