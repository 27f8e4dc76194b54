/**
 * The official one-stop forms (cơ chế một cửa, Thông tư 01/2018/TT-VPCP) as PDF. Pure: every function takes
 * plain data and returns the bytes of an A4 document, with the font embedded so that Vietnamese prints the
 * same on every machine.
 */

export type FormAgency = { name: string; parentName?: string | null; place: string /* e.g. "Bình Phước" */ };
export type FormApplicant = {
  fullName: string;
  cccd?: string | null;
  phone?: string | null;
  email?: string | null;
  address?: string | null;
};
export type FormDossier = {
  code: string;
  lookupCode: string;
  procedureName: string;
  receivedAt: Date;
  dueAt: Date;
  channelLabel: string;
  applicant: FormApplicant;
  /** The documents received: counts of originals and copies at the counter, or electronic (online). */
  documents: Array<{ name: string; originals?: number; copies?: number; electronic?: boolean }>;
  /** The procedure's fee and processing time as Mẫu 01 prints them ("Không mất phí", "15 ngày làm việc"). */
  fee?: string;
  timeLimit?: string;
};
export type FormOfficial = { name: string; position?: string | null };

export type HandoverResult = 'Trước hạn' | 'Đúng hạn' | 'Quá hạn' | '';
export type FormHandover = {
  step: string;
  fromName: string;
  toName: string;
  unitName: string;
  givenAt: Date;
  receivedAt: Date | null;
  result: HandoverResult;
  note?: string | null;
};
export type FormRegisterRow = {
  code: string;
  procedureName: string;
  applicant: string;
  receivedAt: Date;
  dueAt: Date;
  finishedAt: Date | null;
  returnedAt: Date | null;
  status: string;
  timeliness: string;
};

export { receiptPdf } from './receipt.js';
export { supplementRequestPdf } from './supplement-request.js';
export { refusalPdf } from './refusal.js';
export { apologyPdf } from './apology.js';
export { stopNoticePdf } from './stop-notice.js';
export { controlSlipPdf } from './control-slip.js';
export { registerPdf } from './register.js';
