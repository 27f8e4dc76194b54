-- motcua:no-transaction
-- When the login behind a session happened, apart from when its row was written: Chuyển tài khoản writes a new row
-- without a login, and the SSO provider took created_at as the login time, so a switch met an application's
-- prompt=login and max_age and its auth_time named a login that never happened (src/sso/finish-login.ts). Every row
-- before now was written by a login or by a switch: its created_at is the best time known.
-- Cheap on a large table, outside a transaction (docs/decisions/0011): the column is added without a default (no
-- rewrite), filled in batches that each commit (a row locked for one batch only, logins and touches go on), then made
-- NOT NULL through a check validated without blocking writes (PostgreSQL then skips SET NOT NULL's scan).
-- The database's default now() serves only an instance of the previous version still running during a rolling
-- restart (it names no authenticated_at: its rows are logins, or switches as before); drizzle's schema names no
-- default, so every insert of this code states the time. Every step is safe to run again.
ALTER TABLE "sessions" ADD COLUMN IF NOT EXISTS "authenticated_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "sessions" ALTER COLUMN "authenticated_at" SET DEFAULT now();
--> statement-breakpoint
DO $$
DECLARE
  done_to text := '';
  upto text;
BEGIN
  LOOP
    SELECT max(b.id_hash) INTO upto
      FROM (SELECT "id_hash" FROM "sessions" WHERE "id_hash" > done_to ORDER BY "id_hash" LIMIT 5000) AS b;
    EXIT WHEN upto IS NULL;
    UPDATE "sessions" SET "authenticated_at" = "created_at"
      WHERE "id_hash" > done_to AND "id_hash" <= upto AND "authenticated_at" IS NULL;
    COMMIT;
    done_to := upto;
  END LOOP;
END $$;
--> statement-breakpoint
ALTER TABLE "sessions" DROP CONSTRAINT IF EXISTS "sessions_authenticated_at_filled";
--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_authenticated_at_filled" CHECK ("authenticated_at" IS NOT NULL) NOT VALID;
--> statement-breakpoint
ALTER TABLE "sessions" VALIDATE CONSTRAINT "sessions_authenticated_at_filled";
--> statement-breakpoint
ALTER TABLE "sessions" ALTER COLUMN "authenticated_at" SET NOT NULL;
--> statement-breakpoint
ALTER TABLE "sessions" DROP CONSTRAINT IF EXISTS "sessions_authenticated_at_filled";
