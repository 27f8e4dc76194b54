/**
 * Chọn tài khoản: an official whose VNeID login proved a person with several accounts chooses which one the
 * application receives (the session's own account is first and preselected).
 */
import type { pageProps } from '../web/http.js';
import { CsrfField, Layout } from '../web/layout.js';

type Card = { id: string; username: string; middleName: string; givenName: string; position: string | null };

export function ChooseAccountPage(p: {
  props: Awaited<ReturnType<typeof pageProps>>;
  action: string;
  clientName: string;
  accounts: Card[];
}) {
  return (
    <Layout title="Chọn tài khoản đăng nhập" {...p.props}>
      <section class="narrow">
        <h1>Chọn tài khoản đăng nhập</h1>
        <p>
          Ứng dụng <strong>{p.clientName}</strong> đề nghị đăng nhập qua Hệ thống xác thực tập trung. Bạn có nhiều tài khoản; chọn tài khoản
          ứng dụng sẽ nhận:
        </p>
        <form method="post" action={p.action}>
          <CsrfField token={p.props.csrfToken} />
          <fieldset>
            <legend>Tài khoản</legend>
            {p.accounts.map((a, i) => (
              <label class="check">
                <input type="radio" name="taiKhoan" value={a.id} checked={i === 0} required /> <strong>{a.username}</strong> (
                {`${a.middleName} ${a.givenName}`.trim()}
                {a.position ? `, ${a.position}` : ''})
              </label>
            ))}
          </fieldset>
          <div class="form-actions">
            <button type="submit" class="primary">
              Tiếp tục
            </button>
          </div>
        </form>
      </section>
    </Layout>
  );
}
