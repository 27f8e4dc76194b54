/**
 * Quản trị → Ứng dụng kết nối SSO (issue 13): the province administrator registers the province's applications
 * with the provincial SSO, edits them, rotates or revokes a secret, disables or enables one, and reads its recent
 * logins. Anyone else: 404 for the pages (as Hàng đợi), 403 for the changes. Parse → call a use case → render.
 * A secret is only ever in the answer to the POST that issued it (Cache-Control: no-store), never in an address.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../web/env.js';
import { Layout } from '../web/layout.js';
import { actorOf, formData, pageProps, requireLogin, type Ctx } from '../web/http.js';
import { formValues } from '../web/body.js';
import { queryOf } from '../web/params.js';
import { param } from '../shared/validate.js';
import { z } from 'zod';
import { AppError } from '../shared/errors.js';
import { administeredForest } from '../org/list-units.js';
import { getSsoClient, listSsoClients } from '../sso/sso-client-registry.js';
import { registerSsoClient } from '../sso/register-sso-client.js';
import { updateSsoClient } from '../sso/update-sso-client.js';
import { rotateSsoClientSecret } from '../sso/rotate-sso-client-secret.js';
import { revokeSsoClientSecret } from '../sso/revoke-sso-client-secret.js';
import { setSsoClientEnabled } from '../sso/set-sso-client-enabled.js';
import { EMPTY_SSO_CLIENT_FORM, SsoClientForm, type SsoClientFormValues, formOfClient } from './sso-client-form.js';
import { SSO_ADMIN_BASE, SsoClientListPage, SsoClientPage, SsoSecretConfirmPage, SsoSecretPage } from './sso-client-pages.js';
import { sendHtml } from '../web/send-html.js';
import { postAnswerAddress } from '../web/post-answer.js';

export const adminSsoClientRoutes = new Hono<AppEnv>();
adminSsoClientRoutes.use('*', requireLogin);

const DONE = {
  'dang-ky': 'Đã đăng ký ứng dụng.',
  sua: 'Đã lưu thay đổi. Thay đổi có hiệu lực từ lần xác thực tiếp theo của ứng dụng.',
  'thu-hoi-khoa': 'Đã thu hồi khóa bí mật: ứng dụng bị từ chối (invalid_client) từ yêu cầu tiếp theo.',
  'tam-dung': 'Đã tạm dừng ứng dụng: mọi yêu cầu của ứng dụng bị từ chối (invalid_client).',
  'kich-hoat': 'Ứng dụng đã hoạt động trở lại.',
  'khong-doi': 'Không có thay đổi nào.',
} as const;
const DoneQuery = z.object({ da: param.oneOf(Object.keys(DONE) as [keyof typeof DONE], 'Tham số không hợp lệ.') });

const issuerOf = (c: Ctx) => `${c.get('deps').config.publicUrl}/sso`;
const production = (c: Ctx) => c.get('deps').config.env === 'production';
const clientIdOf = (c: Ctx) => c.req.param('client') ?? '';
const hrefOf = (clientId: string) => `${SSO_ADMIN_BASE}/${encodeURIComponent(clientId)}`;

const lines = (v: string | undefined) =>
  (v ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
const seconds = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : Number(v.trim()));

/** The form as typed, and the use case's input read from it. */
async function readClientForm(c: Ctx): Promise<{ values: SsoClientFormValues; input: Record<string, unknown> }> {
  const f = await formData(c);
  const values: SsoClientFormValues = {
    name: f.name ?? '',
    redirectUris: f.redirectUris ?? '',
    postLogoutRedirectUris: f.postLogoutRedirectUris ?? '',
    backchannelLogoutUri: f.backchannelLogoutUri ?? '',
    scopes: await formValues(c, 'scopes'),
    kind: f.kind ?? '',
    accessTokenTtl: f.accessTokenTtl ?? '',
    refreshTokenTtl: f.refreshTokenTtl ?? '',
    idTokenTtl: f.idTokenTtl ?? '',
    unitIds: await formValues(c, 'unitIds'),
    subjectType: f.subjectType ?? 'public',
  };
  const input = {
    name: values.name,
    redirectUris: lines(values.redirectUris),
    postLogoutRedirectUris: lines(values.postLogoutRedirectUris),
    backchannelLogoutUri: values.backchannelLogoutUri.trim() || null,
    scopes: values.scopes,
    confidential: values.kind === 'confidential' ? true : values.kind === 'public' ? false : undefined,
    accessTokenTtl: seconds(values.accessTokenTtl),
    refreshTokenTtl: seconds(values.refreshTokenTtl),
    idTokenTtl: seconds(values.idTokenTtl),
    unitIds: values.unitIds,
    subjectType: values.subjectType,
  };
  return { values, input };
}

async function renderForm(
  c: Ctx,
  p: { mode: 'register' | 'edit'; v: SsoClientFormValues; clientId?: string; error?: string; errors?: Record<string, string> },
  status: 200 | 400 = 200,
) {
  const props = await pageProps(c);
  const { forest } = await administeredForest(c.get('deps').db, actorOf(c));
  const title = p.mode === 'register' ? 'Đăng ký ứng dụng kết nối SSO' : 'Sửa ứng dụng kết nối SSO';
  // The form posts to the page that shows it: after a refusal, that page's GET is its place in the history.
  const action = p.clientId ? `${hrefOf(p.clientId)}/sua` : `${SSO_ADMIN_BASE}/dang-ky`;
  return sendHtml(
    c,
    <Layout title={title} section="admin" {...props} address={postAnswerAddress(c, action)}>
      <SsoClientForm
        mode={p.mode}
        action={action}
        csrfToken={props.csrfToken}
        v={p.v}
        errors={p.errors}
        error={p.error}
        forest={forest}
        production={production(c)}
        {...(p.clientId ? { clientId: p.clientId } : {})}
      />
    </Layout>,
    status,
  );
}

async function renderClient(c: Ctx, p: { notice?: string | undefined; error?: string; status?: 200 | 409 } = {}) {
  const { db } = c.get('deps');
  const { client, createdBy, logins } = await getSsoClient(db, actorOf(c), clientIdOf(c));
  const props = await pageProps(c);
  return sendHtml(
    c,
    <Layout title={client.name} section="admin" {...props} address={postAnswerAddress(c, hrefOf(client.clientId))}>
      <SsoClientPage
        client={client}
        createdBy={createdBy}
        logins={logins}
        issuer={issuerOf(c)}
        csrfToken={props.csrfToken}
        notice={p.notice}
        error={p.error}
      />
    </Layout>,
    p.status ?? 200,
  );
}

/**
 * The issued secret, in this answer only. No GET shows it again: its history entry becomes the application's page
 * (where "Đến trang của ứng dụng" leads), so Back or reload reads that page — they never register the application
 * again, nor ask to resend a rotation that its version check would refuse.
 */
async function renderSecret(c: Ctx, p: { clientId: string; name: string; secret: string; rotated: boolean }) {
  const props = await pageProps(c);
  c.header('Cache-Control', 'no-store');
  return sendHtml(
    c,
    <Layout title="Khóa bí mật của ứng dụng" section="admin" {...props} address={postAnswerAddress(c, hrefOf(p.clientId))}>
      <SsoSecretPage clientId={p.clientId} name={p.name} secret={p.secret} issuer={issuerOf(c)} rotated={p.rotated} />
    </Layout>,
  );
}

/** A refusal the page can say over itself (409: already done in another tab, or by a repeated submission). */
const conflict = (err: unknown): err is AppError => err instanceof AppError && err.status === 409;

adminSsoClientRoutes.get('/', async (c) => {
  const clients = await listSsoClients(c.get('deps').db, actorOf(c));
  const q = queryOf(c, DoneQuery);
  const props = await pageProps(c);
  return sendHtml(
    c,
    <Layout title="Ứng dụng kết nối SSO" section="admin" {...props}>
      <SsoClientListPage clients={clients} notice={q.da ? DONE[q.da] : undefined} />
    </Layout>,
  );
});

adminSsoClientRoutes.get('/dang-ky', async (c) => {
  // The list's check: the form is the province administrator's only.
  await listSsoClients(c.get('deps').db, actorOf(c));
  return renderForm(c, { mode: 'register', v: EMPTY_SSO_CLIENT_FORM });
});

adminSsoClientRoutes.post('/dang-ky', async (c) => {
  const { db, now } = c.get('deps');
  const { values, input } = await readClientForm(c);
  try {
    const { clientId, clientSecret, name } = await registerSsoClient(db, actorOf(c), input, { production: production(c), now: now() });
    if (!clientSecret) return c.redirect(`${hrefOf(clientId)}?da=dang-ky`, 303);
    return renderSecret(c, { clientId, name, secret: clientSecret, rotated: false });
  } catch (err) {
    if (!(err instanceof AppError) || err.status !== 400) throw err;
    return renderForm(c, { mode: 'register', v: values, error: err.message, ...(err.fields ? { errors: err.fields } : {}) }, 400);
  }
});

adminSsoClientRoutes.get('/:client', async (c) => {
  const q = queryOf(c, DoneQuery);
  return renderClient(c, { notice: q.da ? DONE[q.da] : undefined });
});

adminSsoClientRoutes.get('/:client/sua', async (c) => {
  const { client } = await getSsoClient(c.get('deps').db, actorOf(c), clientIdOf(c));
  return renderForm(c, { mode: 'edit', v: formOfClient(client), clientId: client.clientId });
});

adminSsoClientRoutes.post('/:client/sua', async (c) => {
  const clientId = clientIdOf(c);
  const { values, input } = await readClientForm(c);
  try {
    const { changed } = await updateSsoClient(c.get('deps').db, actorOf(c), clientId, input, { production: production(c) });
    return c.redirect(`${hrefOf(clientId)}?da=${changed.length ? 'sua' : 'khong-doi'}`, 303);
  } catch (err) {
    if (!(err instanceof AppError) || err.status !== 400) throw err;
    // Whether it is confidential is shown as registered, not as posted.
    const { client } = await getSsoClient(c.get('deps').db, actorOf(c), clientId);
    return renderForm(
      c,
      {
        mode: 'edit',
        v: { ...values, kind: client.confidential ? 'confidential' : 'public' },
        clientId: client.clientId,
        error: err.message,
        ...(err.fields ? { errors: err.fields } : {}),
      },
      400,
    );
  }
});

for (const action of ['rotate', 'revoke'] as const) {
  const path = action === 'rotate' ? '/:client/doi-khoa' : '/:client/thu-hoi-khoa';
  adminSsoClientRoutes.get(path, async (c) => {
    const { client } = await getSsoClient(c.get('deps').db, actorOf(c), clientIdOf(c));
    const props = await pageProps(c);
    return sendHtml(
      c,
      <Layout title={action === 'rotate' ? 'Đổi khóa bí mật' : 'Thu hồi khóa bí mật'} section="admin" {...props}>
        <SsoSecretConfirmPage client={client} action={action} csrfToken={props.csrfToken} />
      </Layout>,
    );
  });
}

adminSsoClientRoutes.post('/:client/doi-khoa', async (c) => {
  const { db, now } = c.get('deps');
  const clientId = clientIdOf(c);
  const form = await formData(c);
  try {
    const { name, clientSecret } = await rotateSsoClientSecret(db, actorOf(c), clientId, { replaces: form.replaces }, now());
    return renderSecret(c, { clientId, name, secret: clientSecret, rotated: true });
  } catch (err) {
    if (!conflict(err)) throw err;
    return renderClient(c, { error: err.message, status: 409 });
  }
});

adminSsoClientRoutes.post('/:client/thu-hoi-khoa', async (c) => {
  const clientId = clientIdOf(c);
  const form = await formData(c);
  try {
    await revokeSsoClientSecret(c.get('deps').db, actorOf(c), clientId, { replaces: form.replaces });
    return c.redirect(`${hrefOf(clientId)}?da=thu-hoi-khoa`, 303);
  } catch (err) {
    if (!conflict(err)) throw err;
    return renderClient(c, { error: err.message, status: 409 });
  }
});

for (const [path, enabled] of [
  ['tam-dung', false],
  ['kich-hoat', true],
] as const) {
  adminSsoClientRoutes.post(`/:client/${path}`, async (c) => {
    const { db, now } = c.get('deps');
    const clientId = clientIdOf(c);
    try {
      await setSsoClientEnabled(db, actorOf(c), clientId, enabled, now());
      return c.redirect(`${hrefOf(clientId)}?da=${path}`, 303);
    } catch (err) {
      if (!conflict(err)) throw err;
      return renderClient(c, { error: err.message, status: 409 });
    }
  });
}
