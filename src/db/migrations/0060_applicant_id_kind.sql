-- Which number a dossier's applicant_id_number is: a person's CCCD or an organisation's tax code. Since 7/2025 a
-- household business's tax code is its owner's CCCD, so the number alone let an organisation's account see the
-- owner's dossiers and the owner see the organisation's (src/portal/citizen-dossiers.ts now matches both).
-- The column's constant default is metadata only (no rewrite of the table). The check is NOT VALID, so no scan of
-- the table under this lock: every row before it reads the default, and every write after it is checked.
ALTER TABLE "dossiers" ADD COLUMN "applicant_id_kind" text DEFAULT 'cccd' NOT NULL;--> statement-breakpoint
ALTER TABLE "dossiers" ADD CONSTRAINT "dossiers_applicant_id_kind_check" CHECK ("dossiers"."applicant_id_kind" in ('cccd', 'tax_code')) NOT VALID;--> statement-breakpoint
-- The counter only takes a CCCD, and on-behalf submissions store no number: the only tax codes there are the ones an
-- organisation's own login proved when it submitted. Few citizens, each one's dossiers through dossiers_citizen_idx.
UPDATE "dossiers" AS d SET "applicant_id_kind" = 'tax_code'
  FROM "citizens" AS c
  WHERE c."account_type" = 2 AND c."tax_code" IS NOT NULL
    AND d."citizen_id" = c."id" AND d."citizen_id" IS NOT NULL
    AND d."applicant_id_number" = c."tax_code";
