/**
 * WHO RECORDS REFUNDS OF FEES, and Lệ phí cần hoàn trả: the orders whose money the platform took for a dossier that did
 * not owe it (confirm-payment.ts keeps them as refund_due), as the collecting agency's officials list them.
 *
 * Read as a sentence: an official handles the refunds of the fees an agency collected when they hold the reception
 * position at the agency, above it or at one of its desks (the units below it without an agency code of their own —
 * where its one-stop clerks sit), by a grant of their own (access.ts positionsCte), and sees the dossier (access.ts
 * VISIBLE_THROUGH_POSITIONS: the list shows its applicant's name and phone, which a desk the dossier never passes
 * through does not read), as the agency's register lists its rows (access.ts mayReadRegister, registerDossierIds). A
 * delegation (Ủy quyền giải quyết DVC) lends the processing of dossiers, not the agency's money: a lent position does
 * not count. The check that opens (mayHandleRefund) and the list (refundsOf) use the same SQL condition.
 */
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Queryable } from '../db/client.js';
import type { RefundReason } from '../db/schema/payments.js';
import { positionsCte, VISIBLE_THROUGH_POSITIONS } from '../dossiers/access.js';
import type { StaffActor } from '../shared/context.js';

/**
 * The CTEs to put after `with recursive`, and the condition on `d` (the dossier joined as d) that the actor handles its
 * refunds: `refund_agencies` walks up from each reception position's unit through desks (no agency code) to the
 * first unit with one, keeping every unit on the way — a position above an agency is spread down to it already.
 */
function refundScope(actor: Pick<StaffActor, 'accountId'>): { cte: SQL; condition: SQL } {
  return {
    cte: sql`${positionsCte(sql`${actor.accountId}::uuid`)},
      refund_agencies(id) as (
        select unit_id from positions where role = 'reception'
        union select u.parent_id from units u join refund_agencies r on u.id = r.id where u.parent_id is not null and u.agency_code is null
      )`,
    condition: sql`(d.agency_unit_id in (select id from refund_agencies) and ${VISIBLE_THROUGH_POSITIONS})`,
  };
}

/** Whether the actor handles the refund of this order (false for an order that does not exist). */
export async function mayHandleRefund(db: Queryable, actor: Pick<StaffActor, 'accountId'>, paymentId: string): Promise<boolean> {
  const { cte, condition } = refundScope(actor);
  const rows = await queryRows<{ one: number }>(
    db,
    sql`with recursive ${cte} select 1 as one from payments p join dossiers d on d.id = p.dossier_id
      where p.id = ${paymentId}::uuid and ${condition}`,
  );
  return rows.length > 0;
}

export type RefundRow = {
  id: string;
  status: 'refund_due' | 'refunded';
  reason: RefundReason;
  amount: number;
  transactionId: string | null;
  paidAt: Date | null;
  dossierId: string;
  dossierCode: string;
  procedureName: string;
  applicantName: string;
  applicantPhone: string | null;
  refundedAt: Date | null;
  refundedByName: string | null;
  refundNote: string | null;
  /** Kept from the audit log by migration 0067: perhaps refunded by hand already. */
  fromLog: boolean;
};

/** At most this many of each list: a unit with more refunds waiting than this has a problem no page solves. */
export const REFUND_LIST_LIMIT = 200;
/** Đã hoàn trả lists the refunds recorded in the last 90 days. */
const RECENT_DAYS = 90;

/** Lệ phí cần hoàn trả: waiting, oldest first; and recorded, newest first (the last 90 days). */
export async function refundsOf(db: Queryable, actor: StaffActor, now: Date): Promise<{ due: RefundRow[]; refunded: RefundRow[] }> {
  const { cte, condition } = refundScope(actor);
  const since = new Date(now.getTime() - RECENT_DAYS * 86_400_000);
  const rows = await queryRows<{
    id: string;
    status: 'refund_due' | 'refunded';
    reason: RefundReason;
    amount: number;
    transaction_id: string | null;
    paid_at: string | Date | null;
    dossier_id: string;
    dossier_code: string;
    procedure_name: string;
    applicant_name: string;
    applicant_phone: string | null;
    refunded_at: string | Date | null;
    refunded_by_name: string | null;
    refund_note: string | null;
    refund_from_log: boolean;
  }>(
    db,
    sql`with recursive ${cte}
      select * from (
        (select p.id, p.status, p.refund_reason as reason, p.amount, p.provider_transaction_id as transaction_id, p.paid_at,
          d.id as dossier_id, d.code as dossier_code, v.name as procedure_name, d.applicant->>'fullName' as applicant_name,
          d.applicant->>'phone' as applicant_phone, p.refunded_at, null::text as refunded_by_name, p.refund_note, p.refund_from_log,
          p.created_at
        from payments p join dossiers d on d.id = p.dossier_id join procedure_versions v on v.id = d.procedure_version_id
        where p.status = 'refund_due' and ${condition}
        order by p.created_at, p.id limit ${REFUND_LIST_LIMIT})
        union all
        (select p.id, p.status, p.refund_reason, p.amount, p.provider_transaction_id, p.paid_at,
          d.id, d.code, v.name, d.applicant->>'fullName', d.applicant->>'phone', p.refunded_at,
          coalesce(nullif(trim(a.middle_name || ' ' || a.given_name), ''), a.username), p.refund_note, p.refund_from_log, p.created_at
        from payments p join dossiers d on d.id = p.dossier_id join procedure_versions v on v.id = d.procedure_version_id
          join accounts a on a.id = p.refunded_by
        where p.status = 'refunded' and p.refunded_at >= ${since.toISOString()}::timestamptz and ${condition}
        order by p.refunded_at desc, p.id limit ${REFUND_LIST_LIMIT})
      ) r`,
  );
  const at = (v: string | Date | null) => (v === null ? null : new Date(v));
  const all = rows.map(
    (r): RefundRow => ({
      id: r.id,
      status: r.status,
      reason: r.reason,
      amount: Number(r.amount),
      transactionId: r.transaction_id,
      paidAt: at(r.paid_at),
      dossierId: r.dossier_id,
      dossierCode: r.dossier_code,
      procedureName: r.procedure_name,
      applicantName: r.applicant_name,
      applicantPhone: r.applicant_phone,
      refundedAt: at(r.refunded_at),
      refundedByName: r.refunded_by_name,
      refundNote: r.refund_note,
      fromLog: r.refund_from_log,
    }),
  );
  return { due: all.filter((r) => r.status === 'refund_due'), refunded: all.filter((r) => r.status === 'refunded') };
}
