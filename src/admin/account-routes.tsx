import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../web/env.js';
import { Flash, Layout } from '../web/layout.js';
import { actorOf, formData, pageProps, type Ctx } from '../web/http.js';
import { idParam, queryOf } from '../web/params.js';
import { param } from '../shared/validate.js';
import { AppError } from '../shared/errors.js';
import { administeredForest } from '../org/list-units.js';
import { requireAdministeredAccount } from '../accounts/policies.js';
import { administeredPermissions } from '../accounts/effective-permissions.js';
import { delegationsOfAccount } from '../delegation/list-delegations.js';
import { AccountDelegations } from '../delegation/pages.js';
import { PermissionsView } from '../accounts/permissions-page.js';
import { splitSharedAccount } from '../accounts/split-account.js';
import { OfficialForm, type OfficialFormValues } from './official-form.js';
import { endAccountSessions } from '../accounts/end-account-sessions.js';
import { ConfirmStep, isConfirmed, notConfirmed } from './confirm-page.js';
import { sendHtml } from '../web/send-html.js';
import { postAnswerAddress } from '../web/post-answer.js';
import { sameIdentityAccounts } from '../accounts/same-identity.js';
import { giveReceipt, takeReceipt } from './save-receipt.js';
import { SameIdentityNotice } from './same-identity-notice.js';

/**
 * One account in Quản lý người dùng: Quyền sử dụng (its effective permissions) and Tách tài khoản dùng chung.
 * Mounted under the users' routes, behind their login and administrator gates; the use cases and queries
 * check that the actor administers the account (another subtree's account is "not found").
 */
export const accountRoutes = new Hono<AppEnv>();

accountRoutes.get('/:id/quyen', async (c) => {
  const { db, now } = c.get('deps');
  const perm = await administeredPermissions(db, actorOf(c), idParam(c, 'Tài khoản'), now());
  const [props, lent] = await Promise.all([pageProps(c), delegationsOfAccount(db, perm.account.id, now())]);
  return sendHtml(
    c,
    <Layout title="Quyền sử dụng" section="admin" {...props}>
      <PermissionsView perm={perm} adminView delegations={<AccountDelegations {...lent} manageHref="/tiepnhan/quan-tri/uy-quyen" />} />
    </Layout>,
  );
});

async function renderSplit(
  c: Ctx,
  sharedId: string,
  s: { values?: OfficialFormValues; errors?: Record<string, string> | undefined; error?: string } = {},
  status: 200 | 400 | 403 | 409 = 200,
) {
  const { db } = c.get('deps');
  const actor = actorOf(c);
  const shared = await requireAdministeredAccount(db, actor, sharedId);
  const { flat } = await administeredForest(db, actor);
  const props = await pageProps(c);
  // Prefilled with where the shared account works; the person's own data are typed anew.
  const values: OfficialFormValues = s.values ?? {
    unitId: shared.unitId,
    position: shared.position,
    receptionPlace: shared.receptionPlace,
    returnAddress: shared.returnAddress,
    receivingUnitPhone: shared.receivingUnitPhone,
    agencyAddress: shared.agencyAddress,
  };
  return sendHtml(
    c,
    <Layout
      title="Tách tài khoản dùng chung"
      section="admin"
      {...props}
      address={postAnswerAddress(c, `/tiepnhan/quan-tri/nguoi-dung/${shared.id}/tach`)}
    >
      <section>
        <h1>Tách tài khoản dùng chung</h1>
        <p>
          Tài khoản <strong>{shared.username}</strong> ({shared.middleName} {shared.givenName}) đang được nhiều người dùng chung. Tạo một
          tài khoản riêng cho từng người: nhập thông tin của người đó rồi Lưu; lặp lại cho người tiếp theo.
        </p>
        <p class="muted">
          Tài khoản mới không tự nhận vai trò của tài khoản dùng chung: quản trị phân quyền sử dụng, hoặc cán bộ đã đăng ký trong quy trình
          ủy quyền giải quyết DVC cho tài khoản mới.
        </p>
        {s.error ? <Flash kind="error">{s.error}</Flash> : null}
        <OfficialForm
          action={`/tiepnhan/quan-tri/nguoi-dung/${shared.id}/tach`}
          csrfToken={props.csrfToken}
          values={values}
          errors={s.errors}
          units={flat}
          isNew
        >
          <fieldset>
            <legend>Vai trò</legend>
            <label class="check">
              <input type="checkbox" name="sameRoles" value="1" checked={values.sameRoles === '1'} /> Cấp cùng vai trò của tài khoản{' '}
              {shared.username} (trừ quyền quản trị; được ghi vào nhật ký)
            </label>
          </fieldset>
        </OfficialForm>
      </section>
    </Layout>,
    status,
  );
}

/** Tách tài khoản dùng chung: ?tk= the account just split off (the landing of the post, see below). */
const SplitQuery = z.object({ tk: param.id('Mã tài khoản không hợp lệ.') });

accountRoutes.get('/:id/tach', async (c) => {
  const sharedId = idParam(c, 'Tài khoản');
  const { tk } = queryOf(c, SplitQuery);
  return tk ? renderSplitDone(c, sharedId, tk) : renderSplit(c, sharedId);
});

/**
 * Post/Redirect/Get: the account is created, then the browser is sent to the result's own address, so a reload reads
 * it again and never posts a second person's account. The temporary password, and what the administrator learns of
 * other accounts with the same số định danh, ride in the once-read receipt (save-receipt.ts).
 */
accountRoutes.post('/:id/tach', async (c) => {
  const sharedId = idParam(c, 'Tài khoản');
  const form = await formData(c);
  const { db, now } = c.get('deps');
  try {
    const { account, temporaryPassword } = await splitSharedAccount(db, actorOf(c), sharedId, form, now());
    giveReceipt(c, 'split', account.id, temporaryPassword);
    return c.redirect(`/tiepnhan/quan-tri/nguoi-dung/${sharedId}/tach?tk=${account.id}`, 303);
  } catch (err) {
    if (!(err instanceof AppError) || err.status === 404) throw err;
    return renderSplit(c, sharedId, { values: form, errors: err.fields, error: err.message }, err.status as 400);
  }
});

/** The result of one split; the password and the same-identity notice only with the split's receipt. */
async function renderSplitDone(c: Ctx, sharedId: string, accountId: string) {
  const { db } = c.get('deps');
  const actor = actorOf(c);
  await requireAdministeredAccount(db, actor, sharedId);
  const account = await requireAdministeredAccount(db, actor, accountId);
  const receipt = takeReceipt(c, 'split', account.id);
  const sameIdentity = receipt ? await sameIdentityAccounts(db, actor, account.id) : null;
  const props = await pageProps(c);
  return sendHtml(
    c,
    <Layout title="Tách tài khoản dùng chung" section="admin" {...props}>
      <section class="narrow">
        <h1>Tách tài khoản dùng chung</h1>
        {receipt?.value ? (
          <div class="flash flash-ok secret" role="status">
            Đã tạo tài khoản <strong>{account.username}</strong>. Mật khẩu tạm thời:{' '}
            <code data-testid="temporary-password">{receipt.value}</code>
            <br />
            Mật khẩu chỉ hiển thị một lần. Cán bộ phải đổi mật khẩu ở lần đăng nhập tiếp theo.
          </div>
        ) : (
          <Flash kind="ok">
            Đã tạo tài khoản <strong>{account.username}</strong>. Mật khẩu tạm thời chỉ hiển thị một lần; nếu chưa ghi lại, hãy Đặt lại mật
            khẩu.
          </Flash>
        )}
        {sameIdentity ? <SameIdentityNotice s={sameIdentity} /> : null}
        <p>
          <a class="button primary" href={`/tiepnhan/quan-tri/nguoi-dung/${sharedId}/tach`}>
            Tách thêm một tài khoản
          </a>{' '}
          <a class="button" href={`/tiepnhan/quan-tri/nguoi-dung/${account.id}/quyen`}>
            Quyền sử dụng của {account.username}
          </a>{' '}
          <a class="button" href={`/tiepnhan/quan-tri/nguoi-dung?donvi=${account.unitId}&tk=${account.id}`}>
            Xem tài khoản mới
          </a>
        </p>
      </section>
    </Layout>,
  );
}

/**
 * Kết thúc mọi phiên đăng nhập: every one-stop session of the account and every SSO provider session it logged in
 * ends at once; the applications are told by back-channel logout. Asks first, as Tạm đình chỉ does.
 */
async function renderEndSessions(c: Ctx, accountId: string, error?: string) {
  const acc = await requireAdministeredAccount(c.get('deps').db, actorOf(c), accountId);
  const props = await pageProps(c);
  return sendHtml(
    c,
    <Layout
      title="Kết thúc mọi phiên đăng nhập"
      section="admin"
      {...props}
      address={postAnswerAddress(c, `/tiepnhan/quan-tri/nguoi-dung/${acc.id}/ket-thuc-phien`)}
    >
      <ConfirmStep
        title="Kết thúc mọi phiên đăng nhập"
        csrfToken={props.csrfToken}
        action={`/tiepnhan/quan-tri/nguoi-dung/${acc.id}/ket-thuc-phien`}
        statement={`Tôi xác nhận kết thúc mọi phiên đăng nhập của tài khoản ${acc.username}.`}
        button="Kết thúc mọi phiên đăng nhập"
        danger
        cancelHref={`/tiepnhan/quan-tri/nguoi-dung?donvi=${acc.unitId}&tk=${acc.id}`}
        error={error}
      >
        <p>
          Tài khoản <strong>{acc.username}</strong> ({acc.middleName} {acc.givenName}) sẽ bị đăng xuất ngay trên mọi thiết bị, và khỏi mọi
          ứng dụng đã đăng nhập qua Hệ thống xác thực tập trung. Cán bộ vẫn đăng nhập lại được.
        </p>
      </ConfirmStep>
    </Layout>,
    error ? 400 : 200,
  );
}

/** ?xong=1: the landing of the post (the counts in its receipt); without a receipt, the question again. */
const EndedQuery = z.object({ xong: param.flag() });

accountRoutes.get('/:id/ket-thuc-phien', async (c) => {
  const accountId = idParam(c, 'Tài khoản');
  const receipt = queryOf(c, EndedQuery).xong ? takeReceipt(c, 'ended', accountId) : null;
  const counts = receipt?.value?.split('.').map(Number) ?? [];
  if (counts.length !== 3 || counts.some((n) => !Number.isSafeInteger(n))) return renderEndSessions(c, accountId);
  const [browserSessions, providerSessions, notices] = counts as [number, number, number];
  return renderEnded(c, accountId, { browserSessions, providerSessions, notices });
});

/** What Kết thúc mọi phiên did. */
async function renderEnded(c: Ctx, accountId: string, ended: { browserSessions: number; providerSessions: number; notices: number }) {
  const acc = await requireAdministeredAccount(c.get('deps').db, actorOf(c), accountId);
  const props = await pageProps(c);
  return sendHtml(
    c,
    <Layout title="Kết thúc mọi phiên đăng nhập" section="admin" {...props}>
      <section class="narrow">
        <h1>Kết thúc mọi phiên đăng nhập</h1>
        <Flash kind="ok">
          Đã kết thúc {ended.browserSessions} phiên đăng nhập và {ended.providerSessions} phiên của Hệ thống xác thực tập trung của tài
          khoản {acc.username}; {ended.notices} ứng dụng được báo đăng xuất.
        </Flash>
        <p>
          <a class="button" href={`/tiepnhan/quan-tri/nguoi-dung?donvi=${acc.unitId}&tk=${acc.id}`}>
            Về Quản lý người dùng
          </a>
        </p>
      </section>
    </Layout>,
  );
}

/** Post/Redirect/Get: a reload of the result reads it again, it does not end (and audit) the sessions again. */
accountRoutes.post('/:id/ket-thuc-phien', async (c) => {
  const accountId = idParam(c, 'Tài khoản');
  if (!isConfirmed(await formData(c))) return renderEndSessions(c, accountId, notConfirmed().message);
  const ended = await endAccountSessions(c.get('deps').db, actorOf(c), accountId);
  // The administrator's own account: this very session has just ended, so no landing could open the receipt (the
  // next request is a login, in another session). Answer in place; a reload re-posts with a dead session's CSRF
  // token, which is refused, so nothing is ended twice.
  if (accountId === actorOf(c).accountId) return renderEnded(c, accountId, ended);
  giveReceipt(c, 'ended', accountId, `${ended.browserSessions}.${ended.providerSessions}.${ended.notices}`);
  return c.redirect(`/tiepnhan/quan-tri/nguoi-dung/${accountId}/ket-thuc-phien?xong=1`, 303);
});
