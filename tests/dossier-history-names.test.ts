/**
 * The history names people (issue 12, item 12): officials' dossier page, the API and Mẫu 06 write who acted as
 * "Họ tên (Chức vụ)" of the account, joined when read — a changed position shows at once, the stored row keeps the
 * username of then — while the applicant's own history names no official.
 */
import crypto from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { extractText } from 'unpdf';
import { Client, TEST_PASSWORD } from './support/app.js';
import { accountByUsername, actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { demoOfficials } from '../src/demo/officials.js';
import { accounts, citizens, dossierEvents } from '../src/db/schema/index.js';
import { completeChecklist, receiveAtCounter } from './support/reception.js';
import { actOnDossier } from '../src/dossiers/act-on-dossier.js';
import { dossierFormPdf } from '../src/dossiers/dossier-forms.js';
import { issueApiClient } from '../src/api/issue-api-client.js';
import { createCitizenSession } from '../src/auth/sessions.js';
import { PORTAL_COOKIE } from '../src/portal/citizen-context.js';

const t = useDemoApp();
const CCCD = '070190004512';
const demo = (username: string) => demoOfficials().find((o) => o.username === username)!;
const fullName = (username: string) => `${demo(username).middleName} ${demo(username).givenName}`;
const leader = () => demoOfficials().find((o) => o.unitKey === 'sct-ld' && o.position === 'Giám đốc')!.username;

/** The history table of the officials' dossier page, tags stripped. */
const historyTable = (html: string) =>
  (/<table class="list" id="history">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

async function handedOver() {
  const { p } = await currentProcedure(t.database, '2.000633');
  const clerk = await actorFor(t.database, sctClerkUsername());
  const d = await receiveAtCounter(t.database.db, clerk, {
    procedureId: p.id,
    channel: '1',
    fullName: 'Đinh Thị Lan',
    cccd: CCCD,
    phone: '0912000333',
  });
  await actOnDossier(t.database.db, clerk, d.id, { action: 'handover' });
  return d;
}

describe('who acted, in the history', () => {
  it('the officials’ page and Mẫu 06 say "Họ tên (Chức vụ)", not the username; a new position shows when read', async () => {
    const d = await handedOver();
    const clerk = sctClerkUsername();
    const c = new Client(t.app);
    expect((await c.login(leader(), TEST_PASSWORD)).status).toBe(303);
    const before = historyTable((await c.get(`/tiepnhan/ho-so/${d.id}`)).text);
    expect(before).toContain(`${fullName(clerk)} (${demo(clerk).position})`);
    expect(before).not.toContain(clerk);

    const { pdf: slip } = await dossierFormPdf(t.database.db, await actorFor(t.database, leader()), d.id, '06', 'http://x', new Date());
    const { text } = await extractText(new Uint8Array(slip), { mergePages: true });
    expect(text.replace(/\s+/g, ' ')).toContain(`${fullName(clerk)} (${demo(clerk).position})`);

    // Read at the time of reading: the stored row keeps the username of then.
    await t.database.db.update(accounts).set({ position: 'Văn thư' }).where(eq(accounts.username, clerk));
    expect(historyTable((await c.get(`/tiepnhan/ho-so/${d.id}`)).text)).toContain(`${fullName(clerk)} (Văn thư)`);
    const rows = await t.database.db.select().from(dossierEvents).where(eq(dossierEvents.dossierId, d.id));
    expect(rows.map((r) => r.actorLabel)).toEqual([clerk, clerk]);
  });

  it('the API says the same, and marks what was done through it', async () => {
    const d = await handedOver();
    const clerk = (await accountByUsername(t.database, sctClerkUsername()))!;
    const { token } = await issueApiClient(t.database.db, await actorFor(t.database, 'admin.sct'), clerk.id, { name: 'Lịch sử' });
    const api = new Client(t.app);
    const res = await api.request('GET', `/api/v1/dossiers/${d.id}`, undefined, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    const history = (JSON.parse(res.text) as { history: Array<{ actor: string }> }).history;
    const named = `${clerk.middleName} ${clerk.givenName}${clerk.position ? ` (${clerk.position})` : ''}`;
    expect(history.map((h) => h.actor)).toEqual([named, named]);

    // Received through the API: the same person, marked as acting through it.
    const { p, v } = await currentProcedure(t.database, '2.000633');
    const created = await api.request(
      'POST',
      '/api/v1/dossiers',
      JSON.stringify({ procedureId: p.id, channel: 1, fullName: 'Đinh Văn Nam', documents: completeChecklist(v.documents) }),
      {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      },
    );
    expect(created.status).toBe(201);
    const id = (JSON.parse(created.text) as { id: string }).id;
    const viaApi = JSON.parse(
      (await api.request('GET', `/api/v1/dossiers/${id}`, undefined, { authorization: `Bearer ${token}` })).text,
    ) as {
      history: Array<{ actor: string }>;
    };
    expect(viaApi.history.map((h) => h.actor)).toEqual([`${named} (qua API)`]);
  });

  it('the applicant’s own history names no official', async () => {
    const d = await handedOver();
    const [row] = await t.database.db
      .insert(citizens)
      .values({ issuer: 'https://vneid.test', subject: crypto.randomUUID(), cccd: CCCD, fullName: 'Đinh Thị Lan', loa: 2 })
      .returning({ id: citizens.id });
    const token = await createCitizenSession(t.database.db, row!.id, { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 }, new Date());
    const citizen = new Client(t.app);
    citizen.cookies.set(PORTAL_COOKIE, token);
    const page = await citizen.get(`/ca-nhan/ho-so/${d.id}`);
    expect(page.status).toBe(200);
    const history = /<ol class="history">([\s\S]*?)<\/ol>/.exec(page.text)?.[1] ?? '';
    expect(history).not.toBe('');
    const clerk = sctClerkUsername();
    expect(history).not.toContain(fullName(clerk));
    expect(history).not.toContain(clerk);
    const [received] = await t.database.db
      .select()
      .from(dossierEvents)
      .where(and(eq(dossierEvents.dossierId, d.id), eq(dossierEvents.action, 'receive')));
    expect(received?.actorLabel).toBe(clerk);
  });
});
