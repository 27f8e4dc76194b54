-- A key acts after its account's VNeID-only date only if its holder issued it after a VNeID (or SSO) login of theirs
-- (api/key-access.ts keyActs): an administrator's key — every key issued before now — stops at that date, as password
-- sessions do. The default makes existing keys such keys without rewriting the table.
ALTER TABLE "api_clients" ADD COLUMN "proved_holder" boolean DEFAULT false NOT NULL;
