-- Break-glass codes are set up by the account's owner in a VNeID session (cutover/enrol-break-glass.ts, decision 0003),
-- and open the account only while the person who set one up is still the account's person (auth/totp.ts
-- breakGlassReady). Secrets set up before this column — shown to the province administrator who named the account —
-- have no such person: on an account that has a person they no longer open it (its owner sets the code up again with
-- VNeID; the cutover page lists it as not set up); on one without (the first administrator of `npm run setup`, before
-- any VNeID binding) they still do.
ALTER TABLE "accounts" ADD COLUMN "totp_person_id" uuid;--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_totp_person_id_persons_id_fk" FOREIGN KEY ("totp_person_id") REFERENCES "public"."persons"("id") ON DELETE no action ON UPDATE no action;