import { sql } from 'drizzle-orm';
import { administeredUnitIds } from '../accounts/policies.js';
import { queryRows, type Queryable } from '../db/client.js';
import type { DelegationScope } from '../db/schema/index.js';
import type { StaffActor } from '../shared/context.js';

export type DelegationState = 'scheduled' | 'active' | 'expired' | 'ended';

export const STATE_LABELS: Record<DelegationState, string> = {
  scheduled: 'Chưa đến thời gian hiệu lực',
  active: 'Đang hiệu lực',
  expired: 'Đã hết hạn',
  ended: 'Đã kết thúc sớm',
};

/** A delegation as the lists show it: both accounts by name, the scope by name, its state at `now`. */
export type DelegationListItem = {
  id: number;
  delegator: { id: string; username: string; name: string; unitId: string };
  delegate: { id: string; username: string; name: string };
  scope: DelegationScope;
  scopeNames: string[];
  startsAt: Date;
  endsAt: Date;
  endedAt: Date | null;
  reason: string;
  state: DelegationState;
};

function delegationState(d: { startsAt: Date; endsAt: Date; endedAt: Date | null }, now: Date): DelegationState {
  if (d.endedAt) return 'ended';
  if (d.endsAt <= now) return 'expired';
  if (d.startsAt > now) return 'scheduled';
  return 'active';
}

type Row = {
  id: number;
  delegator_id: string;
  delegator_username: string;
  delegator_name: string;
  delegator_unit_id: string;
  delegate_id: string;
  delegate_username: string;
  delegate_name: string;
  scope: DelegationScope;
  scope_names: string[] | null;
  starts_at: string | Date;
  ends_at: string | Date;
  ended_at: string | Date | null;
  reason: string;
};

async function listWhere(db: Queryable, where: ReturnType<typeof sql>, now: Date): Promise<DelegationListItem[]> {
  const rows = await queryRows<Row>(
    db,
    sql`select dl.id, dl.scope, dl.starts_at, dl.ends_at, dl.ended_at, dl.reason,
        o.id as delegator_id, o.username as delegator_username, o.middle_name || ' ' || o.given_name as delegator_name,
        o.unit_id as delegator_unit_id,
        e.id as delegate_id, e.username as delegate_username, e.middle_name || ' ' || e.given_name as delegate_name,
        case dl.scope
          when 'sectors' then (select array_agg(s.name order by s.name) from sectors s where s.id = any(dl.sector_ids))
          when 'procedures' then (select array_agg(pv.name order by pv.name) from procedure_versions pv
                                  where pv.procedure_id = any(dl.procedure_ids) and pv.current)
        end as scope_names
      from delegations dl
      join accounts o on o.id = dl.delegator_id
      join accounts e on e.id = dl.delegate_id
      where ${where}
      order by dl.id desc
      limit 500`,
  );
  return rows.map((r) => {
    const d = { startsAt: new Date(r.starts_at), endsAt: new Date(r.ends_at), endedAt: r.ended_at ? new Date(r.ended_at) : null };
    return {
      id: r.id,
      delegator: { id: r.delegator_id, username: r.delegator_username, name: r.delegator_name, unitId: r.delegator_unit_id },
      delegate: { id: r.delegate_id, username: r.delegate_username, name: r.delegate_name },
      scope: r.scope,
      scopeNames: r.scope_names ?? [],
      ...d,
      reason: r.reason,
      state: delegationState(d, now),
    };
  });
}

/** Ủy quyền giải quyết DVC: the delegations the official gave and those they received (newest first). */
export function myDelegations(db: Queryable, actor: StaffActor, now: Date) {
  return delegationsOfAccount(db, actor.accountId, now);
}

/**
 * The delegations an account gave and received. Callers have decided the reader may see the account: its owner
 * (myDelegations) or an administrator of its unit (Quyền sử dụng, which loads the account through policies.ts).
 */
export async function delegationsOfAccount(db: Queryable, accountId: string, now: Date) {
  const [given, received] = await Promise.all([
    listWhere(db, sql`dl.delegator_id = ${accountId}::uuid`, now),
    listWhere(db, sql`dl.delegate_id = ${accountId}::uuid`, now),
  ]);
  return { given, received };
}

/**
 * Quản trị → Ủy quyền: the delegations of the accounts whose unit the administrator administers (either side), each
 * saying whether this administrator may end it — the rule of policies.ts requireEndableDelegation: one whose
 * delegator's unit they administer (a delegation only received in their units is shown, not theirs to end).
 */
export async function administeredDelegations(db: Queryable, actor: StaffActor, now: Date) {
  const unitIds = await administeredUnitIds(db, actor);
  if (unitIds.length === 0) return [];
  const list = sql.join(
    unitIds.map((id) => sql`${id}::uuid`),
    sql`, `,
  );
  const administered = new Set(unitIds);
  const rows = await listWhere(db, sql`(o.unit_id in (${list}) or e.unit_id in (${list}))`, now);
  return rows.map((d) => ({ ...d, mayEnd: administered.has(d.delegator.unitId) }));
}
