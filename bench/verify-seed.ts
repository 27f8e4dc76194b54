/**
 * Checks a database filled by scripts/seed-large.ts against the app's own rules:
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench npx tsx bench/verify-seed.ts
 *
 * - due dates and step due dates of a random sample equal dueAt()/stepDueAt() on the working calendar;
 * - codes: per agency and day, numbers 1..n without gaps, and the counters at n;
 * - receptions in office hours on working days; timelines in order; positions match the steps;
 * - applicant_id_number is the applicant's CCCD; online dossiers have their citizen and their 'submit' event.
 * Exits 1 when something is off.
 */
import { sql } from 'drizzle-orm';
import { openDatabase, queryRows } from '../src/db/client.js';
import type { ProcessStep } from '../src/db/schema/index.js';
import { dueAt } from '../src/calendar/deadlines.js';
import { stepDueAt } from '../src/dossiers/steps.js';
import { localDate, localMinutes } from '../src/calendar/working-time.js';
import { loadCalendarForYears } from '../src/calendar/load.js';

const url = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/motcua_bench';
const database = await openDatabase({ url, poolSize: 2 });
const db = database.db;
let failed = 0;
const check = (label: string, bad: number, total: number | string) => {
  console.log(`${bad === 0 ? 'ok  ' : 'FAIL'} ${label}: ${bad} wrong of ${total}`);
  if (bad) failed++;
};

// The calendar over every year the dossiers span, with the administrators' overrides.
const [{ from = '2000-01-01', to = '2000-01-01' } = {}] = await queryRows<{ from: string; to: string }>(
  db,
  sql`select min(received_at)::date::text as "from", (max(due_at) + interval '1 year')::date::text as "to" from dossiers`,
);
const cal = await loadCalendarForYears(db, Number(from.slice(0, 4)) - 1, Number(to.slice(0, 4)));

const sample = await queryRows<{
  received_at: Date;
  due_at: Date;
  step_started_at: Date;
  step_due_at: Date;
  current_step: number;
  current_unit_id: string;
  current_role: string;
  unit_ids: string[];
  working_days: number | null;
  working_hours: string | null;
  after_1500_next_day: boolean;
  steps: ProcessStep[];
}>(
  db,
  sql`select d.received_at, d.due_at, d.step_started_at, d.step_due_at, d.current_step, d.current_unit_id, d."current_role",
             pv.unit_ids, pv.working_days, pv.working_hours, pv.after_1500_next_day, pv.steps
      from dossiers d join procedure_versions pv on pv.id = d.procedure_version_id order by random() limit 10000`,
);
let badDue = 0;
let badStep = 0;
let badHours = 0;
let badPos = 0;
for (const r of sample) {
  const workingHours = r.working_hours === null ? null : Number(r.working_hours);
  const received = new Date(r.received_at);
  const due = dueAt(cal, received, { workingDays: r.working_days, workingHours, after1500NextDay: r.after_1500_next_day });
  if (Math.abs(due.getTime() - new Date(r.due_at).getTime()) > 1000) badDue++;
  const version = { steps: r.steps, workingDays: r.working_days, workingHours } as Parameters<typeof stepDueAt>[1];
  const sd = stepDueAt(cal, version, r.current_step, new Date(r.step_started_at), new Date(r.due_at));
  if (Math.abs(sd.getTime() - new Date(r.step_due_at).getTime()) > 1000) badStep++;
  const m = localMinutes(received);
  if (!cal.isWorkingDay(localDate(received)) || !cal.officeHours.some(([s, e]) => m >= s && m < e)) badHours++;
  const step = r.steps[r.current_step]!;
  if (step.role !== r.current_role || (step.unitId ?? r.unit_ids[0]) !== r.current_unit_id) badPos++;
}
check('due date = dueAt() (sample)', badDue, sample.length);
check('step due date = stepDueAt() (sample)', badStep, sample.length);
check('received in office hours on a working day (sample)', badHours, sample.length);
check('current unit and role = current step (sample)', badPos, sample.length);

const [seq] = await queryRows<{ bad: number; groups: number }>(
  db,
  sql`select count(*) filter (where not ok)::int as bad, count(*)::int as groups from (
        select max(split_part(code, '-', 3)::int) = count(*) and min(split_part(code, '-', 3)::int) = 1 as ok
        from dossiers group by split_part(code, '-', 1), split_part(code, '-', 2)) g`,
);
check('dossier codes 1..n without gaps per agency and day', seq!.bad, `${seq!.groups} groups`);
const [ctr] = await queryRows<{ bad: number; total: number }>(
  db,
  sql`with n as (select split_part(code, '-', 1) as agency, to_date(split_part(code, '-', 2), 'YYMMDD') as day, count(*) as n
                 from dossiers group by 1, 2)
      select count(*) filter (where c.last is distinct from n.n)::int as bad, count(*)::int as total
      from n left join dossier_code_counters c on c.agency_code = n.agency and c.day = n.day`,
);
check('code counter = dossiers of the day', ctr!.bad, ctr!.total);
const [order] = await queryRows<{ bad: number; total: number }>(
  db,
  sql`select count(*) filter (where not (received_at < due_at and received_at <= step_started_at
                                        and coalesce(finished_at, received_at) >= received_at
                                        and coalesce(returned_at, finished_at, received_at) >= coalesce(finished_at, received_at)
                                        and (status not in ('done', 'returned', 'refused', 'stopped') or finished_at is not null)
                                        and (status <> 'returned' or returned_at is not null)
                                        and (status <> 'supplement' or clock_stopped_at is not null)))::int as bad,
             count(*)::int as total from dossiers`,
);
check('timeline order and fields by status', order!.bad, order!.total);
const [ev] = await queryRows<{ bad: number; total: number }>(
  db,
  sql`select count(*) filter (where not case when d.citizen_id is null
                                   then exists (select 1 from dossier_events e where e.dossier_id = d.id and e.action = 'receive')
                                   else exists (select 1 from dossier_events e where e.dossier_id = d.id and e.action = 'submit' and e.actor_id = d.citizen_id)
                                        and (d.status = 'submitted') <> exists (select 1 from dossier_events e where e.dossier_id = d.id and e.action = 'accept')
                                   end)::int as bad,
             count(*)::int as total from dossiers d`,
);
check("every dossier has a 'receive' event (online: 'submit' by its citizen, and 'accept' unless still submitted)", ev!.bad, ev!.total);
const [own] = await queryRows<{ bad: number; total: number }>(
  db,
  sql`select count(*) filter (where d.applicant_id_number is distinct from d.applicant->>'cccd'
                                 or (d.channel = 2) <> (d.citizen_id is not null))::int as bad,
             count(*)::int as total from dossiers d`,
);
check("applicant_id_number = the applicant's CCCD; online = submitted by a citizen", own!.bad, own!.total);
await database.close();
process.exit(failed ? 1 : 0);
