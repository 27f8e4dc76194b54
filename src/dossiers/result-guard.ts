import { and, eq } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import { dossierFiles, dossierResults, type dossiers, type procedureVersions } from '../db/schema/index.js';
import { AppError } from '../shared/errors.js';
import { laterApprovalStep, type DossierAction } from './transitions.js';

type Dossier = typeof dossiers.$inferSelect;
type Version = typeof procedureVersions.$inferSelect;

const refused = (message: string, field: string) => new AppError('result_required', message, 409, { [field]: message });

/**
 * The result rule of the workflow (act-on-dossier.ts calls it inside the action's transaction, the dossier locked):
 * Phê duyệt needs the result recorded (record-result.ts) with its file, or the no-document reason the procedure
 * allows, and freezes it; Trả kết quả needs the approved result. Returns what the history row keeps of it.
 */
export async function checkResultFor(tx: Tx, action: DossierAction, d: Dossier, version: Version, now: Date) {
  if (action !== 'approve' && action !== 'return_result') return {};
  // A level below the last approval hands the dossier on (transitions.ts actionAt): the result may still change — the
  // next level may return it, and the signed file is often the last level's to attach — so it is neither required nor
  // frozen yet; the last level's Phê duyệt is the one that needs and freezes it.
  if (action === 'approve' && laterApprovalStep(version.steps, d.currentStep)) return {};
  const [r] = await tx.select().from(dossierResults).where(eq(dossierResults.dossierId, d.id));
  const what = version.resultName || 'văn bản kết quả';
  if (action === 'return_result') {
    if (!r?.approvedAt)
      throw refused('Chưa có kết quả đã được phê duyệt: chỉ trả kết quả sau khi lãnh đạo phê duyệt kết quả đã ghi nhận.', 'result');
    return { result: r.kind };
  }
  if (!r) {
    throw refused(
      `Chưa ghi nhận kết quả giải quyết (${what}): vui lòng ghi số, ngày ký, trích yếu và đính kèm tệp kết quả trước khi phê duyệt.`,
      'result',
    );
  }
  if (r.kind === 'none' && version.resultWithoutDocument === null) {
    throw refused(`Thủ tục này có kết quả là văn bản (${what}): vui lòng ghi nhận văn bản kết quả trước khi phê duyệt.`, 'result');
  }
  if (r.kind === 'document') {
    const [file] = await tx
      .select({ id: dossierFiles.id })
      .from(dossierFiles)
      .where(and(eq(dossierFiles.dossierId, d.id), eq(dossierFiles.kind, 'result')))
      .limit(1);
    if (!file) throw refused(`Chưa đính kèm tệp kết quả (${what}): vui lòng đính kèm bản ký trước khi phê duyệt.`, 'file');
  }
  await tx.update(dossierResults).set({ approvedAt: now }).where(eq(dossierResults.dossierId, d.id));
  return { result: r.kind, resultNumber: r.number };
}
