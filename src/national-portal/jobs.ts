/**
 * The national portal's job handlers (kinds national.* in src/jobs/queue.ts). With the synchronisation off
 * (config.nationalPortal null: unconfigured outside demo mode) they do nothing: the outbox keeps its rows, and the
 * sweep sends them once it is configured.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { JobHandlers } from '../jobs/queue.js';
import { nationalPortalClient, type NationalPortalClient } from './client.js';
import { pullNationalDossiers } from './pull.js';
import { pushDossier } from './push.js';
import { reconcileNationalStatuses } from './reconcile.js';
import { sweepUnpushed } from './sweep.js';

type Deps = { db: Db; logger: Logger; now?: () => Date; config?: Config };
type NationalKinds = 'national.push' | 'national.sweep' | 'national.reconcile' | 'national.pull';

export function nationalPortalJobs(deps: Deps): Pick<JobHandlers, NationalKinds> {
  const now = deps.now ?? (() => new Date());
  let client: NationalPortalClient | null = null;
  const connected = (): NationalPortalClient | null => {
    const settings = deps.config?.nationalPortal;
    if (!settings) return null;
    client ??= nationalPortalClient(settings);
    return client;
  };
  const off = (kind: NationalKinds) => deps.logger.debug({ kind }, 'national portal synchronisation off (NATIONAL_PORTAL_* unset)');
  return {
    'national.push': async ({ dossierId }, job) => {
      const c = connected();
      if (!c) return off('national.push');
      const { sent } = await pushDossier(deps.db, c, dossierId, now);
      if (sent) deps.logger.debug({ job: job.id, dossierId, sent }, 'status records pushed to the national portal');
    },
    'national.sweep': async () => {
      if (!connected()) return off('national.sweep');
      const { enqueued } = await sweepUnpushed(deps.db, now());
      if (enqueued) deps.logger.info({ enqueued }, 'national portal push re-enqueued for waiting dossiers');
    },
    'national.reconcile': async () => {
      const c = connected();
      if (!c) return off('national.reconcile');
      await reconcileNationalStatuses(deps.db, c, now(), deps.logger);
    },
    'national.pull': async () => {
      const c = connected();
      if (!c) return off('national.pull');
      await pullNationalDossiers(deps.db, c, now(), deps.logger);
    },
  };
}
