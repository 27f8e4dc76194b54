import type { Db } from '../../src/db/client.js';
import { attachResult } from '../../src/dossiers/attach-result.js';
import { recordResult } from '../../src/dossiers/record-result.js';
import type { StaffActor } from '../../src/shared/context.js';

/**
 * What an official does before approval (src/dossiers/result-guard.ts): attach the signed result and record its số,
 * ngày ký and trích yếu. `signedOn` defaults to the day of `now` in Vietnam.
 */
export async function recordSignedResult(db: Db, official: StaffActor, dossierId: string, now = new Date(), number = '15/GP-SCT') {
  const bytes = new TextEncoder().encode(`%PDF-1.4\n% ${number}\n%%EOF\n`);
  await attachResult(db, official, dossierId, { name: 'giay-phep.pdf', bytes }, now);
  const signedOn = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh' }).format(now);
  return recordResult(db, official, dossierId, { kind: 'document', number, signedOn, summary: 'Cấp giấy phép bán lẻ sản phẩm rượu' }, now);
}
