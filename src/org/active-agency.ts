/**
 * A procedure version is offered — at the counter (dossiers/receivable-procedures.ts) and in the public catalog
 * (catalog/list-catalog.ts, catalog-index.ts) — only while its receiving agency (its first unit) receives: it is active
 * and has an electronic agency code (a dossier's code starts with it). receiveDossier refuses any other ("Đơn vị đã
 * ngừng hoạt động hoặc đã được sáp nhập", agency_code_missing), and the list must agree with the check that opens. A unit becomes inactive by a merge (whose procedures move to the survivor:
 * merge-procedures.ts) or by set-unit-active.ts (whose procedures wait, hidden, until they are given another agency).
 */
import { type SQL, sql } from 'drizzle-orm';

/** `versions`: the procedure_versions row's table or alias in the caller's statement. */
export const receivingAgencyReceives = (versions: SQL) =>
  sql`exists (select 1 from units agency
    where agency.id = (${versions}.unit_ids ->> 0)::uuid and agency.active and agency.agency_code is not null)`;
