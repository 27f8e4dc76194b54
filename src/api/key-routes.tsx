/**
 * Khóa API pages: an administered account's keys under Quản lý người dùng and the official's own under Thông tin
 * tài khoản (list, issue, revoke). Parse → call → render; the use cases decide who may (key-access.ts).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../web/env.js';
import { Layout } from '../web/layout.js';
import { actorOf, formData, pageProps, requireLogin, type Ctx } from '../web/http.js';
import { idParam, queryOf } from '../web/params.js';
import { AppError, errors } from '../shared/errors.js';
import { requireAdministrator } from '../accounts/policies.js';
import { issueApiClient } from './issue-api-client.js';
import { listApiClients } from './list-api-clients.js';
import { revokeApiClient } from './revoke-api-client.js';
import { ApiKeysPage, RevokeKeyPage, type IssuedKey } from './key-pages.js';
import { sendHtml } from '../web/send-html.js';
import { postAnswerAddress } from '../web/post-answer.js';
import { giveReceipt, takeReceipt } from '../admin/save-receipt.js';

const KEY_ID = /^mc_[A-Za-z0-9_-]{12}$/;
const KeyId = z.string().regex(KEY_ID);

function keyIdParam(c: Ctx): string {
  const v = c.req.param('key');
  if (!KeyId.safeParse(v).success) throw errors.notFound('Khóa API');
  return v!;
}

type View = {
  accountId: string;
  own: boolean;
  /** The landing after Cấp khóa (?da-cap=): the key's token from the issue's receipt, or null when it is gone. */
  issued?: { id: string; token: string | null };
  /** The landing after Thu hồi (?da-thu-hoi=). */
  revoked?: string;
  notice?: string;
  error?: string;
  errors?: Record<string, string> | undefined;
  values?: { name?: string; validDays?: string };
  status?: 200 | 400 | 409;
};

const baseOf = (v: { accountId: string; own: boolean }) =>
  v.own ? '/tiepnhan/tai-khoan/khoa-api' : `/tiepnhan/quan-tri/nguoi-dung/${v.accountId}/khoa-api`;

async function renderKeys(c: Ctx, v: View) {
  const { db, now, config } = c.get('deps');
  const { account, keys } = await listApiClients(db, actorOf(c), v.accountId, now());
  const props = await pageProps(c);
  const issuedRow = v.issued ? keys.find((k) => k.id === v.issued?.id) : undefined;
  const issued: IssuedKey | undefined =
    issuedRow && v.issued?.token
      ? { clientId: issuedRow.id, token: v.issued.token, name: issuedRow.name, expiresAt: issuedRow.expiresAt }
      : undefined;
  const revokedRow = v.revoked ? keys.find((k) => k.id === v.revoked && k.state === 'revoked') : undefined;
  const notice =
    v.notice ??
    (revokedRow ? `Đã thu hồi khóa API "${revokedRow.name}": khóa bị từ chối từ yêu cầu tiếp theo.` : undefined) ??
    (issuedRow && !issued
      ? `Đã cấp khóa API "${issuedRow.name}". Khóa chỉ hiển thị một lần; nếu chưa sao chép, hãy thu hồi và cấp khóa mới.`
      : undefined);
  // The key is in this answer only: never kept by a cache (security-headers sets no-store on pages).
  return sendHtml(
    c,
    <Layout
      title="Khóa API"
      section={v.own ? 'personal' : 'admin'}
      {...props}
      address={postAnswerAddress(c, baseOf({ accountId: account.id, own: v.own }))}
    >
      <ApiKeysPage
        account={account}
        keys={keys}
        csrfToken={props.csrfToken}
        base={baseOf(v)}
        own={v.own}
        apiBase={`${config.publicUrl}/api/v1`}
        issued={issued}
        notice={notice}
        error={v.error}
        errors={v.errors}
        values={v.values}
        back={
          v.own
            ? { href: '/tiepnhan/tai-khoan', label: 'Về Thông tin tài khoản' }
            : { href: `/tiepnhan/quan-tri/nguoi-dung?donvi=${account.unitId}&tk=${account.id}`, label: 'Về Quản lý người dùng' }
        }
      />
    </Layout>,
    v.status ?? 200,
  );
}

async function renderRevoke(c: Ctx, accountId: string, own: boolean) {
  const { db, now } = c.get('deps');
  const { account, keys } = await listApiClients(db, actorOf(c), accountId, now());
  const key = keys.find((k) => k.id === keyIdParam(c) && k.state !== 'revoked');
  if (!key) throw errors.notFound('Khóa API');
  const props = await pageProps(c);
  return sendHtml(
    c,
    <Layout title="Thu hồi khóa API" section={own ? 'personal' : 'admin'} {...props}>
      <RevokeKeyPage base={baseOf({ accountId, own })} apiKey={key} username={account.username} csrfToken={props.csrfToken} />
    </Layout>,
  );
}

async function revoke(c: Ctx, accountId: string, own: boolean) {
  const { db, now } = c.get('deps');
  try {
    const { key } = await revokeApiClient(db, actorOf(c), accountId, keyIdParam(c), now());
    // Post/Redirect/Get: a reload reads the list again instead of revoking again (a 409).
    return c.redirect(`${baseOf({ accountId, own })}?da-thu-hoi=${key.id}`, 303);
  } catch (err) {
    // Revoked meanwhile (a double submit, another tab): say so over the current list.
    if (!(err instanceof AppError) || err.status !== 409) throw err;
    return renderKeys(c, { accountId, own, error: err.message, status: 409 });
  }
}

/** Quản lý người dùng → Khóa API (mounted at /tiepnhan/quan-tri/nguoi-dung, before the users' routes). */
export const adminKeyRoutes = new Hono<AppEnv>();
adminKeyRoutes.use('/:id/khoa-api', requireLogin);
adminKeyRoutes.use('/:id/khoa-api/*', requireLogin);
const administratorOnly = async (c: Ctx, next: () => Promise<void>) => {
  await requireAdministrator(c.get('deps').db, actorOf(c));
  await next();
};
adminKeyRoutes.use('/:id/khoa-api', administratorOnly);
adminKeyRoutes.use('/:id/khoa-api/*', administratorOnly);

/** The landings of a post: ?da-cap= the key just issued, ?da-thu-hoi= the key just revoked. */
const KeyQueryId = z.string().regex(KEY_ID, { error: 'Mã khóa API không hợp lệ.' }).optional();
const KeysQuery = z.object({ 'da-cap': KeyQueryId, 'da-thu-hoi': KeyQueryId });

/** The page, with what a post that redirected here did; the new key's token only with the issue's receipt. */
function renderLanding(c: Ctx, accountId: string, own: boolean) {
  const q = queryOf(c, KeysQuery);
  const issuedId = q['da-cap'];
  const issued = issuedId ? { id: issuedId, token: takeReceipt(c, 'key', issuedId)?.value ?? null } : undefined;
  return renderKeys(c, { accountId, own, ...(issued ? { issued } : {}), ...(q['da-thu-hoi'] ? { revoked: q['da-thu-hoi'] } : {}) });
}

adminKeyRoutes.get('/:id/khoa-api', (c) => renderLanding(c, idParam(c, 'Tài khoản'), false));

/** Cấp khóa API, by an administrator of the account or by its holder (key-access.ts decides). */
async function issue(c: Ctx, accountId: string, own: boolean) {
  const form = await formData(c);
  const { db, now } = c.get('deps');
  try {
    const raw = { name: form.name ?? '', validDays: form.validDays ?? '' };
    const issued = await issueApiClient(db, actorOf(c), accountId, raw, now(), c.get('identityProof'));
    // Post/Redirect/Get: a reload must not issue a second key; the token rides, sealed and once, in the receipt.
    giveReceipt(c, 'key', issued.clientId, issued.token);
    return c.redirect(`${baseOf({ accountId, own })}?da-cap=${issued.clientId}`, 303);
  } catch (err) {
    if (!(err instanceof AppError) || err.status === 404 || err.status === 403) throw err;
    return renderKeys(c, {
      accountId,
      own,
      error: err.message,
      errors: err.fields,
      values: { name: form.name ?? '', validDays: form.validDays ?? '' },
      status: err.status === 409 ? 409 : 400,
    });
  }
}

adminKeyRoutes.post('/:id/khoa-api', (c) => issue(c, idParam(c, 'Tài khoản'), false));

adminKeyRoutes.get('/:id/khoa-api/:key/thu-hoi', (c) => renderRevoke(c, idParam(c, 'Tài khoản'), false));
adminKeyRoutes.post('/:id/khoa-api/:key/thu-hoi', (c) => revoke(c, idParam(c, 'Tài khoản'), false));

/** Thông tin tài khoản → Khóa API: the official's own keys (mounted at /tiepnhan). */
export const ownKeyRoutes = new Hono<AppEnv>();
ownKeyRoutes.use('/tai-khoan/khoa-api', requireLogin);
ownKeyRoutes.use('/tai-khoan/khoa-api/*', requireLogin);
ownKeyRoutes.get('/tai-khoan/khoa-api', (c) => renderLanding(c, actorOf(c).accountId, true));
ownKeyRoutes.post('/tai-khoan/khoa-api', (c) => issue(c, actorOf(c).accountId, true));
ownKeyRoutes.get('/tai-khoan/khoa-api/:key/thu-hoi', (c) => renderRevoke(c, actorOf(c).accountId, true));
ownKeyRoutes.post('/tai-khoan/khoa-api/:key/thu-hoi', (c) => revoke(c, actorOf(c).accountId, true));
