/**
 * Thông tin tài khoản → Mã xác thực khẩn cấp (mounted at /tiepnhan): the owner of a break-glass account sets up its
 * authenticator app, logged in with VNeID (enrol-break-glass.ts). Parse → call → render.
 */
import { raw } from 'hono/html';
import { Hono } from 'hono';
import type { AppEnv } from '../web/env.js';
import { CsrfField, FieldError, Flash, Layout } from '../web/layout.js';
import { actorOf, formData, pageProps, requireLogin, siteName, type Ctx } from '../web/http.js';
import { AppError, type FieldErrors } from '../shared/errors.js';
import { sendHtml } from '../web/send-html.js';
import { postAnswerAddress } from '../web/post-answer.js';
import { totpUri } from '../auth/totp.js';
import { breakGlassStatus, enrolBreakGlass, offerBreakGlassSecret } from './enrol-break-glass.js';

const ENROL_PATH = '/tiepnhan/tai-khoan/ma-khan-cap';

export const breakGlassEnrolRoutes = new Hono<AppEnv>();
breakGlassEnrolRoutes.use('/tai-khoan/ma-khan-cap', requireLogin);
breakGlassEnrolRoutes.use('/tai-khoan/ma-khan-cap/*', requireLogin);

type Offer = { secret: string; qr: string; replacing: boolean };
type State = { notice?: string; error?: string; offer?: Offer; errors?: FieldErrors | undefined };

async function render(c: Ctx, s: State = {}, status: 200 | 400 | 403 = 200) {
  const props = await pageProps(c);
  const bg = await breakGlassStatus(c.get('deps').db, actorOf(c));
  return sendHtml(
    c,
    <Layout title="Mã xác thực khẩn cấp" section="personal" {...props} address={postAnswerAddress(c, ENROL_PATH)}>
      <section class="narrow">
        <h1>Mã xác thực khẩn cấp</h1>
        {s.notice ? <Flash kind="ok">{s.notice}</Flash> : null}
        {s.error ? <Flash kind="error">{s.error}</Flash> : null}
        {!bg ? (
          <p>Tài khoản của bạn không phải tài khoản khẩn cấp.</p>
        ) : (
          <>
            <p>
              Tài khoản khẩn cấp đăng nhập được bằng mật khẩu và mã xác thực khi không dùng được VNeID, kể cả sau ngày chỉ đăng nhập bằng
              VNeID. Mã xác thực do ứng dụng xác thực trên điện thoại của bạn tạo ra (Google Authenticator, Microsoft Authenticator…); chỉ
              bạn thiết lập được, khi đăng nhập bằng VNeID.
            </p>
            <p id="enrol-status">
              {bg.setUp ? 'Đã thiết lập mã xác thực.' : 'Chưa thiết lập mã xác thực: tài khoản chưa đăng nhập khẩn cấp được.'}
            </p>
            {s.offer ? (
              <form method="post" action={`${ENROL_PATH}/xac-nhan`} class="stack">
                <CsrfField token={props.csrfToken} />
                <p>
                  Quét mã QR bằng ứng dụng xác thực, hoặc nhập khóa <code data-testid="totp-secret">{s.offer.secret}</code>, rồi nhập mã 6
                  chữ số ứng dụng hiển thị.
                  {s.offer.replacing ? ' Mã xác thực cũ hết hiệu lực khi bạn xác nhận.' : ''}
                </p>
                <div class="qr">{raw(s.offer.qr)}</div>
                <input type="hidden" name="secret" value={s.offer.secret} />
                <label for="enrol-code">Mã xác thực</label>
                <input
                  id="enrol-code"
                  name="code"
                  inputmode="numeric"
                  autocomplete="one-time-code"
                  class="short"
                  aria-invalid={s.errors?.code ? 'true' : undefined}
                />
                <FieldError errors={s.errors} name="code" />
                <div class="form-actions">
                  <button type="submit" class="primary">
                    Xác nhận
                  </button>
                </div>
              </form>
            ) : (
              <form method="post" action={ENROL_PATH} class="stack">
                <CsrfField token={props.csrfToken} />
                <div class="form-actions">
                  <button type="submit" class="primary">
                    {bg.setUp ? 'Thiết lập lại (đổi điện thoại)' : 'Thiết lập mã xác thực'}
                  </button>
                </div>
              </form>
            )}
          </>
        )}
        <p>
          <a href="/tiepnhan/tai-khoan">Về Thông tin tài khoản</a>
        </p>
      </section>
    </Layout>,
    status,
  );
}

/** What the page shows of a secret offered: its QR code for the owner's app. */
async function offerView(c: Ctx, secret: string, replacing: boolean): Promise<Offer> {
  const uri = totpUri(secret, c.get('account')!.username, `MotCua ${await siteName(c)}`);
  const qr = await (await import('qrcode')).default.toString(uri, { type: 'svg', margin: 1, width: 180 });
  return { secret, qr, replacing };
}

breakGlassEnrolRoutes.get('/tai-khoan/ma-khan-cap', (c) => render(c));

breakGlassEnrolRoutes.post('/tai-khoan/ma-khan-cap', async (c) => {
  try {
    const offer = await offerBreakGlassSecret(c.get('deps').db, actorOf(c), c.get('identityProof'));
    return render(c, { offer: await offerView(c, offer.secret, offer.replacing) });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return render(c, { error: err.message }, err.status as 403);
  }
});

breakGlassEnrolRoutes.post('/tai-khoan/ma-khan-cap/xac-nhan', async (c) => {
  const form = await formData(c);
  const { db, now } = c.get('deps');
  try {
    await enrolBreakGlass(db, actorOf(c), c.get('identityProof'), form, now());
    return render(c, { notice: 'Đã thiết lập mã xác thực khẩn cấp.' });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    if (err.code === 'totp_invalid') {
      // The same secret again (checked by the use case's input): the app just set up keeps showing codes for it.
      const replacing = (await breakGlassStatus(db, actorOf(c)))?.setUp ?? false;
      return render(c, { offer: await offerView(c, form.secret!, replacing), errors: err.fields }, 400);
    }
    return render(c, { error: err.fields ? (Object.values(err.fields)[0] ?? err.message) : err.message }, err.status as 400);
  }
});
