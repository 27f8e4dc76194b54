import crypto from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Queryable } from '../db/client.js';
import { accounts, apiClients } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { requireAdministeredAccount } from '../accounts/policies.js';
import type { StaffActor } from '../shared/context.js';
import { cleanText } from '../shared/text.js';
import { parseInput } from '../shared/validate.js';

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

/** Issue credentials for another system to act as an account the administrator administers. Shown once. */
export async function issueApiClient(db: Db, actor: StaffActor, accountId: string, raw: unknown) {
  const { name } = parseInput(
    z.object({
      name: z
        .string({ message: 'Vui lòng đặt tên cho khóa API.' })
        .transform(cleanText)
        .pipe(z.string().min(2, 'Vui lòng đặt tên cho khóa API (hệ thống sử dụng).').max(100)),
    }),
    raw,
  );
  const id = `mc_${crypto.randomBytes(9).toString('base64url')}`;
  const secret = crypto.randomBytes(32).toString('base64url');
  await db.transaction(async (tx) => {
    const acc = await requireAdministeredAccount(tx, actor, accountId);
    await tx.insert(apiClients).values({ id, name, secretHash: sha256(secret), accountId, createdBy: actor.accountId });
    await recordAudit(tx, {
      action: 'api_client.issue',
      actor,
      targetType: 'account',
      targetId: accountId,
      unitId: acc.unitId,
      data: { clientId: id, name },
    });
  });
  return { clientId: id, token: `${id}.${secret}` };
}

/** The account behind a Bearer token `<client id>.<secret>`, if the client is live and the account may act. */
export async function accountForApiToken(db: Queryable, token: string) {
  const dot = token.indexOf('.');
  if (dot < 0) return null;
  const id = token.slice(0, dot);
  const secret = token.slice(dot + 1);
  const [row] = await db
    .select({ client: apiClients, account: accounts })
    .from(apiClients)
    .innerJoin(accounts, eq(accounts.id, apiClients.accountId))
    .where(and(eq(apiClients.id, id), isNull(apiClients.revokedAt)));
  if (!row) return null;
  const a = Buffer.from(row.client.secretHash);
  const b = Buffer.from(sha256(secret));
  if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) return null;
  if (row.account.deletedAt || row.account.suspended) return null;
  return { clientId: id, account: row.account };
}
