import { eq } from 'drizzle-orm';
import type { Database } from '../../src/db/client.js';
import { procedures } from '../../src/db/schema/index.js';
import { demoOfficials } from '../../src/demo/officials.js';
import { actOnDossier } from '../../src/dossiers/act-on-dossier.js';
import type { StaffActor } from '../../src/shared/context.js';
import { actorFor, sctClerkUsername } from './fixtures.js';
import { receiveAtCounter } from './reception.js';
import { recordSignedResult } from './results.js';

/**
 * What the statistics tests share: hand-made dossiers of Sở Công Thương, procedure 2.000633 (10 working days, a fee),
 * received, acted on and settled at chosen times in Vietnam, so that each figure of a report can be worked out by hand.
 */

/** A moment given as Vietnam's wall clock: `vn('2026-09-11T10:00')`. */
export const vn = (s: string) => new Date(`${s}+07:00`);

/** The username of the demo official of this unit and position. */
export function who(unitKey: string, position: string): string {
  const official = demoOfficials().find((o) => o.unitKey === unitKey && o.position === position);
  if (!official) throw new Error(`no demo official ${position} of ${unitKey}`);
  return official.username;
}

/** The procedure and the officials who take its dossiers from reception to approval. */
export async function sctStaff(database: Database) {
  const [p] = await database.db.select({ id: procedures.id }).from(procedures).where(eq(procedures.code, '2.000633'));
  if (!p) throw new Error('no demo procedure 2.000633');
  return {
    procedureId: p.id,
    clerk: await actorFor(database, sctClerkUsername()),
    expert: await actorFor(database, who('sct-qltm', 'Chuyên viên')),
    director: await actorFor(database, who('sct-ld', 'Giám đốc')),
  };
}

/**
 * The staff and the verbs of a scenario, each at a Vietnam time: receive a dossier of `fullName` (channel 1 at the
 * counter, 2 online, 3 by post), act on it, and settle it (handed over, the signed result recorded, handed to the
 * director, approved).
 */
export async function statisticsScenario(database: Database, fullName: string) {
  const staff = await sctStaff(database);
  const { procedureId, clerk, expert, director } = staff;
  const act = (a: StaffActor, id: string, action: string, at: string, extra: Record<string, string> = {}) =>
    actOnDossier(database.db, a, id, { action, ...extra }, vn(at));
  const receive = (channel: string, at: string) => receiveAtCounter(database.db, clerk, { procedureId, channel, fullName }, vn(at));
  const settle = async (id: string, at: string) => {
    await act(clerk, id, 'handover', at);
    await recordSignedResult(database.db, expert, id, vn(at));
    await act(expert, id, 'handover', at);
    await act(director, id, 'approve', at);
  };
  return { ...staff, act, receive, settle };
}

type StatisticsScenario = Awaited<ReturnType<typeof statisticsScenario>>;

/**
 * The dossiers around the end of August 2026 (tests/statistics-counters.test.ts and tests/statistics-pages.test.ts),
 * received and acted on but not yet settled, so that a test may add its own before they settle.
 * A: received Thu 27/8, before the swap day Mon 31/8 and the holidays 1–2/9: due 15/9. B: received Fri 28/8, due 16/9.
 * C: online 3/9, asked to supplement (the clock stops 4 working days: due 23/9). D: received 7/9, extended to 30/11
 * (Mẫu 04). E: received 8/9 by `eChannel` (due 22/9), left open. F: refused after reception. G: online, refused at the desk.
 */
export async function endOfAugust({ clerk, expert, act, receive }: StatisticsScenario, eChannel: string) {
  const a = await receive('1', '2026-08-27T09:00');
  const b = await receive('1', '2026-08-28T09:00');
  const c = await receive('2', '2026-09-03T09:00');
  await act(clerk, c.id, 'accept', '2026-09-03T09:30');
  await act(clerk, c.id, 'request_supplement', '2026-09-04T10:00', { note: 'Thiếu hợp đồng', items: 'Hợp đồng thuê' });
  await act(clerk, c.id, 'supplement_received', '2026-09-10T10:00');
  const d = await receive('1', '2026-09-07T09:00');
  await act(clerk, d.id, 'handover', '2026-09-08T09:00');
  await act(expert, d.id, 'extend', '2026-09-18T09:00', { note: 'Cần xác minh', newDueDate: '30/11/2026' });
  await receive(eChannel, '2026-09-08T09:00');
  const f = await receive('1', '2026-09-09T09:00');
  await act(clerk, f.id, 'refuse', '2026-09-09T10:00', { note: 'Không thuộc thẩm quyền' });
  const g = await receive('2', '2026-09-10T09:00');
  await act(clerk, g.id, 'refuse', '2026-09-10T10:00', { note: 'Hồ sơ không hợp lệ' });
  return { a, b, c };
}
