/** The Authorization scheme is case-insensitive (RFC 9110 §11.1): "bearer <key>" is the key, not a request without credentials. */
import { describe, expect, it } from 'vitest';
import { accountByUsername, actorFor, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { issueApiClient } from '../src/api/issue-api-client.js';

const t = useDemoApp();

describe('Authorization scheme', () => {
  it('accepts the key whatever the case of "Bearer"', async () => {
    const admin = await actorFor(t.database, 'admin.sct');
    const clerk = (await accountByUsername(t.database, sctClerkUsername()))!;
    const { token } = await issueApiClient(t.database.db, admin, clerk.id, { name: 'Tích hợp' });
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const res = await t.app.request('http://localhost/api/v1/me', { headers: { authorization: `${scheme} ${token}` } });
      expect(res.status, `${scheme}: ${await res.text()}`).toBe(200);
    }
  });
});
