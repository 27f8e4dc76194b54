/**
 * What an SSO application is registered (and edited) with: the fields of Đăng ký / Sửa ứng dụng kết nối SSO,
 * each with its Vietnamese message under its own name, so a form shows it beside its field. Redirect URIs are kept
 * exactly as given (the provider compares them character for character). A pairwise application's redirect URIs
 * share one host: oidc-provider derives its subjects from that host (the sector).
 */
import { z } from 'zod';
import { cleanText } from '../shared/text.js';
import { Id } from '../shared/validate.js';
import { SSO_SCOPES, SSO_SUBJECT_TYPES } from './clients.js';
import { refusedHost } from './outbound-address.js';

const uri = (production: boolean) =>
  z
    .string({ message: 'Vui lòng nhập địa chỉ.' })
    .max(2000, 'Địa chỉ tối đa 2000 ký tự.')
    .refine((v) => URL.canParse(v) && !new URL(v).hash, 'Địa chỉ phải là một URL đầy đủ, không có phần #.')
    .refine(
      (v) => !URL.canParse(v) || new URL(v).protocol === 'https:' || (!production && new URL(v).protocol === 'http:'),
      production ? 'Địa chỉ phải bắt đầu bằng https://.' : 'Địa chỉ phải bắt đầu bằng https:// hoặc http://.',
    )
    // https://good.vn@evil.vn/cb goes to evil.vn: a name and "@" before the host only mislead whoever reads it.
    .refine(
      (v) => !/^[a-z][a-z\d+.-]*:\/\/[^/?#]*@/i.test(v) && (!URL.canParse(v) || (!new URL(v).username && !new URL(v).password)),
      'Địa chỉ không được có tên người dùng hay mật khẩu (phần trước dấu @ của máy chủ).',
    )
    .refine((v) => !v.includes('*'), 'Địa chỉ không được chứa dấu * (không dùng ký tự đại diện).');

/**
 * Where the provider POSTs the logout token itself: not the server's own loopback, link-local (the cloud metadata
 * service), unspecified, multicast or broadcast addresses (outbound-address.ts) — the private ranges stay allowed.
 * Loopback is refused in production; elsewhere it registers, and the connection refuses it outside demo mode
 * (guarded-fetch.ts). A name is judged again by what it resolves to, at every connection.
 */
const backchannelUri = (production: boolean) =>
  uri(production).refine((v) => {
    const kind = URL.canParse(v) ? refusedHost(new URL(v).hostname) : null;
    return !kind || (kind === 'loopback' && !production);
  }, 'Địa chỉ không được trỏ tới chính máy chủ (localhost, 127.x.x.x, ::1), địa chỉ link-local (169.254.x.x, fe80::), 0.0.0.0 hay địa chỉ multicast, broadcast; địa chỉ mạng riêng (10.x, 172.16–31.x, 192.168.x) được phép.');

const ttl = (min: number, max: number, label: string) =>
  z
    .number({ message: `${label}: nhập số giây.` })
    .int(`${label}: nhập số giây.`)
    .min(min, `${label} từ ${min} đến ${max} giây.`)
    .max(max, `${label} từ ${min} đến ${max} giây.`);

/** The limits of the token lifetimes (seconds), as the form shows them. */
export const SSO_TTL_LIMITS = {
  accessTokenTtl: { min: 60, max: 3600, default: 600 },
  refreshTokenTtl: { min: 300, max: 30 * 86400, default: 12 * 3600 },
  idTokenTtl: { min: 60, max: 3600, default: 600 },
} as const;

const hostOf = (v: string) => (URL.canParse(v) ? new URL(v).host : v);

/** The fields an application can be edited in (whether it is confidential is fixed when it is registered). */
const SsoClientFields = (production: boolean) =>
  z.object({
    name: z
      .string({ message: 'Vui lòng nhập tên ứng dụng.' })
      .transform(cleanText)
      .pipe(z.string().min(2, 'Vui lòng nhập tên ứng dụng.').max(200, 'Tên ứng dụng tối đa 200 ký tự.')),
    redirectUris: z.array(uri(production)).min(1, 'Cần ít nhất một địa chỉ quay về (redirect URI).').max(20, 'Tối đa 20 địa chỉ quay về.'),
    postLogoutRedirectUris: z.array(uri(production)).max(20, 'Tối đa 20 địa chỉ sau đăng xuất.').default([]),
    backchannelLogoutUri: backchannelUri(production).nullish(),
    scopes: z
      .array(z.enum(SSO_SCOPES, { message: 'Phạm vi không được hỗ trợ.' }))
      .refine((s) => s.includes('openid'), 'Phạm vi phải có openid.'),
    accessTokenTtl: ttl(60, 3600, 'Thời hạn access token').default(SSO_TTL_LIMITS.accessTokenTtl.default),
    refreshTokenTtl: ttl(300, 30 * 86400, 'Thời hạn refresh token').default(SSO_TTL_LIMITS.refreshTokenTtl.default),
    idTokenTtl: ttl(60, 3600, 'Thời hạn ID token').default(SSO_TTL_LIMITS.idTokenTtl.default),
    unitIds: z.array(Id, { message: 'Đơn vị không hợp lệ.' }).max(500, 'Tối đa 500 đơn vị.').default([]),
    subjectType: z.enum(SSO_SUBJECT_TYPES, { message: 'Kiểu định danh không hợp lệ.' }).default('public'),
  });

/** A pairwise application's redirect URIs on one host (else oidc-provider would need a sector_identifier_uri). */
function pairwiseOnOneHost(input: { subjectType: string; redirectUris: string[] }, ctx: z.RefinementCtx) {
  if (input.subjectType === 'pairwise' && new Set(input.redirectUris.map(hostOf)).size > 1)
    ctx.addIssue({
      code: 'custom',
      path: ['redirectUris'],
      message: 'Ứng dụng dùng định danh riêng (pairwise) phải có mọi địa chỉ quay về trên cùng một máy chủ.',
    });
}

export const RegisterSsoClientInput = (production: boolean) =>
  SsoClientFields(production)
    .extend({ confidential: z.boolean({ message: 'Vui lòng chọn loại ứng dụng.' }) })
    .superRefine(pairwiseOnOneHost);

export const UpdateSsoClientInput = (production: boolean) => SsoClientFields(production).superRefine(pairwiseOnOneHost);
