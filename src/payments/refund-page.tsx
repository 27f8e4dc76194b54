/**
 * Lệ phí cần hoàn trả (/tiepnhan/hoan-tra-le-phi): each order waiting for a refund as a block of facts with its own
 * form (a table with a form per row does not fit a phone), then the refunds recorded in the last 90 days.
 */
import type { FieldErrors } from '../shared/errors.js';
import { formatDateTime } from '../shared/dates.js';
import { CsrfField, Flash } from '../web/layout.js';
import { formatVnd } from './amount-words.js';
import { REFUND_NOTE_MAX } from './record-refund.js';
import type { RefundReason } from '../db/schema/payments.js';
import { REFUND_LIST_LIMIT, type RefundRow } from './refunds.js';

export const REFUNDS_PATH = '/tiepnhan/hoan-tra-le-phi';
const refundFormPath = (id: string) => `${REFUNDS_PATH}/${id}`;

const REASONS: Record<RefundReason, string> = {
  owes_nothing: 'Hồ sơ đã được rút, bị từ chối hoặc dừng xử lý trước khi khoản thanh toán được xác nhận',
  dossier_paid: 'Lệ phí của hồ sơ đã được thanh toán bằng một giao dịch khác (thanh toán hai lần)',
};

function Facts(p: { r: RefundRow }) {
  const r = p.r;
  return (
    <dl class="facts">
      <dt>Mã hồ sơ</dt>
      <dd>
        <a href={`/tiepnhan/ho-so/${r.dossierId}`}>{r.dossierCode}</a>
      </dd>
      <dt>Thủ tục</dt>
      <dd>{r.procedureName}</dd>
      <dt>Người nộp</dt>
      <dd>
        {r.applicantName}
        {r.applicantPhone ? ` — ${r.applicantPhone}` : ''}
      </dd>
      <dt>Số tiền</dt>
      <dd>{formatVnd(r.amount)} đồng</dd>
      <dt>Mã giao dịch</dt>
      <dd>{r.transactionId ?? '—'}</dd>
      <dt>Thời gian thanh toán</dt>
      <dd>{r.paidAt ? formatDateTime(r.paidAt) : '—'}</dd>
      <dt>Lý do hoàn trả</dt>
      <dd>{REASONS[r.reason]}</dd>
      {r.fromLog && r.status === 'refund_due' ? (
        <>
          <dt>Lưu ý</dt>
          <dd>
            Khoản này được xác định từ nhật ký hệ thống, trước khi có danh sách hoàn trả: có thể đơn vị đã hoàn trả thủ công. Vui lòng đối
            chiếu sổ sách trước khi hoàn trả.
          </dd>
        </>
      ) : null}
      {r.status === 'refunded' ? (
        <>
          <dt>Đã hoàn trả</dt>
          <dd>
            {formatDateTime(r.refundedAt)} — {r.refundedByName}
          </dd>
          <dt>Cách hoàn trả</dt>
          <dd>{r.refundNote}</dd>
        </>
      ) : null}
    </dl>
  );
}

export function RefundsPage(p: {
  csrfToken: string;
  due: RefundRow[];
  refunded: RefundRow[];
  notice?: string | undefined;
  error?: { paymentId: string; message: string; fields?: FieldErrors | undefined; note: string } | undefined;
}) {
  return (
    <section class="narrow">
      <h1>LỆ PHÍ CẦN HOÀN TRẢ</h1>
      <p class="muted">
        Các khoản lệ phí công dân đã thanh toán trực tuyến nhưng hồ sơ không còn phải nộp, của các cơ quan bạn giữ vị trí tiếp nhận. Sau khi
        hoàn trả tiền cho công dân, ghi nhận tại đây để công dân thấy trên trang thanh toán của mình.
      </p>
      {p.notice ? <Flash kind="ok">{p.notice}</Flash> : null}
      {/* The refusal at the top, where the page opens; for an order still listed, also beside its form (linked). */}
      {p.error ? (
        <Flash kind="error">
          {p.error.fields?.ghiChu ?? p.error.message}
          {p.due.some((r) => r.id === p.error!.paymentId) ? (
            <>
              {' '}
              <a href={`#khoan-${p.error.paymentId}`}>Đến khoản này</a>
            </>
          ) : null}
        </Flash>
      ) : null}
      <h2>
        Chờ hoàn trả ({p.due.length}
        {p.due.length >= REFUND_LIST_LIMIT ? '+, cũ nhất trước' : ''})
      </h2>
      {p.due.length === 0 ? <p>Không có khoản nào chờ hoàn trả.</p> : null}
      {p.due.map((r) => {
        const err = p.error?.paymentId === r.id ? p.error : undefined;
        return (
          <article class="stack" id={`khoan-${r.id}`}>
            <Facts r={r} />
            {err ? <Flash kind="error">{err.fields?.ghiChu ?? err.message}</Flash> : null}
            <form method="post" action={refundFormPath(r.id)} class="stack">
              <CsrfField token={p.csrfToken} />
              <label for={`ghiChu-${r.id}`}>
                Cách đã hoàn trả (số chứng từ chuyển khoản, phiếu chi…)<span class="req">*</span>
              </label>
              <textarea id={`ghiChu-${r.id}`} name="ghiChu" rows={2} maxlength={REFUND_NOTE_MAX} required>
                {err?.note ?? ''}
              </textarea>
              <button type="submit" class="primary">
                Ghi nhận đã hoàn trả
              </button>
            </form>
          </article>
        );
      })}
      <h2>Đã hoàn trả trong 90 ngày qua ({p.refunded.length})</h2>
      {p.refunded.length === 0 ? <p>Chưa có khoản nào.</p> : null}
      {p.refunded.map((r) => (
        <article id={`khoan-${r.id}`}>
          <Facts r={r} />
        </article>
      ))}
    </section>
  );
}
