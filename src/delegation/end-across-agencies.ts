/**
 * A delegation is made only between two accounts of one agency (policies.ts requireEligibleDelegate). When a move
 * puts them in two agencies — an account moved to another unit, a unit moved or merged elsewhere — it ends there and
 * then: the delegate must not go on acting on dossiers of an agency they no longer belong to (an attacker review found
 * a delegate moved away who kept the lent positions until the end date). Called in the same transaction as the move,
 * after its own updates; the move took the lock createDelegation takes (agency-lock.ts) as its first statement, so a
 * delegation made at the same instant is either refused there, the move seen, or committed before the ending query
 * here, which then sees it and ends it — never left open across two agencies (a write skew otherwise).
 */
import { sql } from 'drizzle-orm';
import { recordAudit } from '../audit/record.js';
import { queryRows, type Tx } from '../db/client.js';
import type { StaffActor, SystemActor } from '../shared/context.js';
import { lockDelegationAgencies } from './agency-lock.js';

type Ended = { id: number; delegator_unit_id: string };

/** Ends every delegation not yet over whose two accounts are no longer in one agency; their audit rows say why. */
export async function endDelegationsAcrossAgencies(tx: Tx, actor: StaffActor | SystemActor, now: Date): Promise<number> {
  // Held already by a move that took it first, as every move does (agency-lock.ts); asked again for one that did not.
  await lockDelegationAgencies(tx);
  const ended = await queryRows<Ended>(
    tx,
    sql`with recursive open as (
        select id, delegator_id, delegate_id from delegations where ended_at is null and ends_at > ${now.toISOString()}::timestamptz
      ), up(account_id, id, parent_id, agency_code, depth) as (
        select a.id, u.id, u.parent_id, u.agency_code, 0 from accounts a join units u on u.id = a.unit_id
          where a.id in (select delegator_id from open union select delegate_id from open)
        union all
        select up.account_id, u.id, u.parent_id, u.agency_code, up.depth + 1 from units u join up on u.id = up.parent_id
          where up.agency_code is null
      ), agency as (
        -- The agency of an account as policies.ts agencyOfAccount reads it: the nearest unit with an agency code, else the top.
        select distinct on (account_id) account_id, id from up where agency_code is not null or parent_id is null
          order by account_id, depth
      )
      update delegations dl set ended_at = ${now.toISOString()}::timestamptz,
          ended_by = ${actor.kind === 'system' ? null : actor.accountId}::uuid
        from open o join agency x on x.account_id = o.delegator_id join agency y on y.account_id = o.delegate_id,
          accounts d
        where dl.id = o.id and x.id <> y.id and d.id = o.delegator_id
      returning dl.id, d.unit_id as delegator_unit_id`,
  );
  for (const d of ended)
    await recordAudit(tx, {
      action: 'delegation.end',
      actor,
      targetType: 'delegation',
      targetId: String(d.id),
      unitId: d.delegator_unit_id,
      data: { reason: 'agency_changed' },
    });
  return ended.length;
}
