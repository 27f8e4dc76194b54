/**
 * Đăng ký ứng dụng kết nối SSO: a province administrator (Quản trị → Ứng dụng kết nối SSO) or the demo seed, as
 * the system, registers an application with the provincial SSO (fields: client-input.ts). A confidential client
 * gets a 256-bit secret, shown once — only its SHA-256 is kept, never in the audit row; a public client has none
 * and must use PKCE S256. The audit row holds every field it was registered with, as an edit's holds every change.
 */
import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db } from '../db/client.js';
import { ssoClients } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { provinceUnitId } from '../org/tree.js';
import { isProvinceAdministrator } from '../accounts/policies.js';
import { errors } from '../shared/errors.js';
import type { StaffActor, SystemActor } from '../shared/context.js';
import { parseInput } from '../shared/validate.js';
import { hashClientSecret } from './clients.js';
import { RegisterSsoClientInput as Input } from './client-input.js';

export type RegisterSsoClientInput = z.input<ReturnType<typeof Input>>;

/** A new client secret: 256 random bits. */
export const newClientSecret = () => crypto.randomBytes(32).toString('base64url');

export async function registerSsoClient(
  db: Db,
  actor: StaffActor | SystemActor,
  raw: unknown,
  opts: { production: boolean; now?: Date },
): Promise<{ clientId: string; clientSecret: string | null; name: string }> {
  const input = parseInput(Input(opts.production), raw);
  const clientId = `sso_${crypto.randomBytes(12).toString('base64url')}`;
  const clientSecret = input.confidential ? newClientSecret() : null;
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
      // The seed has no request clock: the transaction's, as created_at.
      secretIssuedAt: clientSecret ? (opts.now ?? sql`now()`) : null,
      subjectType: input.subjectType,
      accessTokenTtl: input.accessTokenTtl,
      refreshTokenTtl: input.refreshTokenTtl,
      idTokenTtl: input.idTokenTtl,
      unitIds: input.unitIds,
      createdBy: actor.kind === 'official' ? actor.accountId : null,
      ...(opts.now ? { createdAt: opts.now } : {}),
    });
    await recordAudit(tx, {
      action: 'sso_client.register',
      actor,
      targetType: 'sso_client',
      // The province's root: the row is in Nhật ký hệ thống of the province administrators.
      unitId: await provinceUnitId(tx),
      targetId: clientId,
      data: {
        name: input.name,
        redirectUris: input.redirectUris,
        postLogoutRedirectUris: input.postLogoutRedirectUris,
        backchannelLogoutUri: input.backchannelLogoutUri ?? null,
        scopes: input.scopes,
        confidential: input.confidential,
        subjectType: input.subjectType,
        accessTokenTtl: input.accessTokenTtl,
        refreshTokenTtl: input.refreshTokenTtl,
        idTokenTtl: input.idTokenTtl,
        unitIds: input.unitIds,
      },
    });
  });
  return { clientId, clientSecret, name: input.name };
}
