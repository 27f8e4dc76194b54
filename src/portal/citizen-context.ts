/**
 * The citizen of the request, for the portal's pages: read once per request from the portal session cookie.
 * Pages that need a login call requireCitizen; an anonymous visit is sent to Đăng nhập and comes back after.
 */
import type { Ctx } from '../web/http.js';
import { readCookie } from '../web/cookies.js';
import { citizenActor, type CitizenActor } from '../shared/context.js';
import { lapsedCitizenOf, readCitizenSession } from '../auth/sessions.js';
import { FORM_MAX_BYTES, uploadRoute } from '../web/body.js';
import { previousPage } from '../web/previous-page.js';
import { START_PAGE } from '../web/safe-redirect.js';
import { MAX_PERSONAL_FILE_BYTES } from '../personal-files/files.js';
import { mostDocumentsOf, onlineVersion } from './submit-dossier.js';
import type { citizens } from '../db/schema/index.js';

export const PORTAL_COOKIE = 'motcua_portal';

export type Citizen = typeof citizens.$inferSelect;

export const sessionPolicyOf = (c: Ctx) => ({
  idleMs: c.get('deps').config.sessionIdleMs,
  absoluteMs: c.get('deps').config.sessionAbsoluteMs,
});

const cache = new WeakMap<Ctx, Promise<Citizen | null>>();

/** The logged-in citizen or organisation, or null. */
export function currentCitizen(c: Ctx): Promise<Citizen | null> {
  let found = cache.get(c);
  if (!found) {
    found = (async () => {
      const token = readCookie(c, PORTAL_COOKIE);
      const { db, sessionCaches, now } = c.get('deps');
      const found = token ? await readCitizenSession(db, token, sessionPolicyOf(c), now(), sessionCaches.citizens) : null;
      if (!found) return null;
      c.set('citizenId', found.citizen.id);
      // Read with the session (notify/unread.ts): the portal menu's Thông báo (n).
      c.set('citizenUnreadNotices', found.unreadNotices);
      return found.citizen;
    })();
    cache.set(c, found);
  }
  return found;
}

/**
 * The citizen this request has already read, reading nothing: for an error page about the database itself. citizenId
 * is set only once the session was read, so the promise kept for this request has settled with her by then.
 */
export async function citizenAlreadyRead(c: Ctx): Promise<Citizen | null> {
  return c.get('citizenId') ? ((await cache.get(c)) ?? null) : null;
}

/** The citizen as a use case receives them. */
function actorOfCitizen(c: Ctx, citizen: Citizen): CitizenActor {
  return citizenActor(citizen.id, c.get('meta'));
}

/** `postLost`: the request was a form post, which nobody was logged in to keep: the login page says so. */
export class CitizenLoginRequired extends Error {
  constructor(
    readonly returnTo: string,
    readonly postLost = false,
  ) {
    super('citizen login required');
  }
}

/**
 * The logged-in citizen and their actor; without a login, throws CitizenLoginRequired, which the portal's error
 * handler turns into a redirect to Đăng nhập that comes back to this page (GET), or for a form post to the page
 * the form was on (its Referer, when it is a portal page; else TRANG CÁ NHÂN) — what was posted is not kept.
 */
export async function requireCitizen(c: Ctx): Promise<{ citizen: Citizen; actor: CitizenActor }> {
  const citizen = await currentCitizen(c);
  if (!citizen) {
    if (c.req.method === 'GET') throw new CitizenLoginRequired(c.req.path + (new URL(c.req.url).search || ''));
    throw new CitizenLoginRequired(previousPage(c, 'citizen') ?? START_PAGE.citizen, true);
  }
  return { citizen, actor: actorOfCitizen(c, citizen) };
}

/** The portal's upload routes: the body is read only for a logged-in citizen; anyone else goes to Đăng nhập, unread. */
export const citizenUpload = uploadRoute(async (c) => `citizen:${(await requireCitizen(c)).citizen.id}`);

/**
 * Nộp hồ sơ's own case: the logged-in citizen, or — when their session lapsed while they were typing — the citizen
 * whose lapsed token this is (auth/sessions.ts lapsedCitizenOf), only so that the form can be kept as their draft
 * before they log in again. Anyone else is sent to Đăng nhập.
 */
export async function citizenOrLapsed(c: Ctx): Promise<{ actor: CitizenActor; citizen: Citizen | null }> {
  const citizen = await currentCitizen(c);
  if (citizen) return { actor: actorOfCitizen(c, citizen), citizen };
  const token = readCookie(c, PORTAL_COOKIE);
  const lapsed = token ? await lapsedCitizenOf(c.get('deps').db, token, sessionPolicyOf(c), c.get('deps').now()) : null;
  if (!lapsed) throw new CitizenLoginRequired(previousPage(c, 'citizen') ?? '/ca-nhan/nop-ho-so', c.req.method !== 'GET');
  return { actor: citizenActor(lapsed, c.get('meta')), citizen: null };
}

/**
 * Nộp hồ sơ's body at most: six files at the largest a document may be, or a dozen phone photos. What one request
 * spools to disk before the upload budget is read (decision 0020), so it is bounded whatever the procedure asks.
 */
const SUBMISSION_MAX_BYTES = 6 * MAX_PERSONAL_FILE_BYTES + 2 * FORM_MAX_BYTES;

/**
 * The submission form's upload mark: a logged-in citizen, or one whose session just lapsed (their draft is kept).
 * Its body is sized for the procedure the form's address names (`?thutuc=`): a file of at most MAX_PERSONAL_FILE_BYTES
 * for each of its documents, never past SUBMISSION_MAX_BYTES — three 4 MB phone photos are one ordinary dossier, not
 * a 413 that loses the form. A file past its limit is discarded while it streams and said beside its field.
 */
export const citizenDraftUpload = uploadRoute(async (c) => `citizen:${(await citizenOrLapsed(c)).actor.citizenId}`, {
  ceiling: () => SUBMISSION_MAX_BYTES,
  forRequest: async (c) => {
    const version = await onlineVersion(c.get('deps').db, c.req.query('thutuc') ?? '');
    // An address naming no procedure (a page opened before this rule): one file, as every upload route takes.
    if (!version) return { maxBytes: MAX_PERSONAL_FILE_BYTES + 2 * FORM_MAX_BYTES, maxFileBytes: MAX_PERSONAL_FILE_BYTES };
    // Every version's: a form opened before a new version with fewer documents sends its files too (saveDraft moves
    // them by name or names those that have no place) — refused as files of no field, it lost the whole form.
    const documents = await mostDocumentsOf(c.get('deps').db, version.procedureId);
    // Room for one more file's worth, so that a file past its limit is discarded and said beside its field rather
    // than ending the request; and for the fields: the small forms' limit, and as much again for the parts' headers.
    const maxBytes = Math.min(SUBMISSION_MAX_BYTES, (documents + 1) * MAX_PERSONAL_FILE_BYTES + 2 * FORM_MAX_BYTES);
    // Files only in the documents' own fields, one each: nothing else of the body is spooled to disk.
    const fileFields = new Set(Array.from({ length: documents }, (_, i) => `doc${i}`));
    return { maxBytes, maxFileBytes: MAX_PERSONAL_FILE_BYTES, fileFields };
  },
});
