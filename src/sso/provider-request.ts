/**
 * One request to the provider (routes.ts runs each in withProviderRequest): what it has read ahead and the writes
 * it has queued, held in an AsyncLocalStorage so the adapter (adapter.ts) and the account lookup (account-claims.ts)
 * see them without oidc-provider passing anything along.
 *
 * Read ahead: a token is read with its grant, its provider session and its official's claims in one statement; the
 * others are kept here ("Grant:id:…", "Session:uid:…" → payload or null: not there; accounts by id → claims row or
 * null: no live official) for the reads oidc-provider makes next. Each entry serves once, and any write of its model
 * drops it, so a read after a write goes to the database.
 *
 * Writes: queued until the answer (request-writes.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AdapterPayload } from 'oidc-provider';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { RequestWrites } from './request-writes.js';
import type { OfficialRow, SsoSubject } from './account-claims.js';

type ProviderRequest = {
  ahead: Map<string, AdapterPayload | null>;
  accounts: Map<string, OfficialRow | null>;
  writes: RequestWrites;
  /** The grant of each code or refresh token this request read ("model:id"): revoked if its consumption fails. */
  grantOf: Map<string, string | null>;
  /** Who each subject is (account-claims.ts ssoSubject), asked by findAccount, the admission check and the login audit. */
  subjects: Map<string, Promise<SsoSubject | null>>;
};

export const providerRequest = new AsyncLocalStorage<ProviderRequest>();

/**
 * Runs one provider request with its read-ahead and its queue of writes. The provider's innermost middleware sends
 * the queue before the answer is written (sendRequestWrites, provider.ts). Anything still queued when the request
 * ends was queued after the answer left — a middleware outside that one writing through the adapter, which must not
 * be: it is sent (as it would have been without the queue) and reported as the defect it is.
 */
export async function withProviderRequest<T>(
  db: Db,
  fn: () => Promise<T>,
  opts: { now?: () => Date; logger?: Pick<Logger, 'error'> } = {},
): Promise<T> {
  const state: ProviderRequest = {
    ahead: new Map(),
    accounts: new Map(),
    writes: new RequestWrites(db, opts.now ?? (() => new Date())),
    grantOf: new Map(),
    subjects: new Map(),
  };
  try {
    return await providerRequest.run(state, fn);
  } finally {
    if (state.writes.size > 0) {
      opts.logger?.error({ queued: state.writes.size }, 'sso provider: writes queued after the answer left');
      await state.writes.send();
    }
  }
}

/** Sends this provider request's queued writes now (a no-op outside one, or when nothing is queued). */
export async function sendRequestWrites(): Promise<void> {
  await providerRequest.getStore()?.writes.send();
}

/** A write of `model` is coming: nothing of it read ahead may serve any more. */
export function forget(model: string): void {
  const ahead = providerRequest.getStore()?.ahead;
  if (!ahead) return;
  for (const key of [...ahead.keys()]) if (key.startsWith(`${model}:`)) ahead.delete(key);
}

/** This request ended provider sessions behind the adapter's back (session-hooks.ts): none is read ahead or required. */
export function sessionsEnded(): void {
  forget('Session');
  providerRequest.getStore()?.writes.ended('Session');
}

/** Before the database is asked, or written outside the queue: what this request queued goes first. */
export async function sendQueued(): Promise<void> {
  // Also when nothing is queued: a send under way (another call of this request) must land first.
  await providerRequest.getStore()?.writes.send();
}

/** A subject's lookup, once per provider request (outside one: every time). */
export function subjectOnce(sub: string, read: () => Promise<SsoSubject | null>): Promise<SsoSubject | null> {
  const subjects = providerRequest.getStore()?.subjects;
  if (!subjects) return read();
  let found = subjects.get(sub);
  if (!found) {
    found = read();
    subjects.set(sub, found);
  }
  return found;
}

/**
 * The official's claims read with this request's token (once), or undefined when none were: `null` means the token's
 * account is no live official (a citizen, or suspended or deleted since).
 */
export function takeAccountReadAhead(accountId: string): OfficialRow | null | undefined {
  const accounts = providerRequest.getStore()?.accounts;
  if (!accounts?.has(accountId)) return undefined;
  const row = accounts.get(accountId) ?? null;
  accounts.delete(accountId);
  return row;
}
