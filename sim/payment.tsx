/**
 * Stand-in of the national payment platform (PayGov-like; docs/decisions/0014), on the simulator's origin, never
 * in production. GET /sim-payment/pay?… checks the merchant's signed payment request and shows the payment page
 * (merchant, amount, description) with "Thanh toán", "Thanh toán thất bại" and "Hủy giao dịch". Paying or failing
 * POSTs the signed confirmation to the request's notify URL (server to server, retried while the merchant is down
 * or answers 5xx) and sends the browser to the return URL; cancelling only sends the browser back. GET
 * /dev/payments lists the orders and every notification sent. Fault switches (/dev/faults): paymentNotifyDelayMs,
 * dropPaymentNotify. The signature is written here again from the specification, not imported from the app, so a
 * difference between the two shows up in the tests.
 */
import crypto from 'node:crypto';
import { type Context, Hono } from 'hono';
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { SimState } from './state.js';

export type PaymentMerchant = { code: string; secret: string; name: string };

type Notification = {
  at: string;
  url: string;
  body: Record<string, string>;
  attempts: number;
  outcome: 'pending' | 'delivered' | 'rejected' | 'dropped' | 'gave_up';
  lastStatus: number | null;
};

type Order = {
  merchant: PaymentMerchant;
  orderId: string;
  amount: number;
  orderInfo: string;
  returnUrl: string;
  notifyUrl: string;
  expiresAt: number;
  status: 'open' | 'success' | 'failed' | 'cancelled';
  transactionId: string | null;
  notifications: Notification[];
};

const SIGNED_REQUEST = [
  'version',
  'merchantCode',
  'orderId',
  'amount',
  'currency',
  'orderInfo',
  'returnUrl',
  'notifyUrl',
  'createDate',
  'expireDate',
  'locale',
];

/** RFC 3986 percent-encoding of the NFC text's UTF-8 bytes: only A–Z a–z 0–9 - . _ ~ stay, %XX in capitals. */
function rfc3986(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text.normalize('NFC'), 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** HMAC-SHA256 hex over the fields sorted by name, `name=value` percent-encoded (RFC 3986), joined by `&`. */
export function signFields(secret: string, fields: Record<string, string>): string {
  const text = Object.keys(fields)
    .sort()
    .map((k) => `${rfc3986(k)}=${rfc3986(fields[k] ?? '')}`)
    .join('&');
  return crypto.createHmac('sha256', secret).update(text, 'utf8').digest('hex');
}

const equalHex = (a: string, b: string) => a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** yyyyMMddHHmmss in GMT+7 → epoch ms (NaN when malformed). */
function parsePlatformTime(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(s);
  return m ? Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+07:00`) : Number.NaN;
}

const vnd = (n: number) => `${String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '.')} đồng`;

function Page(p: { title: string; children: Child }) {
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="vi">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{p.title} — Nền tảng thanh toán (mô phỏng)</title>
          <link rel="stylesheet" href="/sim.css" />
        </head>
        <body>
          <header>
            <strong>Nền tảng thanh toán</strong> <span>Cổng Dịch vụ công quốc gia</span> <em>(hệ thống mô phỏng)</em>
          </header>
          <main>{p.children}</main>
        </body>
      </html>
    </>
  );
}

export function paymentRoutes(state: SimState, merchants: PaymentMerchant[]) {
  const app = new Hono();
  const orders = new Map<string, Order>();
  /** Pages opened (one per visit of the payment page), by their own id. */
  const sessions = new Map<string, string>();
  const key = (merchant: string, orderId: string) => `${merchant}\u0000${orderId}`;

  const refuse = (c: Context, msg: string) =>
    c.html(
      <Page title="Yêu cầu thanh toán không hợp lệ">
        <h1>Không thể thanh toán</h1>
        <p class="error" role="alert">
          {msg}
        </p>
      </Page>,
      400,
    );

  function confirmation(order: Order): Record<string, string> {
    const fields: Record<string, string> = {
      merchantCode: order.merchant.code,
      orderId: order.orderId,
      transactionId: order.transactionId ?? '',
      amount: String(order.amount),
      status: order.status === 'success' ? 'success' : 'failed',
      paidAt: new Date().toISOString(),
      message: order.status === 'success' ? 'Giao dịch thành công' : 'Giao dịch không thành công',
    };
    return { ...fields, signature: signFields(order.merchant.secret, fields) };
  }

  /** One delivery attempt: true when the merchant answered (2xx, or a 4xx refusal that retrying cannot change). */
  async function attempt(n: Notification): Promise<boolean> {
    n.attempts++;
    try {
      const res = await fetch(n.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(n.body),
        signal: AbortSignal.timeout(5000),
      });
      n.lastStatus = res.status;
      await res.body?.cancel();
      if (res.ok) n.outcome = 'delivered';
      else if (res.status < 500 && res.status !== 429) n.outcome = 'rejected';
      return n.outcome !== 'pending';
    } catch {
      n.lastStatus = null;
      return false;
    }
  }

  /** Delivers with retries (state.paymentRetryDelaysMs) in the background; the first attempt is awaited unless delayed. */
  async function notify(order: Order): Promise<void> {
    const n: Notification = {
      at: new Date().toISOString(),
      url: order.notifyUrl,
      body: confirmation(order),
      attempts: 0,
      outcome: 'pending',
      lastStatus: null,
    };
    order.notifications.push(n);
    if (state.faults.dropPaymentNotify) {
      n.outcome = 'dropped';
      return;
    }
    const retry = (i: number) => {
      const delay = state.paymentRetryDelaysMs[i];
      if (delay === undefined) {
        n.outcome = 'gave_up';
        return;
      }
      setTimeout(() => void attempt(n).then((done) => done || retry(i + 1)), delay).unref();
    };
    if (state.faults.paymentNotifyDelayMs > 0) {
      setTimeout(() => void attempt(n).then((done) => done || retry(0)), state.faults.paymentNotifyDelayMs).unref();
      return;
    }
    if (!(await attempt(n))) retry(0);
  }

  function backTo(order: Order, status: string): string {
    const fields: Record<string, string> = { orderId: order.orderId, status, transactionId: order.transactionId ?? '' };
    const url = new URL(order.returnUrl);
    for (const [k, v] of Object.entries(fields)) url.searchParams.set(k, v);
    url.searchParams.set('signature', signFields(order.merchant.secret, fields));
    return url.toString();
  }

  app.get('/sim-payment/pay', (c) => {
    const q = c.req.query();
    const merchant = merchants.find((m) => m.code === q.merchantCode);
    if (!merchant) return refuse(c, 'Đơn vị chấp nhận thanh toán không tồn tại.');
    const fields = Object.fromEntries(SIGNED_REQUEST.map((k) => [k, q[k] ?? '']));
    if (!equalHex(signFields(merchant.secret, fields), q.signature ?? '')) return refuse(c, 'Chữ ký của yêu cầu thanh toán không hợp lệ.');
    const amount = Number(fields.amount);
    const expiresAt = parsePlatformTime(fields.expireDate ?? '');
    if (!/^[1-9]\d{0,11}$/.test(fields.amount ?? '') || fields.currency !== 'VND') return refuse(c, 'Số tiền thanh toán không hợp lệ.');
    if (!(expiresAt > Date.now())) return refuse(c, 'Yêu cầu thanh toán đã hết hạn. Vui lòng quay lại trang của đơn vị và thực hiện lại.');
    let order = orders.get(key(merchant.code, fields.orderId ?? ''));
    if (order && order.status === 'success') return refuse(c, 'Đơn hàng này đã được thanh toán.');
    if (order && order.amount !== amount) return refuse(c, 'Đơn hàng đã tồn tại với số tiền khác.');
    if (order?.status !== 'open') {
      order = {
        merchant,
        orderId: fields.orderId ?? '',
        amount,
        orderInfo: fields.orderInfo ?? '',
        returnUrl: fields.returnUrl ?? '',
        notifyUrl: fields.notifyUrl ?? '',
        expiresAt,
        status: 'open',
        transactionId: null,
        notifications: order?.notifications ?? [],
      };
      orders.set(key(merchant.code, order.orderId), order);
    }
    const session = crypto.randomUUID();
    sessions.set(session, key(merchant.code, order.orderId));
    return c.html(
      <Page title="Thanh toán">
        <h1>Thanh toán trực tuyến</h1>
        <dl>
          <dt>Đơn vị chấp nhận thanh toán</dt>
          <dd>{merchant.name}</dd>
          <dt>Số tiền</dt>
          <dd>
            <strong>{vnd(order.amount)}</strong>
          </dd>
          <dt>Nội dung</dt>
          <dd>{order.orderInfo}</dd>
          <dt>Mã đơn hàng</dt>
          <dd>{order.orderId}</dd>
        </dl>
        <form method="post" action={`/sim-payment/pay/${session}`}>
          <button type="submit" name="action" value="success">
            Thanh toán
          </button>
          <button type="submit" name="action" value="failed" class="link">
            Thanh toán thất bại
          </button>
          <button type="submit" name="action" value="cancel" class="link">
            Hủy giao dịch
          </button>
        </form>
      </Page>,
    );
  });

  app.post('/sim-payment/pay/:session', async (c) => {
    const orderKey = sessions.get(c.req.param('session'));
    const order = orderKey ? orders.get(orderKey) : undefined;
    if (!order) return refuse(c, 'Phiên thanh toán không tồn tại hoặc đã kết thúc.');
    sessions.delete(c.req.param('session'));
    if (order.status !== 'open') return refuse(c, 'Đơn hàng đã được xử lý.');
    if (Date.now() > order.expiresAt) return refuse(c, 'Yêu cầu thanh toán đã hết hạn.');
    const action = String((await c.req.parseBody()).action ?? '');
    if (action === 'cancel') {
      // Abandoned: the browser goes back, the merchant hears nothing.
      return c.redirect(backTo(order, 'cancelled'), 303);
    }
    if (action !== 'success' && action !== 'failed') return refuse(c, 'Thao tác không hợp lệ.');
    order.status = action;
    order.transactionId = `PG${Date.now()}${crypto.randomInt(100000, 999999)}`;
    await notify(order);
    return c.redirect(backTo(order, action), 303);
  });

  /** For testers: the orders and the notifications sent (newest last). */
  app.get('/dev/payments', (c) =>
    c.json(
      [...orders.values()].map((o) => ({
        merchantCode: o.merchant.code,
        orderId: o.orderId,
        amount: o.amount,
        orderInfo: o.orderInfo,
        status: o.status,
        transactionId: o.transactionId,
        notifications: o.notifications,
      })),
    ),
  );
  return app;
}
