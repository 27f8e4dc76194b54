-- A key acts after its account's VNeID-only date only if its holder issued it after a VNeID (or SSO) login of theirs,
-- and only while the account is still that person's (api/key-access.ts keyActs): the person is kept with the key.
-- Every key issued before now is an administrator's key (none carries a person): it stops at that date, as password
-- sessions do.
ALTER TABLE "api_clients" ADD COLUMN "proved_person_id" uuid;--> statement-breakpoint
ALTER TABLE "api_clients" ADD CONSTRAINT "api_clients_proved_person_id_persons_id_fk" FOREIGN KEY ("proved_person_id") REFERENCES "public"."persons"("id") ON DELETE set null ON UPDATE no action;