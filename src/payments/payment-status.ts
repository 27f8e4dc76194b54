/**
 * A payment as its citizen sees it (the return page, the receipt). What the platform put in the return address
 * is not read: the page shows the row, which only a verified confirmation changes. Another citizen's payment
 * answers exactly like a missing one.
 */
import { and, eq } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { dossiers, payments, procedureVersions, units } from '../db/schema/index.js';
import { errors } from '../shared/errors.js';
import type { CitizenActor } from '../shared/context.js';
import type { PaymentStatus, RefundReason } from '../db/schema/payments.js';
import { owesNoFee } from './queries.js';

export type PaymentView = {
  id: string;
  status: PaymentStatus;
  amount: number;
  createdAt: Date;
  paidAt: Date | null;
  transactionId: string | null;
  /** Set while refund_due or refunded: why the money is paid back. */
  refundReason: RefundReason | null;
  /** When an official recorded the refund (refunded). */
  refundedAt: Date | null;
  /** owesNoFee: withdrawn, refused or stopped (queries.ts): nothing is to be paid for it any more. */
  dossier: { id: string; code: string | null; procedureName: string; agencyUnitId: string; owesNoFee: boolean };
};

export async function paymentStatus(db: Queryable, actor: CitizenActor, paymentId: string): Promise<PaymentView> {
  const [row] = await db
    .select({
      payment: payments,
      dossierCode: dossiers.code,
      dossierStatus: dossiers.status,
      agencyUnitId: dossiers.agencyUnitId,
      procedureName: procedureVersions.name,
    })
    .from(payments)
    .innerJoin(dossiers, eq(dossiers.id, payments.dossierId))
    .innerJoin(procedureVersions, eq(procedureVersions.id, dossiers.procedureVersionId))
    .where(and(eq(payments.id, paymentId), eq(payments.citizenId, actor.citizenId)));
  if (!row) throw errors.notFound('Giao dịch thanh toán');
  const p = row.payment;
  return {
    id: p.id,
    status: p.status,
    amount: p.amount,
    createdAt: p.createdAt,
    paidAt: p.paidAt,
    transactionId: p.providerTransactionId,
    refundReason: p.refundReason,
    refundedAt: p.refundedAt,
    dossier: {
      id: p.dossierId,
      code: row.dossierCode,
      procedureName: row.procedureName,
      agencyUnitId: row.agencyUnitId,
      owesNoFee: owesNoFee(row.dossierStatus),
    },
  };
}

/** The agency that collects the fee, with its parent and the province's place name (for the receipt's heading). */
export async function collectingAgency(db: Queryable, unitId: string): Promise<{ name: string; parentName: string | null; place: string }> {
  const chain: Array<{ name: string; parentId: string | null }> = [];
  for (let id: string | null = unitId; id && chain.length < 20; ) {
    const [u] = await db.select({ name: units.name, parentId: units.parentId }).from(units).where(eq(units.id, id));
    if (!u) break;
    chain.push(u);
    id = u.parentId;
  }
  return {
    name: chain[0]?.name ?? '',
    parentName: chain[1]?.name ?? null,
    place: (chain[chain.length - 1]?.name ?? '').replace(/^(Tỉnh|Thành phố)\s+/i, ''),
  };
}
