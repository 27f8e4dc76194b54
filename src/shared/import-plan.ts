/**
 * How a catalog import (org/import-units.ts, procedures/import-catalog.ts) is applied, once for both. The dry run
 * plans against the database and reports per row; its plan's digest (planDigest) is what the administrator
 * approves on the admin screen. Applying is one transaction that first runs the caller's claim (the screen's staged
 * file, shared/staged-imports.ts), plans again inside it, and writes only if that plan has no refused row and, when
 * an expected digest is given, is still the approved one. Nothing is committed unless the import is written: a
 * changed plan, a refused row or an error rolls the claim back with the rest.
 *
 * A failure while applying is never the caller's to interpret: this file is the one place that turns it into what the
 * administrator reads. The database refusing a row's data (a constraint, a trigger) is that row refused, in plain
 * words (rowWriteError); any other failure of the transaction (a serialization failure, a statement timeout, a bug) is
 * import_not_written, "nothing was written, try again". Either is logged here with the error (opts.logger: the
 * request's on the screens, stderr for the commands), never shown. The database being unreachable is left to the
 * app's 503: a connection lost during COMMIT leaves the outcome unknown, so "nothing was written" could not be said.
 */
import crypto from 'node:crypto';
import type { Logger } from 'pino';
import { type Db, isDatabaseUnavailable, type Tx } from '../db/client.js';
import { sqlStateOf } from '../db/database-errors.js';
import { AppError } from './errors.js';
import { type ImportReport, type ImportRowReport, makeReport } from './import-report.js';

export type ImportSource = { name: string; sha256: string };

export type ImportOptions = {
  apply: boolean;
  /** The instant of the import's writes (the request's deps.now, the command's clock): one for every row. */
  now: Date;
  /** The file applied, for the import's audit row. */
  source?: ImportSource;
  /** planDigest of the dry run the administrator approved: applying another plan writes nothing (planChanged). */
  expectedPlan?: string;
  /** Run first in the apply transaction, so that it commits only with the import's writes (and is undone with them). */
  claim?: (tx: Tx) => Promise<void>;
  /** Where a failed apply is logged with its error (see the top of this file); without one (tests) it is not. */
  logger?: Logger;
};

/** The report; `planChanged` when nothing was written because the plan is no longer the expected one. */
export type ImportResult = ImportReport & { planChanged?: true };

/** A plan: the per-row report (rows in sheet order) and how to write it, inside the apply transaction. */
export type ImportPlan = { report: ImportRowReport[]; write: (tx: Tx) => Promise<void> };

/** A row the plan accepted but its use case or the database refused on writing: its index in the plan's report. */
class RowRefused extends Error {
  constructor(
    readonly index: number,
    readonly error: AppError,
  ) {
    super(error.message);
  }
}

/** The code of the AppError a failed apply throws when no row is to blame (the screens show the page again with it). */
export const IMPORT_NOT_WRITTEN = 'import_not_written';

const notWritten = (cause: unknown) =>
  new AppError(IMPORT_NOT_WRITTEN, 'Không nhập được, chưa có thay đổi nào được ghi. Vui lòng thử lại.', 503, undefined, { cause });

/**
 * Why the database refused a row's data, in plain words by SQLSTATE (never the server's message, which may quote
 * values); null when the failure is not about the row's data and trying again may pass.
 */
function databaseRefusal(state: string): string | null {
  const why = 'Cơ sở dữ liệu từ chối ghi dòng này';
  if (state === '23505' || state === '23P01') return `${why} vì trùng với dữ liệu đã có.`;
  if (state === '23503') return `${why} vì dòng tham chiếu tới dữ liệu không còn tồn tại.`;
  if (state === '23502') return `${why} vì thiếu thông tin bắt buộc.`;
  if (state.startsWith('23')) return `${why} vì dữ liệu không thỏa một ràng buộc của hệ thống.`;
  if (state.startsWith('22')) return `${why} vì có giá trị quá dài hoặc sai định dạng.`;
  if (state === 'P0001') return `${why} theo một quy tắc kiểm tra dữ liệu của hệ thống.`;
  return null;
}

/**
 * What a plan's write throws when writing row `index` (its index in the plan's report) fails: a use case's AppError
 * (a concurrent change) or the database refusing the row's data is that row refused; anything else goes on as it is
 * and fails the import as a whole (runImport). Both imports' writes throw through this, so a row is judged one way.
 */
export function rowWriteError(index: number, err: unknown): unknown {
  if (err instanceof AppError) return new RowRefused(index, err);
  const state = sqlStateOf(err);
  const reason = state && databaseRefusal(state);
  return reason ? new RowRefused(index, new AppError('import_row_refused', reason, 409, undefined, { cause: err })) : err;
}

/**
 * The SHA-256 of what a report says each row will do (line, status, subject, details: all the administrator saw),
 * in line order. JSON of arrays of strings and numbers only, so the same plan always gives the same digest.
 */
export function planDigest(report: ImportReport): string {
  const rows = [...report.rows].sort((a, b) => a.line - b.line).map((r) => [r.line, r.status, r.subject, r.details]);
  return crypto.createHash('sha256').update(JSON.stringify(rows)).digest('hex');
}

/** Thrown inside the apply transaction to roll it back (claim included) and answer with this report. */
class Rollback extends Error {
  constructor(readonly result: ImportResult) {
    super('import not applied');
  }
}

/** A dry run plans on `db`; applying claims, plans again and writes in one transaction (see the top of this file). */
export async function runImport(db: Db, opts: ImportOptions, plan: (q: Db) => Promise<ImportPlan>): Promise<ImportResult> {
  if (!opts.apply) return makeReport((await plan(db)).report, false);
  try {
    return await db.transaction(async (tx) => {
      await opts.claim?.(tx);
      const planned = await plan(tx);
      const report = makeReport(planned.report, false);
      if (opts.expectedPlan !== undefined && planDigest(report) !== opts.expectedPlan) {
        throw new Rollback({ ...report, planChanged: true });
      }
      if (report.counts.refused) throw new Rollback(report);
      try {
        await planned.write(tx);
      } catch (err) {
        if (!(err instanceof RowRefused)) throw err;
        const rows = [...planned.report];
        const { fields, message, cause } = err.error;
        rows[err.index] = { ...rows[err.index]!, status: 'refused', details: fields ? Object.values(fields) : [message] };
        if (cause !== undefined) {
          opts.logger?.warn({ err: cause, line: rows[err.index]!.line }, 'catalog import: a row refused by the database, nothing written');
        }
        throw new Rollback(makeReport(rows, false));
      }
      return makeReport(planned.report, true);
    });
  } catch (err) {
    if (err instanceof Rollback) return err.result;
    // A refusal (the staged file gone, not the actor's to import) and an unreachable database are said as they are.
    if (err instanceof AppError || isDatabaseUnavailable(err)) throw err;
    opts.logger?.error({ err }, 'catalog import: the apply failed, nothing written');
    throw notWritten(err);
  }
}
