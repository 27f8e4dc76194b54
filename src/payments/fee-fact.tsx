/**
 * Phí, lệ phí on the officials' dossier page: the fee, and for an online dossier whether it was paid online (the
 * counter collects it otherwise), with the orders kept for a refund linked to Lệ phí cần hoàn trả.
 */
import { formatDateTime } from '../shared/dates.js';
import { feeText } from '../dossiers/procedure-terms.js';
import type { DossierStatus } from '../dossiers/transitions.js';
import { formatVnd } from './amount-words.js';
import { owesNoFee, type DossierFeeFacts } from './queries.js';
import { REFUNDS_PATH } from './refund-page.js';

export function FeeFact(p: {
  version: { fee: number; feeNote?: string | null };
  dossier: { channel: number; status: DossierStatus };
  facts: DossierFeeFacts;
}) {
  const { paid, refunds } = p.facts;
  const online = p.dossier.channel === 2 && p.version.fee > 0;
  const state = paid
    ? `Đã thanh toán trực tuyến ${formatVnd(paid.amount)} đồng${paid.paidAt ? ` lúc ${formatDateTime(paid.paidAt)}` : ''}${paid.transactionId ? ` (mã giao dịch ${paid.transactionId})` : ''}`
    : !online
      ? null
      : owesNoFee(p.dossier.status)
        ? 'Không phải nộp (hồ sơ đã rút, bị từ chối hoặc dừng xử lý)'
        : 'Chưa thanh toán trực tuyến';
  return (
    <>
      {feeText(p.version)}
      {state ? ` — ${state}` : ''}
      {refunds.map((r) => (
        <>
          <br />
          {r.status === 'refunded'
            ? `Đã hoàn trả ${formatVnd(r.amount)} đồng lúc ${formatDateTime(r.refundedAt)}`
            : `Cần hoàn trả ${formatVnd(r.amount)} đồng`}
          {r.transactionId ? ` (mã giao dịch ${r.transactionId})` : ''}
          {r.status === 'refund_due' ? (
            <>
              {' — '}
              <a href={REFUNDS_PATH}>Lệ phí cần hoàn trả</a>
            </>
          ) : null}
        </>
      ))}
    </>
  );
}
