/**
 * An uploaded file's name is cut to 140 characters (safeFileName). Cut by UTF-16 units, an emoji across the cut left
 * half of itself — a lone surrogate — in the stored name: a draft of Nộp hồ sơ (jsonb: dossier_drafts.files) answered
 * 500 and lost what the citizen typed; a personal file's name was stored mangled (U+FFFD).
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { buildApp, type Client } from './support/app.js';
import { currentProcedure, useDemoApp } from './support/fixtures.js';
import { loggedInCitizen, sendSubmission } from './support/portal-citizen.js';
import { dossierDrafts, personalFiles } from '../src/db/schema/index.js';

const t = useDemoApp();
const FORM = '/ca-nhan/nop-ho-so';
const pdf = (text: string) => new Uint8Array(Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`));
const asFile = (bytes: Uint8Array, name: string) => new File([bytes as Uint8Array<ArrayBuffer>], name, { type: 'application/pdf' });
const LONG = `${'a'.repeat(139)}😀.pdf`;

async function saveDraft(c: Client, procedureId: string, files: Record<string, File>) {
  const form = new FormData();
  form.set('_csrf', await c.csrf(`${FORM}?thutuc=${procedureId}`));
  form.set('procedureId', procedureId);
  form.set('submissionKey', crypto.randomUUID());
  form.set('do', 'save');
  for (const [k, f] of Object.entries(files)) form.set(k, f);
  return sendSubmission(c, procedureId, form);
}

describe('file names cut inside an emoji', () => {
  it('a draft upload whose name has an emoji at the 140th unit is saved (no 500)', async () => {
    const app = buildApp(t.database);
    const a = await loggedInCitizen(t.database.db, app);
    const proc = await currentProcedure(t.database, '2.000633');
    const res = await saveDraft(a.client, proc.p.id, { doc0: asFile(pdf('emoji draft'), LONG) });
    expect(res.status).toBe(200);
    const [d] = await t.database.db.select().from(dossierDrafts).where(eq(dossierDrafts.citizenId, a.id));
    expect(d).toBeDefined();
  });

  it('a personal file uploaded under such a name keeps a well-formed name (no U+FFFD)', async () => {
    const app = buildApp(t.database);
    const a = await loggedInCitizen(t.database.db, app);
    const form = new FormData();
    form.set('_csrf', await a.client.csrf('/ca-nhan/tap-tin'));
    form.set('file', asFile(pdf('emoji personal'), LONG));
    const res = await a.client.request('POST', '/ca-nhan/tap-tin', form, { origin: a.client.origin });
    expect(res.status).toBe(303);
    const [f] = await t.database.db.select().from(personalFiles).where(eq(personalFiles.citizenId, a.id));
    expect(f!.name).not.toContain('\uFFFD');
  });
});
