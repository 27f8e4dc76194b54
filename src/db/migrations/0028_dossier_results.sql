CREATE TABLE "dossier_results" (
	"dossier_id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"number" text,
	"signed_on" date,
	"summary" text,
	"signer" text,
	"no_document_reason" text,
	"recorded_by" uuid NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"approved_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "procedure_versions" ADD COLUMN "result_name" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "procedure_versions" ADD COLUMN "result_without_document" text;--> statement-breakpoint
ALTER TABLE "dossier_results" ADD CONSTRAINT "dossier_results_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossier_results" ADD CONSTRAINT "dossier_results_recorded_by_accounts_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- Dossiers approved before a result was required keep their way to Trả kết quả: their approval is recorded as the
-- approved result, with no document and a reason that says so.
INSERT INTO "dossier_results" ("dossier_id", "kind", "no_document_reason", "recorded_by", "recorded_at", "approved_at")
SELECT DISTINCT ON (e."dossier_id") e."dossier_id", 'none', 'Phê duyệt trước khi hệ thống yêu cầu ghi nhận kết quả.', e."actor_id", e."at", e."at"
FROM "dossier_events" e JOIN "dossiers" d ON d."id" = e."dossier_id"
WHERE d."status" = 'done' AND e."action" = 'approve' AND e."actor_id" IS NOT NULL
ORDER BY e."dossier_id", e."id" DESC;
