/** TOTP second factor for break-glass accounts (otplib, RFC 6238): a code is accepted once. */
import { generateSecret, generateURI, verify } from 'otplib';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { accounts } from '../db/schema/index.js';

type BreakGlassFields = {
  breakGlass: boolean;
  suspended: boolean;
  totpSecret: string | null;
  totpPersonId: string | null;
  personId: string | null;
};

/**
 * A break-glass account whose code opens it: named, not suspended, its code set up by the person the account still
 * belongs to (accounts.totp_person_id; both null only for the first administrator of `npm run setup`).
 * breakGlassCodeOpensSql is the same rule for the lists (cutover/readiness.ts): a list that shows "ready" must agree with
 * the login that lets in.
 */
export function breakGlassCodeOpens<T extends BreakGlassFields>(acc: T): acc is T & { totpSecret: string } {
  return acc.breakGlass && !acc.suspended && acc.totpSecret !== null && acc.totpPersonId === acc.personId;
}

export const breakGlassCodeOpensSql = sql<boolean>`(${accounts.breakGlass} and not ${accounts.suspended} and ${accounts.totpSecret} is not null
  and ${accounts.totpPersonId} is not distinct from ${accounts.personId})`;

export function newTotpSecret(): string {
  return generateSecret();
}

export function totpUri(secret: string, username: string, issuer: string): string {
  return generateURI({ issuer, label: username, secret });
}

/** The time step of a code valid now (±1 step) for this secret, or null: a new secret's first code, before it is kept. */
export async function totpStepOf(secret: string, token: string, now: Date): Promise<number | null> {
  const code = token.replace(/\s/g, '');
  if (!/^\d{6}$/.test(code)) return null;
  const epoch = Math.floor(now.getTime() / 1000);
  const result = await verify({ secret, token: code, epoch, epochTolerance: 30 }).catch(() => ({ valid: false as const }));
  if (!result.valid) return null;
  return Math.floor(epoch / 30) + ('delta' in result && typeof result.delta === 'number' ? result.delta : 0);
}

/** True if the code is valid now (±1 step) and newer than the last one this account used. */
export async function useTotp(db: Queryable, accountId: string, secret: string, token: string, now = new Date()): Promise<boolean> {
  const step = await totpStepOf(secret, token, now);
  if (step === null) return false;
  // Atomic: only one request can move the last step forward to this one, and only while this secret is still the
  // account's and still opens it (set up again, un-named, or given to another person since it was read: refused).
  const moved = await db
    .update(accounts)
    .set({ totpLastStep: step })
    .where(
      and(
        eq(accounts.id, accountId),
        eq(accounts.totpSecret, secret),
        breakGlassCodeOpensSql,
        or(isNull(accounts.totpLastStep), lt(accounts.totpLastStep, step)),
      ),
    )
    .returning({ id: accounts.id });
  return moved.length === 1;
}
