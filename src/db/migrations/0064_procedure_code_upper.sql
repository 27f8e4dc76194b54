-- A procedure's code is one procedure whatever its case: the screen stored 1.001234.000.00.00.h10 as typed, the import
-- upper-cased the same code, missed it and created a second procedure (docs/decisions/0030). The code now stores codes
-- in capitals (procedures/procedure-input.ts), the national database's spelling; this upper-cases the rows written
-- before, so lookups by exact code (the national pull by MaTTHC) find them, and a unique index on upper(code) keeps
-- two spellings from coming back. Codes that already clash — two procedures whose codes differ only in case — are not
-- merged here (each may have dossiers and versions): the migration stops naming them, and an administrator settles
-- them before upgrading. The catalog is small (some 2,000 rows): a plain update and index build in the transaction.
DO $$
DECLARE
  clashes text;
BEGIN
  SELECT string_agg(same, '; ' ORDER BY same) INTO clashes
    FROM (SELECT string_agg("code", ', ' ORDER BY "code") AS same FROM "procedures" GROUP BY upper("code") HAVING count(*) > 1) AS c;
  IF clashes IS NOT NULL THEN
    RAISE EXCEPTION 'Procedure codes that differ only in case name several procedures: %. Give each procedure its own code (or merge them) before this migration; see docs/decisions/0030.', clashes;
  END IF;
END $$;
--> statement-breakpoint
UPDATE "procedures" SET "code" = upper("code") WHERE "code" <> upper("code");
--> statement-breakpoint
CREATE UNIQUE INDEX "procedures_code_upper_idx" ON "procedures" USING btree (upper("code"));
