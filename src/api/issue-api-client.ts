import crypto from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { apiClients } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { StaffActor } from '../shared/context.js';
import { cleanText } from '../shared/text.js';
import { parseInput } from '../shared/validate.js';
import { requireKeyIssuer } from './key-access.js';
import { sha256 } from './key-secret.js';
import type { IdentityProof } from '../auth/person-accounts.js';

/** The validity periods the form offers; any whole number of days up to the maximum is accepted. */
export const KEY_VALIDITY_CHOICES = [30, 90, 180, 365] as const;
export const KEY_DEFAULT_DAYS = 90;
const KEY_MAX_DAYS = 365;
const DAY_MS = 86_400_000;

const validityMessage = `Thời hạn của khóa API từ 1 đến ${KEY_MAX_DAYS} ngày.`;

const IssueInput = z.object({
  name: z
    .string({ message: 'Vui lòng đặt tên cho khóa API.' })
    .transform(cleanText)
    .pipe(z.string().min(2, 'Vui lòng đặt tên cho khóa API (hệ thống sử dụng).').max(100, 'Tên khóa API tối đa 100 ký tự.')),
  validDays: z
    .union([z.string(), z.number()])
    .optional()
    .transform((v) =>
      v === undefined || v === '' ? KEY_DEFAULT_DAYS : typeof v === 'number' ? v : /^\d{1,4}$/.test(v) ? Number(v) : Number.NaN,
    )
    .pipe(z.number({ message: validityMessage }).int(validityMessage).min(1, validityMessage).max(KEY_MAX_DAYS, validityMessage)),
});

/**
 * Cấp khóa API: credentials for another system to act as an account, with exactly that account's roles, until it
 * expires (validDays, default 90, at most 365) or is revoked — issued by an administrator of the account or by its
 * holder (key-access.ts says who, and which keys act after the VNeID-only date). `proof`: the VNeID or SSO login of
 * the session issuing it (null for a password session). The secret is shown once: only its SHA-256 is stored.
 */
export async function issueApiClient(
  db: Db,
  actor: StaffActor,
  accountId: string,
  raw: unknown,
  now = new Date(),
  proof: IdentityProof | null = null,
) {
  const { name, validDays } = parseInput(IssueInput, raw);
  const id = `mc_${crypto.randomBytes(9).toString('base64url')}`;
  const secret = crypto.randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + validDays * DAY_MS);
  const account = await db.transaction(async (tx) => {
    const { account: acc, provedPersonId } = await requireKeyIssuer(tx, actor, accountId, proof, now);
    const provedHolder = provedPersonId !== null;
    await tx
      .insert(apiClients)
      .values({ id, name, secretHash: sha256(secret), accountId, createdBy: actor.accountId, createdAt: now, expiresAt, provedPersonId });
    await recordAudit(tx, {
      action: 'api_client.issue',
      actor,
      targetType: 'account',
      targetId: accountId,
      unitId: acc.unitId,
      data: { clientId: id, name, expiresAt: expiresAt.toISOString(), provedHolder },
    });
    return acc;
  });
  return { clientId: id, token: `${id}.${secret}`, name, expiresAt, account: { id: account.id, username: account.username } };
}
