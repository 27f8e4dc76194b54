/**
 * How a catalog import (org/import-units.ts, procedures/import-catalog.ts) is applied, once for both. The dry run
 * plans against the database and reports per row; its plan's digest (planDigest) is what the administrator
 * approves on the admin screen. Applying is one transaction that first runs the caller's claim (the screen's staged
 * file, shared/staged-imports.ts), plans again inside it, and writes only if that plan has no refused row and, when
 * an expected digest is given, is still the approved one. Nothing is committed unless the import is written: a
 * changed plan, a refused row or an error rolls the claim back with the rest.
 */
import crypto from 'node:crypto';
import type { Db, Tx } from '../db/client.js';
import type { AppError } from './errors.js';
import { type ImportReport, type ImportRowReport, makeReport } from './import-report.js';

export type ImportSource = { name: string; sha256: string };

export type ImportOptions = {
  apply: boolean;
  /** The file applied, for the import's audit row. */
  source?: ImportSource;
  /** planDigest of the dry run the administrator approved: applying another plan writes nothing (planChanged). */
  expectedPlan?: string;
  /** Run first in the apply transaction, so that it commits only with the import's writes (and is undone with them). */
  claim?: (tx: Tx) => Promise<void>;
};

/** The report; `planChanged` when nothing was written because the plan is no longer the expected one. */
export type ImportResult = ImportReport & { planChanged?: true };

/** A plan: the per-row report (rows in sheet order) and how to write it, inside the apply transaction. */
export type ImportPlan = { report: ImportRowReport[]; write: (tx: Tx) => Promise<void> };

/** A row the plan accepted but its use case refused on writing (a concurrent change): its index in the plan's report. */
export class RowRefused extends Error {
  constructor(
    readonly index: number,
    readonly error: AppError,
  ) {
    super(error.message);
  }
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
        const { fields, message } = err.error;
        rows[err.index] = { ...rows[err.index]!, status: 'refused', details: fields ? Object.values(fields) : [message] };
        throw new Rollback(makeReport(rows, false));
      }
      return makeReport(planned.report, true);
    });
  } catch (err) {
    if (err instanceof Rollback) return err.result;
    throw err;
  }
}
