import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../web/env.js';
import { Layout, CsrfField } from '../web/layout.js';
import { actorOf, formData, pageProps, requireLogin, type Ctx } from '../web/http.js';
import { idParam, queryOf } from '../web/params.js';
import { isId, param } from '../shared/validate.js';
import { AppError } from '../shared/errors.js';
import { administeredForest } from '../org/list-units.js';
import { loadUnit } from '../org/unit-queries.js';
import { listOfficials, loadOfficialDetail } from '../accounts/list-officials.js';
import { requireAdministeredAccount, requireAdministerUnit, requireAdministrator } from '../accounts/policies.js';
import { createOfficial } from '../accounts/create-official.js';
import { updateOfficial } from '../accounts/update-official.js';
import { setSuspended } from '../accounts/set-suspended.js';
import { resetPassword } from '../accounts/reset-password.js';
import { deleteOfficial } from '../accounts/delete-official.js';
import { verifyOfficialForm } from '../accounts/verify-official-form.js';
import { sameIdentityAccounts } from '../accounts/same-identity.js';
import { giveReceipt, takeReceipt } from './save-receipt.js';
import { officialToForm, type OfficialFormValues } from './official-form.js';
import { UsersPage, type UsersPageProps } from './users-page.js';
import { rolesRoutes } from './roles-routes.js';
import { accountRoutes } from './account-routes.js';
import { splitSource } from '../accounts/effective-permissions.js';
import { importExportRoutes } from './import-export-routes.js';
import { ConfirmStep, isConfirmed, notConfirmed } from './confirm-page.js';
import { sendHtml } from '../web/send-html.js';
import { postAnswerAddress } from '../web/post-answer.js';

export const adminUserRoutes = new Hono<AppEnv>();
adminUserRoutes.use('*', requireLogin);
adminUserRoutes.use('*', async (c, next) => {
  await requireAdministrator(c.get('deps').db, actorOf(c));
  await next();
});
adminUserRoutes.route('/', importExportRoutes);
adminUserRoutes.route('/', rolesRoutes);
adminUserRoutes.route('/', accountRoutes);

type PageState = {
  unitId?: string | undefined;
  /** Bao gồm đơn vị trực thuộc: undefined = the default (on at a unit with units under it). */
  subtree?: boolean | undefined;
  q?: string;
  notice?: string | undefined;
  secret?: UsersPageProps['secret'];
  error?: string | undefined;
  form?: UsersPageProps['form'];
  verification?: UsersPageProps['verification'];
  sameIdentity?: UsersPageProps['sameIdentity'];
  status?: 200 | 400 | 404 | 409 | 503;
};

/**
 * Where a GET shows the screen a post answered: the unit and the account in the form (?donvi=, ?tk=), or the new
 * account's form at its unit (?moi=1) — never what was typed in the form, nor a search (a post carries none).
 */
function usersAddress(unitId: string | undefined, form: UsersPageProps['form']): string {
  const q = new URLSearchParams();
  if (unitId) q.set('donvi', unitId);
  if (form?.accountId) q.set('tk', form.accountId);
  else if (form?.isNew && unitId) q.set('moi', '1');
  return `/tiepnhan/quan-tri/nguoi-dung${q.size ? `?${q}` : ''}`;
}

/** Render the whole screen; every handler ends here so the page always shows tree, list and form together. */
async function renderUsers(c: Ctx, s: PageState) {
  const { db } = c.get('deps');
  const actor = actorOf(c);
  const { forest, flat } = await administeredForest(db, actor);
  const q = (s.q ?? '').trim().slice(0, 100);
  let unitId = s.unitId;
  if (unitId) await requireAdministerUnit(db, actor, unitId);
  else if (!q) unitId = forest[0]?.id;
  const unit = unitId ? await loadUnit(db, unitId) : undefined;
  const hasChildren = !!unitId && (flat.find((u) => u.id === unitId)?.children.length ?? 0) > 0;
  const subtree = hasChildren && (s.subtree ?? true);
  const { rows, total } = await listOfficials(db, actor, { unitId, q, subtree });
  const props = await pageProps(c);
  return sendHtml(
    c,
    <Layout
      title="Quản lý người dùng"
      section="admin"
      scripts={['/static/submit-once.js']}
      {...props}
      address={postAnswerAddress(c, usersAddress(unitId, s.form))}
    >
      <UsersPage
        csrfToken={props.csrfToken}
        forest={forest}
        flat={flat}
        unitId={unitId}
        unitName={unit?.name}
        q={q}
        subtree={hasChildren ? subtree : undefined}
        rows={rows}
        total={total}
        notice={s.notice}
        secret={s.secret}
        error={s.error}
        form={s.form}
        verification={s.verification}
        sameIdentity={s.sameIdentity}
      />
    </Layout>,
    s.status ?? 200,
  );
}

async function existingForm(c: Ctx, accountId: string, override?: { values: OfficialFormValues; errors?: Record<string, string> }) {
  const { db } = c.get('deps');
  await requireAdministeredAccount(db, actorOf(c), accountId);
  const detail = await loadOfficialDetail(db, accountId);
  const values = override?.values ?? officialToForm(detail!.account, detail!.person);
  return {
    action: `/tiepnhan/quan-tri/nguoi-dung/${accountId}`,
    values,
    errors: override?.errors,
    isNew: false,
    accountId,
    suspended: detail!.account.suspended,
    identity: {
      verifiedAt: detail!.person?.verifiedAt ?? null,
      declinedAt: detail!.person?.declinedAt ?? null,
      linkedAt: detail!.account.personId ? detail!.account.personLinkedAt : null,
    },
    unitId: detail!.account.unitId,
    splitFrom: await splitSource(db, accountId),
  };
}

/** Quản lý người dùng: ?donvi= the unit shown, ?tk= the account in the form, ?moi=1 a new account's form. */
const UsersQuery = z.object({
  donvi: param.id('Mã đơn vị không hợp lệ.'),
  tk: param.id('Mã tài khoản không hợp lệ.'),
  moi: param.flag(),
  q: param.text(100, 'Từ khóa tìm kiếm tối đa 100 ký tự.'),
  tb: param.text(40, 'Thông báo không hợp lệ.'),
  con: z.enum(['0', '1'], { message: 'Tùy chọn đơn vị trực thuộc không hợp lệ.' }).optional(),
});

/** The notices whose landing a receipt backs (save-receipt.ts): what only the write itself may tell or show. */
const RECEIPT_NOTICES = ['saved', 'verified', 'created', 'reset'] as const;
const isReceiptNotice = (tb: string | undefined): tb is (typeof RECEIPT_NOTICES)[number] =>
  (RECEIPT_NOTICES as readonly string[]).includes(tb ?? '');

adminUserRoutes.get('/', async (c) => {
  const { donvi: unitId, tk, moi, q, tb, con } = queryOf(c, UsersQuery);
  let form: UsersPageProps['form'];
  let sameIdentity: UsersPageProps['sameIdentity'];
  let secret: UsersPageProps['secret'];
  let notice = tb;
  let formUnit = unitId;
  if (tk) {
    const f = await existingForm(c, tk);
    form = f;
    formUnit = unitId ?? f.unitId;
    // Only the landing of a real write (its receipt) tells of other accounts with the same số định danh, and shows
    // the temporary password it made; a reload, or the address typed, finds the receipt gone.
    const receipt = isReceiptNotice(tb) ? takeReceipt(c, tb, tk) : null;
    if (receipt && tb !== 'reset') sameIdentity = await sameIdentityAccounts(c.get('deps').db, actorOf(c), tk);
    if (receipt?.value) secret = { username: String(f.values.username ?? ''), password: receipt.value };
    else if (tb === 'created' || tb === 'reset') notice = `${tb}-shown`;
  } else if (moi && unitId) {
    form = { action: '/tiepnhan/quan-tri/nguoi-dung/moi', values: { unitId }, isNew: true };
  }
  return renderUsers(c, {
    unitId: formUnit,
    subtree: con === undefined ? undefined : con === '1',
    q: q ?? '',
    notice,
    secret,
    form,
    sameIdentity,
  });
});

/** Thêm mới cán bộ: Post/Redirect/Get — the new account's page shows its temporary password once (the receipt). */
adminUserRoutes.post('/moi', async (c) => {
  const form = await formData(c);
  try {
    const { account, temporaryPassword } = await createOfficial(c.get('deps').db, actorOf(c), form, c.get('deps').now());
    giveReceipt(c, 'created', account.id, temporaryPassword);
    return c.redirect(`/tiepnhan/quan-tri/nguoi-dung?donvi=${account.unitId}&tk=${account.id}&tb=created`, 303);
  } catch (err) {
    if (!(err instanceof AppError) || err.status === 404) throw err;
    return renderUsers(c, {
      unitId: isId(form.unitId) ? form.unitId : undefined,
      error: err.message,
      form: { action: '/tiepnhan/quan-tri/nguoi-dung/moi', values: form, errors: err.fields, isNew: true },
      status: err.status as 400,
    });
  }
});

adminUserRoutes.post('/:id', async (c) => {
  const id = idParam(c, 'Tài khoản');
  const form = await formData(c);
  try {
    const acc = await updateOfficial(c.get('deps').db, actorOf(c), id, form, c.get('deps').now());
    giveReceipt(c, 'saved', acc.id);
    return c.redirect(`/tiepnhan/quan-tri/nguoi-dung?donvi=${acc.unitId}&tk=${acc.id}&tb=saved`, 303);
  } catch (err) {
    if (!(err instanceof AppError) || err.status === 404) throw err;
    const f = await existingForm(c, id, { values: form, errors: err.fields });
    return renderUsers(c, { unitId: f.unitId, error: err.message, form: f, status: err.status as 400 });
  }
});

/**
 * Xác thực tài khoản VNEID: the registry checks what is on the form; only a match is saved. A match redirects to
 * a fresh read of the account (so the page shows what is stored, verified); a mismatch shows the form as typed,
 * saying nothing was saved.
 */
adminUserRoutes.post('/:id/xac-thuc-vneid', async (c) => {
  const id = idParam(c, 'Tài khoản');
  const form = await formData(c);
  const { db, registry, now } = c.get('deps');
  try {
    const result = await verifyOfficialForm(db, registry, actorOf(c), id, form, now());
    if (result.verified) {
      giveReceipt(c, 'verified', id);
      return c.redirect(`/tiepnhan/quan-tri/nguoi-dung?donvi=${result.unitId}&tk=${id}&tb=verified`, 303);
    }
    const f = await existingForm(c, id, { values: form });
    return renderUsers(c, { unitId: f.unitId, form: f, verification: result, status: 400 });
  } catch (err) {
    if (!(err instanceof AppError) || err.status === 404) throw err;
    const f = await existingForm(c, id, { values: form, errors: err.fields });
    return renderUsers(c, { unitId: f.unitId, error: err.message, form: f, status: err.status as 400 });
  }
});

/** The confirmation page of Tạm đình chỉ / Đặt lại mật khẩu; `error` when a post came without the ticked box. */
async function renderConfirm(c: Ctx, accountId: string, what: 'suspend' | 'reset', error?: string) {
  const { db } = c.get('deps');
  const acc = await requireAdministeredAccount(db, actorOf(c), accountId);
  const props = await pageProps(c);
  const who = `${acc.username} (${acc.middleName} ${acc.givenName})`;
  const base = `/tiepnhan/quan-tri/nguoi-dung/${acc.id}`;
  const step: { title: string; action: string; hidden: Record<string, string>; statement: string; button: string; text: string } =
    what === 'suspend'
      ? {
          title: 'Tạm đình chỉ tài khoản',
          action: `${base}/tam-dinh-chi`,
          hidden: { value: '1' },
          statement: `Tôi xác nhận tạm đình chỉ tài khoản ${acc.username}.`,
          button: 'Tạm đình chỉ',
          text: `Tạm đình chỉ tài khoản ${who}? Tài khoản bị đăng xuất ngay và không đăng nhập được cho đến khi được bỏ tạm đình chỉ.`,
        }
      : {
          title: 'Đặt lại mật khẩu',
          action: `${base}/dat-lai-mat-khau`,
          hidden: {},
          statement: `Tôi xác nhận đặt lại mật khẩu của tài khoản ${acc.username}.`,
          button: 'Đặt lại mật khẩu',
          text: `Đặt lại mật khẩu của tài khoản ${who}? Mật khẩu hiện tại hết hiệu lực và tài khoản bị đăng xuất ngay; mật khẩu tạm thời mới chỉ hiển thị một lần, cán bộ phải đổi ở lần đăng nhập tiếp theo.`,
        };
  return sendHtml(
    c,
    <Layout title={step.title} section="admin" {...props} address={postAnswerAddress(c, step.action)}>
      <ConfirmStep
        title={step.title}
        csrfToken={props.csrfToken}
        action={step.action}
        hidden={step.hidden}
        statement={step.statement}
        button={step.button}
        danger
        cancelHref={`/tiepnhan/quan-tri/nguoi-dung?donvi=${acc.unitId}&tk=${acc.id}`}
        error={error}
      >
        <p>{step.text}</p>
      </ConfirmStep>
    </Layout>,
    error ? 400 : 200,
  );
}

adminUserRoutes.get('/:id/tam-dinh-chi', (c) => renderConfirm(c, idParam(c, 'Tài khoản'), 'suspend'));

/** Tạm đình chỉ needs the confirmation page's ticked box; Bỏ tạm đình chỉ (value=0) acts at once. */
adminUserRoutes.post('/:id/tam-dinh-chi', async (c) => {
  const id = idParam(c, 'Tài khoản');
  const form = await formData(c);
  const on = form.value !== '0';
  await requireAdministeredAccount(c.get('deps').db, actorOf(c), id);
  if (on && !isConfirmed(form)) return renderConfirm(c, id, 'suspend', notConfirmed().message);
  try {
    const acc = await setSuspended(c.get('deps').db, actorOf(c), id, on, c.get('deps').now());
    return c.redirect(`/tiepnhan/quan-tri/nguoi-dung?donvi=${acc.unitId}&tk=${acc.id}&tb=${on ? 'suspended' : 'unsuspended'}`, 303);
  } catch (err) {
    if (!(err instanceof AppError) || err.status === 404) throw err;
    const f = await existingForm(c, id);
    return renderUsers(c, { unitId: f.unitId, error: err.message, form: f, status: err.status as 409 });
  }
});

adminUserRoutes.get('/:id/dat-lai-mat-khau', (c) => renderConfirm(c, idParam(c, 'Tài khoản'), 'reset'));

adminUserRoutes.post('/:id/dat-lai-mat-khau', async (c) => {
  const id = idParam(c, 'Tài khoản');
  const form = await formData(c);
  await requireAdministeredAccount(c.get('deps').db, actorOf(c), id);
  if (!isConfirmed(form)) return renderConfirm(c, id, 'reset', notConfirmed().message);
  const { account, temporaryPassword } = await resetPassword(c.get('deps').db, actorOf(c), id, c.get('deps').now());
  // The administrator's own account: the reset has just ended this very session (reset-password.ts ends every session
  // of the account), so no landing could open the receipt — the password would be lost and the administrator locked
  // out. Answer in place, as before Post/Redirect/Get; a reload re-posts with the dead session's CSRF token, which is
  // refused, so the password is not reset twice.
  if (account.id === actorOf(c).accountId) {
    return renderUsers(c, {
      unitId: account.unitId,
      notice: 'reset',
      secret: { username: account.username, password: temporaryPassword },
      form: await existingForm(c, account.id),
    });
  }
  // Post/Redirect/Get: a reload of the answer must not reset the password a second time.
  giveReceipt(c, 'reset', account.id, temporaryPassword);
  return c.redirect(`/tiepnhan/quan-tri/nguoi-dung?donvi=${account.unitId}&tk=${account.id}&tb=reset`, 303);
});

adminUserRoutes.get('/:id/xoa', async (c) => {
  const { db } = c.get('deps');
  const acc = await requireAdministeredAccount(db, actorOf(c), idParam(c, 'Tài khoản'));
  const props = await pageProps(c);
  return sendHtml(
    c,
    <Layout title="Xóa cán bộ" section="admin" {...props}>
      <section class="narrow">
        <h1>Xóa cán bộ</h1>
        <p>
          Xóa tài khoản <strong>{acc.username}</strong> ({acc.middleName} {acc.givenName})? Tài khoản sẽ không đăng nhập được nữa; lịch sử
          xử lý và nhật ký vẫn được giữ. Tên tài khoản có thể được dùng lại, nhưng chỉ cho một tài khoản mới.
        </p>
        <form method="post" action={`/tiepnhan/quan-tri/nguoi-dung/${acc.id}/xoa`} class="inline">
          <CsrfField token={props.csrfToken} />
          <button type="submit" class="danger">
            Xóa cán bộ
          </button>
        </form>{' '}
        <a class="button" href={`/tiepnhan/quan-tri/nguoi-dung?donvi=${acc.unitId}&tk=${acc.id}`}>
          Hủy
        </a>
      </section>
    </Layout>,
  );
});

adminUserRoutes.post('/:id/xoa', async (c) => {
  const { db, now } = c.get('deps');
  const acc = await requireAdministeredAccount(db, actorOf(c), idParam(c, 'Tài khoản'));
  try {
    await deleteOfficial(db, actorOf(c), acc.id, now());
    return c.redirect(`/tiepnhan/quan-tri/nguoi-dung?donvi=${acc.unitId}&tb=deleted`, 303);
  } catch (err) {
    if (!(err instanceof AppError) || err.status === 404) throw err;
    const f = await existingForm(c, acc.id);
    return renderUsers(c, { unitId: f.unitId, error: err.message, form: f, status: err.status as 409 });
  }
});
