/**
 * Put together the data of the official forms (Mẫu 01–06) for a dossier an official may see,
 * from its record and history, and render the PDF.
 */
import { eq, inArray } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { accounts, CHANNELS, procedureVersions, units } from '../db/schema/index.js';
import type { CitizenActor, StaffActor } from '../shared/context.js';
import { requireCitizenDossier } from '../portal/citizen-dossiers.js';
import { AppError } from '../shared/errors.js';
import { TIMELINESS_LABELS, timeliness } from '../calendar/deadlines.js';
import { viewDossier } from './view-dossier.js';
import { dossierHistory } from './dossier-history.js';
import { eventActorLabel } from './presenters.js';
import { actionIssuing } from './transitions.js';
import { receivedDocuments } from './dossier-components.js';
import { feeText } from './procedure-terms.js';
import { timeLimitText } from '../procedures/time-limit.js';
import {
  apologyPdf,
  controlSlipPdf,
  receiptPdf,
  refusalPdf,
  stopNoticePdf,
  supplementRequestPdf,
  type FormAgency,
  type FormDossier,
  type FormHandover,
  type FormOfficial,
} from './forms/index.js';

const FORM_NUMBERS = ['01', '02', '03', '04', '05', '06'] as const;
export type FormNumber = (typeof FORM_NUMBERS)[number];

const notIssued = () => new AppError('form_not_issued', 'Hồ sơ chưa có phiếu này (chưa phát sinh thao tác tương ứng).', 404);

/** "Tỉnh Bình Phước" → "Bình Phước": the place name written before the date. */
function placeName(rootName: string): string {
  return rootName.replace(/^(Tỉnh|Thành phố)\s+/i, '');
}

/** The forms an applicant receives (Mẫu 06, the control slip, is the agency's own). */
export const APPLICANT_FORMS: readonly FormNumber[] = ['01', '02', '03', '04', '05'];

/** What the forms are made from: for an official, the dossier they may see; for the applicant, their own dossier. */
async function formSource(db: Queryable, actor: StaffActor | CitizenActor, dossierId: string, form: FormNumber, now: Date) {
  if (actor.kind !== 'citizen') return viewDossier(db, actor, dossierId, now);
  const d = await requireCitizenDossier(db, actor, dossierId);
  if (!APPLICANT_FORMS.includes(form)) throw notIssued();
  const [version] = await db.select().from(procedureVersions).where(eq(procedureVersions.id, d.procedureVersionId));
  const [agency] = await db.select().from(units).where(eq(units.id, d.agencyUnitId));
  if (!version || !agency) throw notIssued();
  return { dossier: d, version, agency, history: await dossierHistory(db, d.id) };
}

/**
 * The name a form is saved under: the form and the dossier's code, so that the receipts of several dossiers saved in
 * one folder do not end up as mau-01.pdf, mau-01 (1).pdf…. ASCII only (codes are `<agency code>-<YYMMDD>-<XXXX>`:
 * letters, digits, dots and dashes; anything else is dropped, so no header or file-system character gets through).
 */
const formFileName = (form: FormNumber, dossierCode: string) => `mau-${form}-${dossierCode.replace(/[^A-Za-z0-9.-]/g, '')}.pdf`;

/** A form of a dossier as PDF, with the name it is saved under (formFileName). */
export async function dossierFormPdf(
  db: Queryable,
  actor: StaffActor | CitizenActor,
  dossierId: string,
  form: FormNumber,
  publicUrl: string,
  now: Date,
): Promise<{ pdf: Buffer; fileName: string }> {
  const v = await formSource(db, actor, dossierId, form, now);
  return { pdf: await renderForm(db, v, form, publicUrl), fileName: formFileName(form, v.dossier.code) };
}

type FormSource = Awaited<ReturnType<typeof formSource>>;

async function renderForm(db: Queryable, v: FormSource, form: FormNumber, publicUrl: string): Promise<Buffer> {
  const d = v.dossier;
  const chain: Array<typeof units.$inferSelect> = [];
  for (let id: string | null = v.agency.id; id; ) {
    const [u] = await db.select().from(units).where(eq(units.id, id));
    if (!u) break;
    chain.push(u);
    id = u.parentId;
  }
  const agency: FormAgency = {
    name: v.agency.name,
    parentName: chain[1]?.name ?? null,
    place: placeName(chain[chain.length - 1]?.name ?? ''),
  };
  const actorIds = [...new Set([d.receivedBy, ...v.history.flatMap((h) => [h.actorId, h.onBehalfOf])].filter((x): x is string => !!x))];
  const people = actorIds.length ? await db.select().from(accounts).where(inArray(accounts.id, actorIds)) : [];
  const official = (id: string | null | undefined): FormOfficial => {
    const a = people.find((p) => p.id === id);
    return a ? { name: `${a.middleName} ${a.givenName}`, position: a.position } : { name: '' };
  };
  const dossier: FormDossier = {
    code: d.code,
    lookupCode: d.lookupCode,
    procedureName: v.version.name,
    receivedAt: d.receivedAt,
    dueAt: d.dueAt,
    channelLabel: CHANNELS[d.channel],
    applicant: d.applicant,
    documents: await receivedDocuments(db, d.id),
    fee: feeText(v.version),
    timeLimit: timeLimitText(v.version),
  };
  /** The history row of the last action that issued this form (transitions.ts: ActionDef.form). */
  const lastOf = (form: FormNumber) => {
    const by = actionIssuing(form);
    return [...v.history].reverse().find((h) => h.action === by);
  };
  switch (form) {
    case '01': {
      const first = [...v.history].reverse().find((h) => h.action === 'receive' || h.action === actionIssuing('01'));
      // An online dossier has its receipt once the agency accepts it.
      if (!first) throw notIssued();
      const dueAtReception = first?.data.dueAt ? new Date(String(first.data.dueAt)) : d.dueAt;
      return receiptPdf({
        agency,
        dossier: { ...dossier, dueAt: dueAtReception },
        official: official(d.receivedBy),
        lookupUrl: `${publicUrl}/tra-cuu?ma=${encodeURIComponent(d.code)}&matracuu=${d.lookupCode}`,
        issuedAt: d.receivedAt,
      });
    }
    case '02': {
      const e = lastOf('02');
      if (!e) throw notIssued();
      return supplementRequestPdf({
        agency,
        dossier,
        official: official(e.actorId),
        items: (e.data.items as string[]) ?? [],
        reason: e.note ?? '',
        issuedAt: e.at,
      });
    }
    case '03': {
      const e = lastOf('03');
      if (!e) throw notIssued();
      return refusalPdf({ agency, dossier, official: official(e.actorId), reason: e.note ?? '', issuedAt: e.at });
    }
    case '04': {
      const e = lastOf('04');
      if (!e) throw notIssued();
      return apologyPdf({
        agency,
        dossier: { ...dossier, dueAt: new Date(String(e.data.oldDueAt)) },
        reason: e.note ?? '',
        newDueAt: new Date(String(e.data.newDueAt)),
        issuedAt: e.at,
      });
    }
    case '05': {
      const e = lastOf('05');
      if (!e) throw notIssued();
      return stopNoticePdf({ agency, dossier, reason: e.note ?? '', issuedAt: e.at });
    }
    case '06': {
      const unitNames = new Map<string, string>();
      const stepUnitIds = v.version.steps.map((s) => s.unitId ?? d.agencyUnitId);
      for (const u of await db.select({ id: units.id, name: units.name }).from(units).where(inArray(units.id, stepUnitIds)))
        unitNames.set(u.id, u.name);
      const moves = v.history.filter((h) => typeof h.data.toStep === 'number');
      const handovers: FormHandover[] = moves.map((h) => {
        const toStep = h.data.toStep as number;
        const next = v.history.find((x) => x.id > h.id);
        const stepDue = h.data.stepDueAt ? new Date(String(h.data.stepDueAt)) : null;
        return {
          step: `${v.version.steps[h.data.fromStep as number]?.name ?? ''} – ${v.version.steps[toStep]?.name ?? ''}`,
          fromName: eventActorLabel(h),
          toName: next ? eventActorLabel(next) : '',
          unitName: unitNames.get(stepUnitIds[toStep]!) ?? '',
          givenAt: h.at,
          receivedAt: next?.at ?? null,
          result: stepDue ? (TIMELINESS_LABELS[timeliness(stepDue, h.at)] as FormHandover['result']) : '',
          note: h.note,
        };
      });
      return controlSlipPdf({ agency, dossier, handovers });
    }
  }
}
