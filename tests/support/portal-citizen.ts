/** A citizen of the portal (VNeID level 2, synthetic data) with a logged-in portal session, as the upload tests use. */
import crypto from 'node:crypto';
import type { Db } from '../../src/db/client.js';
import { citizens } from '../../src/db/schema/index.js';
import { createCitizenSession } from '../../src/auth/sessions.js';
import { PORTAL_COOKIE } from '../../src/portal/citizen-context.js';
import { Client, type App } from './app.js';

export async function loggedInCitizen(db: Db, app: App, now = new Date()): Promise<{ id: string; client: Client }> {
  const [row] = await db
    .insert(citizens)
    .values({ issuer: 'https://vneid.test', subject: crypto.randomUUID(), cccd: '001190012345', fullName: 'Trần Thị Mai Anh', loa: 2 })
    .returning({ id: citizens.id });
  const client = new Client(app);
  await logInAgain(db, { id: row!.id, client }, now);
  return { id: row!.id, client };
}

/**
 * A new portal session for the same citizen at `now` (the app's clock): a test that moves the clock past the session's
 * lifetime (an hour) logs in again, as the citizen would.
 */
export async function logInAgain(db: Db, who: { id: string; client: Client }, now: Date): Promise<void> {
  who.client.cookies.set(PORTAL_COOKIE, await createCitizenSession(db, who.id, { idleMs: 1_800_000, absoluteMs: 3_600_000 }, now));
}

/** Nộp hồ sơ's address on the portal. */
export const SUBMISSION_FORM = '/ca-nhan/nop-ho-so';

/** The submission form as the browser sends it (multipart), with the files given per document field. */
export function submissionForm(csrf: string, procedureId: string, fields: Record<string, string>, files: Record<string, File> = {}) {
  const form = new FormData();
  form.set('_csrf', csrf);
  form.set('procedureId', procedureId);
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  for (const [k, f] of Object.entries(files)) form.set(k, f);
  return form;
}

/**
 * The draft version the submission form shows now (its hidden `draftVersion`, '' with no draft), null when the page is
 * no form (a lapsed session is sent to Đăng nhập).
 */
export async function shownDraftVersion(client: Client, procedureId: string): Promise<string | null> {
  const page = await client.get(`${SUBMISSION_FORM}?thutuc=${procedureId}`);
  return /name="draftVersion" value="([^"]*)"/.exec(page.text)?.[1] ?? null;
}

/**
 * The form posted, as the browser does (its own origin), with the draft version its page carries: a form that sets no
 * `draftVersion` is sent as from a page opened just now (shownDraftVersion); a test of a stale tab sets the version
 * that tab's page showed ('' for a page opened before any draft).
 */
export async function sendSubmission(client: Client, procedureId: string, form: FormData) {
  if (!form.has('draftVersion')) {
    const shown = await shownDraftVersion(client, procedureId);
    if (shown !== null) form.set('draftVersion', shown);
  }
  return client.request('POST', `${SUBMISSION_FORM}?thutuc=${procedureId}`, form, { origin: client.origin });
}
