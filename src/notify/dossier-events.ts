/**
 * The notifications a workflow action causes (act-on-dossier.ts calls notifyDossierAction in its transaction, after
 * the dossier row changed): the applicant hears of an online dossier accepted (and of the fee then due online), a
 * supplement asked for, a refusal, a stop, an extension (Mẫu 04), the result ready, a withdrawal; the officials of
 * the step a dossier arrives at hear that it did. Counter reception (receive-dossier.ts) notifies on its own.
 */
import { eq } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { type dossiers, type procedureVersions, units } from '../db/schema/index.js';
import { stepHolders } from '../dossiers/access.js';
import { laterApprovalStep, type DossierAction } from '../dossiers/transitions.js';
import { isDossierPaid } from '../payments/queries.js';
import { formatDayOf } from '../shared/dates.js';
import { notify } from './enqueue.js';

type Dossier = typeof dossiers.$inferSelect;
type Version = typeof procedureVersions.$inferSelect;

/** At most this many officials hear of one arrival (a step held by a whole department: its first holders, own unit first). */
export const MAX_STEP_RECIPIENTS = 10;

/** The placeholders every dossier event shares. */
export async function dossierFacts(q: Queryable, d: Pick<Dossier, 'code' | 'agencyUnitId'>, procedureName: string) {
  const [agency] = await q.select({ name: units.name }).from(units).where(eq(units.id, d.agencyUnitId));
  return { ma_ho_so: d.code, thu_tuc: procedureName, co_quan: agency?.name ?? '' };
}

export type ActionFacts = {
  action: DossierAction;
  /** The dossier before and after the action. */
  before: Dossier;
  after: Dossier;
  version: Version;
  note: string | null;
  items: readonly string[];
  /** The official who acted (not told of their own handover); null for the applicant. */
  actorAccountId: string | null;
};

export async function notifyDossierAction(tx: Queryable, f: ActionFacts): Promise<void> {
  const { action, after: d, version } = f;
  const facts = await dossierFacts(tx, d, version.name);
  const to = { kind: 'applicant', dossierId: d.id } as const;
  const base = { to, dossierId: d.id };
  const reason = f.note ?? '';
  switch (action) {
    case 'accept':
      // Keyed by the dossier, like counter reception's: a dossier is received once, however it came.
      await notify(tx, {
        ...base,
        event: 'dossier.received',
        key: d.id,
        data: { ...facts, ma_tra_cuu: d.lookupCode, ngay_hen_tra: formatDayOf(d.dueAt) },
      });
      // An online dossier pays its fee online (payments/start-payment.ts): it is due from acceptance.
      if (version.fee > 0 && d.channel === 2 && !(await isDossierPaid(tx, d.id)))
        await notify(tx, {
          ...base,
          event: 'dossier.fee_due',
          key: d.id,
          data: { ...facts, so_tien: version.fee.toLocaleString('vi-VN') },
        });
      break;
    case 'request_supplement': {
      const what = [...f.items, ...(f.note ? [f.note] : [])].join('; ');
      // The workflow sets no deadline for a supplement: han_bo_sung stays empty (the default text does not use it).
      await notify(tx, { ...base, event: 'dossier.supplement_requested', data: { ...facts, noi_dung: what, han_bo_sung: '' } });
      break;
    }
    case 'refuse':
      await notify(tx, { ...base, event: 'dossier.refused', key: d.id, data: { ...facts, ly_do: reason } });
      break;
    case 'stop':
      await notify(tx, { ...base, event: 'dossier.stopped', key: d.id, data: { ...facts, ly_do: reason } });
      break;
    case 'extend':
      await notify(tx, { ...base, event: 'dossier.extended', data: { ...facts, ngay_hen_moi: formatDayOf(d.dueAt), ly_do: reason } });
      break;
    case 'approve': {
      // A level below the last approval is an internal hand-over: the applicant hears of the decision only.
      if (laterApprovalStep(version.steps, f.before.currentStep)) break;
      const noi_nhan =
        d.channel === 2
          ? `Ông/Bà có thể nhận kết quả trực tuyến trên Cổng dịch vụ công (mục Hồ sơ của tôi) hoặc tại Bộ phận Một cửa của ${facts.co_quan}.`
          : `Mời Ông/Bà đến nhận kết quả tại Bộ phận Một cửa của ${facts.co_quan}, mang theo giấy tiếp nhận hồ sơ.`;
      await notify(tx, { ...base, event: 'dossier.result_ready', key: d.id, data: { ...facts, noi_nhan } });
      break;
    }
    case 'withdraw':
      await notify(tx, { ...base, event: 'dossier.withdrawn', key: d.id, data: facts });
      break;
    default:
      break;
  }
  // Arrived at another step (handed over, returned, on to the result step): its officials are told.
  if (d.currentStep !== f.before.currentStep) await notifyArrival(tx, d, version, facts, f.actorAccountId);
}

/** The step's assignee when the sender chose one, else the officials holding the step's position (access.ts). */
async function notifyArrival(
  tx: Queryable,
  d: Dossier,
  version: Version,
  facts: Awaited<ReturnType<typeof dossierFacts>>,
  actorAccountId: string | null,
): Promise<void> {
  const step = version.steps[d.currentStep];
  if (!step) return;
  const ids = d.assignedTo
    ? [d.assignedTo]
    : (await stepHolders(tx, step, d.agencyUnitId)).map((h) => h.id).filter((id) => id !== actorAccountId);
  for (const accountId of ids.slice(0, MAX_STEP_RECIPIENTS)) {
    await notify(tx, {
      event: 'official.dossier_arrived',
      to: { kind: 'official', accountId },
      dossierId: d.id,
      data: { ...facts, buoc: step.name, han_buoc: formatDayOf(d.stepDueAt ?? d.dueAt) },
    });
  }
}
