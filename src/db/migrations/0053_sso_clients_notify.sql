-- The SSO client registry (sso_clients) is read by every request to the provider (src/sso/clients.ts) and kept a
-- few seconds in each process beside the sessions: its changes (registered, edited, disabled, a secret rotated or
-- revoked) are announced like theirs, payload `sessions`, in the writing transaction, and empty every process's
-- cache at commit (src/db/changes.ts).
CREATE TRIGGER sso_clients_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sso_clients
  FOR EACH STATEMENT EXECUTE FUNCTION motcua_sessions_changed();
