/**
 * What each job kind does. One function per kind, over the application's database; the queue (queue.ts)
 * validates payloads and retries failures.
 */
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { purgeSessions, type SessionPolicy } from '../auth/sessions.js';
import { purgeThrottle } from '../auth/throttle.js';
import { recordDelegationExpiries } from '../delegation/end-delegation.js';
import { remindCalendarConfirmation } from '../calendar/confirmation-reminder.js';
import { purgeStagedScans } from '../dossiers/staged-scans.js';
import { purgeUploadVolume } from '../personal-files/upload-budget.js';
import { systemActor } from '../shared/context.js';
import { purgeExpiredSsoModels } from '../sso/adapter.js';
import { endLapsedProviderSessions, purgeStaleSessionLinks } from '../sso/end-sessions.js';
import { ssoProvider, type SsoProvider } from '../sso/provider.js';
import { deliverBackchannelLogout } from '../sso/session-hooks.js';
import type { Config } from '../config.js';
import { blobStore } from '../storage/index.js';
import { collectUnreferencedBlobs } from '../storage/gc.js';
import { sweepSpool } from '../storage/spool.js';
import { nationalPortalJobs } from '../national-portal/jobs.js';
import { adaptersFor } from '../notify/adapters/index.js';
import { sendNotification, type SendDeps } from '../notify/send.js';
import { sendDailyReminders } from '../notify/daily-reminders.js';
import { purgeAppliedDeliveryReports } from '../notify/gateway-reports.js';
import type { JobHandlers } from './queue.js';

/** `now`: the application's one clock (deps.now), so a test's clock also drives the jobs. */
export type HandlerDeps = {
  db: Db;
  logger: Logger;
  sessionPolicy: SessionPolicy;
  now?: () => Date;
  /** The provincial SSO's settings (issuer, keys): the back-channel logout job signs as the provider. */
  config?: Config;
};

export function jobHandlers(deps: HandlerDeps): JobHandlers {
  // The clock every handler reads, once for each run (deps.now is optional: the wall clock without one).
  const clock = deps.now ?? (() => new Date());
  let sso: SsoProvider | null = null;
  const provider = () => {
    if (!deps.config) throw new Error('the sso.backchannel_logout job needs the configuration');
    sso ??= ssoProvider({ db: deps.db, config: deps.config, logger: deps.logger, now: clock });
    return sso.get();
  };
  // The gateways of the configuration (none without one: every message then fails as unconfigured and falls back).
  let notify: SendDeps | null = null;
  const notifyDeps = (): SendDeps =>
    (notify ??= {
      db: deps.db,
      adapters: deps.config ? adaptersFor(deps.config, { db: deps.db, now: clock, logger: deps.logger }) : new Map(),
      sms: { unaccented: deps.config?.sms?.unaccented ?? false, maxSegments: deps.config?.sms?.maxSegments ?? 3 },
      now: clock,
      logger: deps.logger,
    });
  return {
    'sessions.purge': async () => {
      const now = clock();
      await purgeSessions(deps.db, deps.sessionPolicy, now);
      // The gateways' report ids past the replay window: the same kind of expired single-use memory, same schedule.
      await purgeAppliedDeliveryReports(deps.db, now);
      // Failed-login counters whose windows closed (auth/throttle.ts).
      await purgeThrottle(deps.db, now);
    },
    'sso.purge': async () => {
      const now = clock();
      const ended = await endLapsedProviderSessions(deps.db, now, deps.sessionPolicy.idleMs);
      if (ended) deps.logger.info({ ended }, 'provider sessions of timed-out sessions ended');
      await purgeExpiredSsoModels(deps.db, now);
      await purgeStaleSessionLinks(deps.db);
    },
    'sso.backchannel_logout': async (payload, job) => {
      const outcome = await deliverBackchannelLogout(await provider(), payload);
      deps.logger.info({ job: job.id, clientId: payload.clientId, outcome, attempt: job.retryCount + 1 }, 'back-channel logout');
    },
    'delegations.expire': async () => {
      await recordDelegationExpiries(deps.db, systemActor('job:delegations.expire'), clock());
    },
    'calendar.confirm_reminder': async () => {
      await remindCalendarConfirmation(deps.db, deps.logger, clock());
    },
    'uploads.staged_purge': async () => {
      const now = clock();
      const removed = await purgeStagedScans(deps.db, now);
      if (removed) deps.logger.info({ removed }, 'expired staged scans removed');
      // Citizens' uploads past the upload budget's 24-hour window: no longer counted, so no longer kept.
      const forgotten = await purgeUploadVolume(deps.db, now);
      if (forgotten) deps.logger.info({ forgotten }, 'upload volume past the window removed');
      // Spool files a dead process left on this machine (storage/spool.ts; every instance also sweeps at start).
      const swept = await sweepSpool(blobStore(), now);
      if (swept) deps.logger.info({ swept }, 'spool files of ended requests removed');
    },
    'storage.gc': async () => {
      const gc = deps.config?.storageGc;
      const run = await collectUnreferencedBlobs(deps.db, blobStore(), clock(), {
        ...(gc ? { trashGraceMs: gc.trashDays * 24 * 3_600_000, maxUnreferencedPercent: gc.maxUnreferencedPercent } : {}),
      });
      if (run.owner.outcome === 'refused') {
        deps.logger.error(
          { database: run.owner.database, storeOwner: run.owner.owner, marker: run.owner.marker },
          'storage.gc removed nothing: the file storage belongs to another database (docs/deploy.md, "File storage clean-up")',
        );
        return;
      }
      if (run.owner.outcome === 'unclaimed') {
        deps.logger.error(
          { database: run.owner.database, marker: run.owner.marker },
          `storage.gc removed nothing: the file storage holds files but no ${run.owner.marker} naming its database. If this instance is production (its DATABASE_URL or DATA_DIR is the one whose rows name these files), run \`npm run storage:claim\` once with its environment; if it is a test or staging copy, give it its own STORAGE_URL or DATA_DIR (docs/deploy.md, "File storage clean-up")`,
        );
        return;
      }
      if (run.breaker)
        deps.logger.error(
          run.breaker,
          `storage.gc moved nothing: ${run.breaker.unreferenced} of the ${run.breaker.examined} files no row names, more than STORAGE_GC_MAX_UNREFERENCED_PERCENT (${run.breaker.maxPercent}%). A wrong, emptied or half-restored database looks like this: check DATABASE_URL/DATA_DIR and STORAGE_URL. If the files really are unused (a large clean-up), raise the setting for one run (docs/deploy.md, "File storage clean-up")`,
        );
      if (run.missing.length)
        deps.logger.error({ missing: run.missing }, 'storage.gc: blobs a row names are in neither the storage nor its trash');
      deps.logger.info(
        {
          store: run.owner.outcome,
          examined: run.examined,
          unreferenced: run.unreferenced,
          trashed: run.trashed.length,
          restored: run.restored.length,
          removed: run.removed.length,
          inTrash: run.inTrash,
          breaker: run.breaker !== null,
        },
        'unreferenced blobs collected',
      );
    },
    'notify.send': (payload, job) => sendNotification(notifyDeps(), payload.notificationId, job),
    'notify.daily_reminders': async () => {
      const run = await sendDailyReminders(deps.db, clock());
      deps.logger.info(run, 'daily reminders recorded');
    },
    ...nationalPortalJobs(deps),
  };
}
