/**
 * What other features ask about fees: whether a dossier is paid, and which dossiers still owe their fee
 * ("Hồ sơ chờ thanh toán lệ phí" on TRANG CÁ NHÂN) as a SQL condition on `dossiers`, so a count is one query.
 */
import { and, eq, inArray, notInArray, sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { dossiers, payments, procedureVersions } from '../db/schema/index.js';
import type { DossierStatus } from '../dossiers/transitions.js';

/** Dossiers in these statuses owe nothing: refused (at reception or after it), withdrawn by the citizen, stopped (cancelled). */
const NO_FEE_DUE_STATUSES = ['refused', 'rejected', 'withdrawn', 'stopped'] as const satisfies readonly DossierStatus[];
const NO_FEE_DUE: ReadonlySet<DossierStatus> = new Set(NO_FEE_DUE_STATUSES);
export const owesNoFee = (status: DossierStatus): boolean => NO_FEE_DUE.has(status);

export async function isDossierPaid(tx: Queryable, dossierId: string): Promise<boolean> {
  const [row] = await tx
    .select({ id: payments.id })
    .from(payments)
    .where(and(eq(payments.dossierId, dossierId), eq(payments.status, 'paid')))
    .limit(1);
  return !!row;
}

/** A dossier's paid payment (at most one: payments_one_paid_key), as its dossier page tells it; null while unpaid. */
export async function paidPaymentOf(
  tx: Queryable,
  dossierId: string,
): Promise<{ id: string; citizenId: string; amount: number; paidAt: Date | null; transactionId: string | null } | null> {
  const [row] = await tx
    .select({
      id: payments.id,
      citizenId: payments.citizenId,
      amount: payments.amount,
      paidAt: payments.paidAt,
      transactionId: payments.providerTransactionId,
    })
    .from(payments)
    .where(and(eq(payments.dossierId, dossierId), eq(payments.status, 'paid')))
    .limit(1);
  return row ?? null;
}

/** Of these dossiers, the ones whose fee is paid. */
export async function paidDossierIds(tx: Queryable, dossierIds: readonly string[]): Promise<Set<string>> {
  if (dossierIds.length === 0) return new Set();
  const rows = await tx
    .select({ id: payments.dossierId })
    .from(payments)
    .where(and(inArray(payments.dossierId, [...dossierIds]), eq(payments.status, 'paid')));
  return new Set(rows.map((r) => r.id));
}

/**
 * A condition on the `dossiers` table: it was submitted online (a dossier received at the counter or by post has its
 * fee paid there, which leaves no payment row), its procedure version has a fee, it is not refused, withdrawn or
 * stopped, and it has no paid payment. E.g. `db.select({ n: count() }).from(dossiers).where(and(eq(dossiers.citizenId, id),
 * unpaidCondition()))`. Both subqueries are on indexed keys (procedure_versions' primary key, payments_one_paid_key).
 */
export function unpaidCondition(): SQL {
  return sql`(${dossiers.channel} = 2 and ${notInArray(dossiers.status, [...NO_FEE_DUE_STATUSES])}
    and exists (select 1 from ${procedureVersions} where ${procedureVersions.id} = ${dossiers.procedureVersionId} and ${procedureVersions.fee} > 0)
    and not exists (select 1 from ${payments} where ${payments.dossierId} = ${dossiers.id} and ${payments.status} = 'paid'))`;
}

/** What the officials' dossier page says of its fee: the online payment, and the orders kept for a refund. */
export type DossierFeeFacts = {
  paid: { amount: number; paidAt: Date | null; transactionId: string | null } | null;
  refunds: Array<{ amount: number; transactionId: string | null; status: 'refund_due' | 'refunded'; refundedAt: Date | null }>;
};

/** A dossier's fee facts (call it only for a dossier the official may see: viewDossier decided). */
export async function dossierFeeFacts(tx: Queryable, dossierId: string): Promise<DossierFeeFacts> {
  const rows = await tx
    .select({
      amount: payments.amount,
      status: payments.status,
      paidAt: payments.paidAt,
      transactionId: payments.providerTransactionId,
      refundedAt: payments.refundedAt,
    })
    .from(payments)
    .where(and(eq(payments.dossierId, dossierId), inArray(payments.status, ['paid', 'refund_due', 'refunded'])))
    .orderBy(payments.createdAt);
  const paid = rows.find((r) => r.status === 'paid');
  return {
    paid: paid ? { amount: paid.amount, paidAt: paid.paidAt, transactionId: paid.transactionId } : null,
    refunds: rows.flatMap((r) =>
      r.status === 'refund_due' || r.status === 'refunded'
        ? [{ amount: r.amount, transactionId: r.transactionId, status: r.status, refundedAt: r.refundedAt }]
        : [],
    ),
  };
}
