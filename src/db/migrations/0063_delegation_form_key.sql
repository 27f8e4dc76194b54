-- Ủy quyền → Thêm carries a key: the same form posted again finds the delegation it made instead of making a twin
-- (src/delegation/create-delegation.ts). Older rows have none. The table is small: a plain index build.
ALTER TABLE "delegations" ADD COLUMN "form_key" uuid;--> statement-breakpoint
CREATE UNIQUE INDEX "delegations_form_key_idx" ON "delegations" USING btree ("form_key");