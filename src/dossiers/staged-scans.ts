/**
 * The reception form's scans kept across a refused form (issue 12: nothing chosen is lost to a validation error).
 * Each scan the form brings is stored once in file storage (src/storage, content-addressed) and staged: a row of
 * staged_uploads owned by the official's account, valid for STAGED_SCAN_HOURS. The re-rendered form carries only
 * the row's id (a random UUID) with the file's name; the next submit of the same form names it again and
 * receiveDossier consumes it in the dossier's transaction. A reference that is not the official's own, has expired,
 * or was never issued is refused with one and the same message — whose it is, or whether it exists, is not told.
 * Staged scans no submit consumed are removed by the job uploads.staged_purge (jobs/handlers.ts).
 *
 * Why not the portal's way: Nộp hồ sơ keeps files in the citizen's draft of that procedure (dossier_drafts), a
 * draft kept on purpose to come back to. The counter receives one applicant after another for the same procedure,
 * often in two tabs; a draft per (official, procedure) would mix their scans and keep them with no end.
 */
import { and, eq, gt, inArray, lte } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client.js';
import { stagedUploads } from '../db/schema/index.js';
import type { FieldErrors } from '../shared/errors.js';
import type { StaffActor } from '../shared/context.js';
import { isId } from '../shared/validate.js';
import type { IncomingFile } from '../storage/index.js';
import { FILE_TYPES } from '../shared/file-types.js';
import { SCAN_KINDS, scanTooLarge, storeScan, type StoredScan } from './reception-checklist.js';

/** A staged row of another kind (a catalog import's spreadsheet, shared/staged-imports.ts) is never a scan. */
const SCAN_MIMES = [...SCAN_KINDS].map((k) => FILE_TYPES[k].mime);

/** How long a refused form's scans are kept: a counter's working day. */
const STAGED_SCAN_HOURS = 12;

/** A scan kept for the form: its reference (staged_uploads.id) and what its dossier file will say. */
export type StagedScan = StoredScan & { ref: string };

/** What the form brought for each document position: a new file, one past the size limit, or an earlier reference. */
export type GivenScans = { files: Map<number, IncomingFile>; tooLarge: Map<number, string>; refs: Map<number, string> };

/** One message for a reference that is another's, expired or forged (which one is not told). */
export const STAGED_SCAN_GONE = 'Bản quét đã chọn trước đó không còn được giữ (quá hạn hoặc không hợp lệ). Vui lòng chọn lại tệp.';

/**
 * Stores and stages each new scan, finds each earlier reference among the official's live staged scans. A new file
 * replaces the earlier scan of its document; a refused one (empty, too large, wrong type) is said beside its field
 * and the earlier scan, if any, stays.
 */
export async function stageScans(
  db: Db,
  actor: StaffActor,
  given: GivenScans,
  maxScanBytes: number,
  now: Date,
): Promise<{ scans: Map<number, StagedScan>; problems: FieldErrors }> {
  const scans = await stagedOf(db, actor, given.refs, now);
  const problems: FieldErrors = {};
  for (const i of given.refs.keys()) if (!scans.has(i)) problems[`scan-${i}`] = STAGED_SCAN_GONE;
  for (const [i, name] of given.tooLarge) problems[`scan-${i}`] = scanTooLarge(name, maxScanBytes);
  const expiresAt = new Date(now.getTime() + STAGED_SCAN_HOURS * 3600_000);
  for (const [i, file] of given.files) {
    const r = await storeScan(file, `ban-quet-${i + 1}`, maxScanBytes);
    if ('refused' in r) {
      problems[`scan-${i}`] = r.refused;
      continue;
    }
    const [row] = await db
      .insert(stagedUploads)
      .values({ ownerAccountId: actor.accountId, ...r.stored, createdAt: now, expiresAt })
      .returning({ id: stagedUploads.id });
    scans.set(i, { ...r.stored, ref: row!.id });
    delete problems[`scan-${i}`];
  }
  return { scans, problems };
}

/** The official's live staged scans among `refs` (by document position); anything else is left out. */
async function stagedOf(db: Queryable, actor: StaffActor, refs: Map<number, string>, now: Date): Promise<Map<number, StagedScan>> {
  const ids = [...new Set([...refs.values()].filter(isId))];
  const out = new Map<number, StagedScan>();
  if (!ids.length) return out;
  const rows = await db
    .select()
    .from(stagedUploads)
    .where(
      and(
        inArray(stagedUploads.id, ids),
        eq(stagedUploads.ownerAccountId, actor.accountId),
        gt(stagedUploads.expiresAt, now),
        inArray(stagedUploads.mime, SCAN_MIMES),
      ),
    );
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const [i, ref] of refs) {
    const r = byId.get(ref);
    if (r) out.set(i, { ref: r.id, sha256: r.sha256, size: r.size, mime: r.mime, name: r.name });
  }
  return out;
}

/**
 * Inside the receipt's transaction: the staged scans it uses are taken (deleted), so a reference serves one dossier.
 * Returns the references that were no longer there (a twin request took them a moment ago, or they just expired).
 */
export async function consumeStagedScans(tx: Queryable, actor: StaffActor, scans: Map<number, StagedScan>, now: Date): Promise<number[]> {
  const refs = [...scans.values()].map((s) => s.ref);
  if (!refs.length) return [];
  const taken = await tx
    .delete(stagedUploads)
    .where(and(inArray(stagedUploads.id, refs), eq(stagedUploads.ownerAccountId, actor.accountId), gt(stagedUploads.expiresAt, now)))
    .returning({ id: stagedUploads.id });
  const ok = new Set(taken.map((t) => t.id));
  return [...scans].filter(([, s]) => !ok.has(s.ref)).map(([i]) => i);
}

/**
 * The job uploads.staged_purge: removes the staged scans whose time is over. Their blobs stay in storage, as every
 * blob does (docs/decisions/0012-file-storage.md): the same content may be a dossier's file.
 */
export async function purgeStagedScans(db: Db, now: Date): Promise<number> {
  const removed = await db.delete(stagedUploads).where(lte(stagedUploads.expiresAt, now)).returning({ id: stagedUploads.id });
  return removed.length;
}
