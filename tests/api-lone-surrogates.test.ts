/**
 * A JSON body may carry a lone surrogate ("\ud800": half of a UTF-16 pair, no character of its own, no UTF-8 form).
 * PostgreSQL's jsonb refuses it (a 500) and a text column silently keeps U+FFFD instead: every API body is checked
 * by parseInput, which refuses it with a 400 naming the field — the JSON body and the multipart form's `dossier` part alike.
 */
import { describe, expect, it } from 'vitest';
import { accountByUsername, actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { completeChecklist } from './support/reception.js';
import { issueApiClient } from '../src/api/issue-api-client.js';
import { LONE_SURROGATE_MESSAGE } from '../src/shared/text.js';

const t = useDemoApp();

type Answer = { status: number; body: { id?: string; error?: { code: string; fields: Record<string, string> | null } } };

async function call(method: string, path: string, token: string, body: string | FormData): Promise<Answer> {
  const json = typeof body === 'string';
  const res = await t.app.request(`http://localhost/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(json ? { 'content-type': 'application/json' } : {}) },
    body,
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

async function setUp() {
  const admin = await actorFor(t.database, 'quantri1');
  const clerk = (await accountByUsername(t.database, sctClerkUsername()))!;
  const { token } = await issueApiClient(t.database.db, admin, clerk.id, { name: 'Khóa thử' });
  const { p, v } = await currentProcedure(t.database, '2.000633');
  // Raw JSON text, so that `\ud800` reaches the server as JSON's escape (JSON.stringify would write it the same way).
  const base = JSON.stringify({ procedureId: p.id, channel: 1, fullName: 'Lê Văn XYZ', documents: completeChecklist(v.documents) });
  return { token, base };
}

const refused = (a: Answer, fields: Record<string, string>) => {
  expect(a.status).toBe(400);
  expect(a.body.error?.code).toBe('validation_failed');
  expect(a.body.error?.fields).toEqual(fields);
};

describe('API bodies with a lone surrogate', () => {
  it('POST /dossiers: 400 naming the field (JSON body and multipart `dossier` part), never a 500; an emoji is kept', async () => {
    const { token, base } = await setUp();
    refused(await call('POST', '/dossiers', token, base.replace('XYZ', '\\ud800')), { fullName: LONE_SURROGATE_MESSAGE });
    refused(await call('POST', '/dossiers', token, base.replace('"channel":1', '"channel":1,"address":"\\udc00 abc"')), {
      address: LONE_SURROGATE_MESSAGE,
    });
    const form = new FormData();
    form.set('dossier', base.replace('XYZ', 'X\\udbff'));
    refused(await call('POST', '/dossiers', token, form), { fullName: LONE_SURROGATE_MESSAGE });
    const ok = await call('POST', '/dossiers', token, base.replace('XYZ', '\\ud83d\\ude00'));
    expect(ok.status).toBe(201);
  });

  it('POST /dossiers/{id}/transitions: 400 naming each field — also a text column, which used to keep U+FFFD', async () => {
    const { token, base } = await setUp();
    const created = await call('POST', '/dossiers', token, base);
    expect(created.status).toBe(201);
    const id = created.body.id!;
    // The latest history row the client read (`seen`, required on the API's actions).
    const seen = (
      (await (await t.app.request(`http://localhost/api/v1/dossiers/${id}`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
        seen: number;
      }
    ).seen;
    refused(
      await call(
        'POST',
        `/dossiers/${id}/transitions`,
        token,
        `{"action":"request_supplement","note":"x\\ud800","items":"a\\ud800","seen":${seen}}`,
      ),
      {
        note: LONE_SURROGATE_MESSAGE,
        items: LONE_SURROGATE_MESSAGE,
      },
    );
    refused(await call('POST', `/dossiers/${id}/transitions`, token, `{"action":"refuse","note":"Thi\\udc00u","seen":${seen}}`), {
      note: LONE_SURROGATE_MESSAGE,
    });
    expect(
      (await call('POST', `/dossiers/${id}/transitions`, token, `{"action":"refuse","note":"Thiếu giấy tờ","seen":${seen}}`)).status,
    ).toBe(200);
  });
});
