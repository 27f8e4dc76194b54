/**
 * Fee payment on the portal: the citizen's form post sends the browser to the platform; the platform's return
 * page shows what the database says (never the return address's query); the receipt; and the platform's
 * server-to-server confirmation, which has no session and no CSRF token (paymentNotifyRoutes is mounted before
 * the session middleware, like the public template downloads; its signature is its authentication).
 */
import { Hono } from 'hono';
import type { AppEnv } from '../web/env.js';
import { idParam } from '../web/params.js';
import { readJson } from '../web/body.js';
import { attachmentDisposition } from '../web/download.js';
import { formatDateTime } from '../shared/dates.js';
import { requireCitizen } from '../portal/citizen-context.js';
import { PortalPage } from '../portal/layout.js';
import { startPayment, paymentPaths } from './start-payment.js';
import { confirmPayment } from './confirm-payment.js';
import { paymentStatus, type PaymentView } from './payment-status.js';
import { paymentReceiptPdf } from './receipt.js';
import { formatVnd } from './amount-words.js';
import { sendHtml } from '../web/send-html.js';

export const paymentRoutes = new Hono<AppEnv>();

/** Thanh toán lệ phí: a form post from the dossier's page (CSRF checked by the app), 303 to the platform. */
paymentRoutes.post('/ca-nhan/ho-so/:id/thanh-toan', async (c) => {
  const { actor } = await requireCitizen(c);
  const id = idParam(c, 'Hồ sơ');
  const deps = c.get('deps');
  const started = await startPayment(deps.db, deps.payments, actor, id, { publicUrl: deps.config.publicUrl, now: deps.now() });
  return c.redirect(started.url, 303);
});

const HEADLINES: Record<PaymentView['status'], { title: string; text: string }> = {
  paid: { title: 'Thanh toán thành công', text: 'Lệ phí của hồ sơ đã được thanh toán. Bạn có thể tải biên lai bên dưới.' },
  pending: {
    title: 'Thanh toán chưa hoàn tất',
    text: 'Hệ thống chưa nhận được xác nhận từ nền tảng thanh toán. Nếu bạn đã thanh toán, vui lòng tải lại trang này sau ít phút; nếu chưa, bạn có thể thanh toán lại.',
  },
  abandoned: {
    title: 'Thanh toán chưa hoàn tất',
    text: 'Giao dịch này đã hết hạn mà chưa được thanh toán. Vui lòng thanh toán lại.',
  },
  failed: {
    title: 'Thanh toán thất bại',
    text: 'Nền tảng thanh toán báo giao dịch không thành công. Tài khoản của bạn không bị trừ tiền; vui lòng thử lại.',
  },
  refund_due: {
    title: 'Khoản thanh toán sẽ được hoàn trả',
    text: 'Hồ sơ đã được rút, bị từ chối hoặc dừng xử lý trước khi khoản thanh toán này được xác nhận, nên không còn phải nộp lệ phí. Cơ quan tiếp nhận sẽ hoàn trả số tiền đã thanh toán; vui lòng liên hệ cơ quan nếu cần.',
  },
  refunded: { title: 'Khoản thanh toán đã được hoàn trả', text: 'Cơ quan tiếp nhận đã hoàn trả số tiền của khoản thanh toán này.' },
};

/** Kept for a refund because another order of the dossier was paid first (two tabs): said as such. */
const PAID_TWICE = {
  title: 'Khoản thanh toán sẽ được hoàn trả',
  text: 'Lệ phí của hồ sơ đã được thanh toán bằng một giao dịch khác trước giao dịch này. Cơ quan tiếp nhận sẽ hoàn trả số tiền của giao dịch này; vui lòng liên hệ cơ quan nếu cần.',
};

/** An order not paid, of a dossier that no longer owes the fee (withdrawn, refused, stopped): nothing to pay again. */
const NOTHING_OWED = {
  title: 'Hồ sơ không còn phải nộp lệ phí',
  text: 'Hồ sơ đã được rút, bị từ chối hoặc dừng xử lý nên không còn phải nộp lệ phí. Nếu bạn đã thanh toán trên nền tảng thanh toán, khoản tiền sẽ được hoàn trả.',
};

/** The platform's return address: the payment as the database has it. */
paymentRoutes.get('/ca-nhan/thanh-toan/:paymentId/ket-qua', async (c) => {
  const { actor } = await requireCitizen(c);
  const id = idParam(c, 'Giao dịch thanh toán', 'paymentId');
  const p = await paymentStatus(c.get('deps').db, actor, id);
  const nothingOwed = p.dossier.owesNoFee && (p.status === 'pending' || p.status === 'abandoned' || p.status === 'failed');
  const head = nothingOwed
    ? NOTHING_OWED
    : p.status === 'refund_due' && p.refundReason === 'dossier_paid'
      ? PAID_TWICE
      : HEADLINES[p.status];
  const dossierUrl = `/ca-nhan/ho-so/${p.dossier.id}`;
  return sendHtml(
    c,
    await PortalPage(
      c,
      head.title,
      <>
        <h1>{head.title}</h1>
        <p class={p.status === 'paid' ? 'flash flash-ok' : p.status === 'failed' ? 'flash flash-error' : 'flash'} role="status">
          {head.text}
        </p>
        <dl class="facts">
          <dt>Mã hồ sơ</dt>
          <dd>{p.dossier.code ?? '—'}</dd>
          <dt>Thủ tục</dt>
          <dd>{p.dossier.procedureName}</dd>
          <dt>Số tiền</dt>
          <dd>{formatVnd(p.amount)} đồng</dd>
          {p.transactionId ? (
            <>
              <dt>Mã giao dịch</dt>
              <dd>{p.transactionId}</dd>
            </>
          ) : null}
          {p.paidAt ? (
            <>
              <dt>Thời gian thanh toán</dt>
              <dd>{formatDateTime(p.paidAt)}</dd>
            </>
          ) : null}
          {p.refundedAt ? (
            <>
              <dt>Thời gian hoàn trả</dt>
              <dd>{formatDateTime(p.refundedAt)}</dd>
            </>
          ) : null}
        </dl>
        {/* A div, not a p: a form inside a p would end the paragraph and leave an empty one behind. */}
        <div class="toolbar">
          {p.status === 'paid' ? (
            <a class="button primary" href={paymentPaths.receipt(p.id)}>
              Tải biên lai thu phí, lệ phí
            </a>
          ) : p.status === 'refund_due' || p.status === 'refunded' || p.dossier.owesNoFee ? null : (
            <form method="post" action={`/ca-nhan/ho-so/${p.dossier.id}/thanh-toan`} class="inline">
              <input type="hidden" name="_csrf" value={c.get('csrfToken')} />
              <button type="submit" class="primary">
                Thanh toán lại
              </button>
            </form>
          )}
        </div>
        <p>
          <a href={dossierUrl}>Quay lại hồ sơ</a>
        </p>
      </>,
    ),
  );
});

/** Biên lai thu phí, lệ phí (PDF), for the paying citizen only. */
paymentRoutes.get('/ca-nhan/thanh-toan/:paymentId/bien-lai', async (c) => {
  const { actor } = await requireCitizen(c);
  const id = idParam(c, 'Giao dịch thanh toán', 'paymentId');
  const { pdf, fileName } = await paymentReceiptPdf(c.get('deps').db, actor, id);
  return c.body(new Uint8Array(pdf), 200, {
    'Content-Type': 'application/pdf',
    'Content-Disposition': attachmentDisposition(fileName),
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'private, no-store',
  });
});

/** The platform's confirmation, server to server: JSON in (within the small body limit), JSON out. */
export const paymentNotifyRoutes = new Hono<AppEnv>();

paymentNotifyRoutes.post(paymentPaths.notify, async (c) => {
  const deps = c.get('deps');
  const outcome = await confirmPayment(deps.db, deps.payments, await readJson(c), c.get('meta'), deps.now());
  return c.json({ code: '00', message: 'Đã ghi nhận', orderId: outcome.paymentId, status: outcome.status, duplicate: outcome.duplicate });
});
