/**
 * THE ONE LOCK BETWEEN MAKING A DELEGATION AND REDRAWING THE AGENCIES (docs/decisions/0017-delegation.md).
 *
 * A delegation may exist only between two accounts of one agency. Two use cases keep that true, each alone:
 * createDelegation checks that the two accounts are of one agency (policies.ts requireEligibleDelegate), and every
 * move that can put them in two — an account moved to another unit, a unit moved or merged, an agency code given or
 * taken away — ends the delegations now across two agencies in its own transaction (end-across-agencies.ts). Run at
 * the same instant they are a write skew: the creation checks the units as committed before the move, the move's
 * ending query cannot see the delegation not yet committed, both commit, and the delegate acts across agencies until
 * the end date.
 *
 * So both take this transaction-level advisory lock, as their FIRST statement: createDelegation, and every
 * transaction that may move accounts across agencies — updateOfficial and the save of Xác thực tài khoản VNEID (an
 * account's unit), moveUnit, mergeUnits, updateUnit (an agency code), the unit import. Under READ COMMITTED each statement
 * after the lock sees what the other committed, so whichever goes second sees the first: the creation is refused as
 * ineligible, or the move's ending query ends the new delegation. endDelegationsAcrossAgencies takes it again (a
 * transaction holds it once however often it asks) for a caller that forgot. Both are rare administrative acts; one
 * lock for the whole province costs nothing worth a finer one. createUnit takes it too, for another rule of the tree:
 * its depth (org/unit-depth.ts) — a unit created under a parent that a move is pushing deeper would otherwise land
 * one level past the limit. setUnitActive too, for the agency codes: a reactivation checks its code is free against
 * creations, edits and other reactivations that hold the same lock.
 *
 * Lock order: this lock, then rows, everywhere — an attacker review found the other orders deadlocking (a creation
 * holding the accounts and waiting for the lock against a move holding the lock and wanting the accounts, and an import
 * against a single move).
 */
import { sql } from 'drizzle-orm';
import type { Tx } from '../db/client.js';

/**
 * Key of the transaction-level advisory lock above. The series: 7411001 the audit sealer (src/audit/seal.ts),
 * 7411002 the migrations (src/db/client.ts, src/ops/db-move.ts), 7411003 the demo seed and the province setup
 * (src/demo/seed.ts, src/setup/setup-province.ts), 7411005 the SSO signing keys' maintenance (src/sso/keys.ts).
 */
const DELEGATION_AGENCY_LOCK = 7411004;

/** Waits for, then holds until the transaction ends, the lock between delegations made and agencies redrawn. */
export async function lockDelegationAgencies(tx: Tx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${DELEGATION_AGENCY_LOCK})`);
}
