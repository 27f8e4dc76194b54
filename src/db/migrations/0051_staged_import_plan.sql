-- A catalog import's dry run keeps the digest of the plan the administrator saw (src/shared/staged-imports.ts): the
-- confirmation writes nothing if planning again against the database gives another plan. Null for a reception scan.
ALTER TABLE "staged_uploads" ADD COLUMN "plan_sha256" text;
