/**
 * A stale form: the page an official acted from showed the dossier as it was at its latest history row (`seen`);
 * when a row came after it, the dossier moved on meanwhile and the action is refused with what happened — by whom,
 * when, where the dossier is now — as 409. Only to an official who may still see the dossier or who handled it
 * before; anyone else is told it does not exist, as for a dossier that never was (access.ts).
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '../db/client.js';
import type { dossiers, ProcessStep } from '../db/schema/index.js';
import type { StaffActor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { formatDateTimeMinute } from '../shared/dates.js';
import { handledBefore, mayViewDossier } from './access.js';
import { DOSSIER_STATUSES, eventLabel, STATUS_LABELS } from './transitions.js';

type Dossier = typeof dossiers.$inferSelect;

type LatestEvent = {
  id: number;
  at: string;
  action: string;
  actor_label: string | null;
  delegation_id: number | null;
  on_behalf_label: string | null;
  data: Record<string, unknown>;
  name: string | null;
  position: string | null;
};

async function latestEvent(db: Queryable, dossierId: string): Promise<LatestEvent | null> {
  const [row] = await queryRows<LatestEvent>(
    db,
    sql`select e.id, e.at, e.action, e.actor_label, e.delegation_id, e.on_behalf_label, e.data,
        case when e.actor_kind in ('official', 'api') then trim(a.middle_name || ' ' || a.given_name) end as name, a.position
      from dossier_events e left join accounts a on a.id = e.actor_id and e.actor_kind in ('official', 'api')
      where e.dossier_id = ${dossierId}::uuid order by e.id desc limit 1`,
  );
  return row ? { ...row, id: Number(row.id) } : null;
}

/** The id of the dossier's latest history row (a page showing the dossier puts it in its forms as `seen`). */
async function latestEventId(db: Queryable, dossierId: string): Promise<number | null> {
  return (await latestEvent(db, dossierId))?.id ?? null;
}

const stepText = (steps: ProcessStep[], i: number) => `bước ${i + 1}/${steps.length}: ${steps[i]?.name ?? ''}`;

/** What happened last to the dossier, in a sentence, and where it is now. */
function explain(e: LatestEvent, d: Dossier, steps: ProcessStep[]): string {
  const who = e.name ? `${e.name}${e.position ? ` (${e.position})` : ''}` : (e.actor_label ?? 'người khác');
  const onBehalf = e.delegation_id ? ` thay ${e.on_behalf_label ?? ''} (ủy quyền số ${e.delegation_id})` : '';
  const toStep = typeof e.data.toStep === 'number' ? e.data.toStep : null;
  const what =
    e.action === 'handover' && toStep !== null
      ? `chuyển sang ${stepText(steps, toStep)}`
      : `xử lý “${eventLabel(e.action, e.data)}”${toStep !== null ? ` (sang ${stepText(steps, toStep)})` : ''}`;
  return (
    `Hồ sơ đã được ${who}${onBehalf} ${what} lúc ${formatDateTimeMinute(e.at)}, sau khi bạn mở trang. ` +
    `Hiện tại: ${STATUS_LABELS[d.status]} (mã ${DOSSIER_STATUSES[d.status]}), ${stepText(steps, d.currentStep)}. ` +
    'Thao tác của bạn chưa được thực hiện; vui lòng xem lại hồ sơ.'
  );
}

/**
 * The refusal for an official whose form is stale or who no longer acts at the dossier's step: 409 with what
 * happened when they may see the dossier or handled it before, else the 404 of a dossier that does not exist.
 */
export async function movedOn(db: Queryable, actor: StaffActor, d: Dossier, steps: ProcessStep[], now: Date): Promise<AppError> {
  if (!(await mayViewDossier(db, actor, d, steps, now)) && !(await handledBefore(db, actor, d.id))) return errors.notFound('Hồ sơ');
  const e = await latestEvent(db, d.id);
  if (!e) return errors.notFound('Hồ sơ');
  return new AppError('dossier_moved', explain(e, d, steps), 409);
}

/** Whether a form that showed the dossier at history row `seen` is stale (no `seen`: the caller did not say). */
export async function isStale(db: Queryable, dossierId: string, seen: number | undefined): Promise<boolean> {
  if (seen === undefined) return false;
  return (await latestEventId(db, dossierId)) !== seen;
}
