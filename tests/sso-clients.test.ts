import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Database } from '../src/db/client.js';
import { auditLog, ssoClients } from '../src/db/schema/index.js';
import { registerSsoClient } from '../src/sso/register-sso-client.js';
import { hashClientSecret } from '../src/sso/clients.js';
import { actorFor, freshDemo } from './support/fixtures.js';
import { testDatabase } from './support/db.js';

let database: Database;
beforeAll(async () => {
  database = await testDatabase();
});
beforeEach(async () => {
  await freshDemo(database);
});

const APP = { name: 'Thư điện tử công vụ', redirectUris: ['https://mail.example.gov.vn/oidc/cb'], scopes: ['openid', 'profile'] };

describe('registering an application with the provincial SSO', () => {
  it('the province administrator registers one: the secret is shown once, only its SHA-256 is kept, audited', async () => {
    const admin = await actorFor(database, 'quantri1');
    const { clientId, clientSecret } = await registerSsoClient(database.db, admin, { ...APP, confidential: true }, { production: true });
    expect(clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [row] = await database.db.select().from(ssoClients).where(eq(ssoClients.clientId, clientId));
    expect(row).toMatchObject({
      secretHash: hashClientSecret(clientSecret!),
      confidential: true,
      accessTokenTtl: 600,
      createdBy: admin.accountId,
    });
    const [audit] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'sso_client.register'));
    expect(audit).toMatchObject({ targetId: clientId, actorId: admin.accountId });
    expect(JSON.stringify(audit!.data)).not.toContain(clientSecret!);
    // A public client has no secret.
    expect((await registerSsoClient(database.db, admin, { ...APP, confidential: false }, { production: true })).clientSecret).toBeNull();
  });

  it('a unit administrator may not; bad addresses and scopes are refused field by field', async () => {
    const unitAdmin = await actorFor(database, 'admin.sct');
    await expect(registerSsoClient(database.db, unitAdmin, { ...APP, confidential: true }, { production: true })).rejects.toMatchObject({
      code: 'forbidden',
    });
    const admin = await actorFor(database, 'quantri1');
    await expect(
      registerSsoClient(
        database.db,
        admin,
        {
          ...APP,
          confidential: true,
          redirectUris: ['http://mail.example.gov.vn/cb', 'https://x.vn/cb#frag'],
          scopes: ['profile', 'email'],
        },
        { production: true },
      ),
    ).rejects.toMatchObject({
      code: 'validation_failed',
      fields: {
        'redirectUris.0': 'Địa chỉ phải bắt đầu bằng https://.',
        'redirectUris.1': 'Địa chỉ phải là một URL đầy đủ, không có phần #.',
        'scopes.1': 'Phạm vi không được hỗ trợ.',
      },
    });
    expect(await database.db.select().from(ssoClients)).toEqual([]);
  });
});
