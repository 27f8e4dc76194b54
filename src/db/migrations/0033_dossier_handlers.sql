CREATE TABLE "dossier_handlers" (
	"account_id" uuid NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"dossier_id" uuid NOT NULL,
	CONSTRAINT "dossier_handlers_account_id_received_at_dossier_id_pk" PRIMARY KEY("account_id","received_at","dossier_id")
);
--> statement-breakpoint
DROP INDEX "dossier_events_actor_idx";--> statement-breakpoint
DROP INDEX "dossier_events_on_behalf_idx";--> statement-breakpoint
ALTER TABLE "dossier_handlers" ADD CONSTRAINT "dossier_handlers_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "dossier_handlers_dossier_idx" ON "dossier_handlers" USING btree ("dossier_id");--> statement-breakpoint
-- Hand-written below: the triggers that keep dossier_handlers, in the transaction of the history row or the
-- dossier's change (docs/decisions/0008, "The lists beside the inbox"). Statement-level with transition tables,
-- so a bulk insert is one insert; rows taken in key order, so concurrent transactions cannot deadlock on them.
-- A citizen's actor_id is a citizen's id, not an account's: citizens' rows are left out.
CREATE FUNCTION dossier_handlers_after_event() RETURNS trigger AS $$
BEGIN
  INSERT INTO dossier_handlers (account_id, received_at, dossier_id)
  SELECT DISTINCT x.account_id, d.received_at, d.id FROM (
    SELECT actor_id AS account_id, dossier_id FROM new_rows WHERE actor_id IS NOT NULL AND actor_kind <> 'citizen'
    UNION
    SELECT on_behalf_of, dossier_id FROM new_rows WHERE on_behalf_of IS NOT NULL
  ) AS x JOIN dossiers d ON d.id = x.dossier_id
  ORDER BY 1, 2, 3
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER dossier_handlers_after_event AFTER INSERT ON dossier_events
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION dossier_handlers_after_event();
--> statement-breakpoint
-- received_at is copied for the order; a dossier submitted online is received (its received_at set) when the desk
-- accepts it, so a change of received_at moves its handlers' rows with it.
CREATE FUNCTION dossier_handlers_after_dossier_update() RETURNS trigger AS $$
BEGIN
  UPDATE dossier_handlers h SET received_at = n.received_at
  FROM new_rows n JOIN old_rows o ON o.id = n.id
  WHERE h.dossier_id = n.id AND n.received_at IS DISTINCT FROM o.received_at;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER dossier_handlers_after_dossier_update AFTER UPDATE ON dossiers
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION dossier_handlers_after_dossier_update();
--> statement-breakpoint
-- The history so far.
INSERT INTO dossier_handlers (account_id, received_at, dossier_id)
SELECT DISTINCT x.account_id, d.received_at, d.id FROM (
  SELECT actor_id AS account_id, dossier_id FROM dossier_events WHERE actor_id IS NOT NULL AND actor_kind <> 'citizen'
  UNION
  SELECT on_behalf_of, dossier_id FROM dossier_events WHERE on_behalf_of IS NOT NULL
) AS x JOIN dossiers d ON d.id = x.dossier_id;
