/**
 * The pull (every few minutes): dossiers submitted on the national portal for our province since the stored cursor,
 * each registered in the reception queue as an online dossier (channel 2, Mới đăng ký, tab Chờ tiếp nhận) through
 * the one reception path (receiveDossier, as the system actor) — its code, lookup code and due-date rules are those
 * of any online dossier. Exactly once: the national id is national_intake's key and its row is written in the
 * dossier's transaction, so a re-fetch or two pulls at once make one dossier (the second's transaction fails on the
 * key and is rolled back whole). The applicant is as the national portal declared it: a claim — a value our counter's
 * rules refuse (a tax code as SoDinhDanh, a phone written 84…, a long address) stays in the dossier's note rather than
 * keep the dossier out (declared-applicant.ts), and the number declared never puts the dossier into a citizen's portal.
 * A dossier we cannot register (a procedure not in our catalog, an agency without a code, a value the database
 * refuses…) is recorded as skipped with the reason and logged — never retried in a loop — and shown to the province's
 * administrators (Quản trị → Hồ sơ từ Cổng DVC quốc gia, intake-routes.tsx); the database being unreachable, or a
 * fault of ours, fails the run (retried, the cursor where it was).
 */
import { eq, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { type Db, isDatabaseUnavailable, isStatementCancelled } from '../db/client.js';
import { sqlStateOf } from '../db/database-errors.js';
import { dossiers, nationalIntake, nationalSyncState, procedures, units } from '../db/schema/index.js';
import { receiveDossier } from '../dossiers/receive-dossier.js';
import { AppError } from '../shared/errors.js';
import { systemActor } from '../shared/context.js';
import type { NationalPortalClient, SubmittedDossier, UnreadableSubmission } from './client.js';
import { declaredApplicant, declaredNote } from './declared-applicant.js';

const CURSOR = 'pull_cursor';
/** Pages per run at most; the next run goes on from the stored cursor. */
const MAX_PAGES = 20;

type Outcome = 'registered' | 'skipped' | 'already';

async function known(db: Db, nationalId: string): Promise<boolean> {
  const [row] = await db.select({ id: nationalIntake.nationalId }).from(nationalIntake).where(eq(nationalIntake.nationalId, nationalId));
  return Boolean(row);
}

/**
 * The national portal's submission time (ISO, or yyyyMMddHHmmss in Vietnam time), or null. Only years 1900–9999:
 * JavaScript reads year 0 or +275760, PostgreSQL refuses them, and a refused insert would fail every pull at the
 * same dossier for ever (the cursor never moving past it).
 */
function submittedAt(text: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  const d = m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+07:00`) : new Date(text);
  const year = d.getUTCFullYear();
  return Number.isNaN(d.getTime()) || year < 1900 || year > 9999 ? null : d;
}

/**
 * The text cut to at most `max` UTF-16 units (the note's limit), never inside a surrogate pair: `.slice()` there left
 * half an emoji, a lone surrogate, which the note's validation refuses (and the dossier would be skipped for it).
 */
function cutUnits(text: string, max: number): string {
  const cut = text.slice(0, max);
  return cut.length === max && /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

async function skip(db: Db, item: SubmittedDossier, reason: string, now: Date, logger: Logger): Promise<Outcome> {
  const inserted = await db
    .insert(nationalIntake)
    .values({
      nationalId: item.MaHoSoQG,
      procedureCode: item.MaTTHC,
      outcome: 'skipped',
      reason,
      submittedAt: submittedAt(item.NgayNop),
      pulledAt: now,
    })
    .onConflictDoNothing()
    .returning({ id: nationalIntake.nationalId });
  if (inserted.length) logger.warn({ nationalId: item.MaHoSoQG, procedure: item.MaTTHC, reason }, 'national dossier skipped');
  return inserted.length ? 'skipped' : 'already';
}

/** An item we cannot read: recorded skipped under its national id when it has a readable one, else only logged. */
async function skipUnreadable(db: Db, item: UnreadableSubmission, now: Date, logger: Logger): Promise<Outcome> {
  const inserted = item.MaHoSoQG
    ? await db
        .insert(nationalIntake)
        .values({ nationalId: item.MaHoSoQG, procedureCode: '', outcome: 'skipped', reason: item.unreadable, pulledAt: now })
        .onConflictDoNothing()
        .returning({ id: nationalIntake.nationalId })
    : [];
  if (item.MaHoSoQG && inserted.length === 0) return 'already';
  logger.warn({ nationalId: item.MaHoSoQG, reason: item.unreadable }, 'national dossier unreadable, skipped');
  return 'skipped';
}

async function register(db: Db, item: SubmittedDossier, now: Date, logger: Logger): Promise<Outcome> {
  if (await known(db, item.MaHoSoQG)) return 'already';
  // A code is one procedure whatever its case (the catalog keeps them in capitals, unique on upper(code)).
  const [procedure] = await db.select({ id: procedures.id }).from(procedures).where(sql`upper(${procedures.code}) = upper(${item.MaTTHC})`);
  if (!procedure) return skip(db, item, `Thủ tục ${item.MaTTHC} không có trong danh mục thủ tục của tỉnh.`, now, logger);
  const [agency] = item.MaDonVi ? await db.select({ id: units.id }).from(units).where(eq(units.agencyCode, item.MaDonVi)) : [];
  // The applicant as declared there: each field our counter's rules refuse is left out of the structured fields and
  // kept in the note (declared-applicant.ts), so no declared value keeps the dossier from the reception desk.
  const applicant = declaredApplicant(item.ChuHoSo);
  const note = `Nộp trên Cổng Dịch vụ công quốc gia, mã hồ sơ ${item.MaHoSoQG}.${declaredNote(applicant.declared)}${item.GhiChu ? ` ${item.GhiChu}` : ''}`;
  try {
    await receiveDossier(
      db,
      systemActor('job:national.pull'),
      { procedureId: procedure.id, channel: 2, ...applicant.fields, note: cutUnits(note, 1000) },
      now,
      undefined,
      {
        ...(agency ? { agencyUnitId: agency.id } : {}),
        within: async (tx, dossier) => {
          // A number declared there is a claim, not a proof: the dossier names it (applicant.cccd, shown and searched)
          // but is never put into the portal of the citizen whose VNeID login proves that number — as a portal
          // submission on behalf of someone is not (submit-dossier.ts). Before the transaction commits: never bound.
          if (dossier.applicantIdNumber !== null) {
            await tx.update(dossiers).set({ applicantIdNumber: null }).where(eq(dossiers.id, dossier.id));
          }
          await tx.insert(nationalIntake).values({
            nationalId: item.MaHoSoQG,
            procedureCode: item.MaTTHC,
            outcome: 'registered',
            dossierId: dossier.id,
            submittedAt: submittedAt(item.NgayNop),
            pulledAt: now,
          });
        },
      },
    );
  } catch (err) {
    // Another pull registered it meanwhile (its key won): the same dossier, once.
    if (await known(db, item.MaHoSoQG)) return 'already';
    if (err instanceof AppError && err.status < 500) {
      const fields = err.fields ? ` ${Object.values(err.fields).join(' ')}` : '';
      return skip(db, item, `${err.message}${fields}`.slice(0, 1000), now, logger);
    }
    // The database unreachable, or the statement timed out (as such, or said as a 503/504): nothing about this
    // dossier — the run fails and is retried, the cursor where it was.
    if (err instanceof AppError || isDatabaseUnavailable(err) || isStatementCancelled(err)) throw err;
    // The database refused this dossier's data (SQLSTATE class 22, data exception, or 23, a constraint): it is
    // recorded as skipped and the pull goes on — thrown, it would fail every run at this dossier, the cursor never
    // moving past it. The reason never quotes the error's message (it may hold the very value refused). Anything else
    // (a fault of ours) fails the run, loudly, rather than skip citizens' dossiers one after another unseen.
    const state = sqlStateOf(err);
    if (!state || !/^2[23]/.test(state)) throw err;
    logger.error({ err, nationalId: item.MaHoSoQG, procedure: item.MaTTHC }, 'national dossier could not be registered');
    return skip(db, item, `Không ghi được hồ sơ vào hệ thống (cơ sở dữ liệu từ chối dữ liệu, mã ${state}).`, now, logger);
  }
  logger.info({ nationalId: item.MaHoSoQG, procedure: item.MaTTHC }, 'national dossier registered');
  return 'registered';
}

export async function pullNationalDossiers(
  db: Db,
  client: NationalPortalClient,
  now: Date,
  logger: Logger,
): Promise<Record<Outcome, number>> {
  const counts: Record<Outcome, number> = { registered: 0, skipped: 0, already: 0 };
  const [state] = await db.select().from(nationalSyncState).where(eq(nationalSyncState.name, CURSOR));
  let cursor = state?.value ?? null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await client.submittedDossiers(cursor);
    for (const item of res.items)
      counts['unreadable' in item ? await skipUnreadable(db, item, now, logger) : await register(db, item, now, logger)]++;
    // The cursor moves only past a page whose every dossier is registered or recorded as skipped.
    if (res.nextCursor && res.nextCursor !== cursor) {
      cursor = res.nextCursor;
      await db
        .insert(nationalSyncState)
        .values({ name: CURSOR, value: cursor, updatedAt: now })
        .onConflictDoUpdate({ target: nationalSyncState.name, set: { value: cursor, updatedAt: now } });
    }
    if (!res.nextCursor || res.items.length === 0) break;
  }
  if (counts.registered || counts.skipped) logger.info(counts, 'national portal pull');
  return counts;
}
