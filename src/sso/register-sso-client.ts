/**
 * Đăng ký ứng dụng kết nối SSO: a province administrator (or the demo seed, as the system) registers an
 * application with the provincial SSO. Redirect URIs are kept exactly as given (the provider compares them
 * character for character); a confidential client gets a 256-bit secret, shown once — only its SHA-256 is kept;
 * a public client has none and must use PKCE S256. The screens come later (issue 13); tests and the seed use this.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { ssoClients } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { isProvinceAdministrator } from '../accounts/policies.js';
import { errors } from '../shared/errors.js';
import type { StaffActor, SystemActor } from '../shared/context.js';
import { cleanText } from '../shared/text.js';
import { Id, parseInput } from '../shared/validate.js';
import { hashClientSecret, SSO_SCOPES } from './clients.js';

const uri = (production: boolean) =>
  z
    .string({ message: 'Vui lòng nhập địa chỉ.' })
    .max(2000, 'Địa chỉ tối đa 2000 ký tự.')
    .refine((v) => URL.canParse(v) && !new URL(v).hash, 'Địa chỉ phải là một URL đầy đủ, không có phần #.')
    .refine(
      (v) => !URL.canParse(v) || new URL(v).protocol === 'https:' || (!production && new URL(v).protocol === 'http:'),
      production ? 'Địa chỉ phải bắt đầu bằng https://.' : 'Địa chỉ phải bắt đầu bằng https:// hoặc http://.',
    );

const ttl = (min: number, max: number, label: string) =>
  z
    .number({ message: `${label}: nhập số giây.` })
    .int(`${label}: nhập số giây.`)
    .min(min, `${label} từ ${min} đến ${max} giây.`)
    .max(max, `${label} từ ${min} đến ${max} giây.`);

const RegisterInput = (production: boolean) =>
  z.object({
    name: z
      .string({ message: 'Vui lòng nhập tên ứng dụng.' })
      .transform(cleanText)
      .pipe(z.string().min(2, 'Vui lòng nhập tên ứng dụng.').max(200, 'Tên ứng dụng tối đa 200 ký tự.')),
    redirectUris: z.array(uri(production)).min(1, 'Cần ít nhất một địa chỉ quay về (redirect URI).').max(20),
    postLogoutRedirectUris: z.array(uri(production)).max(20).default([]),
    backchannelLogoutUri: uri(production).nullish(),
    scopes: z
      .array(z.enum(SSO_SCOPES, { message: 'Phạm vi không được hỗ trợ.' }))
      .refine((s) => s.includes('openid'), 'Phạm vi phải có openid.'),
    confidential: z.boolean(),
    accessTokenTtl: ttl(60, 3600, 'Thời hạn access token').default(600),
    refreshTokenTtl: ttl(300, 30 * 86400, 'Thời hạn refresh token').default(12 * 3600),
    idTokenTtl: ttl(60, 3600, 'Thời hạn ID token').default(600),
    unitIds: z.array(Id).max(500).default([]),
  });

export type RegisterSsoClientInput = z.input<ReturnType<typeof RegisterInput>>;

export async function registerSsoClient(
  db: Db,
  actor: StaffActor | SystemActor,
  raw: unknown,
  opts: { production: boolean },
): Promise<{ clientId: string; clientSecret: string | null }> {
  const input = parseInput(RegisterInput(opts.production), raw);
  const clientId = `sso_${crypto.randomBytes(12).toString('base64url')}`;
  const clientSecret = input.confidential ? crypto.randomBytes(32).toString('base64url') : null;
  await db.transaction(async (tx) => {
    if (actor.kind !== 'system' && !(await isProvinceAdministrator(tx, actor))) throw errors.forbidden();
    await tx.insert(ssoClients).values({
      clientId,
      name: input.name,
      redirectUris: input.redirectUris,
      postLogoutRedirectUris: input.postLogoutRedirectUris,
      backchannelLogoutUri: input.backchannelLogoutUri ?? null,
      scopes: input.scopes,
      confidential: input.confidential,
      secretHash: clientSecret ? hashClientSecret(clientSecret) : null,
      accessTokenTtl: input.accessTokenTtl,
      refreshTokenTtl: input.refreshTokenTtl,
      idTokenTtl: input.idTokenTtl,
      unitIds: input.unitIds,
      createdBy: actor.kind === 'official' ? actor.accountId : null,
    });
    await recordAudit(tx, {
      action: 'sso_client.register',
      actor,
      targetType: 'sso_client',
      targetId: clientId,
      data: { name: input.name, redirectUris: input.redirectUris, scopes: input.scopes, confidential: input.confidential },
    });
  });
  return { clientId, clientSecret };
}
