/**
 * Quyền sử dụng của một tài khoản on one page: the grants (role, unit, the subtree it covers), what each
 * allows, and whether the account can use them at all (suspended, password login closed by the VNeID
 * cutoff). The official reads their own; an administrator reads an account they administer, and only the
 * grants within their subtree (the others are counted, not shown — as on Phân quyền sử dụng).
 * This module only gathers; the decisions are made in policies.ts, dossiers/access.ts, statistics/policy.ts.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '../db/client.js';
import { accounts, auditLog, units, WORKFLOW_ROLES, type Role } from '../db/schema/index.js';
import { cutoffForUnit, passwordOpen } from '../auth/cutoff.js';
import type { StaffActor } from '../shared/context.js';
import { errors } from '../shared/errors.js';
import { administeredUnitIds, requireAdministeredAccount } from './policies.js';
import { grantAllows, grantLabel } from './roles.js';

type EffectiveGrant = {
  role: Role;
  unitId: string;
  unitName: string;
  unitActive: boolean;
  label: string;
  allows: string;
  /** Units the grant covers: the unit and all below it. */
  coveredUnits: number;
  /** Whether it gives positions in the dossiers' process (the workflow roles). */
  givesPositions: boolean;
};

export type EffectivePermissions = {
  account: {
    id: string;
    username: string;
    middleName: string;
    givenName: string;
    position: string | null;
    unitId: string;
    unitName: string;
    suspended: boolean;
    breakGlass: boolean;
    linkedToPerson: boolean;
  };
  grants: EffectiveGrant[];
  /** Grants at units outside the reader's subtree (administrator's view only). */
  hiddenGrants: number;
  /** The VNeID-only date of the account's unit, and whether password login is still open today. */
  cutoff: string | null;
  passwordLoginOpen: boolean;
  /** The shared account this one was split from (Tách tài khoản dùng chung), from its creation's audit row. */
  splitFrom: { id: string; username: string } | null;
};

type AccountRow = typeof accounts.$inferSelect;

async function gather(db: Queryable, acc: AccountRow, visible: (unitId: string) => boolean, now: Date): Promise<EffectivePermissions> {
  const rows = await queryRows<{ role: Role; unit_id: string; name: string; active: boolean; is_root: boolean; covered: number }>(
    db,
    sql`select g.role, u.id as unit_id, u.name, u.active, u.parent_id is null as is_root,
      (with recursive sub(id) as (select u.id union select c.id from units c join sub on c.parent_id = sub.id)
        select count(*)::int from sub) as covered
      from role_grants g join units u on u.id = g.unit_id
      where g.account_id = ${acc.id}
      order by u.name, g.role`,
  );
  const shown = rows.filter((r) => visible(r.unit_id));
  const [unit] = await db.select({ name: units.name }).from(units).where(eq(units.id, acc.unitId));
  const cutoff = await cutoffForUnit(db, acc.unitId);
  return {
    account: {
      id: acc.id,
      username: acc.username,
      middleName: acc.middleName,
      givenName: acc.givenName,
      position: acc.position,
      unitId: acc.unitId,
      unitName: unit?.name ?? '',
      suspended: acc.suspended,
      breakGlass: acc.breakGlass,
      linkedToPerson: acc.personId !== null,
    },
    grants: shown.map((r) => ({
      role: r.role,
      unitId: r.unit_id,
      unitName: r.name,
      unitActive: r.active,
      label: grantLabel(r.role, r.is_root),
      allows: grantAllows(r.role, r.is_root),
      coveredUnits: r.covered,
      givesPositions: (WORKFLOW_ROLES as readonly string[]).includes(r.role),
    })),
    hiddenGrants: rows.length - shown.length,
    cutoff,
    passwordLoginOpen: passwordOpen(cutoff, now),
    splitFrom: await splitSource(db, acc.id),
  };
}

/** The account's own page (Thông tin tài khoản → Quyền sử dụng): every grant it holds. */
export async function ownPermissions(db: Queryable, actor: StaffActor, now: Date): Promise<EffectivePermissions> {
  const [acc] = await db.select().from(accounts).where(eq(accounts.id, actor.accountId));
  if (!acc || acc.deletedAt) throw errors.notFound('Tài khoản');
  return gather(db, acc, () => true, now);
}

/** An administered account's page; another subtree's account is "not found". */
export async function administeredPermissions(
  db: Queryable,
  actor: StaffActor,
  accountId: string,
  now: Date,
): Promise<EffectivePermissions> {
  const acc = await requireAdministeredAccount(db, actor, accountId);
  const scope = new Set(await administeredUnitIds(db, actor));
  return gather(db, acc, (unitId) => scope.has(unitId), now);
}

/** "Tách từ tài khoản X": read from the audit row that created the account (the only record of it). */
export async function splitSource(db: Queryable, accountId: string): Promise<{ id: string; username: string } | null> {
  const [row] = await db
    .select({ data: auditLog.data })
    .from(auditLog)
    .where(and(eq(auditLog.targetType, 'account'), eq(auditLog.targetId, accountId), eq(auditLog.action, 'account.create')))
    .orderBy(asc(auditLog.id))
    .limit(1);
  const from = row?.data.splitFrom;
  if (!from || typeof from !== 'object') return null;
  const { id, username } = from as Record<string, unknown>;
  return typeof id === 'string' && typeof username === 'string' ? { id, username } : null;
}
