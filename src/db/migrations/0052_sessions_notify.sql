-- What the session lookup reads (auth/sessions.ts: the session, its account or citizen, the unread in-app notices)
-- announces its changes on motcua_changes with the payload `sessions`, in the writing transaction: every process
-- drops its session cache at commit (src/auth/session-cache.ts, src/db/changes.ts). Not announced: a new session
-- (nothing cached can name it) and the once-a-minute touch of last_seen_at (a cached entry older than a minute is
-- read again anyway); a notification's delivery status (only in-app rows count, and only whether they are read).
CREATE FUNCTION motcua_sessions_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('motcua_changes', 'sessions');
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER sessions_changed AFTER DELETE OR TRUNCATE ON sessions
  FOR EACH STATEMENT EXECUTE FUNCTION motcua_sessions_changed();--> statement-breakpoint
CREATE TRIGGER sessions_updated AFTER UPDATE OF id_hash, account_id, citizen_id, created_at, expires_at, ip, user_agent, method, person_id, loa ON sessions
  FOR EACH STATEMENT EXECUTE FUNCTION motcua_sessions_changed();--> statement-breakpoint
CREATE TRIGGER accounts_sessions_changed AFTER UPDATE OR DELETE OR TRUNCATE ON accounts
  FOR EACH STATEMENT EXECUTE FUNCTION motcua_sessions_changed();--> statement-breakpoint
CREATE TRIGGER citizens_sessions_changed AFTER UPDATE OR DELETE OR TRUNCATE ON citizens
  FOR EACH STATEMENT EXECUTE FUNCTION motcua_sessions_changed();--> statement-breakpoint
CREATE TRIGGER notifications_inapp_added AFTER INSERT ON notifications
  FOR EACH ROW WHEN (NEW.channel = 'inapp') EXECUTE FUNCTION motcua_sessions_changed();--> statement-breakpoint
CREATE TRIGGER notifications_inapp_read AFTER UPDATE OF read_at, channel, citizen_id, account_id ON notifications
  FOR EACH ROW WHEN (NEW.channel = 'inapp' OR OLD.channel = 'inapp') EXECUTE FUNCTION motcua_sessions_changed();--> statement-breakpoint
CREATE TRIGGER notifications_inapp_removed AFTER DELETE ON notifications
  FOR EACH ROW WHEN (OLD.channel = 'inapp') EXECUTE FUNCTION motcua_sessions_changed();--> statement-breakpoint
CREATE TRIGGER notifications_truncated AFTER TRUNCATE ON notifications
  FOR EACH STATEMENT EXECUTE FUNCTION motcua_sessions_changed();
