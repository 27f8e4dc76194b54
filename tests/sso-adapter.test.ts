import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { AdapterPayload } from 'oidc-provider';
import { queryRows, type Database } from '../src/db/client.js';
import { ssoClients } from '../src/db/schema/index.js';
import { postgresAdapter, purgeExpiredSsoModels } from '../src/sso/adapter.js';
import { resetDatabase, testDatabase } from './support/db.js';

let database: Database;
let clock = new Date('2026-03-02T08:00:00Z');
const now = () => clock;

beforeAll(async () => {
  database = await testDatabase();
});
beforeEach(async () => {
  await resetDatabase(database);
  clock = new Date('2026-03-02T08:00:00Z');
});

const later = (seconds: number) => {
  clock = new Date(clock.getTime() + seconds * 1000);
};

describe('the SSO provider adapter (sso_models)', () => {
  it('stores, finds, consumes and destroys a model by id, and hides it once expired', async () => {
    const Adapter = postgresAdapter(database.db, now);
    const codes = new Adapter('AuthorizationCode');
    const tokens = new Adapter('AccessToken');
    await codes.upsert('c1', { accountId: 'a1', grantId: 'g1', kind: 'AuthorizationCode' } as AdapterPayload, 60);
    // Same id, another model: a separate row.
    expect(await tokens.find('c1')).toBeUndefined();
    expect(await codes.find('c1')).toMatchObject({ accountId: 'a1', grantId: 'g1' });
    expect((await codes.find('c1'))?.consumed).toBeUndefined();

    await codes.consume('c1');
    expect((await codes.find('c1'))?.consumed).toEqual(Math.floor(clock.getTime() / 1000));

    // An upsert replaces the payload.
    await codes.upsert('c1', { accountId: 'a2', kind: 'AuthorizationCode' } as AdapterPayload, 60);
    expect(await codes.find('c1')).toMatchObject({ accountId: 'a2' });

    later(61);
    expect(await codes.find('c1')).toBeUndefined();
    await codes.upsert('c2', { kind: 'AuthorizationCode' } as AdapterPayload, 60);
    await codes.destroy('c2');
    expect(await codes.find('c2')).toBeUndefined();
  });

  it('finds a session by uid and a device code by user code, only in their model', async () => {
    const Adapter = postgresAdapter(database.db, now);
    const sessions = new Adapter('Session');
    await sessions.upsert('s1', { uid: 'u-1', accountId: 'a1', kind: 'Session' } as AdapterPayload, 3600);
    expect(await sessions.findByUid('u-1')).toMatchObject({ accountId: 'a1' });
    expect(await new Adapter('Interaction').findByUid('u-1')).toBeUndefined();
    expect(await sessions.findByUid('u-2')).toBeUndefined();

    const devices = new Adapter('DeviceCode');
    await devices.upsert('d1', { userCode: 'ABCD-EFGH', kind: 'DeviceCode' } as AdapterPayload, 600);
    expect(await devices.findByUserCode('ABCD-EFGH')).toMatchObject({ kind: 'DeviceCode' });
    later(601);
    expect(await devices.findByUserCode('ABCD-EFGH')).toBeUndefined();
  });

  it('revokes by grant only the rows of that grant in that model', async () => {
    const Adapter = postgresAdapter(database.db, now);
    const refresh = new Adapter('RefreshToken');
    const access = new Adapter('AccessToken');
    await refresh.upsert('r1', { grantId: 'g1' } as AdapterPayload, 3600);
    await refresh.upsert('r2', { grantId: 'g2' } as AdapterPayload, 3600);
    await access.upsert('a1', { grantId: 'g1' } as AdapterPayload, 3600);
    await refresh.revokeByGrantId('g1');
    expect(await refresh.find('r1')).toBeUndefined();
    expect(await refresh.find('r2')).toBeDefined();
    expect(await access.find('a1')).toBeDefined();
  });

  it('the sso.purge job deletes expired rows and keeps live ones', async () => {
    const Adapter = postgresAdapter(database.db, now);
    const tokens = new Adapter('AccessToken');
    await tokens.upsert('old', {} as AdapterPayload, 60);
    await tokens.upsert('new', {} as AdapterPayload, 3600);
    later(120);
    expect(await purgeExpiredSsoModels(database.db, clock)).toBe(1);
    const ids = await queryRows<{ id: string }>(database.db, sql`select id from sso_models order by id`);
    expect(ids.map((r) => r.id)).toEqual(['new']);
  });

  it('reads the Client model from the registry, and a disabled client is not found', async () => {
    const clients = new (postgresAdapter(database.db, now))('Client');
    await database.db.insert(ssoClients).values({
      clientId: 'vbdh',
      name: 'Văn bản điều hành',
      redirectUris: ['https://vbdh.example.gov.vn/callback'],
      scopes: ['openid', 'profile'],
      confidential: true,
      secretHash: 'ab'.repeat(32),
      accessTokenTtl: 300,
      refreshTokenTtl: 86400,
      idTokenTtl: 300,
    });
    expect(await clients.find('vbdh')).toMatchObject({
      client_id: 'vbdh',
      client_secret: 'ab'.repeat(32),
      token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: ['https://vbdh.example.gov.vn/callback'],
      scope: 'openid profile',
    });
    await database.db.update(ssoClients).set({ disabledAt: clock });
    expect(await clients.find('vbdh')).toBeUndefined();
    expect(await clients.find('nobody')).toBeUndefined();
  });
});
