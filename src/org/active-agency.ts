/**
 * A procedure version is offered — at the counter (dossiers/receivable-procedures.ts) and in the public catalog
 * (catalog/list-catalog.ts, catalog-index.ts) — only while its receiving agency (its first unit) is active:
 * receiveDossier refuses any other ("Đơn vị đã ngừng hoạt động hoặc đã được sáp nhập"), and the list must agree
 * with the check that opens. A unit becomes inactive by a merge (whose procedures move to the survivor:
 * merge-procedures.ts) or by set-unit-active.ts (whose procedures wait, hidden, until they are given another agency).
 */
import { type SQL, sql } from 'drizzle-orm';

/** `versions`: the procedure_versions row's table or alias in the caller's statement. */
export const receivingAgencyActive = (versions: SQL) =>
  sql`exists (select 1 from units agency where agency.id = (${versions}.unit_ids ->> 0)::uuid and agency.active)`;
