/** Lệ phí cần hoàn trả: the list (refunds.ts) and Ghi nhận đã hoàn trả (record-refund.ts). Parse → call → render. */
import { Hono } from 'hono';
import type { AppEnv } from '../web/env.js';
import { Layout } from '../web/layout.js';
import { actorOf, formData, pageProps, requireLogin, type Ctx } from '../web/http.js';
import { AppError } from '../shared/errors.js';
import { sendHtml } from '../web/send-html.js';
import { postAnswerAddress } from '../web/post-answer.js';
import { recordRefund } from './record-refund.js';
import { refundsOf } from './refunds.js';
import { REFUNDS_PATH, RefundsPage } from './refund-page.js';

export const refundRoutes = new Hono<AppEnv>();
const LOCAL = REFUNDS_PATH.replace('/tiepnhan', '');
refundRoutes.use(LOCAL, requireLogin);
refundRoutes.use(`${LOCAL}/*`, requireLogin);

async function render(
  c: Ctx,
  shown: { notice?: string; error?: { paymentId: string; err: AppError; note: string } },
  status: 200 | 400 | 409 = 200,
) {
  const { db, now } = c.get('deps');
  const [{ due, refunded }, props] = await Promise.all([refundsOf(db, actorOf(c), now()), pageProps(c)]);
  const e = shown.error;
  return sendHtml(
    c,
    <Layout title="Lệ phí cần hoàn trả" section="reception" {...props} address={postAnswerAddress(c, REFUNDS_PATH)}>
      <RefundsPage
        csrfToken={props.csrfToken}
        due={due}
        refunded={refunded}
        notice={shown.notice}
        error={e ? { paymentId: e.paymentId, message: e.err.message, fields: e.err.fields, note: e.note } : undefined}
      />
    </Layout>,
    status,
  );
}

refundRoutes.get(LOCAL, (c) =>
  render(
    c,
    c.req.query('da-ghi-nhan') === '1' ? { notice: 'Đã ghi nhận hoàn trả. Công dân thấy điều này trên trang thanh toán của mình.' } : {},
  ),
);

refundRoutes.post(`${LOCAL}/:id`, async (c) => {
  const form = await formData(c);
  const id = c.req.param('id');
  try {
    await recordRefund(c.get('deps').db, actorOf(c), id, form, c.get('deps').now());
  } catch (err) {
    if (!(err instanceof AppError) || (err.status !== 400 && err.status !== 409)) throw err;
    return render(c, { error: { paymentId: id, err, note: typeof form.ghiChu === 'string' ? form.ghiChu : '' } }, err.status);
  }
  return c.redirect(`${REFUNDS_PATH}?da-ghi-nhan=1`, 303);
});
